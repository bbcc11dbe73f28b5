import { resolveServer } from './server-url';
import { RelaisSession } from './session';

/**
 * The finer elements (<relais-conversation-list>, <relais-conversation>…) get their
 * session from <relais-app> through the `session` property, or, used on their own in an
 * intranet page, build one from their `server` and `token` attributes. One RelaisSession
 * per server + token, so that several elements on a page share it.
 */
const sessions = new Map<string, RelaisSession>();

export function sessionFor(el: {
  session?: RelaisSession | null;
  server?: string | null;
  token?: string | null;
}): RelaisSession | null {
  if (el.session) return el.session;
  if (!el.token) return null;
  const server = resolveServer(el.server);
  const key = `${server} ${el.token}`;
  let session = sessions.get(key);
  if (!session) {
    session = new RelaisSession(server, el.token);
    sessions.set(key, session);
    // Used on its own, an element still gets the account, its structures and live updates.
    const created = session;
    created.loadMe().then(
      () => created.startRealtime(),
      () => undefined, // 401: the session fires `expired`; the elements show their errors.
    );
  }
  return session;
}
