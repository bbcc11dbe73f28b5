import Joi from 'joi';

/** Shared Joi pieces of the directory routes. */
export const id = Joi.number().integer().min(1).max(Number.MAX_SAFE_INTEGER);
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
  page: Joi.number().integer().min(1).max(50).default(1),
  pageSize: Joi.number().integer().min(1).max(50).default(20),
});
export const suggestQuery = Joi.object({
  q: field.required(),
  limit: Joi.number().integer().min(1).max(20).default(10),
});
export const groupName = Joi.string().trim().min(1).max(80).required();
export const memberRef = Joi.object({ kind: entryKind.required(), id: id.required() });
