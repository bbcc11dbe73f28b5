import type { Request } from '@hapi/hapi';

/**
 * The cookie that ties a Pro Santé Connect flow to the browser that started it. It is
 * first-party even when Relais is embedded in an intranet page: the flow runs in a pop-up
 * or a top-level page on Relais's own origin. SameSite=Lax lets it come back with the
 * provider's top-level redirect; it is sent to /auth/psc only and lives as long as a flow.
 */
export const BROWSER_COOKIE = 'relais_psc';
const VALUE = /^[A-Za-z0-9_-]{20,100}$/;

export function browserCookie(request: Request): string | null {
  const header = (request.headers.cookie as string | undefined) ?? '';
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (part.slice(0, at).trim() !== BROWSER_COOKIE) continue;
    const value = part.slice(at + 1).trim();
    if (VALUE.test(value)) return value;
  }
  return null;
}

export function setBrowserCookie(value: string, publicUrl: string): string {
  const secure = publicUrl.startsWith('https:') ? '; Secure' : '';
  return `${BROWSER_COOKIE}=${value}; Path=/auth/psc; Max-Age=600; HttpOnly; SameSite=Lax${secure}`;
}
