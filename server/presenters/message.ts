import type { FileUrls } from '../../domain/attachments';
import type { MessageRecord } from '../../domain/conversations';
import { presentFiles } from './attachment';

/**
 * Messages as a given reader sees them. Besides the raw data (ISO timestamp, sender,
 * structure), each carries the line the seed shows under a reply on behalf of a structure
 * (S20), already formatted in the reader's locale and time zone:
 *   fr: "MSF, expédié par MATHILDE le 30/03/26 à 12:25:32"
 *   en: "MSF, sent by Mathilde on 30/03/26 at 12:25:32"
 * and for a reply in person: "Mathilde Martin, le 30/03/26 à 12:25:32" / "…, on … at …".
 */
export interface Viewer {
  accountId: number;
  locale: 'fr' | 'en';
  timeZone: string;
  /** Signs file URLs for this reader (issue 11); absent: attachments without URLs. */
  files?: FileUrls;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        day: '2-digit',
        month: '2-digit',
        year: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      // An unknown zone in an account must not break every message it reads.
      return formatter('Europe/Paris');
    }
    formatters.set(timeZone, f);
  }
  return f;
}

// formatToParts is slow next to the rest of a fan-out: the readers of one message mostly
// share a time zone, so the last results are remembered.
const recent = new Map<string, { date: string; time: string }>();

/** Date dd/mm/yy and time hh:mm:ss in the time zone, whatever the locale (as in the seed). */
export function localDateTime(iso: string, timeZone: string): { date: string; time: string } {
  const key = `${timeZone}|${iso}`;
  const hit = recent.get(key);
  if (hit) return hit;
  const local = formatLocal(iso, timeZone);
  if (recent.size >= 2000) recent.clear();
  recent.set(key, local);
  return local;
}

function formatLocal(iso: string, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.day}/${parts.month}/${parts.year}`,
    time: `${parts.hour}:${parts.minute}:${parts.second}`,
  };
}

export function signatureOf(message: MessageRecord, viewer: Viewer): string {
  const { date, time } = localDateTime(message.createdAt, viewer.timeZone);
  const first = message.sender?.firstName ?? '';
  const fr = viewer.locale === 'fr';
  if (message.structure) {
    return fr
      ? `${message.structure.name}, expédié par ${first.toLocaleUpperCase('fr')} le ${date} à ${time}`
      : `${message.structure.name}, sent by ${first} on ${date} at ${time}`;
  }
  const name = [first, message.sender?.lastName].filter(Boolean).join(' ');
  return fr ? `${name}, le ${date} à ${time}` : `${name}, on ${date} at ${time}`;
}

export function presentMessage(message: MessageRecord, viewer: Viewer) {
  const local = localDateTime(message.createdAt, viewer.timeZone);
  return {
    ...message,
    mine: message.sender?.accountId === viewer.accountId,
    sentAt: { ...local, timeZone: viewer.timeZone },
    signature: signatureOf(message, viewer),
    attachments: presentFiles(message.attachments, viewer),
  };
}

export type PresentedMessage = ReturnType<typeof presentMessage>;
