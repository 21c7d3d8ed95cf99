// Messages live in src/i18n/<language>.json; code only names keys.
import vi from '../i18n/vi.json';
import en from '../i18n/en.json';
import type { ErrorCode, Language, OperationKind, Refusal } from './bindings';

type Catalog = Record<string, string>;
export const catalogs: Record<Language, Catalog> = { vi, en };

let current = $state<Language>('vi');
/** The committee's time zone, as the laptop heard it from the hub. */
let zone = $state('Asia/Ho_Chi_Minh');

export const i18n = {
  get language(): Language {
    return current;
  },
  set language(language: Language) {
    current = language;
    if (typeof document !== 'undefined') document.documentElement.lang = language;
  },
  get locale(): string {
    return current === 'vi' ? 'vi-VN' : 'en-GB';
  },
  /** The IANA zone every time is shown in, whatever zone this laptop is set to. */
  get timeZone(): string {
    return zone;
  },
  set timeZone(name: string) {
    zone = name;
  },
};

type Params = Record<string, string | number>;

/** The message for `key` in the current language, with `{name}` filled from `params`. */
export function t(key: string, params: Params = {}): string {
  const text = catalogs[current][key] ?? catalogs.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** A counted message: `key.one` or `key.other` by the language's plural rules. */
export function tn(key: string, count: number): string {
  const form = new Intl.PluralRules(i18n.locale).select(count) === 'one' ? 'one' : 'other';
  return t(`${key}.${form}`, { count: new Intl.NumberFormat(i18n.locale).format(count) });
}

/** The sentence for each error code; the type makes a new code without a message a build error. */
export const errorMessageKeys: Record<ErrorCode, string> = {
  storeNotADatabase: 'error.storeNotADatabase',
  storeCorrupt: 'error.storeCorrupt',
  storeTooNew: 'error.storeTooNew',
  storeUnreadable: 'error.storeUnreadable',
  fileUnreadable: 'error.fileUnreadable',
  fileUnwritable: 'error.fileUnwritable',
  meetingNotFound: 'error.meetingNotFound',
  documentNotDownloaded: 'error.documentNotDownloaded',
  documentDamaged: 'error.documentDamaged',
  documentProtected: 'error.documentProtected',
  wrongPassword: 'error.wrongPassword',
  pdfUnavailable: 'error.pdfUnavailable',
  pageNotShown: 'error.pageNotShown',
  readerTimedOut: 'error.readerTimedOut',
  readerStopped: 'error.readerStopped',
  pageNotOnScreen: 'error.pageNotOnScreen',
  notEnrolled: 'error.notEnrolled',
  hubUnreachable: 'error.hubUnreachable',
  badHubAddress: 'error.badHubAddress',
  badFingerprint: 'error.badFingerprint',
  certificateMismatch: 'error.certificateMismatch',
  codeRefused: 'error.codeRefused',
  codeExpired: 'error.codeExpired',
  badDate: 'error.badDate',
  badTime: 'error.badTime',
  tooManyAttempts: 'error.tooManyAttempts',
  denied: 'error.denied',
  annotationNotYours: 'error.annotationNotYours',
  annotationEditRefused: 'error.annotationEditRefused',
  pollNotOpen: 'error.pollNotOpen',
  keyringLocked: 'error.keyringLocked',
  notEligible: 'error.notEligible',
  invalidBallot: 'error.invalidBallot',
  tokenWrongPin: 'error.tokenWrongPin',
  tokenLocked: 'error.tokenLocked',
  tokenCertificateGone: 'error.tokenCertificateGone',
  cannotSign: 'error.cannotSign',
  resultsNotFinal: 'error.resultsNotFinal',
  draftPending: 'error.draftPending',
  noAnswerSheetHere: 'error.noAnswerSheetHere',
  noBallotToAnswer: 'error.noBallotToAnswer',
  answerSheetTooLarge: 'error.answerSheetTooLarge',
  noSuchAnswerSheet: 'error.noSuchAnswerSheet',
  internal: 'error.internal',
};

/** The name of each kind of queued action; complete by type. */
export const operationMessageKeys: Record<OperationKind, string> = {
  castBallot: 'operation.castBallot',
  createPoll: 'operation.createPoll',
  openPoll: 'operation.openPoll',
  closePoll: 'operation.closePoll',
  delegate: 'operation.delegate',
  saveAnnotation: 'operation.saveAnnotation',
  deleteAnnotation: 'operation.deleteAnnotation',
  checkIn: 'operation.checkIn',
  markAttendance: 'operation.markAttendance',
  requestToSpeak: 'operation.requestToSpeak',
  giveFloor: 'operation.giveFloor',
  endFloor: 'operation.endFloor',
  submitAnswerSheet: 'operation.submitAnswerSheet',
};

/** The sentence for each reason the hub may refuse an action; complete by type. */
export const refusalMessageKeys: Record<Refusal, string> = {
  otherCommittee: 'refusal.otherCommittee',
  notInvited: 'refusal.notInvited',
  notPublished: 'refusal.notPublished',
  meetingClosed: 'refusal.meetingClosed',
  secretaryOnly: 'refusal.secretaryOnly',
  chairOrSecretaryOnly: 'refusal.chairOrSecretaryOnly',
  nonVotingRole: 'refusal.nonVotingRole',
  observerReadsOnly: 'refusal.observerReadsOnly',
  sequenceReused: 'refusal.sequenceReused',
  unknownMeeting: 'refusal.unknownMeeting',
  unknownAgendaItem: 'refusal.unknownAgendaItem',
  unknownDocument: 'refusal.unknownDocument',
  notTheAuthor: 'refusal.notTheAuthor',
  someoneElsesAnnotation: 'refusal.someoneElsesAnnotation',
  unknownPoll: 'refusal.unknownPoll',
  invalidPoll: 'refusal.invalidPoll',
  pollAlreadyOpened: 'refusal.pollAlreadyOpened',
  pollNotOpen: 'refusal.pollNotOpen',
  castAfterClose: 'refusal.castAfterClose',
  ballotAfterGrace: 'refusal.ballotAfterGrace',
  ballotFromTheFuture: 'refusal.ballotFromTheFuture',
  badSignature: 'refusal.badSignature',
  invalidChoice: 'refusal.invalidChoice',
  notDelegated: 'refusal.notDelegated',
  invalidDelegate: 'refusal.invalidDelegate',
  notAnInvitee: 'refusal.notAnInvitee',
  notWaiting: 'refusal.notWaiting',
  nobodySpeaking: 'refusal.nobodySpeaking',
  tooLarge: 'refusal.tooLarge',
  lateBallotReplaces: 'refusal.lateBallotReplaces',
  seenSinceClose: 'refusal.seenSinceClose',
  badDelegationSignature: 'refusal.badDelegationSignature',
  markedMeanwhile: 'refusal.markedMeanwhile',
  noAnswerSheetHere: 'refusal.noAnswerSheetHere',
  answerSheetUnsigned: 'refusal.answerSheetUnsigned',
  answerSheetSignatureInvalid: 'refusal.answerSheetSignatureInvalid',
  answerSheetNotForBallot: 'refusal.answerSheetNotForBallot',
};
