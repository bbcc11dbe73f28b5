import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { DEMO_INTEGRATION_SECRET } from '../domain/config';
import { PEOPLE } from './demo/people';

/**
 * `npm run demo:intranet`: a pretend hospital intranet on another origin
 * (http://localhost:3001) that embeds Relais with ONE script tag. Its own backend (this
 * file) signs a fresh embed token for the chosen demo user on every page load, with the
 * demo integration's secret; the page hands the token to <relais-app>, which exchanges it
 * for a session. Start Relais first (`npm start`, http://localhost:3000).
 *
 *   RELAIS_URL            where Relais runs            (default http://localhost:3000)
 *   DEMO_INTRANET_PORT    this page's port             (default 3001)
 *   EMBED_INTEGRATION_ID  the integration id           (default demo-intranet)
 *   EMBED_SECRET          its secret                   (default: the demo secret)
 */

export interface IntranetOptions {
  relaisUrl: string;
  integrationId: string;
  secret: string;
  /** The demo users offered in the menu, as embed subjects ("rpps:…" or "email:…"). */
  users: Array<{ sub: string; label: string }>;
}

/** The signing recipe an intranet backend follows (HS256 JWT, see the README). */
export function signEmbedToken(
  secret: string,
  integrationId: string,
  sub: string,
  lifetimeSeconds = 120,
): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = b64({ alg: 'HS256', typ: 'JWT' });
  const payload = b64({
    iss: integrationId,
    sub,
    iat: now,
    exp: now + lifetimeSeconds,
    jti: randomUUID(),
  });
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export function intranetPage(options: IntranetOptions, sub: string): string {
  const token = signEmbedToken(options.secret, options.integrationId, sub);
  const relais = options.relaisUrl.replace(/\/$/, '');
  const choices = options.users
    .map(
      (u) =>
        `<option value="${escapeHtml(u.sub)}"${u.sub === sub ? ' selected' : ''}>${escapeHtml(u.label)}</option>`,
    )
    .join('');
  // The intranet's own styles are deliberately loud: none of them reaches the components.
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Intranet — Centre hospitalier de démonstration</title>
<style>
  body { margin: 0; font-family: Georgia, serif; background: #eef2ea; color: #222; }
  header { background: #2e5e3a; color: #fff; padding: .75rem 1rem; display: flex; gap: 1rem; flex-wrap: wrap; align-items: center; }
  header h1 { font-size: 1.1rem; margin: 0; margin-right: auto; }
  button { background: hotpink; font-family: "Comic Sans MS", cursive; }
  main { max-width: 64rem; margin: 1rem auto; padding: 0 .5rem; }
  .card { background: #fff; border: 1px solid #b9c4b2; border-radius: 6px; overflow: hidden; }
  relais-app { --relais-primary: #2e5e3a; --relais-focus: #a34a00; }
</style>
<script src="${escapeHtml(relais)}/relais.js" defer></script>
</head>
<body>
<header>
  <h1>Intranet du Centre hospitalier de démonstration</h1>
  <form method="get"><label>Utilisateur de l'intranet :
    <select name="as" onchange="this.form.submit()">${choices}</select></label>
    <noscript><button>Changer</button></noscript></form>
</header>
<main>
  <p>Messagerie sécurisée Relais, intégrée par une seule balise &lt;script&gt;.</p>
  <div class="card">
    <relais-app embed-token="${escapeHtml(token)}"></relais-app>
  </div>
</main>
</body>
</html>`;
}

/** The intranet's HTTP server; `port` 0 picks a free one (tests). */
export function startIntranet(options: IntranetOptions, port: number, host = '127.0.0.1') {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://intranet.local');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'GET' || url.pathname !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const wanted = url.searchParams.get('as');
    const sub = options.users.find((u) => u.sub === wanted)?.sub ?? options.users[0]?.sub;
    if (!sub) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('No demo user configured');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(intranetPage(options, sub));
  });
  return new Promise<{ server: Server; url: string }>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      resolve({ server, url: `http://${host}:${actual}` });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.DEMO_INTRANET_PORT ?? 3001);
  const relaisUrl = process.env.RELAIS_URL ?? 'http://localhost:3000';
  const users = PEOPLE.map((p) => ({
    sub: `rpps:${p.rpps}`,
    label: `${p.firstName} ${p.lastName} — ${p.description}`,
  }));
  try {
    const { url } = await startIntranet(
      {
        relaisUrl,
        integrationId: process.env.EMBED_INTEGRATION_ID ?? 'demo-intranet',
        secret: process.env.EMBED_SECRET ?? DEMO_INTEGRATION_SECRET,
        users,
      },
      port,
      'localhost',
    );
    process.stdout.write(
      `Demo intranet: ${url} (embeds ${relaisUrl}/relais.js; start Relais first with npm start)\n`,
    );
  } catch (err) {
    process.stderr.write(
      `The demo intranet could not start on port ${port}: ${(err as Error).message}\n`,
    );
    process.exit(1);
  }
}
