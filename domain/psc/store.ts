import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../context';
import type { VerifiedProfessional } from './verify';

/**
 * The short-lived, single-use records of a Pro Santé Connect sign-in, in Redis. Each is
 * read with GETDEL, so a second use finds nothing, even in a race. Losing them (Redis
 * restart) only means starting the sign-in again.
 */
export interface PscFlow {
  verifier: string;
  nonce: string;
  mode: 'popup' | 'redirect';
  returnTo: string;
  lang: 'fr' | 'en';
  invitation: string | null;
  /** The signed-in account that asked to verify its identity ("Vérifier mon identité"). */
  intentAccountId: number | null;
  /** SHA-256 of the browser cookie set at start: the callback must come from that browser. */
  browser: string;
}

export interface PscHandoff {
  accountId: number;
  idToken: string | null;
  /**
   * A verification ("intent"): the identity to bind to `accountId`, bound only when the
   * exchange presents that account's own session (see server/routes/auth/psc/exchange.ts).
   */
  bind?: VerifiedProfessional;
}

const STATE_TTL = 600;
const HANDOFF_TTL = 60;
const INTENT_TTL = 600;

export const newId = () => randomBytes(32).toString('base64url');

/** What the flow keeps of the browser cookie: its hash, never the value. */
export const browserDigest = (cookie: string) =>
  createHash('sha256').update(cookie).digest('base64url');

async function put(ctx: AppContext, key: string, value: unknown, ttl: number) {
  await ctx.redis.set(key, JSON.stringify(value), 'EX', ttl);
}

async function take<T>(ctx: AppContext, key: string): Promise<T | null> {
  const raw = await ctx.redis.getdel(key);
  return raw ? (JSON.parse(raw) as T) : null;
}

export async function saveFlow(ctx: AppContext, flow: PscFlow): Promise<string> {
  const state = newId();
  await put(ctx, `psc:state:${state}`, flow, STATE_TTL);
  return state;
}

export const takeFlow = (ctx: AppContext, state: string) =>
  take<PscFlow>(ctx, `psc:state:${state}`);

export async function saveHandoff(ctx: AppContext, handoff: PscHandoff): Promise<string> {
  const code = newId();
  await put(ctx, `psc:handoff:${code}`, handoff, HANDOFF_TTL);
  return code;
}

export const takeHandoff = (ctx: AppContext, code: string) =>
  take<PscHandoff>(ctx, `psc:handoff:${code}`);

/** A one-time id naming a signed-in account, for the flow that will verify it. */
export async function createIntent(ctx: AppContext, accountId: number): Promise<string> {
  const intent = newId();
  await put(ctx, `psc:intent:${intent}`, { accountId }, INTENT_TTL);
  return intent;
}

export async function takeIntent(ctx: AppContext, intent: string): Promise<number | null> {
  const found = await take<{ accountId: number }>(ctx, `psc:intent:${intent}`);
  return found?.accountId ?? null;
}

/** The ID token of a 'psc' session, kept for the provider's logout (id_token_hint). */
export async function rememberIdToken(ctx: AppContext, sessionId: number, idToken: string) {
  await ctx.redis.set(`psc:id-token:${sessionId}`, idToken, 'EX', ctx.config.sessionTtlSeconds);
}

export const takeIdToken = (ctx: AppContext, sessionId: number) =>
  ctx.redis.getdel(`psc:id-token:${sessionId}`);
