import { decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { AppContext } from '../context';
import type { PscProfile } from '../models';
import { PscError } from './errors';
import { pscProvider } from './provider';
import type { PscFlow } from './store';

/**
 * The authorization request and what is checked of the answer. openid-client runs the
 * protocol (PKCE, state, code exchange, ID token claims); the signatures are checked
 * here with jose because openid-client accepts HS256 tokens without verifying them.
 */

/** Accepted levels, weakest first: PSC gives eidas1 for e-CPS and CPS card. */
const ACR_LEVELS = ['eidas1', 'eidas2', 'eidas3'];
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384'];
const SYMMETRIC = ['HS256', 'HS384', 'HS512'];

export interface VerifiedProfessional {
  /** "Identification nationale PP": '8' + RPPS, as professionals.national_id stores it. */
  nationalId: string;
  givenName: string;
  familyName: string;
  profile: PscProfile;
  acr: string;
  idToken: string;
}

export async function authorizationUrl(
  ctx: AppContext,
  { state, nonce, verifier }: { state: string; nonce: string; verifier: string },
): Promise<string> {
  const { config } = await pscProvider(ctx);
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: ctx.config.psc!.redirectUrl,
    response_type: 'code',
    scope: 'openid scope_all',
    acr_values: 'eidas1',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).href;
}

/** Exchanges the code and verifies everything; throws PscError naming what failed. */
export async function completeAuthorization(
  ctx: AppContext,
  callbackUrl: URL,
  state: string,
  flow: PscFlow,
): Promise<VerifiedProfessional> {
  const provider = await pscProvider(ctx);
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(provider.config, callbackUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    throw grantError(err);
  }
  const idToken = tokens.id_token!;
  const claims = await verifyJwt(ctx, idToken, 'id-token');
  const acr = typeof claims.acr === 'string' ? claims.acr : null;
  if (!acr || !ACR_LEVELS.includes(acr)) throw new PscError('low-acr', { acr });

  const userinfo = await fetchUserinfo(ctx, provider.config, tokens.access_token);
  if (userinfo.sub !== claims.sub) throw new PscError('bad-signature', 'userinfo sub differs');
  return {
    nationalId: nationalIdOf(userinfo),
    givenName: stringOr(userinfo.given_name, ''),
    familyName: stringOr(userinfo.family_name, ''),
    profile: profileOf(userinfo.SubjectRefPro),
    acr,
    idToken,
  };
}

/** Maps what openid-client threw to what the user is told. */
function grantError(err: unknown): PscError {
  if (err instanceof PscError) return err;
  if (err instanceof oidc.AuthorizationResponseError) {
    return new PscError(err.error === 'access_denied' ? 'denied' : 'code-rejected', err.message);
  }
  if (err instanceof oidc.ResponseBodyError) return new PscError('code-rejected', err.message);
  const e = err as { code?: string; cause?: { cause?: { claim?: string } } };
  if (e.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') {
    const claim = e.cause?.cause?.claim;
    if (claim === 'aud' || claim === 'azp') return new PscError('wrong-audience', err);
    if (claim === 'iss') return new PscError('wrong-issuer', err);
    if (claim === 'nonce') return new PscError('nonce-mismatch', err);
  }
  if (e.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') return new PscError('wrong-issuer', err);
  if (err instanceof TypeError && /fetch failed/.test(String(err.message))) {
    return new PscError('unavailable', err);
  }
  return new PscError('code-rejected', err);
}

/**
 * Verifies a JWT's signature (HS* with the client secret, else the provider's JWKS), its
 * issuer and its audience.
 */
async function verifyJwt(ctx: AppContext, jwt: string, what: 'id-token' | 'userinfo') {
  const psc = ctx.config.psc!;
  const provider = await pscProvider(ctx);
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(jwt).alg;
  } catch {
    throw new PscError('bad-signature', `${what}: not a JWT`);
  }
  const symmetric = SYMMETRIC.includes(alg ?? '');
  if (!symmetric && !ASYMMETRIC.includes(alg ?? '')) {
    throw new PscError('bad-signature', `${what}: algorithm ${alg} refused`);
  }
  if (symmetric && !psc.clientSecret) {
    throw new PscError('bad-signature', `${what}: ${alg} without a client secret`);
  }
  try {
    const options = { issuer: provider.issuer, audience: psc.clientId, algorithms: [alg!] };
    const { payload } = symmetric
      ? await jwtVerify(jwt, new TextEncoder().encode(psc.clientSecret!), options)
      : await jwtVerify(jwt, provider.jwks, options);
    return payload;
  } catch (err) {
    const code = (err as { code?: string; claim?: string }).code;
    const claim = (err as { claim?: string }).claim;
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'iss') {
      throw new PscError('wrong-issuer', err);
    }
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'aud') {
      throw new PscError('wrong-audience', err);
    }
    throw new PscError('bad-signature', { what, err: String(err) });
  }
}

/** PSC answers userinfo with a signed JWT (application/jwt): anything else is refused. */
async function fetchUserinfo(
  ctx: AppContext,
  config: oidc.Configuration,
  accessToken: string,
): Promise<JWTPayload> {
  const endpoint = config.serverMetadata().userinfo_endpoint;
  if (!endpoint) throw new PscError('unavailable', 'no userinfo endpoint');
  let response: Response;
  try {
    response = await fetch(endpoint, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/jwt' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new PscError('unavailable', err);
  }
  const body = await response.text();
  if (!response.ok) throw new PscError('unavailable', `userinfo ${response.status}`);
  if (!(response.headers.get('content-type') ?? '').startsWith('application/jwt')) {
    throw new PscError('bad-signature', 'userinfo is not a signed JWT');
  }
  return verifyJwt(ctx, body.trim(), 'userinfo');
}

/** SubjectNameID (or preferred_username): "8" + RPPS; a bare 11-digit RPPS is accepted. */
function nationalIdOf(claims: JWTPayload): string {
  for (const value of [claims.SubjectNameID, claims.preferred_username]) {
    if (typeof value !== 'string') continue;
    if (/^8\d{11}$/.test(value)) return value;
    if (/^\d{11}$/.test(value)) return `8${value}`;
  }
  throw new PscError('no-rpps', { SubjectNameID: claims.SubjectNameID });
}

const stringOr = (value: unknown, fallback: string) =>
  typeof value === 'string' ? value.slice(0, 200) : fallback;
const codeOf = (value: unknown) => (typeof value === 'string' && value ? value.slice(0, 50) : null);

/** The parts of SubjectRefPro Relais shows, whatever else the provider sends. */
function profileOf(ref: unknown): PscProfile {
  const exercices = Array.isArray((ref as { exercices?: unknown })?.exercices)
    ? ((ref as { exercices: unknown[] }).exercices as Record<string, unknown>[])
    : [];
  return {
    exercices: exercices.slice(0, 20).map((x) => ({
      codeProfession: codeOf(x?.codeProfession),
      codeSavoirFaire: codeOf(x?.codeSavoirFaire),
      activities: (Array.isArray(x?.activities) ? (x.activities as Record<string, unknown>[]) : [])
        .slice(0, 50)
        .map((a) => ({
          codeModeExercice: codeOf(a?.codeModeExercice),
          numeroFinessSite: codeOf(a?.numeroFinessSite),
          raisonSocialeSite:
            typeof a?.raisonSocialeSite === 'string' ? a.raisonSocialeSite.slice(0, 200) : null,
        })),
    })),
  };
}

/** Where to send the browser to end the provider's session too (null: it offers none). */
export async function endSessionUrl(
  ctx: AppContext,
  idToken: string | null,
): Promise<string | null> {
  const provider = await pscProvider(ctx);
  if (!provider.endSessionEndpoint) return null;
  return oidc.buildEndSessionUrl(provider.config, {
    post_logout_redirect_uri: ctx.config.publicUrl,
    ...(idToken ? { id_token_hint: idToken } : {}),
  }).href;
}
