//! What the hub and a device say to each other over HTTP (`/v1/...`). JSON bodies are
//! these types; the hub and the sync engine share them so they cannot drift apart.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Committee, DeviceId, Meeting, MeetingId, Member, OperationId};

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
    /// Not applied, for good; the member is shown the reason.
    Rejected {
        reason: String,
    },
    /// The device skipped a sequence number; resend from the expected one.
    Gap {
        expected: u64,
    },
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
