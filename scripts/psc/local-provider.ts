import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

/**
 * A local OpenID provider shaped like Pro Santé Connect, for `npm start` outside production
 * and for the tests: the same realm path and non-standard discovery path, `acr` eidas1, the
 * PSC claims under `scope_all`, a signed userinfo (HS256 with the client secret, as PSC
 * can), client_secret_basic and an end-session endpoint.
 *
 * oidc-provider's development login sets no `acr`, so it is replaced by a tiny page that
 * lists the given professionals; `login_hint=<rpps>` picks one at once, so that a test can
 * drive the whole flow with plain HTTP requests.
 *
 * `misbehave` makes it lie in the ways the client must catch. The lies are told by
 * re-signing what the real provider produced with its own key, so every other part of
 * the answer stays genuine.
 */

export const PSC_REALM_PATH = '/auth/realms/esante-wallet';

export interface PscActivity {
  raisonSocialeSite: string;
  numeroFinessSite?: string;
  codeModeExercice?: string;
}

export interface PscProfessional {
  /** The RPPS number (11 digits); the national id the claims carry is '8' + rpps. */
  rpps: string;
  firstName: string;
  lastName: string;
  professionCode: string;
  specialityCode?: string;
  activities?: PscActivity[];
}

export interface Misbehaviour {
  /** The `acr` set at login: a weaker level, or none at all. */
  acr?: 'eidas0' | null;
  /** The userinfo JWT arrives with a broken signature. */
  badUserinfoSignature?: boolean;
  /** The ID token is for another client. */
  wrongAudience?: boolean;
  /** The ID token comes from another issuer. */
  wrongIssuer?: boolean;
  /** The ID token carries another nonce than the one sent. */
  wrongNonce?: boolean;
}

export interface LocalPscOptions {
  port: number;
  host?: string;
  clientId: string;
  /** client_secret_basic, and the HS256 key of the userinfo. */
  clientSecret: string;
  /**
   * The client's public key instead: private_key_jwt, and userinfo signed RS256 with the
   * provider's key (there is no shared secret then).
   */
  clientPublicJwk?: JWK;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  professionals: PscProfessional[];
  misbehave?: Misbehaviour;
}

export interface LocalPsc {
  issuer: string;
  /** Change the lies told from now on (tests share one provider). */
  misbehave: Misbehaviour;
  close(): Promise<void>;
}

const CLAIMS = [
  'SubjectNameID',
  'preferred_username',
  'given_name',
  'family_name',
  'SubjectRefPro',
];
/** A header the provider sends to itself to get the genuine answer it then tampers with. */
const RAW = 'x-local-psc-raw';

export async function startLocalPsc(options: LocalPscOptions): Promise<LocalPsc> {
  const host = options.host ?? '127.0.0.1';
  const origin = `http://${host}:${options.port}`;
  const issuer = `${origin}${PSC_REALM_PATH}`;
  const state = { misbehave: { ...options.misbehave } as Misbehaviour };
  // oidc-provider makes the accountId the `sub`: PSC's is opaque, f:<uuid>:<national id>.
  const bySub = new Map(options.professionals.map((p) => [subOf(p), p]));

  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'local-psc-1';
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };

  const configuration: Configuration = {
    clients: [
      {
        client_id: options.clientId,
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris ?? [],
        ...(options.clientPublicJwk
          ? {
              token_endpoint_auth_method: 'private_key_jwt',
              jwks: { keys: [options.clientPublicJwk] },
              userinfo_signed_response_alg: 'RS256',
            }
          : {
              client_secret: options.clientSecret,
              token_endpoint_auth_method: 'client_secret_basic',
              userinfo_signed_response_alg: 'HS256',
            }),
        id_token_signed_response_alg: 'RS256',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [privateJwk] },
    scopes: ['openid', 'scope_all'],
    claims: { openid: ['sub'], acr: null, scope_all: CLAIMS },
    acrValues: ['eidas1', 'eidas0'],
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256', 'HS256'],
      userinfoSigningAlgValues: ['HS256', 'RS256'],
    },
    adapter: memoryStore(),
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // No confirmation page: the session simply ends, as PSC does.
        logoutSource: async (ctx, form) => {
          // `logout=yes` ends the provider session itself; without it oidc-provider only
          // drops this client's grant, and the next sign-in would skip the login page.
          const ending = form.replace(
            '</form>',
            '<input type="hidden" name="logout" value="yes"/></form>',
          );
          ctx.body = `<!doctype html><html><body>${ending}<script>document.forms[0].submit()</script></body></html>`;
        },
      },
    },
    cookies: { keys: ['local-psc-cookie-key-not-a-secret'] },
    interactions: {
      url: (_ctx, interaction) => `${PSC_REALM_PATH}/interaction/${interaction.uid}`,
    },
    async findAccount(_ctx, id) {
      const p = bySub.get(id);
      if (!p) return undefined;
      return { accountId: id, claims: async () => claimsOf(p) };
    },
    // First-party client: no consent screen, every requested scope is granted.
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      const clientId = oidc.client!.clientId;
      const existing = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(clientId);
      if (existing) return oidc.provider.Grant.find(existing);
      const grant = new oidc.provider.Grant({ clientId, accountId: oidc.session!.accountId });
      grant.addOIDCScope('openid scope_all');
      grant.addOIDCClaims(CLAIMS);
      await grant.save();
      return grant;
    },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 300, IdToken: 3600 },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>Erreur</title><pre>${escapeHtml(JSON.stringify(out, null, 2))}</pre>`;
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.statusCode = 500;
      res.end(String(err?.message ?? err));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    if (!url.pathname.startsWith(PSC_REALM_PATH)) {
      res.statusCode = 404;
      return res.end('Not found');
    }
    let rest = url.pathname.slice(PSC_REALM_PATH.length) || '/';
    if (rest.startsWith('/interaction/')) return interaction(req, res, rest);
    // The non-standard path PSC publishes its metadata at.
    if (rest === '/.well-known/wallet-openid-configuration') {
      rest = '/.well-known/openid-configuration';
    }
    const m = state.misbehave;
    if (!req.headers[RAW]) {
      if (rest === '/token' && (m.wrongAudience || m.wrongIssuer || m.wrongNonce)) {
        return tamper(req, res, url, tamperTokens);
      }
      if (rest === '/me' && m.badUserinfoSignature) return tamper(req, res, url, breakSignature);
    }
    // Mounted under the realm path: oidc-provider derives its URLs from originalUrl.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl =
      PSC_REALM_PATH + rest + url.search;
    req.url = rest + url.search;
    callback(req, res);
  }

  /** The login page: pick a professional (or `login_hint` picks one), with the acr PSC sets. */
  async function interaction(req: IncomingMessage, res: ServerResponse, rest: string) {
    const details = await provider.interactionDetails(req, res);
    let chosen: string | undefined;
    if (req.method === 'POST') {
      const body = new URLSearchParams(await readBody(req));
      chosen = body.get('rpps') ?? undefined;
    } else if (typeof details.params.login_hint === 'string') {
      chosen = details.params.login_hint;
    }
    const p = chosen ? options.professionals.find((x) => x.rpps === chosen) : undefined;
    if (p) {
      const acr = state.misbehave.acr === undefined ? 'eidas1' : state.misbehave.acr;
      const login = { accountId: subOf(p), ...(acr ? { acr, amr: ['pwd', 'otp'] } : {}) };
      return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
    }
    const rows = options.professionals
      .map(
        (x) =>
          `<li><button name="rpps" value="${escapeHtml(x.rpps)}">${escapeHtml(x.firstName)} ${escapeHtml(x.lastName)} · RPPS ${escapeHtml(x.rpps)}</button></li>`,
      )
      .join('');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Pro Santé Connect (local)</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto}li{list-style:none;margin:.4rem 0}button{width:100%;padding:.6rem;text-align:left;font-size:1rem}</style></head>
<body><h1>Pro Santé Connect · fournisseur local de démonstration</h1>
<p>Choisissez la personne qui se connecte (e-CPS simulée, niveau eidas1).</p>
<form method="post" action="${escapeHtml(PSC_REALM_PATH + rest)}"><ul>${rows}</ul></form>${chosen ? '<p>RPPS inconnu.</p>' : ''}</body></html>`);
  }

  /** Asks itself for the genuine answer, then changes it with `change`. */
  async function tamper(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    change: (text: string, contentType: string) => Promise<string>,
  ) {
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    const headers: Record<string, string> = { [RAW]: '1' };
    for (const name of ['authorization', 'content-type', 'accept', 'cookie']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const genuine = await fetch(`${origin}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body,
    });
    const type = genuine.headers.get('content-type') ?? 'application/json';
    const text = await genuine.text();
    res.statusCode = genuine.status;
    res.setHeader('content-type', type);
    res.setHeader('cache-control', 'no-store');
    res.end(genuine.ok ? await change(text, type) : text);
  }

  async function tamperTokens(text: string): Promise<string> {
    const tokens = JSON.parse(text);
    if (!tokens.id_token) return text;
    const claims = decodeJwt(tokens.id_token);
    const m = state.misbehave;
    if (m.wrongAudience) claims.aud = 'some-other-client';
    if (m.wrongIssuer) claims.iss = `${origin}/auth/realms/another-realm`;
    if (m.wrongNonce) claims.nonce = 'not-the-nonce-you-sent';
    tokens.id_token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .sign(privateKey);
    return JSON.stringify(tokens);
  }

  async function breakSignature(text: string): Promise<string> {
    const [header, payload, signature] = text.trim().split('.');
    const flipped = signature!.startsWith('A')
      ? `B${signature!.slice(1)}`
      : `A${signature!.slice(1)}`;
    return `${header}.${payload}.${flipped}`;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, resolve);
  });
  void publicKey;
  return {
    issuer,
    get misbehave() {
      return state.misbehave;
    },
    set misbehave(value: Misbehaviour) {
      state.misbehave = { ...value };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The claims PSC gives under `scope_all` (SubjectRefPro trimmed to what Relais reads). */
function subOf(p: PscProfessional): string {
  const nationalId = `8${p.rpps}`;
  const uuid = createHash('sha256').update(nationalId).digest('hex').slice(0, 32);
  return `f:${uuid.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')}:${nationalId}`;
}

function claimsOf(p: PscProfessional) {
  const nationalId = `8${p.rpps}`;
  return {
    sub: subOf(p),
    SubjectNameID: nationalId,
    preferred_username: nationalId,
    given_name: p.firstName,
    family_name: p.lastName,
    SubjectRefPro: {
      codeCivilite: '',
      exercices: [
        {
          codeProfession: p.professionCode,
          codeCategorieProfessionnelle: 'C',
          codeTypeSavoirFaire: p.specialityCode ? 'S' : '',
          codeSavoirFaire: p.specialityCode ?? '',
          nomDexercice: p.lastName,
          prenomDexercice: p.firstName,
          activities: (p.activities ?? []).map((a) => ({
            codeModeExercice: a.codeModeExercice ?? 'S',
            numeroFinessSite: a.numeroFinessSite ?? '',
            raisonSocialeSite: a.raisonSocialeSite,
          })),
        },
      ],
    },
  };
}

/** oidc-provider's storage, in memory (its own prints a warning meant for production). */
function memoryStore() {
  const items = new Map<string, { payload: Record<string, unknown>; expires: number }>();
  return class MemoryStore {
    static items = items;
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      MemoryStore.items.set(this.key(id), { payload, expires: Date.now() + expiresIn * 1000 });
      if (payload.grantId) {
        MemoryStore.items.set(`grant:${payload.grantId}:${this.key(id)}`, {
          payload: {},
          expires: Date.now() + expiresIn * 1000,
        });
      }
    }
    async find(id: string) {
      const item = MemoryStore.items.get(this.key(id));
      if (!item || item.expires < Date.now()) return undefined;
      return item.payload;
    }
    async findByUid(uid: string) {
      for (const [k, v] of MemoryStore.items) {
        if (k.startsWith(`${this.model}:`) && v.payload.uid === uid)
          return this.find(k.slice(this.model.length + 1));
      }
      return undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const item = MemoryStore.items.get(this.key(id));
      if (item) item.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      MemoryStore.items.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const k of [...MemoryStore.items.keys()]) {
        if (k.startsWith(`grant:${grantId}:`)) {
          MemoryStore.items.delete(k.slice(`grant:${grantId}:`.length));
          MemoryStore.items.delete(k);
        }
      }
    }
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      data += chunk;
      if (data.length > 100_000) req.destroy();
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
