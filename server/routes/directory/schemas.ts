import Joi from 'joi';
import { id, oneTo, text } from '../../validation';

/** Shared Joi pieces of the directory routes. */
export { id };
export const entryKind = Joi.string().valid('professional', 'structure');
export const entryParams = Joi.object({ kind: entryKind.required(), id: id.required() });
// Printable text only: letters (any script), digits, spaces and the punctuation of names.
const field = Joi.string()
  .trim()
  .max(100)
  .pattern(/^[\p{L}\p{M}\p{N}\s'’.,()&/-]*$/u)
  .allow('')
  .messages({ 'string.pattern.base': '"{{#label}}" contains characters a search never needs' });

export const searchQuery = Joi.object({
  name: field,
  profession: field,
  place: field,
  kind: Joi.string().valid('all', 'professional', 'structure').default('all'),
  page: oneTo(50).default(1),
  pageSize: oneTo(50).default(20),
});
export const suggestQuery = Joi.object({
  q: field.required(),
  limit: oneTo(20).default(10),
});
export const groupName = text(80).trim().min(1).required();
export const memberRef = Joi.object({ kind: entryKind.required(), id: id.required() });
