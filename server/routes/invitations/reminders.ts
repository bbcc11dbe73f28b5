import type { ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { reminderPreferences, setReminderPreferences } from '../../../domain/inactivity';
import { ctxOf, userOf } from '../../types';

export const getRemindersRoute: ServerRoute = {
  method: 'GET',
  path: '/api/reminders',
  options: {
    tags: ['api'],
    description: 'My inactivity reminder choices (e-mail, SMS)',
  },
  async handler(request) {
    return reminderPreferences(ctxOf(request), userOf(request).accountId);
  },
};

export const setRemindersRoute: ServerRoute = {
  method: 'PUT',
  path: '/api/reminders',
  options: {
    tags: ['api'],
    description: 'Choose inactivity reminders by e-mail and/or SMS',
    notes:
      'SMS reminders need a mobile number on the account; they never arrive between 21:00 and 08:00.',
    validate: {
      payload: Joi.object({ subscribed: Joi.boolean(), sms: Joi.boolean() }).min(1),
    },
  },
  async handler(request) {
    return setReminderPreferences(
      ctxOf(request),
      userOf(request).accountId,
      request.payload as { subscribed?: boolean; sms?: boolean },
    );
  },
};
