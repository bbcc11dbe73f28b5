import type { RealtimeEvent } from '../../domain/realtime';
import { presentAttachment, visibleTo } from '../presenters/attachment';
import { presentMessage, type Viewer } from '../presenters/message';

/**
 * An event as one reader receives it on `/users/{accountId}`: messages carry the reader's
 * "mine" flag and the S20 line in their locale and time zone. Shapes: docs/realtime.md.
 */
export function presentEvent(event: RealtimeEvent, viewer: Viewer) {
  if (event.type === 'attachment.updated') {
    // The audience was chosen by the publisher; this is the last guard before a socket.
    if (!visibleTo(event.attachment, viewer)) return null;
    return { ...event, attachment: presentAttachment(event.attachment, viewer) };
  }
  switch (event.type) {
    case 'conversation.created':
      return { ...event, message: presentMessage(event.message, viewer) };
    case 'message.created':
      return { ...event, message: presentMessage(event.message, viewer) };
    default:
      return event;
  }
}
