import { toGsm7 } from '../invitations/gsm7';
import type { Locale } from '../models';

/**
 * The reminder: someone is waiting for an answer on Relais, sign in to read it. No
 * subject, no patient, no message text, no sender (a sender's name with a speciality can
 * itself say too much): only that something waits.
 */
export interface ReminderContent {
  locale: Locale;
  firstName: string;
  signInUrl: string;
  unsubscribeUrl: string;
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const T = {
  fr: {
    subject: 'Des messages vous attendent sur Relais',
    hello: (n: string) => (n ? `Bonjour ${n},` : 'Bonjour,'),
    body: "Des collègues vous ont écrit sur Relais, la messagerie sécurisée des professionnels de santé, et vous ne vous êtes pas connecté(e) depuis un moment. Pour des raisons de confidentialité, ce message n'en dit pas plus : connectez-vous pour les lire.",
    cta: 'Se connecter',
    stop: 'Ne plus recevoir ces rappels',
  },
  en: {
    subject: 'Messages are waiting for you on Relais',
    hello: (n: string) => (n ? `Hello ${n},` : 'Hello,'),
    body: 'Colleagues have written to you on Relais, the secure messaging service for health professionals, and you have not signed in for a while. For confidentiality this message says no more: sign in to read them.',
    cta: 'Sign in',
    stop: 'Stop these reminders',
  },
} as const;

export function renderReminderEmail(c: ReminderContent) {
  const t = T[c.locale] ?? T.fr;
  const text = [
    t.hello(c.firstName),
    '',
    t.body,
    '',
    `${t.cta} : ${c.signInUrl}`,
    '',
    '--',
    `${t.stop} : ${c.unsubscribeUrl}`,
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="${c.locale}"><head><meta charset="utf-8"><title>${esc(t.subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;max-width:560px;margin:auto;padding:16px">
<p>${esc(t.hello(c.firstName))}</p><p>${esc(t.body)}</p>
<p><a href="${esc(c.signInUrl)}">${esc(t.cta)}</a></p>
<hr><p style="font-size:12px"><a href="${esc(c.unsubscribeUrl)}">${esc(t.stop)}</a></p>
</body></html>`;
  return { subject: t.subject, text, html };
}

/**
 * The SMS reminder (for users who chose SMS): one GSM-7 segment, no content, the sign-in
 * address. Replying STOP is handled by the carrier and Twilio; the e-mail's unsubscribe
 * link stops both.
 */
export function renderReminderSms(locale: Locale, signInUrl: string): string {
  return toGsm7(
    locale === 'en'
      ? `Relais: colleagues have written to you. Sign in to read their messages: ${signInUrl}`
      : `Relais : des collègues vous ont écrit. Connectez-vous pour lire leurs messages : ${signInUrl}`,
  );
}
