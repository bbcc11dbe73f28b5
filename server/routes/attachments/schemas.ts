import Joi from 'joi';
import { id, text } from '../../validation';

export const uploadId = Joi.string().guid({ version: ['uuidv4'] });
export const uploadParams = Joi.object({ id: uploadId.required() });

export const newUpload = Joi.object({
  name: text(1000).trim().min(1).required(),
  type: Joi.string()
    .max(200)
    .pattern(/^[\w.+-]+\/[\w.+-]+$/)
    .allow('')
    .default('application/octet-stream')
    .messages({ 'string.pattern.base': '{{#label}} must be a media type such as image/jpeg' }),
  size: Joi.number().integer().min(0).max(Number.MAX_SAFE_INTEGER).required(),
  conversationId: id.allow(null),
}).label('NewUpload');
