/**
 * How relais-extra is brought in. This is the ES module build's way (relais.es.js: an
 * ordinary dynamic import, its chunk relais-extra.es.js); relais.js replaces this module
 * with ./load-script.ts at build time (web/vite.config.ts), since one classic script
 * cannot import.
 */
export function importExtra(): Promise<unknown> {
  return import('./extra');
}
