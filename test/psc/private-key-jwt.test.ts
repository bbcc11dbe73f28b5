import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/server';
import { directoryEntry, newRpps, type PscBed, runFlow, startPscBed } from './helpers';

/**
 * An installation registered with a key pair (PSC_PRIVATE_KEY, private_key_jwt) instead of
 * a secret: the token request is signed with it, and since there is no shared secret the
 * userinfo is signed with the provider's key and verified against its JWKS.
 */
const nurse = {
  rpps: newRpps(),
  firstName: 'Nora',
  lastName: 'CLEPRIVEE',
  professionCode: '60',
};
let bed: PscBed;
let professionalId: number;

beforeAll(async () => {
  bed = await startPscBed([nurse], { privateKeyJwt: true });
  professionalId = await directoryEntry(bed.app.ctx, nurse);
});
afterAll(() => bed.stop());

describe('private_key_jwt', () => {
  it('signs in, verifying the RS256 userinfo with the provider’s keys', async () => {
    const flow = await runFlow(bed, nurse.rpps);
    expect(flow.error).toBeNull();
    const session = await call(bed.app.server, 'POST', '/api/auth/psc/exchange', {
      payload: { handoff: flow.handoff },
    });
    expect(session.statusCode, session.payload).toBe(201);
    expect(session.body.account).toMatchObject({ professionalId, identityVerified: true });
  });

  it('refuses a userinfo whose signature does not verify against them', async () => {
    bed.psc.misbehave = { badUserinfoSignature: true };
    const flow = await runFlow(bed, nurse.rpps);
    expect(flow.error).toBe('bad-signature');
    bed.psc.misbehave = {};
  });
});
