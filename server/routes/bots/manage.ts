import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import {
  type BotChanges,
  createBot,
  deleteBot,
  getBot,
  listBots,
  type NewBot,
  updateBot,
} from '../../../domain/bots';
import { ctxOf, userOf } from '../../types';
import { id } from '../../validation';
import { botDescription, botName, botParams } from './schemas';

export const listBotsRoute: ServerRoute = {
  method: 'GET',
  path: '/api/bots',
  options: {
    tags: ['api'],
    description: 'The bots the user may see',
    notes:
      "All of them for the installation's administrators; else the bots of the structures " +
      'the user is attached to (`canManage` for its administrators). `structureId` filters.',
    validate: { query: Joi.object({ structureId: id }) },
  },
  async handler(request) {
    const { structureId } = request.query as { structureId?: number };
    return { bots: await listBots(ctxOf(request), userOf(request), { structureId }) };
  },
};

export const createBotRoute: ServerRoute = {
  method: 'POST',
  path: '/api/bots',
  options: {
    tags: ['api'],
    description: "Create a bot (the structure's or the installation's administrators)",
    notes:
      '`structureId: null` makes a bot of the installation (its administrators only). A ' +
      "structure's bot is attached to it as a member (reads and answers its conversations) " +
      'unless `structureMember: false`. Then create a token: `POST /api/bots/{id}/tokens`.',
    validate: {
      payload: Joi.object({
        name: botName.required(),
        description: botDescription,
        structureId: id.allow(null).required(),
        structureMember: Joi.boolean().default(true),
      }),
    },
  },
  async handler(request, h) {
    const bot = await createBot(ctxOf(request), userOf(request), request.payload as NewBot);
    return h.response(bot).code(201);
  },
};

export const getBotRoute: ServerRoute = {
  method: 'GET',
  path: '/api/bots/{id}',
  options: {
    tags: ['api'],
    description: 'One bot (404 for a bot the user may not see)',
    validate: { params: botParams },
  },
  async handler(request) {
    const { id: botId } = request.params as { id: number };
    return getBot(ctxOf(request), userOf(request), botId);
  },
};

export const updateBotRoute: ServerRoute = {
  method: 'PATCH',
  path: '/api/bots/{id}',
  options: {
    tags: ['api'],
    description: 'Rename, describe, disable or enable a bot, or attach it to its structure',
    notes:
      '`disabled: true` refuses its tokens at once and closes its websockets; ' +
      '`structureMember: false` stops it reading its structure’s conversations.',
    validate: {
      params: botParams,
      payload: Joi.object({
        name: botName,
        description: botDescription,
        disabled: Joi.boolean(),
        structureMember: Joi.boolean(),
      }).min(1),
    },
  },
  async handler(request) {
    const { id: botId } = request.params as { id: number };
    return updateBot(ctxOf(request), userOf(request), botId, request.payload as BotChanges);
  },
};

export const deleteBotRoute: ServerRoute = {
  method: 'DELETE',
  path: '/api/bots/{id}',
  options: {
    tags: ['api'],
    description: 'Delete a bot: its tokens stop working at once',
    notes: 'Its messages stay, signed with its name.',
    validate: { params: botParams },
  },
  async handler(request, h) {
    const { id: botId } = request.params as { id: number };
    await deleteBot(ctxOf(request), userOf(request), botId);
    return h.response().code(204);
  },
};
