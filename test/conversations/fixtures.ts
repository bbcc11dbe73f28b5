import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from '@hapi/hapi';
import WebSocket from 'ws';
import type { AppContext } from '../../domain/context';
import { RealtimeClient } from '../../web/src/client';
import type { ServerEvent } from '../../web/src/client/types';
import { type ApiResponse, call, createUser, type TestApp, type TestUser } from '../helpers/server';

/** Directory rows and people for the conversation tests (the directory import is not needed). */
export async function insertProfessional(
  ctx: AppContext,
  fields: { first_name?: string; last_name?: string; profession_label?: string } = {},
): Promise<number> {
  const identifier = String(10_000_000_000 + Math.floor(Math.random() * 89_999_999_999));
  const [row] = await ctx
    .db('professionals')
    .insert({
      national_id: `8${identifier}`,
      id_type: '8',
      identifier,
      first_name: fields.first_name ?? 'Paul',
      last_name: fields.last_name ?? 'Durand',
      profession_label: fields.profession_label ?? 'Médecin',
    })
    .returning('id');
  return Number(row.id);
}

export async function insertStructure(ctx: AppContext, name: string): Promise<number> {
  const [row] = await ctx
    .db('structures')
    .insert({ structure_key: `L${randomBytes(5).toString('hex')}`, source: 'local', name })
    .returning('id');
  return Number(row.id);
}

export interface Person extends TestUser {
  professionalId: number;
}

/** A professional of the directory with an account and a live session. */
export async function person(
  ctx: AppContext,
  first = 'Alice',
  last = 'Martin',
  extra: { locale?: 'fr' | 'en'; time_zone?: string } = {},
): Promise<Person> {
  const professionalId = await insertProfessional(ctx, { first_name: first, last_name: last });
  const user = await createUser(ctx, {
    first_name: first,
    last_name: last,
    professional_id: professionalId,
    locale: extra.locale ?? 'fr',
  });
  if (extra.time_zone) {
    await ctx.db('accounts').where({ id: user.account.id }).update({ time_zone: extra.time_zone });
  }
  return { ...user, professionalId };
}

export async function attach(
  ctx: AppContext,
  structureId: number,
  accountId: number,
  role?: 'manager',
) {
  await ctx
    .db('structure_members')
    .insert({ structure_id: structureId, account_id: accountId, ...(role ? { role } : {}) });
}

export const pro = (id: number) => ({ kind: 'professional' as const, id });
export const struct = (id: number) => ({ kind: 'structure' as const, id });

export async function create(
  server: Server,
  token: string,
  recipients: Array<{ kind: string; id: number }>,
  extra: Record<string, unknown> = {},
): Promise<ApiResponse> {
  return call(server, 'POST', '/api/conversations', {
    token,
    payload: {
      subject: 'Sortie de Mme D.',
      recipients,
      message: { id: randomUUID(), body: 'Bonjour, pouvez-vous passer demain ?' },
      ...extra,
    },
  });
}

export async function send(
  server: Server,
  token: string,
  conversationId: number,
  body = 'Un message',
  extra: Record<string, unknown> = {},
): Promise<ApiResponse> {
  return call(server, 'POST', `/api/conversations/${conversationId}/messages`, {
    token,
    payload: { id: randomUUID(), body, ...extra },
  });
}

/**
 * Every route touching one conversation, with a valid request body (the authorisation
 * matrices call each one as someone who may not): `messageId` is one of its messages,
 * `invitee` the professional the participants route would add.
 */
export function conversationRoutes(conversationId: number, messageId: string, invitee: number) {
  const base = `/api/conversations/${conversationId}`;
  return [
    ['GET', base, undefined],
    ['GET', `${base}/messages`, undefined],
    ['GET', `${base}/messages?after=0`, undefined],
    ['POST', `${base}/messages`, { id: randomUUID(), body: 'intrusion' }],
    ['POST', `${base}/read`, { seq: 1 }],
    ['POST', `${base}/delivered`, { seq: 1 }],
    ['GET', `${base}/reads`, undefined],
    ['GET', `${base}/messages/${messageId}/reads`, undefined],
    ['POST', `${base}/participants`, { recipients: [pro(invitee)] }],
    ['POST', `${base}/leave`, {}],
  ] as const;
}

/** What those routes could change in a conversation, to compare before and after. */
export async function conversationState(ctx: AppContext, conversationId: number) {
  const db = ctx.db;
  return {
    messages: await db('messages').where({ conversation_id: conversationId }).count({ n: '*' }),
    participants: await db('conversation_participants')
      .where({ conversation_id: conversationId })
      .orderBy('id')
      .select('*'),
    markers: await db('read_markers').where({ conversation_id: conversationId }).select('*'),
  };
}

/** A realtime client (the web library, over the real nes client) for a user of a test app. */
export function realtime(app: TestApp, user: TestUser, options: { reconnectDelay?: number } = {}) {
  return new RealtimeClient({
    baseUrl: app.url,
    token: user.token,
    accountId: user.account.id,
    WebSocket,
    reconnectDelay: options.reconnectDelay ?? 50,
    maxReconnectDelay: 200,
  });
}

/** Collects what a realtime client emits, and waits for conditions on it. */
export function recorder(client: RealtimeClient) {
  const messages: Array<{ conversationId: number; body: string; id: string; live: boolean }> = [];
  const events: Array<{ type: string; payload: unknown }> = [];
  client.on('message', ({ conversationId, message, live }) =>
    messages.push({ conversationId, body: message.body, id: message.id, live }),
  );
  for (const type of ['conversation', 'read', 'participants', 'expired', 'synced'] as const) {
    client.on(type, (payload) => events.push({ type, payload }));
  }
  return {
    messages,
    events,
    async until(check: () => boolean, timeoutMs = 5000) {
      const start = Date.now();
      while (!check()) {
        if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for realtime');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

/** A raw nes subscriber (no library): what a hostile client would get. */
export type { ServerEvent };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
