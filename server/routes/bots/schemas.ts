import Joi from 'joi';
import { BOT_DESCRIPTION_MAX, BOT_NAME_MAX, BOT_SCOPE_NAMES } from '../../../domain/bots';
import { id, text } from '../../validation';

/** Shared request shapes of the bot management routes (docs/bots.md). */
export const botParams = Joi.object({ id: id.required() });
export const tokenParams = Joi.object({ id: id.required(), tokenId: id.required() });

export const botName = text(BOT_NAME_MAX).trim().min(1);
export const botDescription = text(BOT_DESCRIPTION_MAX).trim().allow('');

export const scopes = Joi.array()
  .items(Joi.string().valid(...BOT_SCOPE_NAMES))
  .min(1)
  .max(BOT_SCOPE_NAMES.length)
  .unique();
