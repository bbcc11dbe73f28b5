import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import {
  type BotScope,
  createBotToken,
  listBotTokens,
  MAX_ACTIVE_TOKENS,
  revokeBotToken,
} from '../../../domain/bots';
import { ctxOf, userOf } from '../../types';
import { text } from '../../validation';
import { botParams, scopes, tokenParams } from './schemas';

export const createBotTokenRoute: ServerRoute = {
  method: 'POST',
  path: '/api/bots/{id}/tokens',
  options: {
    tags: ['api'],
    description: 'Create an API token for a bot; its secret is in this response only',
    notes:
      `At most ${MAX_ACTIVE_TOKENS} valid tokens per bot (409 beyond): to rotate, create the ` +
      'new one, switch the integration to it, revoke the old one. Scopes: docs/bots.md.',
    validate: {
      params: botParams,
      payload: Joi.object({
        scopes: scopes.required(),
        label: text(100).trim().allow(''),
      }),
    },
  },
  async handler(request, h) {
    const { id: botId } = request.params as { id: number };
    const input = request.payload as { scopes: BotScope[]; label?: string };
    const { token, view } = await createBotToken(ctxOf(request), userOf(request), botId, input);
    return h.response({ ...view, token }).code(201);
  },
};

export const listBotTokensRoute: ServerRoute = {
  method: 'GET',
  path: '/api/bots/{id}/tokens',
  options: {
    tags: ['api'],
    description: "A bot's tokens, revoked ones included (never their secret)",
    validate: { params: botParams },
  },
  async handler(request) {
    const { id: botId } = request.params as { id: number };
    return { tokens: await listBotTokens(ctxOf(request), userOf(request), botId) };
  },
};

export const revokeBotTokenRoute: ServerRoute = {
  method: 'DELETE',
  path: '/api/bots/{id}/tokens/{tokenId}',
  options: {
    tags: ['api'],
    description: 'Revoke a bot token: refused from the next request, its websockets closed',
    validate: { params: tokenParams },
  },
  async handler(request, h) {
    const { id: botId, tokenId } = request.params as { id: number; tokenId: number };
    await revokeBotToken(ctxOf(request), userOf(request), botId, tokenId);
    return h.response().code(204);
  },
};
