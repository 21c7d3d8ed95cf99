import { describe, expect, it } from 'vitest';
import { catalogs, i18n } from './i18n.svelte';
import {
  badgeKeys,
  laterChangesText,
  partyName,
  problemMessageKeys,
  problemText,
  revocationText,
  timeSourceText,
  verdictKeys,
} from './signatures';

describe('signature messages', () => {
  it('every problem, verdict and badge has a sentence in both languages', () => {
    for (const key of [problemMessageKeys, verdictKeys, badgeKeys].flatMap(Object.values)) {
      expect(catalogs.vi[key], `vi ${key}`).toBeTruthy();
      expect(catalogs.en[key], `en ${key}`).toBeTruthy();
    }
    for (const kind of ['none', 'annotationsOrForms', 'content', 'undetermined']) {
      expect(catalogs.vi[`signature.changes.${kind}`], kind).toBeTruthy();
    }
  });

  it('names the algorithm or reason a problem carries', () => {
    i18n.language = 'vi';
    expect(problemText({ code: 'unsupportedAlgorithm', oid: '1.3.101.112' })).toBe(
      'Thuật toán chưa được hỗ trợ (1.3.101.112)',
    );
    i18n.language = 'en';
    expect(problemText({ code: 'untrustedIssuer' })).toBe(
      'The certificate was not issued by an authority the committee trusts',
    );
  });

  it('names a signer by name and organisation, and says who vouches for the time', () => {
    i18n.language = 'vi';
    expect(partyName({ commonName: 'Nguyễn Văn A', organization: 'UBND phường Bến Nghé' })).toBe(
      'Nguyễn Văn A, UBND phường Bến Nghé',
    );
    expect(partyName({ commonName: null, organization: null })).toBe('không rõ');
    expect(timeSourceText({ kind: 'declared' })).toBe('do máy tính của người ký tự khai');
    expect(timeSourceText({ kind: 'timestamp', authority: { commonName: 'TSA', organization: null } })).toBe(
      'theo dấu thời gian của TSA',
    );
    expect(laterChangesText({ kind: 'annotationsOrForms', revisions: 2 })).toContain('2 lần cập nhật');
    expect(laterChangesText({ kind: 'none' })).toBe('Văn bản không bị sửa sau khi ký');
  });

  it('says what the revocation list showed, with its date in the reader\'s time', () => {
    i18n.language = 'vi';
    expect(revocationText({ kind: 'notChecked' })).toBe('Chưa kiểm tra thu hồi chứng thư');
    const listed = revocationText({ kind: 'notRevoked', listIssuedAt: '2026-12-01T02:00:00Z' });
    expect(listed).toContain('Chứng thư chưa bị thu hồi');
    expect(listed).toMatch(/2026/);
    expect(revocationText({ kind: 'revoked', revokedAt: '2026-12-02T03:00:00Z' })).toMatch(/^Chứng thư bị thu hồi lúc .*2026/);
    i18n.language = 'en';
    expect(problemText({ code: 'certificateRevoked', revokedAt: '2026-12-02T03:00:00Z' })).toMatch(
      /^The signer's certificate was revoked on .*2026.*, and no timestamp/,
    );
  });
});
