import { i18n, t } from './i18n.svelte';

type Parts = Partial<Record<Intl.DateTimeFormatPartTypes, string>>;

/** `at` on the committee's clock, as named parts (two-digit day, month, hour, minute). */
function committeeParts(at: Date, locale: string, withWeekday: boolean): Parts {
  const format = new Intl.DateTimeFormat(locale, {
    timeZone: i18n.timeZone,
    weekday: withWeekday ? 'long' : undefined,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
}

/** The offset of `zone` (the laptop's own when absent) at `at`, as "GMT+7". */
function offsetName(at: Date, zone?: string): string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' });
  return format.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';
}

/** " (giờ GMT+7)" when the laptop's clock differs from the committee's at `at`, else "". */
export function zoneNote(at: Date): string {
  const committee = offsetName(at, i18n.timeZone);
  return committee === offsetName(at) ? '' : ` ${t('time.zoneNote', { offset: committee })}`;
}

/** A day and time as a Vietnamese reader writes them: "08:30 Thứ Ba, 15/12/2026". */
export function formatDateTime(iso: string, locale: string): string {
  const at = new Date(iso);
  const p = committeeParts(at, locale, true);
  return `${p.hour}:${p.minute} ${p.weekday}, ${p.day}/${p.month}/${p.year}${zoneNote(at)}`;
}

/** The time of day on the committee's clock, 24-hour: "08:30". */
export function formatTime(iso: string, locale: string): string {
  const at = new Date(iso);
  const p = committeeParts(at, locale, false);
  return `${p.hour}:${p.minute}${zoneNote(at)}`;
}

/** `iso` as the date and time fields show it on the committee's clock, for editing. */
export function committeeFields(iso: string): { date: string; time: string } {
  const p = committeeParts(new Date(iso), 'en-GB', false);
  return { date: `${p.day}/${p.month}/${p.year}`, time: `${p.hour}:${p.minute}` };
}

export function formatSize(bytes: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}
