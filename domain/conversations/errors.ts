import Boom from '@hapi/boom';

/** A 400 that names the offending field, shaped like the Joi failures (plugins/errors.ts). */
export function fieldError(field: string, message: string): Boom.Boom {
  const error = Boom.badRequest(message);
  (error.output.payload as unknown as Record<string, unknown>).field = field;
  return error;
}

/** Not found and not allowed look the same: a stranger learns nothing about ids. */
export function notFound(): Boom.Boom {
  return Boom.notFound('Conversation not found');
}
