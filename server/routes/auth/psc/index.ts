import type { ServerRoute } from '@hapi/hapi';
import { pscCallbackRoute } from './callback';
import { pscExchangeRoute } from './exchange';
import { pscHandoffScriptRoute } from './handoff-script';
import { pscIntentRoute } from './intent';
import { authMethodsRoute } from './methods';
import { pscStartRoute } from './start';

/** Pro Santé Connect (docs/pro-sante-connect.md). */
export const pscRoutes: ServerRoute[] = [
  authMethodsRoute,
  pscStartRoute,
  pscCallbackRoute,
  pscHandoffScriptRoute,
  pscExchangeRoute,
  pscIntentRoute,
];
