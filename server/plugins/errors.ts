import Boom from '@hapi/boom';
import type { Plugin, Request, ResponseToolkit } from '@hapi/hapi';
import type { ValidationError } from 'joi';

/**
 * One place that shapes errors. Validation failures become 400 naming the field; 5xx
 * responses keep Boom's generic message (never a stack trace) and are logged in full.
 */
export function validationFailAction(_request: Request, _h: ResponseToolkit, err?: Error): never {
  const details = (err as ValidationError | undefined)?.details ?? [];
  const first = details[0];
  throw badField(first?.message ?? err?.message ?? 'Invalid request', first?.path.join('.') ?? '');
}

/** A 400 whose body names the offending field: `{ statusCode, error, message, field }`. */
export function badField(message: string, field: string): Boom.Boom {
  const error = Boom.badRequest(message);
  (error.output.payload as unknown as Record<string, unknown>).field = field;
  return error;
}

export const errorsPlugin: Plugin<void> = {
  name: 'relais-errors',
  register(server) {
    server.ext('onPreResponse', (request, h) => {
      const response = request.response;
      if (!Boom.isBoom(response)) return h.continue;
      if (response.output.statusCode >= 500) {
        request.log(['error'], { err: response, msg: 'request failed' });
      }
      return h.continue;
    });
  },
};
