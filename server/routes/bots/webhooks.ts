import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import {
  deleteWebhook,
  enableWebhook,
  getWebhook,
  listDeliveries,
  MAX_VALID_SECRETS,
  replayEvent,
  revokeWebhookSecret,
  rotateWebhookSecret,
  setWebhook,
} from '../../../domain/webhooks';
import { ctxOf, userOf } from '../../types';
import { id } from '../../validation';
import { botParams } from './schemas';

/** A bot's webhook (issue 12, docs/bots.md "Webhooks"): its managers only, never a bot token. */
const noBody = Joi.object({}).allow(null);

export const getWebhookRoute: ServerRoute = {
  method: 'GET',
  path: '/api/bots/{id}/webhook',
  options: {
    tags: ['api'],
    description: "A bot's webhook: URL, state (and why it was disabled), secrets, events pending",
    validate: { params: botParams },
  },
  async handler(request) {
    const { id: botId } = request.params as { id: number };
    return getWebhook(ctxOf(request), userOf(request), botId);
  },
};

export const setWebhookRoute: ServerRoute = {
  method: 'PUT',
  path: '/api/bots/{id}/webhook',
  options: {
    tags: ['api'],
    description: "Set a bot's webhook URL (and enable it); the first time, its signing secret",
    notes:
      'https in production. An address inside the network (private, loopback, link-local) ' +
      'is refused unless the operator allows it (WEBHOOK_ALLOWED_HOSTS). `201` with `secret` ' +
      'the first time: the only time it is shown; `200` after.',
    validate: {
      params: botParams,
      payload: Joi.object({ url: Joi.string().trim().max(2000).required() }),
    },
  },
  async handler(request, h) {
    const { id: botId } = request.params as { id: number };
    const { url } = request.payload as { url: string };
    const { webhook, secret, created } = await setWebhook(
      ctxOf(request),
      userOf(request),
      botId,
      url,
    );
    return h.response({ ...webhook, ...(secret ? { secret } : {}) }).code(created ? 201 : 200);
  },
};

export const deleteWebhookRoute: ServerRoute = {
  method: 'DELETE',
  path: '/api/bots/{id}/webhook',
  options: {
    tags: ['api'],
    description: "Remove a bot's webhook and its secrets (its events stay for the pull API)",
    validate: { params: botParams },
  },
  async handler(request, h) {
    const { id: botId } = request.params as { id: number };
    await deleteWebhook(ctxOf(request), userOf(request), botId);
    return h.response().code(204);
  },
};

export const enableWebhookRoute: ServerRoute = {
  method: 'POST',
  path: '/api/bots/{id}/webhook/enable',
  options: {
    tags: ['api'],
    description: 'Enable a disabled webhook again; the events that waited are sent',
    validate: { params: botParams, payload: noBody },
  },
  async handler(request) {
    const { id: botId } = request.params as { id: number };
    return enableWebhook(ctxOf(request), userOf(request), botId);
  },
};

export const rotateSecretRoute: ServerRoute = {
  method: 'POST',
  path: '/api/bots/{id}/webhook/secrets',
  options: {
    tags: ['api'],
    description: 'A new signing secret (rotation); shown in this response only',
    notes:
      'Every valid secret signs each request, so the receiver keeps verifying while it ' +
      'switches. The others stay valid until revoked, or `previousValidHours` from now. ' +
      `At most ${MAX_VALID_SECRETS} valid at once.`,
    validate: {
      params: botParams,
      payload: Joi.object({
        previousValidHours: Joi.number()
          .min(0)
          .max(24 * 30),
      }).allow(null),
    },
  },
  async handler(request, h) {
    const { id: botId } = request.params as { id: number };
    const input = (request.payload ?? {}) as { previousValidHours?: number };
    return h
      .response(await rotateWebhookSecret(ctxOf(request), userOf(request), botId, input))
      .code(201);
  },
};

export const revokeSecretRoute: ServerRoute = {
  method: 'DELETE',
  path: '/api/bots/{id}/webhook/secrets/{secretId}',
  options: {
    tags: ['api'],
    description: 'Revoke a signing secret at once (not the last valid one)',
    validate: { params: Joi.object({ id: id.required(), secretId: id.required() }) },
  },
  async handler(request, h) {
    const { id: botId, secretId } = request.params as { id: number; secretId: number };
    await revokeWebhookSecret(ctxOf(request), userOf(request), botId, secretId);
    return h.response().code(204);
  },
};

export const listDeliveriesRoute: ServerRoute = {
  method: 'GET',
  path: '/api/bots/{id}/deliveries',
  options: {
    tags: ['api'],
    description: "A bot's webhook delivery log, newest first: status, error, duration",
    validate: {
      params: botParams,
      query: Joi.object({
        before: id,
        eventId: id,
        limit: Joi.number().integer().min(1).max(200).default(50),
      }),
    },
  },
  async handler(request) {
    const { id: botId } = request.params as { id: number };
    const query = request.query as { before?: number; eventId?: number; limit: number };
    return listDeliveries(ctxOf(request), userOf(request), botId, query);
  },
};

export const replayEventRoute: ServerRoute = {
  method: 'POST',
  path: '/api/bots/{id}/events/{eventId}/replay',
  options: {
    tags: ['api'],
    description: 'Send an event to the webhook again: a new request, the same webhook-id',
    validate: {
      params: Joi.object({ id: id.required(), eventId: id.required() }),
      payload: noBody,
    },
  },
  async handler(request, h) {
    const { id: botId, eventId } = request.params as { id: number; eventId: number };
    await replayEvent(ctxOf(request), userOf(request), botId, eventId);
    return h.response({ queued: true }).code(202);
  },
};
