/**
 * What a bot token may do, the one list (docs/bots.md copies it). A route a bot may call
 * names the scope it needs (`options.plugins.relais.botScope`, checked by
 * server/plugins/bot-scopes.ts); every other route refuses bot tokens. What a scope lets a
 * bot read or change is still limited by the conversation rules: a bot sees only the
 * conversations it takes part in, itself or through its structure.
 */
export const BOT_SCOPES = {
  'conversations:read': 'List its conversations and read one (participants, subject, patient)',
  'conversations:create': 'Start a conversation',
  'messages:read': 'Read messages, read receipts and files; mark messages read or delivered',
  'messages:write': 'Send messages',
  'files:write': 'Upload files to attach to messages',
  'events:read': 'Pull its events (GET /api/bots/me/events), for a bot without a webhook',
} as const;

export type BotScope = keyof typeof BOT_SCOPES;

export const BOT_SCOPE_NAMES = Object.keys(BOT_SCOPES) as BotScope[];

export function isBotScope(value: unknown): value is BotScope {
  return typeof value === 'string' && Object.hasOwn(BOT_SCOPES, value);
}
