// Generated from the Rust types by ts-rs. Do not edit: run
// `cargo test -p quorum-app write_bindings -- --ignored` instead.

export type MeetingSummary = { id: MeetingId, committeeName: string, title: string, startsAt: string, location: string, status: MeetingStatus, agendaItems: number, documents: number, };

export type Meeting = { id: MeetingId, committeeId: CommitteeId, title: string, startsAt: string, location: string, status: MeetingStatus, 
/**
 * Raised by every publish, so a laptop can tell whether it holds the latest pack.
 */
version: number, invitees: Array<MemberId>, 
/**
 * In agenda order.
 */
agenda: Array<AgendaItem>, };

export type MeetingStatus = "draft" | "published" | "inSession" | "closed";

export type AgendaItem = { id: AgendaItemId, title: string, presenter: string, plannedMinutes: number, documents: Array<Document>, };

export type Document = { id: DocumentId, title: string, current: DocumentVersion, };

export type DocumentVersion = { 
/**
 * 1 for the first upload, raised by each replacement.
 */
number: number, sha256: Sha256Hex, 
/**
 * JSON numbers are exact up to 2^53 bytes, far beyond any document.
 */
sizeBytes: number, pageCount: number, fileName: string, };

export type Sha256Hex = string;

export type CommitteeId = string;

export type MemberId = string;

export type MeetingId = string;

export type AgendaItemId = string;

export type DocumentId = string;

export type Language = "vi" | "en";

export type ErrorCode = "storeNotADatabase" | "storeCorrupt" | "storeTooNew" | "storeUnreadable" | "fileUnreadable" | "fileUnwritable" | "meetingNotFound" | "documentNotDownloaded" | "documentDamaged" | "documentProtected" | "wrongPassword" | "pdfUnavailable" | "pageNotShown" | "readerTimedOut" | "readerStopped" | "pageNotOnScreen" | "notEnrolled" | "hubUnreachable" | "badHubAddress" | "badFingerprint" | "certificateMismatch" | "codeRefused" | "codeExpired" | "badDate" | "badTime" | "tooManyAttempts" | "keyringLocked" | "denied" | "annotationNotYours" | "annotationEditRefused" | "pollNotOpen" | "notEligible" | "invalidBallot" | "tokenWrongPin" | "tokenLocked" | "tokenCertificateGone" | "cannotSign" | "resultsNotFinal" | "draftPending" | "noAnswerSheetHere" | "noBallotToAnswer" | "answerSheetTooLarge" | "noSuchAnswerSheet" | "internal";

export type IpcError = { code: ErrorCode, detail: string, };

export type OperationId = string;

export type OperationKind = "castBallot" | "createPoll" | "openPoll" | "closePoll" | "delegate" | "saveAnnotation" | "deleteAnnotation" | "checkIn" | "markAttendance" | "requestToSpeak" | "giveFloor" | "endFloor" | "submitAnswerSheet";

export type SyncView = { 
/**
 * False on a laptop that only holds the sample and never met a hub.
 */
enrolled: boolean, status: SyncStatus, 
/**
 * The hub this laptop is enrolled with, and the certificate it pinned.
 */
hub: PinnedHub | null, };

export type PinnedHub = { url: string, 
/**
 * SHA-256 of the hub's certificate, hex; `None` for plain HTTP on this machine.
 */
certificate: string | null, 
/**
 * This laptop, as the hub's device list names it.
 */
deviceId: DeviceId, };

export type SyncStatus = { connection: Connection, syncing: boolean, bytesToDownload: number, bytesDownloaded: number, lastSyncedAt: string | null, pendingOperations: number, rejectedOperations: number, documentsTotal: number, documentsPresent: number, lastError: string | null, problem: SyncProblem | null, };

export type SyncProblem = "certificateMismatch" | "unauthorized";

export type Connection = "unknown" | "online" | "offline";

export type RejectedOperation = { id: OperationId, 
/**
 * What it did; the UI names it in the member's language.
 */
kind: OperationKind, createdAt: string, 
/**
 * Why, as a code the UI has a sentence for.
 */
refusal: Refusal, };

export type Refusal = Denied | InvalidOperation;

export type PageSize = { width: number, height: number, };

export type Page = { width: number, height: number, problem: PageProblem | null, };

export type PageProblem = { "kind": "unreadable" } | { "kind": "empty" } | { "kind": "unusual", width: number, height: number, };

export type Attached = { meeting: Meeting, warning: AttachWarning | null, };

export type AttachWarning = { "kind": "pagesNotShown", file: string, pages: Array<number>, total: number, } | { "kind": "protected", file: string, };

export type SearchHit = { meetingId: MeetingId, documentId: DocumentId, documentTitle: string, sha256: Sha256Hex, 
/**
 * Zero-based page index.
 */
page: number, 
/**
 * How often the query occurs on the page.
 */
matches: number, 
/**
 * The words around the first match on the page.
 */
snippet: Snippet, };

export type Snippet = { before: string, matched: string, after: string, };

export type PageRect = { left: number, bottom: number, right: number, top: number, };

export type Annotation = { id: AnnotationId, documentId: DocumentId, 
/**
 * The document version the geometry refers to.
 */
documentSha256: Sha256Hex, 
/**
 * Zero-based page index.
 */
page: number, author: MemberId, visibility: Visibility, color: Color, shape: AnnotationShape, createdAt: string, updatedAt: string, 
/**
 * Deletion is a tombstone, so it reaches the author's other devices.
 */
deleted: boolean, };

export type AnnotationId = string;

export type AnnotationShape = { "kind": "highlight", rects: Array<PageRect>, text: string, } | { "kind": "underline", rects: Array<PageRect>, text: string, } | { "kind": "strikeOut", rects: Array<PageRect>, text: string, } | { "kind": "ink", strokes: Array<InkStroke>, } | { "kind": "note", at: PagePoint, text: string, } | { "kind": "rectangle", rect: PageRect, };

export type PagePoint = { x: number, y: number, };

export type InkStroke = { points: Array<PagePoint>, 
/**
 * Pen width in points.
 */
width: number, };

export type Color = "yellow" | "green" | "blue" | "red" | "black";

export type Visibility = "private" | "shared";

export type MarkupKind = "highlight" | "underline" | "strikeOut";

export type AnnotationEdit = { "kind": "move", dx: number, dy: number, } | { "kind": "recolor", color: Color, } | { "kind": "width", width: number, } | { "kind": "text", text: string, } | { "kind": "share", visibility: Visibility, };

export type ShownAnnotation = { annotation: Annotation, authorName: string, mine: boolean, 
/**
 * The secretary replaced the document and this annotation's place was not found
 * in the new version: it is kept on the old one and listed.
 */
unanchored: boolean, };

export type PageRef = { documentId: DocumentId, sha256: Sha256Hex, page: number, };

export type ExportedFile = { path: string, 
/**
 * Annotations written into it.
 */
annotations: number, };

export type AgendaNotes = { agendaItemId: AgendaItemId, 
/**
 * 1 for the first item of the agenda.
 */
number: number, title: string, entries: Array<NoteEntry>, };

export type NoteEntry = { documentId: DocumentId, documentTitle: string, annotation: Annotation, };

export type PollCard = { view: PollView, 
/**
 * Ballots cast on this laptop, newest first, with where each stands.
 */
myBallots: Array<MyBallot>, 
/**
 * Whose votes this member casts here: their own, and those delegated to them.
 */
votesFor: Array<MemberId>, 
/**
 * The chair or the secretary: may open and close it.
 */
mayRun: boolean, 
/**
 * A named written opinion: the member may sign their answer (phiếu lấy ý kiến).
 */
takesAnswerSheets: boolean, 
/**
 * Where the member's own signed sheet stands, once they signed one.
 */
mySheet: MySheet | null, 
/**
 * For the chair and secretaries: the members' signed sheets, checked here.
 */
answerSheets: Array<AnswerSheetCheck>, };

export type ResultFiles = { pdf: string, csv: string, };

export type InviteeReadiness = { member: Member, ready: boolean, 
/**
 * Their laptops' last reports, newest first; empty when none has reported.
 */
devices: Array<DeviceReadiness>, };

export type AttendanceBoard = { attendees: Array<Attendee>, quorum: AttendanceQuorum, };

export type SinceLastLook = { changes: MeetingChanges, changedPages: Array<ChangedPages>, };

export type ItemFloor = { agendaItemId: AgendaItemId, queue: Array<FloorRequest>, };

export type Draft = { meeting: Meeting, 
/**
 * Waiting for the next sync to be published.
 */
queued: boolean, 
/**
 * Why the hub refused the last publication (e.g. edited meanwhile by another
 * secretary); the draft is kept.
 */
problem: string | null, };

export type FloorRequest = { memberId: MemberId, kind: SpeechKind, requestedAt: string, state: SpeechState, };

export type SpeechKind = "speak" | "question";

export type SpeechState = { "kind": "waiting" } | { "kind": "speaking", since: string, } | { "kind": "done" };

export type ChangedPages = { documentId: DocumentId, 
/**
 * Zero-based; empty when the old version's text is not on this laptop.
 */
pages: Array<number>, 
/**
 * False while the new version's text is not extracted yet: the pages are then
 * not known, and the look is not recorded, so the next one tells them.
 */
known: boolean, };

export type MeetingChanges = { newDocuments: Array<DocumentId>, replacedDocuments: Array<DocumentId>, 
/**
 * Titles of documents no longer in the meeting.
 */
removedDocuments: Array<string>, newItems: Array<AgendaItemId>, 
/**
 * Items now at another place in the agenda.
 */
movedItems: Array<AgendaItemId>, };

export type Attendee = { member: Member, attendance: Attendance | null, 
/**
 * The member's laptop checked them in at this time, before the secretary's mark
 * that stands; shown so the two can settle it.
 */
disputedCheckIn: string | null, };

export type Attendance = { "kind": "present" } | { "kind": "absent", reason: string, } | { "kind": "substitute", by: string, };

export type AttendanceQuorum = { 
/**
 * Voting invitees present in person or through a substitute.
 */
present: number, 
/**
 * Voting invitees (chair and members).
 */
voting: number, 
/**
 * More than half of the voting invitees are in the room.
 */
met: boolean, };

export type DeviceReadiness = { deviceId: DeviceId, deviceName: string, memberId: MemberId, 
/**
 * When the hub took this report (the hub's clock).
 */
reportedAt: string, status: DeviceStatus, };

export type DeviceStatus = { 
/**
 * Operations still waiting on the laptop to be uploaded.
 */
pendingOperations: number, packs: Array<PackState>, };

export type PackState = { meetingId: MeetingId, 
/**
 * The meeting version the laptop holds.
 */
version: number, documentsPresent: number, documentsTotal: number, };

export type Report = { title: string, lines: Array<ReportLine>, };

export type ReportLine = { text: string, style: LineStyle, };

export type LineStyle = "heading" | "bold" | "normal" | "small";

export type NewPollSubject = { "kind": "agendaItem", meetingId: MeetingId, agendaItemId: AgendaItemId, } | { "kind": "writtenOpinion", closesAt: string, };

export type PollView = { poll: Poll, state: PollState, 
/**
 * Members entitled to vote.
 */
eligible: Array<MemberId>, 
/**
 * Members whose ballot counts (named polls only).
 */
voters: Array<MemberId>, answered: number, tally: Tally | null, 
/**
 * Closed, but ballots cast offline before the close may still arrive until then
 * (the grace period); `None` otherwise. The board says so, so nobody takes the
 * counts for final too early.
 */
lateUntil: string | null, 
/**
 * Once the results are final: where the poll's ballots stand in the hub's ballot
 * log, for the signed results to state.
 */
audit: AuditHead | null, };

export type AuditHead = { 
/**
 * Entries of this poll in the log: every version of every member's ballot.
 */
ballots: number, 
/**
 * The log position of the poll's last entry (0 when it has none).
 */
lastSeq: number, 
/**
 * That entry's hash, in hexadecimal: it chains every entry before it.
 */
hash: string, };

export type Poll = { id: PollId, subject: PollSubject, question: string, options: Array<PollOption>, secrecy: BallotSecrecy, opensAt: string | null, closesAt: string | null, quorum: QuorumRule, majority: MajorityRule, majorityBasis: MajorityBasis, 
/**
 * How long after closing a ballot cast offline before closing is still accepted
 * (and shown as late).
 */
lateGraceSeconds: number, };

export type PollId = string;

export type PollSubject = { "kind": "agendaItem", meetingId: MeetingId, agendaItemId: AgendaItemId, } | { "kind": "writtenOpinion", committeeId: CommitteeId, };

export type PollOption = { 
/**
 * Stable key stored in ballots, e.g. "agree".
 */
key: string, label: string, 
/**
 * "Ý kiến khác" must come with the member's own words.
 */
requiresComment: boolean, };

export type BallotSecrecy = "named" | "secret";

export type QuorumRule = { "kind": "count", members: number, } | { "kind": "percent", percent: number, };

export type MajorityRule = "simple" | "twoThirds";

export type MajorityBasis = "allMembers" | "votesCast";

export type PollState = { "kind": "draft" } | { "kind": "open", openedAt: string, } | { "kind": "closed", openedAt: string, closedAt: string, };

export type Tally = { 
/**
 * Per option, in the poll's order.
 */
counts: Array<OptionCount>, 
/**
 * Members whose ballot counts.
 */
answered: number, 
/**
 * Members entitled to vote.
 */
eligible: number, late: number, delegated: number, quorumMet: boolean, 
/**
 * Whether the first option (agree) has the majority the poll asks for, with quorum.
 */
passed: boolean, };

export type OptionCount = { key: string, label: string, count: number, };

export type Ballot = { pollId: PollId, 
/**
 * Whose vote it is: the voter, or the member who delegated their vote to them.
 */
memberId: MemberId, 
/**
 * Who cast it; differs from `member_id` when a delegate votes.
 */
castBy: MemberId, optionKey: string, comment: string | null, 
/**
 * The casting device's clock, signed: what the grace rule judges.
 */
castAt: string, deviceId: DeviceId, 
/**
 * The sequence number of the operation carrying it: binds the signature to one
 * upload from one device, so it cannot be replayed in another.
 */
deviceSeq: number, 
/**
 * Ed25519 signature of [`Ballot::signed_message`] by the device's key, hex.
 */
signature: string, };

export type DeviceId = string;

export type MyBallot = { ballot: Ballot, status: BallotStatus, };

export type BallotStatus = { "kind": "waiting" } | { "kind": "counted" } | { "kind": "refused", refusal: Refusal, };

export type Member = { id: MemberId, committeeId: CommitteeId, fullName: string, 
/**
 * The member's office, e.g. "Phó Chủ tịch UBND quận".
 */
position: string, role: Role, };

export type Capabilities = { 
/**
 * Edit the meeting, mark attendance, tie a folder (the secretary).
 */
editMeeting: boolean, 
/**
 * Prepare, open and close polls; give and end the floor.
 */
runPolls: boolean, vote: boolean, checkIn: boolean, requestToSpeak: boolean, shareAnnotations: boolean, 
/**
 * Members this one may let vote for them: the other invitees who vote.
 */
delegates: Array<MemberId>, };

export type MeetingContext = { me: Member | null, members: Array<Member>, may: Capabilities, };

export type Role = "secretary" | "chair" | "member" | "observer";

export type Denied = "otherCommittee" | "notInvited" | "notPublished" | "meetingClosed" | "secretaryOnly" | "chairOrSecretaryOnly" | "nonVotingRole" | "observerReadsOnly";

export type InvalidOperation = "sequenceReused" | "unknownMeeting" | "unknownAgendaItem" | "unknownDocument" | "notTheAuthor" | "someoneElsesAnnotation" | "unknownPoll" | "invalidPoll" | "pollAlreadyOpened" | "pollNotOpen" | "castAfterClose" | "ballotAfterGrace" | "ballotFromTheFuture" | "badSignature" | "invalidChoice" | "notDelegated" | "invalidDelegate" | "notAnInvitee" | "notWaiting" | "nobodySpeaking" | "tooLarge" | "lateBallotReplaces" | "seenSinceClose" | "badDelegationSignature" | "markedMeanwhile" | "noAnswerSheetHere" | "answerSheetUnsigned" | "answerSheetSignatureInvalid" | "answerSheetNotForBallot";

export type Membership = "notJoined" | "demo" | "joined";

export type JoinRequest = { 
/**
 * The hub's address, `https://HOST:PORT`.
 */
hubUrl: string, 
/**
 * The one-time code; pasted as `quorum-hub admin new-code` prints it, the hub's
 * certificate fingerprint follows it.
 */
code: string, 
/**
 * The fingerprint, when it was not pasted with the code.
 */
fingerprint: string | null, 
/**
 * How the secretary's device list will name this laptop.
 */
deviceName: string, };

export type NearbyHub = { 
/**
 * How the hub names itself (the machine it runs on).
 */
name: string, 
/**
 * `https://IP:PORT`, ready for the join screen's address field.
 */
url: string, 
/**
 * The fingerprint it claims; to compare, never to trust.
 */
fingerprint: string, };

export type DocumentSignatures = { 
/**
 * The worst signature's verdict; none when the document is not signed.
 */
verdict: Verdict | null, signatures: Array<SignatureCheck>, };

export type SignatureCheck = { 
/**
 * 1 for the first signature in revision order.
 */
number: number, verdict: Verdict, problems: Array<Problem>, signer: Party | null, issuer: Party | null, signedAt: string | null, timeSource: TimeSource, 
/**
 * `adbe.pkcs7.detached`, `ETSI.CAdES.detached`…
 */
subFilter: string | null, 
/**
 * "RSA 2048 bit, SHA-256", "ECDSA P-256, SHA-256".
 */
algorithm: string | null, laterChanges: LaterChanges, revocation: Revocation, 
/**
 * The name, reason and place the signer's software wrote, unchecked.
 */
declaredName: string | null, reason: string | null, location: string | null, };

export type Verdict = "valid" | "undetermined" | "invalid";

export type Problem = { "code": "rangeOutsideFile" } | { "code": "gapNotOnlySignature" } | { "code": "unreadable" } | { "code": "digestMismatch" } | { "code": "signatureMismatch" } | { "code": "unsupportedAlgorithm", oid: string, } | { "code": "signerCertificateMissing" } | { "code": "untrustedIssuer" } | { "code": "certificateOutsideValidity" } | { "code": "certificateRejected", reason: string, } | { "code": "contentChangedAfterSigning" } | { "code": "changesUndetermined" } | { "code": "timestampInvalid" } | { "code": "certificateRevoked", revokedAt: string, };

export type Party = { commonName: string | null, organization: string | null, };

export type TimeSource = { "kind": "timestamp", authority: Party, } | { "kind": "declared" } | { "kind": "unknown" };

export type LaterChanges = { "kind": "none" } | { "kind": "annotationsOrForms", revisions: number, } | { "kind": "content", revisions: number, } | { "kind": "undetermined", revisions: number, };

export type Revocation = { "kind": "notChecked" } | { "kind": "notRevoked", listIssuedAt: string, } | { "kind": "revoked", revokedAt: string, };

export type CertificateSummary = { 
/**
 * SHA-256 of the DER, in hexadecimal: how the admin names it to remove it.
 */
fingerprint: string, subject: Party, issuer: Party, notAfter: string, };

export type TokenCertificate = { 
/**
 * The PKCS#11 module the token is reached through.
 */
module: string, 
/**
 * The token's label, as its maker printed it.
 */
token: string, tokenSerial: string, 
/**
 * The PKCS#11 id the certificate shares with its key, in hexadecimal.
 */
id: string, summary: CertificateSummary, };

export type SignedFor = { "kind": "results", pollId: PollId, } | { "kind": "answerSheet", pollId: PollId, };

export type AnswerSheetCheck = { memberId: MemberId, 
/**
 * hợp lệ, không hợp lệ (also when it names another poll or member), chưa xác định.
 */
verdict: Verdict, 
/**
 * The signature over the sheet's statement: who signed, when, and why it does not
 * hold plainly; `None` when no signature states one.
 */
signature: SignatureCheck | null, };

export type MySheet = "waiting" | "received";
