export { type BotActor, type BotRight, rightOn } from './access';
export {
  BOT_DESCRIPTION_MAX,
  BOT_NAME_MAX,
  type BotChanges,
  type BotView,
  createBot,
  deleteBot,
  getBot,
  listBots,
  type NewBot,
  updateBot,
} from './manage';
export { BOT_SCOPE_NAMES, BOT_SCOPES, type BotScope, isBotScope } from './scopes';
export {
  BOT_TOKEN_PREFIX,
  type BotTokenView,
  botSessionId,
  botTokenIdOf,
  createBotToken,
  isBotToken,
  isBotTokenLive,
  listBotTokens,
  liveBotSessionIds,
  MAX_ACTIVE_TOKENS,
  type ResolvedBotToken,
  resolveBotToken,
  revokeBotToken,
} from './tokens';
