import type { Request } from '@hapi/hapi';
import type { FileUrls } from '../domain/attachments';
import type { AppContext } from '../domain/context';

/**
 * What a route can count on: the process's AppContext on `request.server.app.ctx`, and
 * after authentication the signed-in account on `request.auth.credentials.user`.
 */
export interface SessionUser {
  accountId: number;
  professionalId: number | null;
  sessionId: number;
  /** When the session ends (a websocket is closed then, see plugins/realtime-sessions.ts). */
  sessionExpiresAt: Date;
  firstName: string;
  lastName: string;
  locale: 'fr' | 'en';
  timeZone: string;
  isAdmin: boolean;
  kind: 'person' | 'bot';
}

declare module '@hapi/hapi' {
  interface ServerApplicationState {
    ctx: AppContext;
    /** Signs and checks file URLs (issue 11). */
    files: FileUrls;
  }
  interface UserCredentials extends SessionUser {}
}

export function ctxOf(request: Request): AppContext {
  return request.server.app.ctx;
}

/** The signed-in user of an authenticated route (the auth strategy guarantees it is set). */
export function userOf(request: Request): SessionUser {
  return request.auth.credentials.user as SessionUser;
}

/** The signed-in user as a reader of messages and files: their URLs are signed for them. */
export function viewerOf(request: Request): SessionUser & { files: FileUrls } {
  return { ...userOf(request), files: request.server.app.files };
}
