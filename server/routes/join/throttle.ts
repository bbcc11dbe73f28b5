import type { Request, ResponseToolkit, RouteOptions } from '@hapi/hapi';
import { admitJoinRequest, countUnknownLink } from '../../../domain/invitations';
import { clientIp } from '../../client-ip';
import { ctxOf } from '../../types';

const ipOf = (request: Request) => clientIp(request);

/**
 * Route extension of GET and POST /join/{token}: the per-address limit is taken before the
 * payload is parsed or validated, so a throttled client costs neither a database lookup
 * nor a password hash.
 */
export const joinThrottle: NonNullable<RouteOptions['ext']> = {
  onPreAuth: {
    async method(request: Request, h: ResponseToolkit) {
      await admitJoinRequest(ctxOf(request), ipOf(request));
      return h.continue;
    },
  },
};

/** A link that does not exist counts against the stricter limit (429 past it). */
export function countUnknown(request: Request): Promise<void> {
  return countUnknownLink(ctxOf(request), ipOf(request));
}
