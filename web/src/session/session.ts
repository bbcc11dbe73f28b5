import { ApiError, apiRequest } from '../api/http';
import type { Account, Me, RealtimeEvent, SessionGrant } from '../api/types';
import { connectRealtime, type RealtimeLink } from './realtime';

/**
 * A signed-in Relais session: the server it belongs to, the bearer token and the account.
 * Every authenticated request goes through `request()`; a 401 means the session expired
 * or was revoked, and the session then fires `expired` once so that the application can
 * bring back the sign-in form.
 *
 * The token lives in memory and in the sessionStorage of the page that holds the
 * components (so a reload keeps the user signed in, closing the tab forgets it). No
 * cookie is ever used: the components must work embedded in another origin's page.
 */
export class RelaisSession extends EventTarget {
  #expired = false;
  #realtime: RealtimeLink | null = null;
  #connected = false;
  me: Me | null = null;
  /**
   * 'psc' when the session came from Pro Santé Connect: signing out then also ends the
   * provider's session, whose URL the logout answer gives (see relais-app).
   */
  via: 'psc' | null = null;

  constructor(
    readonly server: string,
    readonly token: string,
    public account: Account | null = null,
    readonly expiresAt: string | null = null,
  ) {
    super();
  }

  get expired(): boolean {
    return this.#expired;
  }

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    try {
      return await apiRequest<T>(this.server, method, path, { token: this.token, body, signal });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.expire();
      throw err;
    }
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }

  /** Loads (and caches) the account and the structures it answers for. */
  async loadMe(): Promise<Me> {
    this.me = await this.get<Me>('/api/me');
    this.account = this.me;
    this.dispatchEvent(new Event('me'));
    return this.me;
  }

  /**
   * Hands a realtime event (from the websocket, see session/realtime.ts) to every element
   * of this session: they listen with `session.addEventListener('realtime', …)`.
   */
  emitRealtime(event: RealtimeEvent): void {
    this.dispatchEvent(new CustomEvent<RealtimeEvent>('realtime', { detail: event }));
  }

  /** Opens the realtime link (once per session; standalone elements share it). */
  startRealtime(): void {
    if (this.#realtime || this.#expired) return;
    this.#realtime = connectRealtime(this);
  }

  stopRealtime(): void {
    const link = this.#realtime;
    this.#realtime = null;
    void link?.close();
  }

  /** Whether the realtime link is up (elements show "reconnecting" otherwise). */
  get connected(): boolean {
    return this.#connected;
  }

  setConnected(connected: boolean): void {
    if (connected === this.#connected) return;
    this.#connected = connected;
    this.dispatchEvent(new Event('connection'));
  }

  /** Tells the realtime client how far the UI holds a conversation (catch-up starts there). */
  track(conversationId: number, lastSeq: number): void {
    this.#realtime?.client.track(conversationId, lastSeq);
  }

  /** Tells the elements that the realtime link came back after a gap: catch up. */
  emitReconnected(): void {
    this.dispatchEvent(new Event('reconnected'));
  }

  /** Marks the session dead (401, or the realtime client lost its credentials). */
  expire(): void {
    if (this.#expired) return;
    this.#expired = true;
    this.stopRealtime();
    clearStoredSession(this.server, this.token);
    this.dispatchEvent(new Event('expired'));
  }

  /**
   * Revokes the token on the server; the local copy is forgotten whatever happens. For a
   * Pro Santé Connect session the server answers with the provider's end-session URL,
   * returned here (null otherwise) for the page to open.
   */
  async signOut(): Promise<string | null> {
    this.#expired = true;
    this.stopRealtime();
    clearStoredSession(this.server, this.token);
    try {
      const answer = await apiRequest<{ endSessionUrl?: unknown } | undefined>(
        this.server,
        'POST',
        '/api/auth/logout',
        { token: this.token },
      );
      const url = answer?.endSessionUrl;
      return typeof url === 'string' && /^https?:\/\//.test(url) ? url : null;
    } catch {
      // Already expired or unreachable: the token is forgotten locally anyway.
      return null;
    }
  }

  static fromGrant(server: string, grant: SessionGrant): RelaisSession {
    return new RelaisSession(server, grant.token, grant.account, grant.expiresAt);
  }
}

const storageKey = (server: string) => `relais:session:${new URL(server).origin}`;

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // Sandboxed iframes may forbid storage: memory only then.
  }
}

export function storeSession(session: RelaisSession): void {
  try {
    storage()?.setItem(
      storageKey(session.server),
      JSON.stringify({
        token: session.token,
        expiresAt: session.expiresAt,
        account: session.account,
        via: session.via,
      }),
    );
  } catch {
    // Storage full or forbidden: the session still works for this page.
  }
}

export function loadStoredSession(server: string): RelaisSession | null {
  try {
    const raw = storage()?.getItem(storageKey(server));
    if (!raw) return null;
    const data = JSON.parse(raw) as {
      token?: string;
      expiresAt?: string | null;
      account?: Account | null;
      via?: string | null;
    };
    if (!data.token) return null;
    if (data.expiresAt && Date.parse(data.expiresAt) <= Date.now()) {
      clearStoredSession(server);
      return null;
    }
    const session = new RelaisSession(
      server,
      data.token,
      data.account ?? null,
      data.expiresAt ?? null,
    );
    if (data.via === 'psc') session.via = 'psc';
    return session;
  } catch {
    return null;
  }
}

/** Forgets the stored session; with `token`, only if it is that one (not a newer one). */
export function clearStoredSession(server: string, token?: string): void {
  try {
    const store = storage();
    if (token && !store?.getItem(storageKey(server))?.includes(JSON.stringify(token))) return;
    store?.removeItem(storageKey(server));
  } catch {
    // Nothing stored.
  }
}

/** E-mail + password sign-in. Throws ApiError (401 wrong credentials, 429 locked…). */
export async function signInWithPassword(
  server: string,
  email: string,
  password: string,
): Promise<RelaisSession> {
  const grant = await apiRequest<SessionGrant>(server, 'POST', '/api/auth/login', {
    body: { email, password },
  });
  return RelaisSession.fromGrant(server, grant);
}

/** Exchanges an intranet-signed embed token for a session. */
export async function signInWithEmbedToken(server: string, token: string): Promise<RelaisSession> {
  const grant = await apiRequest<SessionGrant>(server, 'POST', '/api/auth/embed', {
    body: { token },
  });
  return RelaisSession.fromGrant(server, grant);
}

/**
 * Exchanges the single-use handoff that ends a Pro Santé Connect flow (session/psc.ts) for
 * a session, as a password sign-in would give.
 */
export async function signInWithPscHandoff(
  server: string,
  handoff: string,
): Promise<RelaisSession> {
  // Back from a verification by redirect, the page's stored session is the account being
  // verified, and the server binds the identity only with that session.
  const grant = await apiRequest<SessionGrant>(server, 'POST', '/api/auth/psc/exchange', {
    body: { handoff },
    token: loadStoredSession(server)?.token,
  });
  const session = RelaisSession.fromGrant(server, grant);
  session.via = 'psc';
  return session;
}
