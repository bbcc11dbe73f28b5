import { apiRequest } from '../api/http';
import { getLocale } from '../i18n';

/**
 * The browser side of "Se connecter avec Pro Santé Connect". The OpenID Connect flow
 * itself (PKCE, state, nonce, the provider's tokens) runs on the Relais server; the
 * components only start it and receive a single-use *handoff* at the end, which
 * `POST /api/auth/psc/exchange` turns into an ordinary session (session.ts).
 *
 * It must work inside an intranet page of another origin, without any third-party cookie:
 *   - pop-up first: `${server}/auth/psc/start?mode=popup&returnTo=<page origin + path>`;
 *     the server's callback posts `{ type: 'relais:psc', handoff }` (or `error`) to
 *     `window.opener` with the page's origin as target, and closes. We accept that message
 *     only from the server's origin and from the pop-up we opened.
 *   - when the browser blocks the pop-up, a top-level redirect
 *     (`mode=redirect&returnTo=<this URL>`); the server comes back to
 *     `returnTo#relais-psc=<handoff>` (or `#relais-psc-error=<code>`), which the page
 *     picks up on load (takePscReturn) and removes from the address bar at once.
 */

export interface AuthMethods {
  password: boolean;
  psc: boolean;
}

const methods = new Map<string, Promise<AuthMethods>>();

/**
 * `GET /api/auth/methods`, once per server and page. Anything but a clear `psc: true`
 * (older server, unreachable) means no Pro Santé Connect: nothing is shown then.
 */
export function authMethods(server: string): Promise<AuthMethods> {
  let known = methods.get(server);
  if (!known) {
    known = apiRequest<Partial<AuthMethods>>(server, 'GET', '/api/auth/methods').then(
      (m) => ({ password: m?.password !== false, psc: m?.psc === true }),
      () => {
        methods.delete(server); // asked again by the next element that needs it
        return { password: true, psc: false };
      },
    );
    methods.set(server, known);
  }
  return known;
}

export interface PscStart {
  /** An intent from `POST /api/auth/psc/intent`: verify the signed-in account. */
  intent?: string;
}

export function pscStartUrl(
  server: string,
  mode: 'popup' | 'redirect',
  returnTo: string,
  start: PscStart = {},
): string {
  const url = new URL('/auth/psc/start', server);
  url.searchParams.set('mode', mode);
  url.searchParams.set('returnTo', returnTo);
  url.searchParams.set('lang', getLocale() === 'en' ? 'en' : 'fr'); // the provider's pages
  if (start.intent) url.searchParams.set('intent', start.intent);
  return url.href;
}

/** This page without its fragment: where the redirect flow comes back. */
function currentUrl(): string {
  const url = new URL(window.location.href);
  url.hash = '';
  return url.href;
}

const POPUP_NAME = 'relais-psc';

/**
 * Opens an empty pop-up, synchronously (call it in the click handler, before any await,
 * or the browser blocks it). Null when the browser blocked it anyway.
 */
export function openPopup(name = POPUP_NAME): Window | null {
  const width = 520;
  const height = 720;
  const left = Math.max(0, window.screenX + (window.outerWidth - width) / 2);
  const top = Math.max(0, window.screenY + (window.outerHeight - height) / 2);
  try {
    return window.open(
      'about:blank',
      name,
      `popup,width=${width},height=${height},left=${Math.round(left)},top=${Math.round(top)}`,
    );
  } catch {
    return null;
  }
}

export type PscOutcome =
  | { handoff: string }
  /** The server's sentence (in the `lang` asked for) and its code (domain/psc/errors.ts). */
  | { error: string; code?: string }
  /** The user closed the pop-up before the end. */
  | { cancelled: true };

/**
 * Sends an (already opened) pop-up to the start of the flow and waits for the server's
 * message. Only a message from the server's origin, from this pop-up, with the expected
 * type counts; anything else posted to the page is ignored.
 */
export function runPscPopup(
  popup: Window,
  server: string,
  start: PscStart = {},
): Promise<PscOutcome> {
  const origin = new URL(server).origin;
  const returnTo = `${window.location.origin}${window.location.pathname}`;
  popup.location.href = pscStartUrl(server, 'popup', returnTo, start);
  return new Promise<PscOutcome>((resolve) => {
    let done = false;
    let closedSince = 0;
    const finish = (outcome: PscOutcome) => {
      if (done) return;
      done = true;
      window.removeEventListener('message', onMessage);
      clearInterval(timer);
      resolve(outcome);
    };
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== origin || event.source !== popup) return;
      const data = event.data as {
        type?: unknown;
        handoff?: unknown;
        error?: unknown;
        code?: unknown;
      } | null;
      if (!data || typeof data !== 'object' || data.type !== 'relais:psc') return;
      if (typeof data.handoff === 'string' && data.handoff) finish({ handoff: data.handoff });
      else {
        finish({
          error: typeof data.error === 'string' ? data.error : '',
          code: typeof data.code === 'string' ? data.code : undefined,
        });
      }
    };
    window.addEventListener('message', onMessage);
    // The callback page posts its message and then closes: give a message that is still
    // queued a moment before calling a closed pop-up a cancellation.
    const timer = setInterval(() => {
      if (!popup.closed) return;
      if (!closedSince) closedSince = Date.now();
      else if (Date.now() - closedSince > 1000) finish({ cancelled: true });
    }, 400);
  });
}

/** The fallback when pop-ups are blocked: the whole page goes to the provider and back. */
export function redirectToPsc(server: string, start: PscStart = {}): void {
  window.location.assign(pscStartUrl(server, 'redirect', currentUrl(), start));
}

export type PscReturn = { handoff: string } | { errorCode: string };

function readReturn(): PscReturn | null {
  const hash = window.location.hash;
  const handoff = /^#relais-psc=([^&]+)/.exec(hash);
  if (handoff?.[1]) return { handoff: decodeURIComponent(handoff[1]) };
  const error = /^#relais-psc-error=([^&]*)/.exec(hash);
  if (error) return { errorCode: decodeURIComponent(error[1] ?? '') };
  return null;
}

/** Whether this page was loaded at the end of a redirect flow (not consumed). */
export function hasPscReturn(): boolean {
  return readReturn() !== null;
}

/**
 * The handoff (or error) a redirect flow brought back in the address, once: it is removed
 * from the address bar and the history at the first call, so a reload, a bookmark or a
 * second element cannot use it again.
 */
export function takePscReturn(): PscReturn | null {
  const found = readReturn();
  if (!found) return null;
  try {
    const url = new URL(window.location.href);
    url.hash = '';
    window.history.replaceState(window.history.state, '', url.href);
  } catch {
    window.location.hash = '';
  }
  return found;
}
