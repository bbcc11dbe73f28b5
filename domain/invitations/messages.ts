import type { Locale } from '../models';
import { toGsm7 } from './gsm7';

/**
 * What an invitation says (S16): who invites (name, profession, structure), that a
 * colleague wants to exchange securely on Relais, and how to join, with the inviter's
 * optional note. Built only from these fields: it never sees a conversation's subject,
 * patient or messages, so it cannot leak clinical content.
 */
export interface InvitationContent {
  locale: Locale;
  inviterName: string;
  inviterProfession: string | null;
  inviterStructure: string | null;
  inviteeName: string | null;
  /** The invitee already has an account, unused for 30 days: they come back, not sign up. */
  returning: boolean;
  note: string | null;
  link: string;
  expiresAt: Date;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

// Building an Intl.DateTimeFormat costs far more than using one: one per locale.
const DATE_FORMATS = {
  fr: new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Paris' }),
};

function formatDate(date: Date, locale: Locale): string {
  return (DATE_FORMATS[locale] ?? DATE_FORMATS.fr).format(date);
}

function who(c: InvitationContent): string {
  return [c.inviterName, c.inviterProfession, c.inviterStructure].filter(Boolean).join(', ');
}

const TEXTS = {
  fr: {
    subject: (c: InvitationContent) => `${c.inviterName} vous invite sur Relais`,
    hello: (c: InvitationContent) => (c.inviteeName ? `Bonjour ${c.inviteeName},` : 'Bonjour,'),
    intro: (c: InvitationContent) =>
      `${who(c)} souhaite échanger avec vous de façon sécurisée sur Relais, la messagerie sécurisée des professionnels de santé et du social.`,
    note: 'Son message :',
    how: (c: InvitationContent) =>
      c.returning
        ? `Vous avez déjà un compte Relais. Ouvrez ce lien personnel (valable jusqu'au ${formatDate(c.expiresAt, 'fr')}) pour vous reconnecter : les conversations qui vous attendent s'ouvriront ensuite.`
        : `Pour créer votre compte, ouvrez ce lien personnel (valable jusqu'au ${formatDate(c.expiresAt, 'fr')}). Vos coordonnées de l'annuaire sont déjà remplies ; il ne reste qu'à choisir un mot de passe. Les conversations qui vous attendent s'ouvriront ensuite.`,
    button: (c: InvitationContent) => (c.returning ? 'Me reconnecter' : 'Créer mon compte'),
    footer: (c: InvitationContent) =>
      `Vous recevez ce message parce que ${c.inviterName} vous a invité(e). Si vous ne le/la connaissez pas, ignorez-le : sans inscription, vous ne recevrez rien d'autre. Relais ne vous demandera jamais votre mot de passe par e-mail.`,
    sms: (name: string, link: string) =>
      `${name} vous invite sur Relais, messagerie sécurisée des pros de santé : ${link}`,
  },
  en: {
    subject: (c: InvitationContent) => `${c.inviterName} invites you to Relais`,
    hello: (c: InvitationContent) => (c.inviteeName ? `Hello ${c.inviteeName},` : 'Hello,'),
    intro: (c: InvitationContent) =>
      `${who(c)} would like to exchange with you securely on Relais, the secure messaging service for health and social-care professionals.`,
    note: 'Their note:',
    how: (c: InvitationContent) =>
      c.returning
        ? `You already have a Relais account. Open this personal link (valid until ${formatDate(c.expiresAt, 'en')}) to sign in again: the conversations waiting for you will then open.`
        : `To create your account, open this personal link (valid until ${formatDate(c.expiresAt, 'en')}). Your directory details are already filled in: just choose a password. The conversations waiting for you will then open.`,
    button: (c: InvitationContent) => (c.returning ? 'Sign in again' : 'Create my account'),
    footer: (c: InvitationContent) =>
      `You receive this message because ${c.inviterName} invited you. If you do not know them, ignore it: without signing up you will receive nothing else. Relais never asks for your password by e-mail.`,
    sms: (name: string, link: string) =>
      `${name} invites you to Relais, secure messaging for health professionals: ${link}`,
  },
} as const;

export function renderInvitationEmail(c: InvitationContent): RenderedEmail {
  const t = TEXTS[c.locale] ?? TEXTS.fr;
  const note = c.note?.trim() ? c.note.trim() : null;
  const text = [
    t.hello(c),
    '',
    t.intro(c),
    ...(note ? ['', `${t.note} « ${note} »`] : []),
    '',
    t.how(c),
    c.link,
    '',
    '--',
    t.footer(c),
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="${c.locale}"><head><meta charset="utf-8"><title>${escapeHtml(t.subject(c))}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#1b1b1b;max-width:560px;margin:auto;padding:16px">
<p>${escapeHtml(t.hello(c))}</p>
<p>${escapeHtml(t.intro(c))}</p>
${note ? `<blockquote style="border-left:3px solid #ccc;margin:0;padding-left:12px">${escapeHtml(t.note)} ${escapeHtml(note)}</blockquote>` : ''}
<p>${escapeHtml(t.how(c))}</p>
<p><a href="${escapeHtml(c.link)}" style="display:inline-block;background:#000091;color:#fff;padding:10px 18px;text-decoration:none;border-radius:4px">${escapeHtml(t.button(c))}</a></p>
<p style="font-size:13px;word-break:break-all"><a href="${escapeHtml(c.link)}">${escapeHtml(c.link)}</a></p>
<hr><p style="font-size:12px;color:#555">${escapeHtml(t.footer(c))}</p>
</body></html>`;
  return { subject: t.subject(c), text, html };
}

/**
 * One GSM-7 SMS: the inviter's name (shortened if needed) and the link, within 160
 * characters whenever the link leaves room for a name. No note: it would not fit.
 */
export function renderInvitationSms(c: InvitationContent): string {
  const t = TEXTS[c.locale] ?? TEXTS.fr;
  const full = toGsm7(t.sms(c.inviterName, c.link));
  if (full.length <= 160) return full;
  const room = c.inviterName.length - (full.length - 160);
  const name = room >= 8 ? `${c.inviterName.slice(0, room - 1).trimEnd()}.` : 'Un collègue';
  return toGsm7(t.sms(c.locale === 'en' && room < 8 ? 'A colleague' : name, c.link));
}
