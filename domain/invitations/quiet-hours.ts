import type { InvitationsConfig } from '../config';

/** Local hour, minute and second of `at` in `timeZone`. */
function localTime(at: Date, timeZone: string): { h: number; m: number; s: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { h: get('hour'), m: get('minute'), s: get('second') };
}

/**
 * How long an SMS must wait so that it does not arrive in the quiet hours (21:00–08:00
 * Europe/Paris by default): 0 outside them, else the time until they end. On the two
 * nights a year when the clocks change this may be off by the hour that changed.
 */
export function quietHoursDelayMs(
  at: Date,
  config: Pick<InvitationsConfig, 'quietStartHour' | 'quietEndHour' | 'quietTimeZone'>,
): number {
  const { quietStartHour: start, quietEndHour: end, quietTimeZone } = config;
  if (start === end) return 0;
  const { h, m, s } = localTime(at, quietTimeZone);
  const quiet = start < end ? h >= start && h < end : h >= start || h < end;
  if (!quiet) return 0;
  const hours = (end - h + 24) % 24;
  return ((hours * 60 - m) * 60 - s) * 1000 - at.getMilliseconds();
}
