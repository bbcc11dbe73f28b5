import type { ResponseToolkit } from '@hapi/hapi';
import { type PscErrorCode, pscMessage } from '../../../../domain/psc';
import { escapeHtml } from '../../join/html';

/**
 * How the end of a Pro Santé Connect flow reaches the page that started it, without any
 * third-party cookie: a pop-up posts a one-time handoff code to its opener (the origin of
 * `returnTo` only); a top-level redirect carries it in the URL fragment of `returnTo`,
 * which is never sent to a server. The page then exchanges it for a session
 * (POST /api/auth/psc/exchange).
 */
export type Outcome = { handoff: string } | { error: PscErrorCode };

export interface Channel {
  mode: 'popup' | 'redirect';
  returnTo: string;
  lang: 'fr' | 'en';
}

// The page runs one script, our own file: no inline script, so the CSP stays strict.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TEXTS = {
  fr: {
    ok: 'Connexion réussie',
    okBody: 'Vous pouvez revenir à Relais ; cette fenêtre va se fermer.',
    failed: 'Connexion refusée',
    back: 'Revenir à Relais',
  },
  en: {
    ok: 'Signed in',
    okBody: 'You can go back to Relais; this window will close.',
    failed: 'Sign-in refused',
    back: 'Back to Relais',
  },
};

export function deliver(h: ResponseToolkit, channel: Channel, outcome: Outcome) {
  const target = new URL(channel.returnTo);
  target.hash =
    'handoff' in outcome
      ? `relais-psc=${encodeURIComponent(outcome.handoff)}`
      : `relais-psc-error=${encodeURIComponent(outcome.error)}`;
  if (channel.mode === 'redirect') {
    return h.redirect(target.href).code(302).header('referrer-policy', 'no-referrer');
  }
  const t = TEXTS[channel.lang];
  const error = 'error' in outcome ? pscMessage(outcome.error, channel.lang) : null;
  const data = [
    `data-target-origin="${escapeHtml(target.origin)}"`,
    `data-return-to="${escapeHtml(target.href)}"`,
    'handoff' in outcome
      ? `data-handoff="${escapeHtml(outcome.handoff)}"`
      : `data-error="${escapeHtml(error)}" data-code="${escapeHtml(outcome.error)}"`,
  ].join(' ');
  const body = error
    ? `<h1>${t.failed}</h1><p role="alert">${escapeHtml(error)}</p>`
    : `<h1>${t.ok}</h1><p>${t.okBody}</p>`;
  return htmlPage(
    h,
    channel.lang,
    error ? t.failed : t.ok,
    `<main id="relais-psc" ${data}>${body}<p><a href="${escapeHtml(channel.returnTo)}">${t.back}</a></p></main>
<script src="/auth/psc/handoff.js"></script>`,
    error ? 400 : 200,
  );
}

/** When there is no channel to answer on (unknown or expired state): a page says it. */
export function errorPage(h: ResponseToolkit, code: PscErrorCode, publicUrl: string, status = 400) {
  const fr = pscMessage(code, 'fr');
  const en = pscMessage(code, 'en');
  return htmlPage(
    h,
    'fr',
    TEXTS.fr.failed,
    `<main><h1>${TEXTS.fr.failed}</h1><p role="alert">${escapeHtml(fr)}</p><p lang="en">${escapeHtml(en)}</p><p><a href="${escapeHtml(publicUrl)}/">${TEXTS.fr.back}</a></p></main>`,
    status,
  );
}

function htmlPage(h: ResponseToolkit, lang: string, title: string, body: string, status: number) {
  return h
    .response(`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)} · Relais</title>
<style>body{font-family:system-ui,Arial,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.5}[role=alert]{color:#b00020;font-weight:600}</style>
</head><body>${body}</body></html>`)
    .type('text/html; charset=utf-8')
    .code(status)
    .header('content-security-policy', CSP)
    .header('referrer-policy', 'no-referrer');
}
