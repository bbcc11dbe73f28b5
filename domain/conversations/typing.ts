import type { AppContext } from '../context';
import { publishEvent } from '../realtime';
import { audienceOf, type Reader, requireSeats } from './access';

/**
 * "Someone is typing": nothing stored, an event to the other readers of the conversation.
 * Same access rule as everything else (404 for a stranger). Clients send it at most every
 * few seconds while the user types (the client library throttles it).
 */
export async function announceTyping(
  ctx: AppContext,
  reader: Reader & { firstName: string; lastName: string },
  conversationId: number,
): Promise<void> {
  await requireSeats(ctx.db, reader, conversationId);
  const audience = (await audienceOf(ctx.db, conversationId)).filter(
    (id) => id !== reader.accountId,
  );
  await publishEvent(ctx, audience, {
    type: 'typing',
    conversationId,
    reader: { accountId: reader.accountId, firstName: reader.firstName, lastName: reader.lastName },
  });
}
