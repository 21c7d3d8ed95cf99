import type { LaterChanges, Party, Problem, Revocation, TimeSource, Verdict } from './bindings';
import { formatDateTime } from './format';
import { i18n, t } from './i18n.svelte';

/** The sentence for each problem a signature check can find; complete by type. */
export const problemMessageKeys: Record<Problem['code'], string> = {
  rangeOutsideFile: 'signature.problem.rangeOutsideFile',
  gapNotOnlySignature: 'signature.problem.gapNotOnlySignature',
  unreadable: 'signature.problem.unreadable',
  digestMismatch: 'signature.problem.digestMismatch',
  signatureMismatch: 'signature.problem.signatureMismatch',
  unsupportedAlgorithm: 'signature.problem.unsupportedAlgorithm',
  signerCertificateMissing: 'signature.problem.signerCertificateMissing',
  untrustedIssuer: 'signature.problem.untrustedIssuer',
  certificateOutsideValidity: 'signature.problem.certificateOutsideValidity',
  certificateRejected: 'signature.problem.certificateRejected',
  contentChangedAfterSigning: 'signature.problem.contentChangedAfterSigning',
  changesUndetermined: 'signature.problem.changesUndetermined',
  timestampInvalid: 'signature.problem.timestampInvalid',
  certificateRevoked: 'signature.problem.certificateRevoked',
};

export const verdictKeys: Record<Verdict, string> = {
  valid: 'signature.verdict.valid',
  invalid: 'signature.verdict.invalid',
  undetermined: 'signature.verdict.undetermined',
};

export const badgeKeys: Record<Verdict, string> = {
  valid: 'signature.badge.valid',
  invalid: 'signature.badge.invalid',
  undetermined: 'signature.badge.undetermined',
};

/** A problem in the reader's language, with what it names (an algorithm, a reason). */
export function problemText(problem: Problem): string {
  if (problem.code === 'certificateRevoked') {
    return t(problemMessageKeys[problem.code], { revokedAt: formatDateTime(problem.revokedAt, i18n.locale) });
  }
  const { code, ...named } = problem;
  return t(problemMessageKeys[code], named);
}

/** What the issuer's revocation list, as the hub last fetched it, says of the signer. */
export function revocationText(revocation: Revocation): string {
  switch (revocation.kind) {
    case 'notChecked':
      return t('signature.revocation.notChecked');
    case 'notRevoked':
      return t('signature.revocation.notRevoked', { date: formatDateTime(revocation.listIssuedAt, i18n.locale) });
    case 'revoked':
      return t('signature.revocation.revoked', { date: formatDateTime(revocation.revokedAt, i18n.locale) });
  }
}

/** "Nguyễn Văn A, UBND phường Bến Nghé": the holder's name and organisation. */
export function partyName(party: Party | null): string {
  const parts = [party?.commonName, party?.organization].filter((part): part is string => !!part);
  return parts.length > 0 ? parts.join(', ') : t('signature.unknownParty');
}

/** Where the signing time comes from, said so the reader knows whom to believe. */
export function timeSourceText(source: TimeSource): string {
  switch (source.kind) {
    case 'timestamp':
      return t('signature.time.timestamp', { authority: partyName(source.authority) });
    case 'declared':
      return t('signature.time.declared');
    case 'unknown':
      return t('signature.time.unknown');
  }
}

/** What was done to the document after this signature. */
export function laterChangesText(changes: LaterChanges): string {
  if (changes.kind === 'annotationsOrForms') {
    return t('signature.changes.annotationsOrForms', { revisions: changes.revisions });
  }
  return t(`signature.changes.${changes.kind}`);
}
