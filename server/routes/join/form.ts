import type { ResponseToolkit } from '@hapi/hapi';
import type { lookupInvitationLink } from '../../../domain/invitations';
import { ctxOf } from '../../types';
import { escapeHtml, page } from './html';
import { JOIN_TEXTS, langOf } from './texts';

type Lookup = Awaited<ReturnType<typeof lookupInvitationLink>>;

/** The page for a link that cannot be used: a clear explanation, never an error trace. */
export function unusablePage(
  h: ResponseToolkit,
  state: keyof (typeof JOIN_TEXTS)['fr']['states'],
  lang: 'fr' | 'en',
  publicUrl: string,
) {
  const t = JOIN_TEXTS[lang];
  const [title, text] = t.states[state];
  return page(h, {
    lang,
    title,
    status: state === 'unknown' ? 404 : 410,
    body: `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p><p><a href="${escapeHtml(publicUrl)}/">${escapeHtml(t.signIn)}</a></p>`,
  });
}

/** The sign-up form, prefilled from the directory and the invitation. */
export function signUpPage(
  h: ResponseToolkit,
  token: string,
  lookup: Lookup,
  {
    values = {},
    error,
    status = 200,
  }: { values?: Record<string, string>; error?: string; status?: number } = {},
) {
  const p = lookup.prefill!;
  const lang = langOf(values.locale ?? p.locale);
  const t = JOIN_TEXTS[lang];
  const v = {
    firstName: values.firstName ?? p.firstName,
    lastName: values.lastName ?? p.lastName,
    email: values.email ?? p.email ?? '',
  };
  const field = (name: string, label: string, value: string, type = 'text', extra = '') =>
    `<label for="${name}">${escapeHtml(label)}</label><input id="${name}" name="${name}" type="${type}" value="${escapeHtml(value)}" ${extra}>`;
  const body = `<h1>${escapeHtml(t.title)}</h1>
<p>${escapeHtml(t.invitedBy(p.inviterName))}</p>
${p.profession ? `<p class="muted">${escapeHtml(t.profession)} : ${escapeHtml(p.profession)}${p.structure ? ` · ${escapeHtml(t.structure)} : ${escapeHtml(p.structure)}` : ''}</p>` : ''}
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
${pscLink(h, token, lang)}
<form method="post" action="/join/${escapeHtml(token)}">
${field('firstName', t.firstName, v.firstName, 'text', 'required maxlength="100" autocomplete="given-name"')}
${field('lastName', t.lastName, v.lastName, 'text', 'required maxlength="100" autocomplete="family-name"')}
${field('email', t.email, v.email, 'email', 'required maxlength="254" autocomplete="email"')}
${field('password', t.password, '', 'password', 'required minlength="12" maxlength="1024" autocomplete="new-password"')}
<input type="hidden" name="locale" value="${lang}">
<button type="submit">${escapeHtml(t.submit)}</button>
</form>`;
  return page(h, { lang, title: t.title, body, status });
}

/**
 * "Se connecter avec Pro Santé Connect" when the installation offers it (config `psc`
 * set): the redirect flow, carrying the invitation, back to the application's page.
 */
function pscLink(h: ResponseToolkit, token: string, lang: 'fr' | 'en'): string {
  const config = ctxOf(h.request).config as {
    psc?: unknown;
    publicUrl: string;
  };
  if (!config.psc) return '';
  const start = `/auth/psc/start?${new URLSearchParams({
    mode: 'redirect',
    invitation: token,
    returnTo: `${config.publicUrl.replace(/\/$/, '')}/`,
  })}`;
  const label =
    lang === 'en' ? 'Sign in with Pro Santé Connect' : 'Se connecter avec Pro Santé Connect';
  const or =
    lang === 'en'
      ? 'or create an account with a password:'
      : 'ou créez un compte avec un mot de passe :';
  return `<p><a class="psc" href="${escapeHtml(start)}" style="display:inline-block;padding:.7rem 1.2rem;background:#000091;color:#fff;font-weight:700;border-radius:4px;text-decoration:none">${label}</a></p>
<p class="muted">${or}</p>`;
}
