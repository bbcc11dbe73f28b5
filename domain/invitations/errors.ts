import Boom from '@hapi/boom';

/** Client mistakes and limits, as Boom errors the routes pass through unchanged. */
export const invitationErrors = {
  badTarget: (message: string) => Boom.badRequest(message),
  notFound: () => Boom.notFound('Invitation not found'),
  conflict: (message: string) => Boom.conflict(message),
  tooMany(message: string, retryAfterSeconds: number) {
    const error = Boom.tooManyRequests(message);
    error.output.headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
    return error;
  },
};
