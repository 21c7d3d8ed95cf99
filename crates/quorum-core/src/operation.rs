use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    AgendaItemId, Annotation, AnnotationId, Attendance, Ballot, Delegation, MeetingId, MemberId,
    OperationId, Poll, PollId, SpeechKind,
};

/// Something a member did on a device, queued in the outbox until the hub applies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// Made on the device; the hub applies each id at most once.
    pub id: OperationId,
    /// The device's own increasing number: the hub refuses gaps and repeats.
    #[ts(type = "number")]
    pub device_seq: u64,
    pub created_at: DateTime<Utc>,
    pub payload: OperationPayload,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum OperationPayload {
    CastBallot {
        ballot: Ballot,
    },
    /// The chair or secretary prepares a poll (not yet open).
    CreatePoll {
        poll: Poll,
    },
    /// Voting starts at the moment the hub applies this.
    #[serde(rename_all = "camelCase")]
    OpenPoll {
        poll_id: PollId,
    },
    /// Voting ends at the moment the hub applies this: the authority on lateness.
    #[serde(rename_all = "camelCase")]
    ClosePoll {
        poll_id: PollId,
    },
    /// The member lets a colleague vote for them in a meeting (ủy quyền), or takes that
    /// back; signed on their device.
    Delegate {
        delegation: Delegation,
    },
    SaveAnnotation {
        annotation: Annotation,
    },
    #[serde(rename_all = "camelCase")]
    DeleteAnnotation {
        annotation_id: AnnotationId,
    },
    #[serde(rename_all = "camelCase")]
    CheckIn {
        meeting_id: MeetingId,
    },
    /// The secretary records an invitee's attendance by hand.
    #[serde(rename_all = "camelCase")]
    MarkAttendance {
        meeting_id: MeetingId,
        member_id: MemberId,
        attendance: Attendance,
    },
    #[serde(rename_all = "camelCase")]
    RequestToSpeak {
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
        /// To speak or to question; operations queued before questions existed speak.
        #[serde(default)]
        speech: SpeechKind,
    },
    /// The chair ends the turn of whoever has the floor on an item.
    #[serde(rename_all = "camelCase")]
    EndFloor {
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
    },
    /// The chair gives the floor to a waiting member.
    #[serde(rename_all = "camelCase")]
    GiveFloor {
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
        member_id: MemberId,
        speech: SpeechKind,
    },
    /// The member's answer sheet for a written opinion, signed with their token (ký
    /// số) over the ballot it answers.
    #[serde(rename_all = "camelCase")]
    SubmitAnswerSheet {
        poll_id: PollId,
        /// The signed PDF, in hexadecimal.
        sheet: String,
    },
}

/// What an operation does, without its content: for logs and the member's lists, where
/// the window names it in the member's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum OperationKind {
    CastBallot,
    CreatePoll,
    OpenPoll,
    ClosePoll,
    Delegate,
    SaveAnnotation,
    DeleteAnnotation,
    CheckIn,
    MarkAttendance,
    RequestToSpeak,
    GiveFloor,
    EndFloor,
    SubmitAnswerSheet,
}

impl OperationPayload {
    pub fn kind(&self) -> OperationKind {
        match self {
            Self::CastBallot { .. } => OperationKind::CastBallot,
            Self::CreatePoll { .. } => OperationKind::CreatePoll,
            Self::OpenPoll { .. } => OperationKind::OpenPoll,
            Self::ClosePoll { .. } => OperationKind::ClosePoll,
            Self::Delegate { .. } => OperationKind::Delegate,
            Self::SaveAnnotation { .. } => OperationKind::SaveAnnotation,
            Self::DeleteAnnotation { .. } => OperationKind::DeleteAnnotation,
            Self::CheckIn { .. } => OperationKind::CheckIn,
            Self::MarkAttendance { .. } => OperationKind::MarkAttendance,
            Self::RequestToSpeak { .. } => OperationKind::RequestToSpeak,
            Self::GiveFloor { .. } => OperationKind::GiveFloor,
            Self::EndFloor { .. } => OperationKind::EndFloor,
            Self::SubmitAnswerSheet { .. } => OperationKind::SubmitAnswerSheet,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::tests::at;

    #[test]
    fn operations_are_tagged_by_kind_in_json() {
        let op = Operation {
            id: OperationId::new_v7(),
            device_seq: 7,
            created_at: at(3, 9),
            payload: OperationPayload::CheckIn {
                meeting_id: MeetingId::new_v7(),
            },
        };
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(
            json["payload"]["kind"], "checkIn",
            "the hub dispatches on payload.kind"
        );
        assert_eq!(
            json["deviceSeq"], 7,
            "the device sequence travels with the operation"
        );
        let back: Operation = serde_json::from_value(json).unwrap();
        assert_eq!(
            back, op,
            "an operation survives the trip to the hub unchanged"
        );
    }
}
