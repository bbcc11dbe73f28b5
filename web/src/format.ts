import { msg, str } from '@lit/localize';
import type { Message, ParticipantView } from './api/conversations';
import { formatDateTime, getLocale } from './i18n';

/**
 * The line under a message (S20). On behalf of a structure, exactly as the seed shows it:
 *   fr: "MSF, expédié par MATHILDE le 30/03/26 à 12:25:32"
 *   en: "MSF, sent by Mathilde on 30/03/26 at 12:25:32"
 * In person: "Mathilde Bernard, le 30/03/26 à 12:25:32" / "…, on 30/03/26 at 12:25:32".
 * Formatted here, in the page's language and the account's time zone.
 */
export function signatureLine(message: Message, timeZone?: string | null): string {
  const { date, time } = formatDateTime(message.createdAt, timeZone);
  const first = message.sender?.firstName ?? '';
  if (message.structure) {
    const structure = message.structure.name;
    const who = getLocale() === 'en' ? first : first.toLocaleUpperCase('fr-FR');
    return msg(str`${structure}, expédié par ${who} le ${date} à ${time}`, {
      id: 'message.on-behalf',
    });
  }
  const name =
    [first, message.sender?.lastName].filter(Boolean).join(' ') ||
    msg('Relais', { id: 'message.system' });
  return msg(str`${name}, le ${date} à ${time}`, { id: 'message.signed' });
}

/** "Claire Martin" for a person, "DAC SESAN" for a structure. */
export function participantName(p: Pick<ParticipantView, 'name' | 'firstName' | 'lastName'>) {
  return p.name || [p.firstName, p.lastName].filter(Boolean).join(' ');
}

/** "Claire Martin" from a first and a last name, either possibly missing. */
export function personName(p: { firstName: string | null; lastName: string | null }): string {
  return [p.firstName, p.lastName].filter(Boolean).join(' ');
}
