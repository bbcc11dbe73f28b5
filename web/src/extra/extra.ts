/**
 * relais-extra: what not every user needs, nor at once — the screens only some users
 * open, and only sometimes: Administration (<relais-admin> and what it holds, the bots'
 * <relais-bots> included) and "Mon identité" (<relais-identity>); and the English
 * templates (French is the default). Not part of relais.js: loaded the first time one of
 * these is needed (./index.ts), as relais-extra.js next to relais.js, or as the chunk
 * relais-extra.es.js of relais.es.js.
 * Everything else these screens use (lit, the session, the theme…) is relais.js's own
 * copy (web/vite.config.ts): one lit, one locale, one session per page.
 */
import '../components/relais-admin';
import '../components/relais-identity';
import { registerEnglish } from '../i18n';
import * as en from '../locales/en';

registerEnglish(en);
