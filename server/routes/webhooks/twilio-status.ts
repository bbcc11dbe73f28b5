import Boom from '@hapi/boom';
import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { validTwilioSignature } from '../../../domain/delivery';
import { applyTwilioStatus, type TwilioStatus } from '../../../domain/invitations';
import { ctxOf } from '../../types';

const report = Joi.object({
  MessageSid: Joi.string()
    .pattern(/^(SM|MM)[0-9a-f]{32}$/)
    .required(),
  MessageStatus: Joi.string().max(40).required(),
  ErrorCode: Joi.string().max(10).allow(''),
}).unknown(true);

/**
 * Twilio's delivery reports. The signature (X-Twilio-Signature: HMAC-SHA1 of the public URL
 * and the sorted form parameters with the auth token) is checked before anything is read:
 * unsigned or badly signed → 403 and nothing changes.
 */
export const twilioStatusRoute: ServerRoute = {
  method: 'POST',
  path: '/api/webhooks/twilio/status',
  options: {
    auth: false,
    // Public by design: authenticated by Twilio's signature instead.
    plugins: { relais: { public: true } },
    tags: ['api'],
    description: 'Twilio SMS status callback (signed by Twilio)',
    payload: { maxBytes: 64 * 1024 },
    // Twilio's documented fields; the signature covers every parameter, known or not.
    validate: { payload: report },
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    const twilio = ctx.config.delivery.twilio;
    const params = (request.payload ?? {}) as Record<string, string>;
    const url = `${ctx.config.publicUrl}${request.url.pathname}${request.url.search}`;
    const signature = request.headers['x-twilio-signature'] as string | undefined;
    if (!twilio || !validTwilioSignature(twilio.authToken, signature, url, params)) {
      throw Boom.forbidden('Invalid Twilio signature');
    }
    await applyTwilioStatus(ctx, params as unknown as TwilioStatus);
    return h.response().code(204);
  },
};
