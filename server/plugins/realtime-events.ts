import type { RealtimeEvent } from '../../domain/realtime';
import { presentAttachment, visibleTo } from '../presenters/attachment';
import { presentMessage, type Viewer } from '../presenters/message';

/**
 * An event as one reader receives it on `/users/{accountId}`: messages carry the reader's
 * "mine" flag and the S20 line in their locale and time zone. Shapes: docs/realtime.md.
 */
export function presentEvent(event: RealtimeEvent, viewer: Viewer) {
  if (event.type === 'attachment.updated') {
    if (!visibleTo(event.attachment, viewer)) {
      // Refused after the message was sent: the other readers were shown a placeholder;
      // they learn only that it is gone, nothing of the file.
      return event.messageId
        ? {
            type: 'attachment.removed' as const,
            conversationId: event.conversationId,
            messageId: event.messageId,
            attachmentId: event.attachment.id,
          }
        : null;
    }
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
