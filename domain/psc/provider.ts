import { createPrivateKey } from 'node:crypto';
import { createRemoteJWKSet, importPKCS8, type JWTVerifyGetKey } from 'jose';
import * as oidc from 'openid-client';
import type { PscConfig } from '../config';
import type { AppContext } from '../context';
import { PscError } from './errors';

/**
 * The Pro Santé Connect client: discovery, once per process, from the non-standard
 * `/.well-known/wallet-openid-configuration`, and the keys that verify what it signs.
 */
export interface PscProvider {
  config: oidc.Configuration;
  issuer: string;
  /** The provider's public keys (RS256/ES256 signatures). */
  jwks: JWTVerifyGetKey;
  endSessionEndpoint: string | null;
}

const cache = new Map<string, Promise<PscProvider>>();

export function pscProvider(ctx: AppContext): Promise<PscProvider> {
  const psc = ctx.config.psc;
  if (!psc) throw new Error('Pro Santé Connect is not configured');
  const key = `${psc.issuer}|${psc.clientId}`;
  let found = cache.get(key);
  if (!found) {
    found = discover(psc);
    cache.set(key, found);
    // A provider that was down must be asked again next time.
    found.catch(() => cache.delete(key));
  }
  return found;
}

async function discover(psc: PscConfig): Promise<PscProvider> {
  const insecure = psc.issuer.startsWith('http://');
  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(
      new URL(`${psc.issuer}/.well-known/wallet-openid-configuration`),
      psc.clientId,
      // HS256 userinfo and ID tokens are verified by verify.ts with jose, not here.
      psc.clientSecret ? { client_secret: psc.clientSecret } : {},
      await clientAuth(psc),
      { execute: insecure ? [oidc.allowInsecureRequests] : [], timeout: 10 },
    );
  } catch (err) {
    throw new PscError('unavailable', err);
  }
  const metadata = config.serverMetadata();
  // With an explicit well-known URL openid-client does not compare the issuer: we do.
  if (metadata.issuer !== psc.issuer) {
    throw new PscError('wrong-issuer', { discovered: metadata.issuer, expected: psc.issuer });
  }
  if (!metadata.jwks_uri) throw new PscError('unavailable', 'no jwks_uri in discovery');
  return {
    config,
    issuer: metadata.issuer,
    jwks: createRemoteJWKSet(new URL(metadata.jwks_uri)),
    endSessionEndpoint: metadata.end_session_endpoint ?? null,
  };
}

async function clientAuth(psc: PscConfig): Promise<oidc.ClientAuth> {
  if (psc.clientSecret) return oidc.ClientSecretBasic(psc.clientSecret);
  // Whatever PEM flavour was given (PKCS#1, SEC1, PKCS#8), jose wants PKCS#8.
  const key = createPrivateKey(psc.privateKey!);
  const pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const alg = key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
  return oidc.PrivateKeyJwt(await importPKCS8(pem, alg));
}

/** For tests that start several providers on the same issuer URL. */
export function forgetPscProviders(): void {
  cache.clear();
}
