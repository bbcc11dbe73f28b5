import { randomBytes } from 'node:crypto';
import { type ApiResponse, call, type TestApp, withBody } from '../helpers/server';

/**
 * Joining through an invitation over the real routes, as an outsider would: invite (as
 * `inviterToken`), read the link's token from the pending attempt (what the e-mail carries),
 * then POST the join form as JSON from `ip`.
 */
export async function inviteAndToken(
  app: TestApp,
  inviterToken: string,
  payload: Record<string, unknown>,
): Promise<{ invitationId: number; token: string }> {
  const created = await call(app.server, 'POST', '/api/invitations', {
    token: inviterToken,
    payload,
  });
  if (created.statusCode !== 201) {
    throw new Error(`invitation refused: ${created.statusCode} ${created.payload}`);
  }
  const attempt = await app.ctx
    .db('invitation_attempts')
    .where({ invitation_id: created.body.id })
    .orderBy('attempt', 'desc')
    .first('pending_token');
  return { invitationId: created.body.id, token: attempt.pending_token };
}

/** GET or POST /join/{token} from a given client address (the per-IP throttle's key). */
export async function joinRequest(
  app: TestApp,
  method: 'GET' | 'POST',
  token: string,
  { ip = '198.51.100.1', payload }: { ip?: string; payload?: object } = {},
): Promise<ApiResponse> {
  return withBody(
    await app.server.inject({
      method,
      url: `/join/${token}`,
      remoteAddress: ip,
      payload,
      headers: method === 'POST' ? { accept: 'application/json' } : {},
    }),
  );
}

export interface Joined {
  accountId: number;
  token: string;
  invitationId: number;
  conversationIds: number[];
}

/** Invites, then joins with a fresh e-mail and password; returns the new session. */
export async function joinThrough(
  app: TestApp,
  inviterToken: string,
  invitation: Record<string, unknown>,
  { ip = `198.51.100.${1 + (randomBytes(1)[0]! % 200)}`, firstName = 'Nouveau' } = {},
): Promise<Joined> {
  const { invitationId, token } = await inviteAndToken(app, inviterToken, invitation);
  const res = await joinRequest(app, 'POST', token, {
    ip,
    payload: {
      firstName,
      lastName: 'Inscrit',
      email: `joined-${randomBytes(4).toString('hex')}@example.test`,
      password: 'correct horse battery staple',
    },
  });
  if (res.statusCode !== 201) throw new Error(`join refused: ${res.statusCode} ${res.payload}`);
  return {
    accountId: res.body.accountId,
    token: res.body.token,
    invitationId,
    conversationIds: res.body.conversationIds,
  };
}

/** The ids of the conversations a session lists. */
export async function listedIds(app: TestApp, token: string): Promise<number[]> {
  const res = await call(app.server, 'GET', '/api/conversations', { token });
  if (res.statusCode !== 200) throw new Error(`list refused: ${res.statusCode}`);
  return res.body.conversations
    .map((c: { id: number }) => c.id)
    .sort((a: number, b: number) => a - b);
}

/** The membership request `accountId` made, as `token` lists it (undefined if it does not). */
export async function membershipRequestOf(app: TestApp, token: string, accountId: number) {
  const res = await call(app.server, 'GET', '/api/structures/membership-requests', { token });
  if (res.statusCode !== 200) throw new Error(`requests refused: ${res.statusCode}`);
  return res.body.requests.find((r: { account: { id: number } }) => r.account.id === accountId);
}
