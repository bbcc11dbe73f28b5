import type { ServerRoute } from '@hapi/hapi';
import { pullEventsRoute } from './events';
import {
  createBotRoute,
  deleteBotRoute,
  getBotRoute,
  listBotsRoute,
  updateBotRoute,
} from './manage';
import { createBotTokenRoute, listBotTokensRoute, revokeBotTokenRoute } from './tokens';
import {
  deleteWebhookRoute,
  enableWebhookRoute,
  getWebhookRoute,
  listDeliveriesRoute,
  replayEventRoute,
  revokeSecretRoute,
  rotateSecretRoute,
  setWebhookRoute,
} from './webhooks';

/**
 * Bot management (issue 12, docs/bots.md): people only, never bot tokens (no botScope),
 * except the pull API (`events:read`).
 */
export const botRoutes: ServerRoute[] = [
  listBotsRoute,
  createBotRoute,
  getBotRoute,
  updateBotRoute,
  deleteBotRoute,
  createBotTokenRoute,
  listBotTokensRoute,
  revokeBotTokenRoute,
  getWebhookRoute,
  setWebhookRoute,
  deleteWebhookRoute,
  enableWebhookRoute,
  rotateSecretRoute,
  revokeSecretRoute,
  listDeliveriesRoute,
  replayEventRoute,
  pullEventsRoute,
];
