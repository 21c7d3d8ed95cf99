//! Quorum's domain: committees and their members, meetings with ordered agenda items
//! and versioned documents, annotations, polls and ballots, the operations a device
//! queues in its outbox, and the permission rules over all of them.
//!
//! Invariants:
//! - Pure: no IO, no async, no global clock. Time comes in through [`Clock`].
//! - Every type serializes to stable JSON (camelCase fields, tagged enums), because the
//!   same JSON is stored in SQLite, sent to the hub and read by the UI through bindings
//!   generated with ts-rs.

pub mod anchor;
mod annotation;
mod answer_sheet;
mod attendance;
mod audit_head;
mod changes;
mod clock;
mod committee;
pub mod committee_time;
pub mod csv;
mod floor;
mod ids;
mod join;
pub mod limits;
mod meeting;
mod operation;
mod permission;
mod poll;
pub mod protocol;
pub mod search;
mod statement;
mod vote;

pub use annotation::{
    AgendaNotes, Annotation, AnnotationEdit, AnnotationShape, Color, EditError, InkStroke,
    MAX_PEN_WIDTH, MIN_PEN_WIDTH, MarkupKind, NoteEntry, PagePoint, PageRect, ShownAnnotation,
    Visibility, smooth_stroke, snap_to_words,
};
pub use answer_sheet::{AnswerStatement, MAX_ANSWER_SHEET_BYTES};
pub use attendance::{Attendance, AttendanceQuorum, attendance_quorum};
pub use audit_head::AuditHead;
pub use changes::{MeetingChanges, changed_pages, meeting_changes};
pub use clock::{Clock, FixedClock, SystemClock};
pub use committee::{Committee, Member, Role};
pub use committee_time::{CommitteeTimeError, DEFAULT_TIME_ZONE, from_committee_time};
pub use floor::{
    FloorAction, FloorRequest, SpeechKind, SpeechState, end_floor, give_floor, request_floor,
};
pub use ids::{
    AgendaItemId, AnnotationId, CommitteeId, DeviceId, DocumentId, MeetingId, MemberId,
    OperationId, PollId, Sha256Hex, Sha256ParseError,
};
pub use join::split_join_code;
pub use meeting::{
    AgendaItem, Document, DocumentVersion, Meeting, MeetingError, MeetingStatus, MeetingSummary,
    PublishedVersion, order_meetings,
};
pub use operation::{Operation, OperationKind, OperationPayload};
pub use permission::{Action, Capabilities, Denied, decide, may_ask_written_opinion};
pub use poll::{
    Ballot, BallotSecrecy, Delegation, MAX_GRACE_SECONDS, MajorityBasis, MajorityRule, Poll,
    PollError, PollOption, PollSubject, QuorumRule, STANDARD_GRACE_SECONDS,
};
pub use vote::{
    Counted, MAX_CLOCK_AHEAD, OptionCount, PollState, Tally, Timing, TimingError, eligible_voters,
    judge_timing, tally,
};
