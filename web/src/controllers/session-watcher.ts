import type { ReactiveControllerHost } from 'lit';
import type { RelaisSession } from '../session/session';
import { SessionFollower } from './session-follower';

/**
 * Re-renders its host when the session learns who the user is (account and structures,
 * loaded after the element first rendered when it is used on its own) or when the
 * realtime link goes up or down.
 */
export class SessionWatcher extends SessionFollower {
  constructor(host: ReactiveControllerHost, getSession: () => RelaisSession | null) {
    const update = () => host.requestUpdate();
    super(host, getSession, { me: update, connection: update });
  }
}
