import { describe, expect, it } from 'vitest';
import { catalogs, errorMessageKeys, i18n, operationMessageKeys, refusalMessageKeys, t, tn } from './i18n.svelte';

describe('message files', () => {
  it('Vietnamese and English have the same keys', () => {
    expect(Object.keys(catalogs.en).sort(), 'every Vietnamese message has an English twin').toEqual(
      Object.keys(catalogs.vi).sort(),
    );
  });

  it('no message is empty', () => {
    for (const [language, catalog] of Object.entries(catalogs)) {
      for (const [key, text] of Object.entries(catalog)) {
        expect(text.trim(), `${language}: ${key}`).not.toBe('');
      }
    }
  });

  it('every error code, refusal and kind of action has a sentence in both languages', () => {
    const keys = [errorMessageKeys, refusalMessageKeys, operationMessageKeys].flatMap(Object.values);
    for (const key of keys) {
      expect(catalogs.vi[key], `vi ${key}`).toBeTruthy();
      expect(catalogs.en[key], `en ${key}`).toBeTruthy();
    }
  });
});

describe('t and tn', () => {
  it('fills parameters and speaks the chosen language', () => {
    i18n.language = 'vi';
    expect(t('agenda.presenter', { name: 'Phòng Nội vụ' })).toBe('Trình bày: Phòng Nội vụ');
    i18n.language = 'en';
    expect(t('agenda.presenter', { name: 'Phòng Nội vụ' })).toBe('Presented by Phòng Nội vụ');
  });

  it('uses English plural forms and Vietnamese has one form', () => {
    i18n.language = 'en';
    expect(tn('pages', 1)).toBe('1 page');
    expect(tn('pages', 14)).toBe('14 pages');
    i18n.language = 'vi';
    expect(tn('pages', 1)).toBe('1 trang');
    expect(tn('pages', 1400)).toBe('1.400 trang');
  });

  it('shows the key itself for a message that does not exist, so it is noticed', () => {
    expect(t('no.such.key')).toBe('no.such.key');
  });
});
