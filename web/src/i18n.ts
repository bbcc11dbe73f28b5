import { configureLocalization, type LocaleModule } from '@lit/localize';
import { loadExtra } from './extra';

/**
 * Localisation with @lit/localize in runtime mode. French is the source language (the
 * strings in the components); English templates live in locales/en.ts, keyed by the
 * explicit ids given to msg(). There is one locale per page: it follows the `locale`
 * attribute of <relais-app> (or of any Relais element), else the browser's language.
 *
 * The English templates are not in relais.js (French is the default; relais.js has a
 * size budget) but in relais-extra (web/src/extra), loaded when English is first asked
 * for. If that fails the page stays in French, and the next request for English tries
 * again.
 */
export const SOURCE_LOCALE = 'fr';
export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

let english: LocaleModule | null = null;
/** The locale last asked for, and whether loading it failed (relais-extra unreachable). */
let wanted: Locale = SOURCE_LOCALE;
let failed = false;

/** Called by relais-extra when it runs (web/src/extra/extra.ts). */
export function registerEnglish(module: LocaleModule): void {
  english = module;
  // Loaded after a failure (a retry, or Administration opened): English after all.
  if (failed) {
    failed = false;
    void applyLocale(wanted);
  }
}

const { getLocale, setLocale } = configureLocalization({
  sourceLocale: SOURCE_LOCALE,
  targetLocales: ['en'],
  loadLocale: async () => {
    await loadExtra();
    if (!english) throw new Error('relais-extra has no English templates');
    return english;
  },
});

export { getLocale };

/** 'en' for any English tag (en, en-GB…), else French. */
export function pickLocale(wanted?: string | null): Locale {
  const tag = wanted || navigator.languages?.[0] || navigator.language || SOURCE_LOCALE;
  return tag.toLowerCase().startsWith('en') ? 'en' : 'fr';
}

let pending: Promise<void> | null = null;

/** Switches the page to that locale (English is loaded first: see above). */
export function applyLocale(asked?: string | null): Promise<void> {
  const locale = pickLocale(asked);
  wanted = locale;
  if (getLocale() === locale && !pending) return Promise.resolve();
  const change: Promise<void> = setLocale(locale)
    .catch(async () => {
      // relais-extra unreachable: French until it loads. Back to the source locale, or
      // @lit/localize would answer every later request for English with this failure.
      failed = true;
      await setLocale(SOURCE_LOCALE).catch(() => undefined);
    })
    .finally(() => {
      if (pending === change) pending = null;
    });
  pending = change;
  return change;
}

/** Whether a locale is still loading (elements may wait before showing text). */
export function localeLoading(): boolean {
  return pending !== null;
}

/** Resolves once no locale is loading any more (success or not). */
export async function localeSettled(): Promise<void> {
  while (pending) await pending;
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
