import type { ServerRoute } from '@hapi/hapi';
import {
  createBotRoute,
  deleteBotRoute,
  getBotRoute,
  listBotsRoute,
  updateBotRoute,
} from './manage';
import { createBotTokenRoute, listBotTokensRoute, revokeBotTokenRoute } from './tokens';

/** Bot management (issue 12, docs/bots.md): people only, never bot tokens (no botScope). */
export const botRoutes: ServerRoute[] = [
  listBotsRoute,
  createBotRoute,
  getBotRoute,
  updateBotRoute,
  deleteBotRoute,
  createBotTokenRoute,
  listBotTokensRoute,
  revokeBotTokenRoute,
];
