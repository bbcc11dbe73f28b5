/**
 * The modules of relais.js that relais-extra.js uses, by name (relais-extra.js takes them
 * from `window.__relaisCore` instead of bundling copies). Empty here: web/vite.config.ts
 * writes this module when it builds relais.js, from what relais-extra.js imports, with
 * the version (content hash) of that relais-extra.js.
 */
const core: Record<string, unknown> = {};
export default core;
export const extraVersion = '';
