import { msg } from '@lit/localize';
import { importExtra } from './load';

/**
 * The elements that are not in relais.js but in relais-extra (./extra.ts): the screens
 * only some users open, and only sometimes. They are loaded the first time one is needed:
 *   - by <relais-app> when the user opens Administration or "Mon identité" (it shows
 *     "Chargement…", or the failure with "Réessayer");
 *   - on a page that uses one of them itself (<relais-admin server=… token=…>): relais.js
 *     watches the page and loads relais-extra.js as soon as such an element is there; if
 *     that fails, the element shows the failure and "Réessayer" in its place.
 * Until then the element is an ordinary unknown one; once loaded it upgrades in place
 * with the attributes and properties it was given.
 */
export const EXTRA_TAGS = [
  'relais-admin',
  'relais-membership-requests',
  'relais-identity-reviews',
  'relais-confirm',
  'relais-bots',
  'relais-identity',
] as const;

const SELECTOR = EXTRA_TAGS.join(',');

/** Whether relais-extra's elements are defined (loaded, or included by the page). */
export function extraLoaded(): boolean {
  return EXTRA_TAGS.every((tag) => customElements.get(tag));
}

let loading: Promise<void> | null = null;

/**
 * Loads relais-extra once for everyone who asks; after a failure the next call tries
 * again. Rejects when the script cannot be loaded (network, server, CSP).
 */
export function loadExtra(): Promise<void> {
  if (extraLoaded()) return Promise.resolve();
  loading ??= importExtra()
    .then(() => {
      if (!extraLoaded()) throw new Error('relais-extra did not define its elements');
    })
    .catch((err: unknown) => {
      loading = null;
      throw err;
    });
  return loading;
}

const NOTICE = 'data-relais-extra-error';

/** The elements of the page itself (not of <relais-app>) waiting for relais-extra. */
async function loadForPage(): Promise<void> {
  try {
    await loadExtra();
    for (const notice of document.querySelectorAll(`[${NOTICE}]`)) notice.remove();
  } catch {
    // An unknown element shows its children: the failure goes there, with a retry.
    for (const el of document.querySelectorAll(SELECTOR)) {
      if (customElements.get(el.localName) || el.querySelector(`:scope > [${NOTICE}]`)) continue;
      const notice = document.createElement('p');
      notice.setAttribute(NOTICE, '');
      notice.setAttribute('role', 'alert');
      notice.textContent = `${msg('Cet écran n’a pas pu être chargé. Vérifiez votre connexion puis réessayez.', { id: 'extra.failed' })} `;
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.textContent = msg('Réessayer', { id: 'common.retry' });
      retry.addEventListener('click', () => {
        for (const n of document.querySelectorAll(`[${NOTICE}]`)) n.remove();
        void loadForPage();
      });
      notice.append(retry);
      el.append(notice);
    }
  }
}

function watchPage(): void {
  if (typeof document === 'undefined' || typeof MutationObserver === 'undefined') return;
  const wanted = (node: Node) =>
    node instanceof Element && (node.matches(SELECTOR) || !!node.querySelector(SELECTOR));
  const observer = new MutationObserver((records) => {
    if (extraLoaded()) {
      observer.disconnect();
      return;
    }
    if (records.some((r) => Array.from(r.addedNodes).some(wanted))) void loadForPage();
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  if (document.querySelector(SELECTOR)) void loadForPage();
}

watchPage();
