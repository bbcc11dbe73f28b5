import type { ResponseToolkit } from '@hapi/hapi';

/**
 * Small server-rendered pages (sign-up from an invitation, unsubscribe, the demo outbox):
 * every value is escaped, no script at all, and a CSP that forbids any.
 */
export const escapeHtml = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function page(
  h: ResponseToolkit,
  {
    lang,
    title,
    body,
    status = 200,
  }: { lang: string; title: string; body: string; status?: number },
) {
  const html = `<!doctype html>
<html lang="${escapeHtml(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Relais</title>
<style>
body{font-family:system-ui,Arial,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.4rem}label{display:block;margin-top:.8rem;font-weight:600}
input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1.2rem;padding:.6rem 1.2rem;font-size:1rem;background:#000091;color:#fff;border:0;border-radius:4px}
.muted{color:#555;font-size:.9rem}.error{color:#b00020;font-weight:600}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top;font-size:.9rem}
</style></head><body>
${body}
</body></html>`;
  return h
    .response(html)
    .type('text/html; charset=utf-8')
    .code(status)
    .header('content-security-policy', CSP)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff');
}

/** Whether the client asked for JSON rather than a page. */
export function wantsJson(headers: Record<string, unknown>): boolean {
  const accept = String(headers.accept ?? '');
  const type = String(headers['content-type'] ?? '');
  return (
    type.includes('application/json') ||
    (accept.includes('application/json') && !accept.includes('text/html'))
  );
}

// Routes public by design say so (the route contract test reads it).
declare module '@hapi/hapi' {
  interface PluginSpecificConfiguration {
    relais?: { public?: boolean; botScope?: import('../../../domain/bots').BotScope };
  }
}
