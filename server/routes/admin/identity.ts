import Boom from '@hapi/boom';
import type { Request, ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import {
  confirmClaimedIdentity,
  listUnverifiedAccounts,
  rejectIdentityClaim,
} from '../../../domain/identity';
import { ctxOf, userOf } from '../../types';
import { id } from '../directory/schemas';

/**
 * Identity verification by installation administrators (issue 10): accounts created from
 * an invitation link read only what was shared with them until someone confirms who they
 * are. Pro Santé Connect will be the other way (domain/identity/verify.ts).
 */
function requireInstallationAdmin(request: Request) {
  if (!userOf(request).isAdmin) throw Boom.forbidden('Installation administrators only');
}

export const listUnverifiedRoute: ServerRoute = {
  method: 'GET',
  path: '/api/admin/identity/accounts',
  options: {
    tags: ['api'],
    description: 'Accounts whose identity is not verified, with their claim and invitation',
  },
  async handler(request) {
    requireInstallationAdmin(request);
    return { accounts: await listUnverifiedAccounts(ctxOf(request)) };
  },
};

export const verifyIdentityRoute: ServerRoute = {
  method: 'POST',
  path: '/api/admin/identity/accounts/{id}/verify',
  options: {
    tags: ['api'],
    description: 'Confirm who an account is: binds it to a directory professional',
    notes:
      'Without `professionalId`, the identity the invitation claimed. The account then reads ' +
      'everything addressed to that professional; who verified it and when is recorded.',
    validate: {
      params: Joi.object({ id: id.required() }),
      payload: Joi.object({ professionalId: id }).allow(null).default({}),
    },
  },
  async handler(request) {
    requireInstallationAdmin(request);
    const { id: accountId } = request.params as { id: number };
    const given = (request.payload as { professionalId?: number } | null)?.professionalId;
    const professionalId = await confirmClaimedIdentity(ctxOf(request), accountId, {
      professionalId: given,
      by: userOf(request).accountId,
    });
    return { accountId, professionalId, identityVerified: true };
  },
};

export const rejectIdentityRoute: ServerRoute = {
  method: 'POST',
  path: '/api/admin/identity/accounts/{id}/reject',
  options: {
    tags: ['api'],
    description: 'Refuse the identity an account claims: it stays unbound',
    validate: {
      params: Joi.object({ id: id.required() }),
      payload: Joi.object({}).allow(null).default({}),
    },
  },
  async handler(request) {
    requireInstallationAdmin(request);
    const { id: accountId } = request.params as { id: number };
    await rejectIdentityClaim(ctxOf(request), accountId, { by: userOf(request).accountId });
    return { accountId, identityVerified: false };
  },
};

export const identityRoutes: ServerRoute[] = [
  listUnverifiedRoute,
  verifyIdentityRoute,
  rejectIdentityRoute,
];
