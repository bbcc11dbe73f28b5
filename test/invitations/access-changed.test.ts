import { randomBytes } from 'node:crypto';
import Nes from '@hapi/nes/lib/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeInvitationQueues } from '../../domain/invitations';
import { publishEvent } from '../../domain/realtime';
import { until } from '../helpers/ports';
import { call, createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';
import { directoryProfessional } from './fixtures';
import { joinThrough } from './identity-fixtures';

/**
 * `access.changed` (docs/realtime.md): when an account's identity is verified, or it is
 * approved into, attached to or detached from a structure, that account — and nobody else —
 * is told on its websocket, so its open clients reload their conversation list (old
 * conversations that became visible are not in the catch-up). Refusals and rejections
 * change nothing and say nothing. Real routes, real sockets.
 */
let app: TestApp;
let admin: TestUser;
const sockets: Array<InstanceType<typeof Nes.Client>> = [];
/** Per account, the types of the events its socket received, in order. */
const received = new Map<number, string[]>();
let marker = 0;

beforeAll(async () => {
  app = await startTestApp();
  admin = await createUser(app.ctx, { is_admin: true, first_name: 'Ada', last_name: 'Admin' });
});
afterAll(async () => {
  for (const socket of sockets) await socket.disconnect().catch(() => undefined);
  await closeInvitationQueues(app.ctx);
  await app.stop();
});

async function listen(accountId: number, token: string): Promise<void> {
  const socket = new Nes.Client(`ws://${app.url.slice('http://'.length)}`);
  await socket.connect({
    auth: { headers: { authorization: `Bearer ${token}` } },
    reconnect: false,
  });
  received.set(accountId, []);
  await socket.subscribe(`/users/${accountId}`, (event) => {
    const e = event as { type: string; conversationId?: number };
    received.get(accountId)!.push(e.type === 'typing' ? `marker ${e.conversationId}` : e.type);
  });
  sockets.push(socket);
}

/**
 * What each account received since the last call. A marker published to everyone after the
 * action, and awaited on every socket, shows that nothing else is still on its way (one
 * Redis channel, delivered in order).
 */
async function drain(): Promise<Record<number, string[]>> {
  const tag = ++marker;
  const audience = [...received.keys()];
  await publishEvent(app.ctx, audience, {
    type: 'typing',
    conversationId: tag,
    reader: { accountId: 0, firstName: 'marker', lastName: '' },
  });
  await until(
    () => audience.every((id) => received.get(id)!.includes(`marker ${tag}`)),
    5000,
    `marker ${tag} on every socket`,
  );
  const out: Record<number, string[]> = {};
  for (const id of audience) {
    out[id] = received.get(id)!.filter((t) => !t.startsWith('marker '));
    received.set(id, []);
  }
  return out;
}

function onlyFor(accountId: number): Record<number, string[]> {
  return Object.fromEntries(
    [...received.keys()].map((id) => [id, id === accountId ? ['access.changed'] : []]),
  );
}

async function post(token: string, url: string, payload?: object) {
  const res = await call(app.server, 'POST', url, { token, payload });
  expect(res.statusCode, res.payload).toBeLessThan(300);
  return res;
}

describe('access.changed', () => {
  it('reaches the account whose access changed, and no one else', async () => {
    const { structure } = await directoryProfessional(app.ctx, { structureName: 'DAC TEST' });
    const { professional } = await directoryProfessional(app.ctx, {
      firstName: 'Romain',
      lastName: 'Leger',
    });
    const manager = await createUser(app.ctx, { first_name: 'Claire', last_name: 'Martin' });
    const member = await createUser(app.ctx, { first_name: 'Karim', last_name: 'Benali' });
    await app.ctx.db('structure_members').insert([
      { structure_id: structure.id, account_id: manager.account.id, role: 'manager' },
      { structure_id: structure.id, account_id: member.account.id, role: 'member' },
    ]);
    const address = () => `x-${randomBytes(4).toString('hex')}@example.test`;
    const approved = await joinThrough(app, manager.token, {
      structureId: structure.id,
      channel: 'email',
      address: address(),
    });
    const refused = await joinThrough(app, manager.token, {
      structureId: structure.id,
      channel: 'email',
      address: address(),
    });
    const claimant = await joinThrough(app, manager.token, {
      professionalId: professional.id,
      channel: 'email',
      address: address(),
    });
    for (const who of [approved, refused, claimant]) await listen(who.accountId, who.token);
    for (const who of [admin, manager, member]) await listen(who.account.id, who.token);
    expect(await drain()).toEqual(onlyFor(-1)); // Nothing yet.

    const requests = await call(app.server, 'GET', '/api/structures/membership-requests', {
      token: manager.token,
    });
    const requestOf = (accountId: number) =>
      requests.body.requests.find((r: { account: { id: number } }) => r.account.id === accountId)
        .id as number;

    await post(
      manager.token,
      `/api/structures/membership-requests/${requestOf(refused.accountId)}/refuse`,
    );
    expect(await drain()).toEqual(onlyFor(-1));

    await post(
      manager.token,
      `/api/structures/membership-requests/${requestOf(approved.accountId)}/approve`,
    );
    expect(await drain()).toEqual(onlyFor(approved.accountId));

    await post(admin.token, `/api/admin/identity/accounts/${claimant.accountId}/verify`);
    expect(await drain()).toEqual(onlyFor(claimant.accountId));
    // Verifying again changes nothing, and says nothing.
    await post(admin.token, `/api/admin/identity/accounts/${claimant.accountId}/verify`);
    expect(await drain()).toEqual(onlyFor(-1));

    await post(admin.token, `/api/admin/identity/accounts/${refused.accountId}/reject`);
    expect(await drain()).toEqual(onlyFor(-1));

    await post(manager.token, `/api/structures/${structure.id}/members`, {
      accountId: claimant.accountId,
    });
    expect(await drain()).toEqual(onlyFor(claimant.accountId));

    const detached = await call(
      app.server,
      'DELETE',
      `/api/structures/${structure.id}/members/${approved.accountId}`,
      { token: manager.token },
    );
    expect(detached.statusCode).toBe(204);
    expect(await drain()).toEqual(onlyFor(approved.accountId));

    // A refused action (a plain member may not detach anyone) tells nobody.
    const forbidden = await call(
      app.server,
      'DELETE',
      `/api/structures/${structure.id}/members/${claimant.accountId}`,
      { token: member.token },
    );
    expect(forbidden.statusCode).toBe(403);
    expect(await drain()).toEqual(onlyFor(-1));
  });
});
