//! What the hub and a device say to each other over HTTP (`/v1/...`). JSON bodies are
//! these types; the hub and the sync engine share them so they cannot drift apart.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    Annotation, AnnotationId, Committee, CommitteeId, Denied, DeviceId, Meeting, MeetingId, Member,
    MemberId, OperationId, Poll, PollId, PollState, Tally,
};

/// The path prefix of this version of the protocol.
pub const API_PREFIX: &str = "/v1";

/// Largest JSON body the hub reads (documents travel as blobs, not JSON).
pub const MAX_JSON_BODY_BYTES: usize = 4 * 1024 * 1024;

/// A device asks to be bound to the member whose one-time code it holds. It proves it
/// holds the private key by signing the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollRequest {
    pub code: String,
    /// Ed25519 public key, 64 hex characters.
    pub public_key: String,
    /// Ed25519 signature of the UTF-8 bytes of `code`, 128 hex characters.
    pub signature: String,
    /// What the member calls this laptop, e.g. "Laptop phòng họp".
    pub device_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollResponse {
    pub device_id: DeviceId,
    pub member: Member,
    pub committee: Committee,
    /// Bearer token for every later request; the hub keeps only its hash.
    pub token: String,
}

/// One page of the change feed: `GET /v1/changes?since=CURSOR&limit=N`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangesPage {
    pub changes: Vec<Change>,
    /// Where the next page starts. Can be past the last change shown, when changes
    /// this member may not see were skipped.
    pub next_cursor: u64,
    /// Whether more changes follow right away.
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub seq: u64,
    pub record: Record,
}

/// The latest state of one record; applying changes in order rebuilds the replica.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Record {
    Committee {
        committee: Committee,
    },
    Member {
        member: Member,
    },
    Meeting {
        meeting: Meeting,
    },
    /// The member may no longer see this meeting (uninvited, or deleted as a draft).
    MeetingWithdrawn {
        meeting_id: MeetingId,
    },
    /// An annotation, to its author's devices, and to the meeting when it is shared.
    #[serde(rename_all = "camelCase")]
    Annotation {
        meeting_id: MeetingId,
        annotation: Annotation,
    },
    /// A poll as the viewer may see it: state, who answered (named polls) or how many
    /// (secret ones), and the tally when it may be shown.
    Poll {
        poll: PollView,
    },
    /// Who votes for whom in a meeting (ủy quyền); `delegate: None` ends it.
    #[serde(rename_all = "camelCase")]
    Delegation {
        meeting_id: MeetingId,
        member: MemberId,
        delegate: Option<MemberId>,
    },
    /// An invitee's attendance at a meeting: checked in, or marked by the secretary.
    /// `disputed_check_in`: the member's laptop checked them in (at that time, by its
    /// clock) before the secretary's mark, and reached the hub after it; the mark holds,
    /// and the secretary is shown the disagreement.
    #[serde(rename_all = "camelCase")]
    Attendance {
        meeting_id: MeetingId,
        member_id: MemberId,
        attendance: crate::Attendance,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disputed_check_in: Option<DateTime<Utc>>,
    },
    /// The floor of an agenda item: both queues, in order of asking.
    #[serde(rename_all = "camelCase")]
    Floor {
        meeting_id: MeetingId,
        agenda_item_id: crate::AgendaItemId,
        queue: Vec<crate::FloorRequest>,
    },
    /// What one laptop last reported holding (to the chair and the secretary).
    #[serde(rename_all = "camelCase")]
    Readiness {
        committee_id: CommitteeId,
        readiness: DeviceReadiness,
    },
    /// A shared annotation its author made private again: the others drop their copy.
    #[serde(rename_all = "camelCase")]
    AnnotationWithdrawn {
        annotation_id: AnnotationId,
        author: MemberId,
    },
    /// A certificate (root or intermediate) the hub's admin trusts to vouch for the
    /// signers of documents (ký số); readers check signatures against these offline.
    #[serde(rename_all = "camelCase")]
    SignatureAnchor {
        committee_id: CommitteeId,
        /// The certificate's DER, in hexadecimal; its SHA-256 names it.
        certificate: String,
    },
    /// The admin no longer trusts this certificate (SHA-256 of its DER, hexadecimal).
    #[serde(rename_all = "camelCase")]
    SignatureAnchorRemoved {
        committee_id: CommitteeId,
        fingerprint: String,
    },
    /// The revocation list (CRL) the hub last fetched from `url`, checked as signed by
    /// the issuer of a document signer's certificate; it replaces the one before.
    #[serde(rename_all = "camelCase")]
    RevocationList {
        committee_id: CommitteeId,
        url: String,
        /// The list's DER, in hexadecimal.
        list: String,
    },
    /// A member's signed answer sheet for a written opinion, to their own devices, the
    /// chair and the secretaries; `sheet: None` once it no longer answers the ballot
    /// that counts (the member voted again).
    #[serde(rename_all = "camelCase")]
    AnswerSheet {
        committee_id: CommitteeId,
        poll_id: PollId,
        member_id: MemberId,
        /// The signed PDF, in hexadecimal.
        sheet: Option<String>,
    },
}

/// A poll with what may be shown of its votes. For a secret poll, `voters` is empty and
/// `tally` stays `None` until the poll is final (closed, and its grace period for late
/// ballots over): nothing links a member to a choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PollView {
    pub poll: Poll,
    pub state: PollState,
    /// Members entitled to vote.
    pub eligible: Vec<MemberId>,
    /// Members whose ballot counts (named polls only).
    pub voters: Vec<MemberId>,
    pub answered: u32,
    pub tally: Option<Tally>,
    /// Closed, but ballots cast offline before the close may still arrive until then
    /// (the grace period); `None` otherwise. The board says so, so nobody takes the
    /// counts for final too early.
    #[serde(default)]
    pub late_until: Option<DateTime<Utc>>,
    /// Once the results are final: where the poll's ballots stand in the hub's ballot
    /// log, for the signed results to state.
    #[serde(default)]
    pub audit: Option<crate::AuditHead>,
}

/// `PUT /v1/device-status`: what a laptop holds, told to the hub after each sync round,
/// so the secretary sees who is ready for the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceStatus {
    /// Operations still waiting on the laptop to be uploaded.
    pub pending_operations: u32,
    pub packs: Vec<PackState>,
}

/// The hub's answer to a [`DeviceStatus`]: whether it differed from the last one (only
/// then is it passed on, so reports never wake the committee's laptops in a loop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusTaken {
    pub changed: bool,
}

/// How much of one meeting's pack a laptop holds, verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PackState {
    pub meeting_id: MeetingId,
    /// The meeting version the laptop holds.
    pub version: u32,
    pub documents_present: u32,
    pub documents_total: u32,
}

/// A laptop's last report, as the hub passes it to the chair and the secretary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceReadiness {
    pub device_id: DeviceId,
    pub device_name: String,
    pub member_id: MemberId,
    /// When the hub took this report (the hub's clock).
    pub reported_at: DateTime<Utc>,
    pub status: DeviceStatus,
}

impl Record {
    /// The meeting whose conduct this record is part of: its polls (not written
    /// opinions), delegations, attendance, floor and annotations.
    pub fn conduct_of(&self) -> Option<MeetingId> {
        match self {
            Record::Poll { poll } => match poll.poll.subject {
                crate::PollSubject::AgendaItem { meeting_id, .. } => Some(meeting_id),
                crate::PollSubject::WrittenOpinion { .. } => None,
            },
            Record::Delegation { meeting_id, .. }
            | Record::Attendance { meeting_id, .. }
            | Record::Floor { meeting_id, .. }
            | Record::Annotation { meeting_id, .. } => Some(*meeting_id),
            Record::Committee { .. }
            | Record::Member { .. }
            | Record::Meeting { .. }
            | Record::MeetingWithdrawn { .. }
            | Record::Readiness { .. }
            | Record::AnnotationWithdrawn { .. }
            | Record::SignatureAnchor { .. }
            | Record::SignatureAnchorRemoved { .. }
            | Record::RevocationList { .. }
            | Record::AnswerSheet { .. } => None,
        }
    }
}

impl DeviceReadiness {
    /// Whether this laptop holds the whole of `meeting` in its latest version.
    pub fn is_ready_for(&self, meeting: &Meeting) -> bool {
        self.status.packs.iter().any(|pack| {
            pack.meeting_id == meeting.id
                && pack.version >= meeting.version
                && pack.documents_present == pack.documents_total
        })
    }
}

/// `POST /v1/operations`: a device's outbox, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushRequest {
    pub operations: Vec<crate::Operation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushResponse {
    /// One result per operation the hub looked at, in the order sent. The hub stops at
    /// a gap in device sequence numbers; operations after it get no result and stay
    /// queued.
    pub results: Vec<OperationResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationResult {
    pub id: OperationId,
    pub outcome: Outcome,
}

/// What the hub did with one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Outcome {
    Applied,
    /// Seen before: already applied (or rejected) once; nothing changed now.
    Duplicate,
    /// Not applied, for good; the member is shown why, in their language.
    Rejected {
        refusal: Refusal,
        reason: String,
    },
    /// The device skipped a sequence number; resend from the expected one.
    Gap {
        expected: u64,
    },
}

/// Why the hub refused an operation: one camelCase string the UI has a sentence for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(untagged)]
pub enum Refusal {
    /// The member's role or the meeting's state does not allow it.
    #[error(transparent)]
    Denied(Denied),
    #[error(transparent)]
    Invalid(InvalidOperation),
}

/// An operation that cannot apply whoever sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
pub enum InvalidOperation {
    #[error("sequence number already used")]
    SequenceReused,
    #[error("the meeting is not on this hub")]
    UnknownMeeting,
    #[error("the agenda item is not part of this meeting")]
    UnknownAgendaItem,
    #[error("the document is not part of any meeting you can see")]
    UnknownDocument,
    #[error("an annotation can be saved only by its author")]
    NotTheAuthor,
    #[error("the annotation belongs to someone else")]
    SomeoneElsesAnnotation,
    #[error("the poll is not on this hub")]
    UnknownPoll,
    #[error("the poll is not valid")]
    InvalidPoll,
    #[error("the poll was opened already")]
    PollAlreadyOpened,
    #[error("the poll is not open")]
    PollNotOpen,
    #[error("the ballot was cast after the poll closed")]
    CastAfterClose,
    #[error("the ballot reached the hub after the grace period")]
    BallotAfterGrace,
    #[error("the ballot's time is ahead of the hub's clock")]
    BallotFromTheFuture,
    #[error("the ballot's signature does not match its contents and device")]
    BadSignature,
    #[error("the choice does not fit the poll")]
    InvalidChoice,
    #[error("the member has not delegated their vote to this voter")]
    NotDelegated,
    #[error("a member cannot delegate to themselves or to someone who does not vote")]
    InvalidDelegate,
    #[error("only invitees of the meeting have an attendance")]
    NotAnInvitee,
    #[error("the member is not waiting for the floor")]
    NotWaiting,
    #[error("nobody has the floor on this item")]
    NobodySpeaking,
    #[error("a field is longer than Quorum takes")]
    TooLarge,
    #[error("a ballot that counted before the poll closed cannot be changed after it")]
    LateBallotReplaces,
    #[error(
        "the member's laptop received the feed after the poll closed, so a late ballot no longer counts"
    )]
    SeenSinceClose,
    #[error("the delegation's signature does not match its contents and device")]
    BadDelegationSignature,
    #[error("the secretary marked the member's attendance after this check-in was made")]
    MarkedMeanwhile,
    #[error("an answer sheet is taken only for a named written opinion")]
    NoAnswerSheetHere,
    #[error("the answer sheet is not a PDF signed over a statement of the member's ballot")]
    AnswerSheetUnsigned,
    #[error("the answer sheet's signature does not hold")]
    AnswerSheetSignatureInvalid,
    #[error("the answer sheet is not for the member's ballot that counts")]
    AnswerSheetNotForBallot,
}

impl From<crate::TimingError> for InvalidOperation {
    fn from(error: crate::TimingError) -> Self {
        match error {
            crate::TimingError::NotOpen => Self::PollNotOpen,
            crate::TimingError::CastAfterClose => Self::CastAfterClose,
            crate::TimingError::AfterGrace => Self::BallotAfterGrace,
            crate::TimingError::FromTheFuture => Self::BallotFromTheFuture,
        }
    }
}

impl From<Denied> for Refusal {
    fn from(denied: Denied) -> Self {
        Self::Denied(denied)
    }
}

impl From<InvalidOperation> for Refusal {
    fn from(invalid: InvalidOperation) -> Self {
        Self::Invalid(invalid)
    }
}

impl Outcome {
    /// A refusal, with its sentence kept for logs and support.
    pub fn rejected(refusal: impl Into<Refusal>) -> Self {
        let refusal = refusal.into();
        Self::Rejected {
            refusal,
            reason: refusal.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_travels_as_one_plain_code_and_comes_back_the_same() {
        for refusal in [
            Refusal::Denied(Denied::MeetingClosed),
            Refusal::Invalid(InvalidOperation::SequenceReused),
        ] {
            let json = serde_json::to_value(refusal).unwrap();
            assert!(
                json.is_string(),
                "the UI keys its sentence on a plain string: {json}"
            );
            let back: Refusal = serde_json::from_value(json).unwrap();
            assert_eq!(back, refusal, "the code reads back as the same refusal");
        }
        let outcome = serde_json::to_value(Outcome::rejected(Denied::NotInvited)).unwrap();
        assert_eq!(
            outcome["refusal"], "notInvited",
            "the code is the permission rule's own name"
        );
        assert_eq!(
            outcome["reason"], "the member is not invited to this meeting",
            "with its sentence"
        );
    }
}

/// Sent on the live channel (`GET /v1/events`, server-sent events) when the feed moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeNotice {
    pub latest_seq: u64,
}

/// Every error body the hub sends: a stable code for programs and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub code: String,
    pub message: String,
}
