import type { Server } from '@hapi/hapi';
import { call } from '../helpers/server';

/** A bot created through the API by `token` (a structure's or the installation's administrator). */
export async function createBot(
  server: Server,
  token: string,
  payload: {
    name: string;
    structureId: number | null;
    description?: string;
    structureMember?: boolean;
  },
): Promise<number> {
  const res = await call(server, 'POST', '/api/bots', { token, payload });
  if (res.statusCode !== 201) throw new Error(`bot not created: ${res.statusCode} ${res.payload}`);
  return res.body.id;
}

export const ALL_SCOPES = [
  'conversations:read',
  'conversations:create',
  'messages:read',
  'messages:write',
  'files:write',
];

/** A token of the bot, with these scopes (all by default); returns its secret and id. */
export async function createToken(
  server: Server,
  token: string,
  botId: number,
  scopes: string[] = ALL_SCOPES,
  label = '',
): Promise<{ secret: string; id: number }> {
  const res = await call(server, 'POST', `/api/bots/${botId}/tokens`, {
    token,
    payload: { scopes, label },
  });
  if (res.statusCode !== 201)
    throw new Error(`token not created: ${res.statusCode} ${res.payload}`);
  return { secret: res.body.token, id: res.body.id };
}
