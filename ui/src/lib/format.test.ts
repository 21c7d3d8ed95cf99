import { afterEach, describe, expect, it, vi } from 'vitest';
import { committeeFields, formatDateTime, formatTime } from './format';
import { i18n } from './i18n.svelte';

/** Runs `check` as on a laptop whose clock is set to `zone`. */
function onALaptopIn(zone: string, check: () => void) {
  vi.stubEnv('TZ', zone);
  check();
}

describe('times on the committee clock', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    i18n.timeZone = 'Asia/Ho_Chi_Minh';
    i18n.language = 'vi';
  });

  it('reads dd/mm/yyyy and 24-hour in Vietnamese and English alike', () => {
    onALaptopIn('Asia/Ho_Chi_Minh', () => {
      i18n.language = 'vi';
      expect(formatDateTime('2026-12-15T07:30:00Z', i18n.locale)).toBe('14:30 Thứ Ba, 15/12/2026');
      expect(formatTime('2026-12-15T07:30:00Z', i18n.locale)).toBe('14:30');
      i18n.language = 'en';
      expect(formatDateTime('2026-12-15T07:30:00Z', i18n.locale)).toBe('14:30 Tuesday, 15/12/2026');
    });
  });

  it('keeps the committee clock on a laptop set to another zone, and names it', () => {
    onALaptopIn('America/New_York', () => {
      expect(formatDateTime('2026-12-15T01:00:00Z', i18n.locale)).toBe('08:00 Thứ Ba, 15/12/2026 (giờ GMT+7)');
      expect(formatTime('2026-12-15T01:00:00Z', i18n.locale)).toBe('08:00 (giờ GMT+7)');
    });
    onALaptopIn('Asia/Bangkok', () => {
      expect(formatTime('2026-12-15T01:00:00Z', i18n.locale), 'the same clock needs no note').toBe('08:00');
    });
  });

  it('follows the zone the hub sets for the committee', () => {
    onALaptopIn('Asia/Ho_Chi_Minh', () => {
      i18n.timeZone = 'Europe/Paris';
      expect(formatDateTime('2026-12-15T07:30:00Z', i18n.locale)).toBe('08:30 Thứ Ba, 15/12/2026 (giờ GMT+1)');
    });
  });

  it('fills the date and time fields of an editor on the committee clock', () => {
    onALaptopIn('America/New_York', () => {
      expect(committeeFields('2026-12-31T17:05:00Z')).toEqual({ date: '01/01/2027', time: '00:05' });
    });
  });
});
