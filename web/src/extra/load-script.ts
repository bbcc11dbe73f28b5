import { defaultServer } from '../session/server-url';
import core, { extraVersion } from './core';

/**
 * relais.js's way of bringing in relais-extra (see ./load.ts, which this module replaces
 * in that build): a <script> for relais-extra.js, next to relais.js — the address of
 * relais.js is read while it runs, the only time document.currentScript is set.
 */
const current = (() => {
  try {
    return document.currentScript as HTMLScriptElement | null;
  } catch {
    return null;
  }
})();
const base = current?.src || `${defaultServer()}/`;
const nonce = current?.nonce || '';

// What relais-extra.js imports from relais.js. The first relais.js of the page keeps it:
// it is also the one whose elements are defined. A page may then include relais-extra.js
// itself, after relais.js.
const shared = globalThis as { __relaisCore?: unknown };
shared.__relaisCore ??= core;

export function importExtra(): Promise<unknown> {
  const src = new URL(`relais-extra.js${extraVersion ? `?v=${extraVersion}` : ''}`, base).href;
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.async = true;
    if (nonce) script.nonce = nonce; // a page whose CSP allows relais.js by nonce
    script.onload = () => resolve(undefined);
    script.onerror = () => {
      script.remove();
      reject(new Error(`Could not load ${src}`));
    };
    (document.head ?? document.documentElement).append(script);
  });
}
