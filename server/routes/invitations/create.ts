import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { getInvitation, inviteProfessional, type NewInvitation } from '../../../domain/invitations';
import { ctxOf, userOf } from '../../types';
import { id, text } from '../../validation';

export const createInvitationRoute: ServerRoute = {
  method: 'POST',
  path: '/api/invitations',
  options: {
    tags: ['api'],
    description:
      'Invite a professional (or a structure) by e-mail or SMS: to the directory contact details, or to an address typed in',
    notes:
      'Omit `address` to use the directory. Mobile numbers are normalised to E.164 (overseas départements included); SMS go only to mobiles. 429 beyond the daily and weekly limits; SMS asked for between 21:00 and 08:00 Europe/Paris leave at 08:00.',
    validate: {
      payload: Joi.object({
        professionalId: id,
        structureId: id,
        channel: Joi.string().valid('email', 'sms').required(),
        address: Joi.when('channel', {
          is: 'email',
          // biome-ignore lint/suspicious/noThenProperty: Joi's conditional schema
          then: Joi.string().trim().email({ tlds: false }).max(254),
          otherwise: Joi.string()
            .trim()
            .max(32)
            .pattern(/^[+\d\s.()/-]+$/)
            .messages({ 'string.pattern.base': '"address" must be a phone number' }),
        }),
        locale: Joi.string().valid('fr', 'en').default('fr'),
        note: text(280).trim().allow(''),
        conversationId: id,
      }).xor('professionalId', 'structureId'),
    },
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    const user = userOf(request);
    const { invitation } = await inviteProfessional(
      ctx,
      { accountId: user.accountId },
      request.payload as NewInvitation,
    );
    return h.response(await getInvitation(ctx, user, invitation.id)).code(201);
  },
};
