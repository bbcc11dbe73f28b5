import type { ServerRoute } from '@hapi/hapi';
import { ctxOf } from '../../../types';

/** What the sign-in screens offer: they say nothing of Pro Santé Connect when it is off. */
export const authMethodsRoute: ServerRoute = {
  method: 'GET',
  path: '/api/auth/methods',
  options: {
    auth: false,
    // Public by design: the sign-in screen reads it before anyone is signed in.
    plugins: { relais: { public: true } },
    tags: ['api'],
    description: 'The sign-in methods this installation offers',
  },
  handler: (request) => ({ password: true, psc: ctxOf(request).config.psc !== null }),
};
