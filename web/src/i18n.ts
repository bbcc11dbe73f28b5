import { configureLocalization } from '@lit/localize';
import * as en from './locales/en';

/**
 * Localisation with @lit/localize in runtime mode. French is the source language (the
 * strings in the components); English templates live in locales/en.ts, keyed by the
 * explicit ids given to msg(). There is one locale per page: it follows the `locale`
 * attribute of <relais-app> (or of any Relais element), else the browser's language.
 */
export const SOURCE_LOCALE = 'fr';
export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const { getLocale, setLocale } = configureLocalization({
  sourceLocale: SOURCE_LOCALE,
  targetLocales: ['en'],
  loadLocale: async () => en,
});

export { getLocale };

/** 'en' for any English tag (en, en-GB…), else French. */
export function pickLocale(wanted?: string | null): Locale {
  const tag = wanted || navigator.languages?.[0] || navigator.language || SOURCE_LOCALE;
  return tag.toLowerCase().startsWith('en') ? 'en' : 'fr';
}

export async function applyLocale(wanted?: string | null): Promise<void> {
  const locale = pickLocale(wanted);
  if (getLocale() !== locale) await setLocale(locale);
}

/** The BCP 47 tag used for dates and numbers in the current locale. */
export function intlTag(): string {
  return getLocale() === 'en' ? 'en-GB' : 'fr-FR';
}

/** "30/03/26" and "12:25:32" in the given time zone (the seed's format, both languages). */
export function formatDateTime(
  value: string | Date,
  timeZone?: string | null,
): { date: string; time: string } {
  const d = typeof value === 'string' ? new Date(value) : value;
  const tz = timeZone || undefined;
  const date = new Intl.DateTimeFormat('fr-FR', {
    timeZone: tz,
    day: '2-digit',
    month: '2-digit',
    year: '2-digit',
  }).format(d);
  const time = new Intl.DateTimeFormat('fr-FR', {
    timeZone: tz,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(d);
  return { date, time };
}

/** Short time for lists: "12:25" today, else "30/03/26". */
export function formatShort(value: string | Date, timeZone?: string | null): string {
  const d = typeof value === 'string' ? new Date(value) : value;
  const tz = timeZone || undefined;
  const day = (x: Date) =>
    new Intl.DateTimeFormat('fr-FR', { timeZone: tz, dateStyle: 'short' }).format(x);
  if (day(d) === day(new Date())) {
    return new Intl.DateTimeFormat('fr-FR', {
      timeZone: tz,
      hour: '2-digit',
      minute: '2-digit',
    }).format(d);
  }
  return formatDateTime(d, tz).date;
}

// Follow the browser until an element says otherwise.
void applyLocale(null);
