import { generateKeyPairSync, randomInt } from 'node:crypto';
import type { ServerInjectResponse } from '@hapi/hapi';
import { exportJWK } from 'jose';
import type { AppContext } from '../../domain/context';
import {
  type LocalPsc,
  type PscProfessional,
  startLocalPsc,
} from '../../scripts/psc/local-provider';
import { freePort } from '../helpers/ports';
import { startTestApp, type TestApp } from '../helpers/server';

/**
 * Relais and a local Pro Santé Connect provider (scripts/psc/local-provider.ts), wired to
 * each other as an installation would be: PSC_ISSUER, client id and secret, redirect URL.
 */
export interface PscBed {
  app: TestApp;
  psc: LocalPsc;
  /** http://127.0.0.1:<port> of Relais (PUBLIC_URL). */
  publicUrl: string;
  stop(): Promise<void>;
}

export const CLIENT_ID = 'relais-test';
export const CLIENT_SECRET = 'test-client-secret-0123456789abcdefghij';

/** `privateKeyJwt`: the client authenticates with a key pair instead of the secret. */
export async function startPscBed(
  professionals: PscProfessional[],
  { privateKeyJwt = false } = {},
): Promise<PscBed> {
  const [relaisPort, pscPort] = [await freePort(), await freePort()];
  const publicUrl = `http://127.0.0.1:${relaisPort}`;
  const keys = privateKeyJwt ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : null;
  const psc = await startLocalPsc({
    port: pscPort,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clientPublicJwk: keys
      ? { ...(await exportJWK(keys.publicKey)), alg: 'RS256', use: 'sig' }
      : undefined,
    redirectUris: [`${publicUrl}/auth/psc/callback`],
    postLogoutRedirectUris: [publicUrl],
    professionals,
  });
  const app = await startTestApp({
    env: {
      PUBLIC_URL: publicUrl,
      PSC_ISSUER: psc.issuer,
      PSC_CLIENT_ID: CLIENT_ID,
      ...(keys
        ? { PSC_PRIVATE_KEY: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }
        : { PSC_CLIENT_SECRET: CLIENT_SECRET }),
    },
    server: { port: relaisPort },
  });
  return {
    app,
    psc,
    publicUrl,
    async stop() {
      await app.stop();
      await psc.close();
    },
  };
}

/** A random RPPS number (11 digits). */
export const newRpps = () => `1${String(randomInt(0, 9_999_999_999)).padStart(10, '0')}`;

/** A directory entry for an RPPS, as the importer stores it ('8' + RPPS). */
export async function directoryEntry(
  ctx: AppContext,
  p: PscProfessional,
  directory: { professionCode?: string } = {},
): Promise<number> {
  const [row] = await ctx
    .db('professionals')
    .insert({
      national_id: `8${p.rpps}`,
      id_type: '8',
      identifier: p.rpps,
      first_name: p.firstName,
      last_name: p.lastName,
      profession_code: directory.professionCode ?? p.professionCode,
      profession_label: 'Médecin',
    })
    .returning('id');
  return Number(row.id);
}

export interface Flow {
  /** Relais's answer to the provider's redirect (the page or the 302 to returnTo). */
  callback: ServerInjectResponse;
  /** The callback URL's query, as the provider sent it. */
  query: URLSearchParams;
  handoff: string | null;
  error: string | null;
}

/**
 * A browser going through the whole flow: Relais's start URL, the provider (with
 * login_hint to pick the professional, cookies kept as a browser would), back to Relais's
 * callback. Relais is called with server.inject; the provider over HTTP.
 */
export async function runFlow(
  bed: PscBed,
  rpps: string,
  params: Record<string, string> = {},
  { ip = '203.0.113.7' }: { ip?: string } = {},
): Promise<Flow> {
  const start = await startFlow(bed, params, ip);
  if (start.statusCode !== 302) {
    throw new Error(`start refused: ${start.statusCode} ${start.payload}`);
  }
  return finishFlow(bed, String(start.headers.location), rpps, ip, browserCookieOf(start));
}

/** The cookie Relais set at start, as the browser sends it back ("relais_psc=…"). */
export function browserCookieOf(start: ServerInjectResponse): string {
  const header = start.headers['set-cookie'];
  const line = (Array.isArray(header) ? header : [String(header ?? '')]).find((l) =>
    l.startsWith('relais_psc='),
  );
  return line ? line.split(';')[0]! : '';
}

export function startFlow(bed: PscBed, params: Record<string, string> = {}, ip = '203.0.113.7') {
  const query = new URLSearchParams({
    mode: 'redirect',
    returnTo: `${bed.publicUrl}/app`,
    ...params,
  });
  return bed.app.server.inject({ url: `/auth/psc/start?${query}`, remoteAddress: ip });
}

/** From the provider's authorization URL to Relais's answer. */
export async function finishFlow(
  bed: PscBed,
  authorizationUrl: string,
  rpps: string,
  ip = '203.0.113.7',
  cookie = '',
): Promise<Flow> {
  const query = await throughProvider(bed, authorizationUrl, rpps);
  const callback = await bed.app.server.inject({
    url: `/auth/psc/callback?${query}`,
    remoteAddress: ip,
    headers: cookie ? { cookie } : {},
  });
  return { callback, query, ...outcome(callback) };
}

/** Follows the provider's redirects until it sends the browser back to Relais. */
export async function throughProvider(
  bed: PscBed,
  authorizationUrl: string,
  rpps: string,
): Promise<URLSearchParams> {
  const jar = new Map<string, string>();
  const url = new URL(authorizationUrl);
  url.searchParams.set('login_hint', rpps);
  let next = url.href;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const location = res.headers.get('location');
    if (!location)
      throw new Error(`the provider stopped at ${next}: ${res.status} ${await res.text()}`);
    const target = new URL(location, next);
    if (target.href.startsWith(`${bed.publicUrl}/auth/psc/callback`)) return target.searchParams;
    next = target.href;
  }
  throw new Error('too many redirects at the provider');
}

/** What the page at returnTo receives: a handoff code or an error code (redirect mode). */
export function outcome(res: ServerInjectResponse): {
  handoff: string | null;
  error: string | null;
} {
  const location = res.headers.location ? String(res.headers.location) : '';
  const hash = new URLSearchParams(location.split('#')[1] ?? '');
  return { handoff: hash.get('relais-psc'), error: hash.get('relais-psc-error') };
}
