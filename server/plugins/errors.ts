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
  const field = first?.path.join('.') ?? '';
  const error = Boom.badRequest(first?.message ?? err?.message ?? 'Invalid request');
  (error.output.payload as unknown as Record<string, unknown>).field = field;
  throw error;
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
