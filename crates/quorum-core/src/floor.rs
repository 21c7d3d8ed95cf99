//! The floor of an agenda item: members ask to speak or to question (chất vấn), each in
//! their own queue; the chair gives the floor, and the speaking time runs from then.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Action, AgendaItemId, MeetingId, MemberId, OperationPayload};

/// What is done with the floor of an agenda item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloorAction {
    /// The member asks to speak or to question.
    Request(SpeechKind),
    /// The chair gives the floor to a waiting member.
    Give {
        member_id: MemberId,
        speech: SpeechKind,
    },
    /// The chair ends the current turn.
    End,
}

impl FloorAction {
    /// What the member must be allowed to do, and the operation that carries it.
    pub fn operation(
        self,
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
    ) -> (Action, OperationPayload) {
        match self {
            Self::Request(speech) => (
                Action::RequestToSpeak,
                OperationPayload::RequestToSpeak {
                    meeting_id,
                    agenda_item_id,
                    speech,
                },
            ),
            // Running the floor is the chair's, as running a vote is.
            Self::Give { member_id, speech } => (
                Action::RunPoll,
                OperationPayload::GiveFloor {
                    meeting_id,
                    agenda_item_id,
                    member_id,
                    speech,
                },
            ),
            Self::End => (
                Action::RunPoll,
                OperationPayload::EndFloor {
                    meeting_id,
                    agenda_item_id,
                },
            ),
        }
    }
}

/// Which queue a request joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SpeechKind {
    #[default]
    Speak,
    Question,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SpeechState {
    Waiting,
    /// Given the floor at `since` (the hub's clock).
    Speaking {
        since: DateTime<Utc>,
    },
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FloorRequest {
    pub member_id: MemberId,
    pub kind: SpeechKind,
    pub requested_at: DateTime<Utc>,
    pub state: SpeechState,
}

/// Adds a request to its queue, unless the member already waits or speaks in it.
pub fn request_floor(queue: &mut Vec<FloorRequest>, request: FloorRequest) {
    let pending = queue.iter().any(|r| {
        r.member_id == request.member_id && r.kind == request.kind && r.state != SpeechState::Done
    });
    if !pending {
        queue.push(request);
    }
}

/// Gives the floor to the member's request of `kind`; whoever spoke before is done.
/// Returns whether the member was waiting.
pub fn give_floor(
    queue: &mut [FloorRequest],
    member_id: MemberId,
    kind: SpeechKind,
    now: DateTime<Utc>,
) -> bool {
    let Some(at) = queue.iter().position(|r| {
        r.member_id == member_id && r.kind == kind && r.state == SpeechState::Waiting
    }) else {
        return false;
    };
    for request in queue.iter_mut() {
        if matches!(request.state, SpeechState::Speaking { .. }) {
            request.state = SpeechState::Done;
        }
    }
    queue[at].state = SpeechState::Speaking { since: now };
    true
}

/// Ends the turn of whoever has the floor. Returns whether someone had it.
pub fn end_floor(queue: &mut [FloorRequest]) -> bool {
    let mut ended = false;
    for request in queue.iter_mut() {
        if matches!(request.state, SpeechState::Speaking { .. }) {
            request.state = SpeechState::Done;
            ended = true;
        }
    }
    ended
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::tests::at;

    fn asks(member_id: MemberId, kind: SpeechKind) -> FloorRequest {
        FloorRequest {
            member_id,
            kind,
            requested_at: at(1, 9),
            state: SpeechState::Waiting,
        }
    }

    #[test]
    fn a_member_may_ask_for_the_floor_but_only_the_chair_gives_or_ends_it() {
        let (meeting, item) = (MeetingId::new_v7(), AgendaItemId::new_v7());
        let give = FloorAction::Give {
            member_id: MemberId::new_v7(),
            speech: SpeechKind::Question,
        };
        let needed = [
            FloorAction::Request(SpeechKind::Speak),
            give,
            FloorAction::End,
        ]
        .map(|action| action.operation(meeting, item).0);
        assert_eq!(
            needed,
            [Action::RequestToSpeak, Action::RunPoll, Action::RunPoll]
        );
        let (_, payload) = give.operation(meeting, item);
        assert!(
            matches!(payload, OperationPayload::GiveFloor { meeting_id, agenda_item_id, speech: SpeechKind::Question, .. } if meeting_id == meeting && agenda_item_id == item),
            "the operation names the meeting, the item and the kind of turn: {payload:?}"
        );
    }

    #[test]
    fn the_chair_gives_the_floor_and_the_previous_speaker_is_done() {
        let (a, b) = (MemberId::new_v7(), MemberId::new_v7());
        let mut queue = Vec::new();
        request_floor(&mut queue, asks(a, SpeechKind::Speak));
        request_floor(&mut queue, asks(a, SpeechKind::Speak));
        request_floor(&mut queue, asks(a, SpeechKind::Question));
        request_floor(&mut queue, asks(b, SpeechKind::Speak));
        assert_eq!(queue.len(), 3, "asking twice waits once per queue");
        assert!(give_floor(&mut queue, a, SpeechKind::Speak, at(1, 10)));
        assert!(give_floor(&mut queue, b, SpeechKind::Speak, at(1, 11)));
        assert_eq!(
            queue.iter().map(|r| r.state).collect::<Vec<_>>(),
            [
                SpeechState::Done,
                SpeechState::Waiting,
                SpeechState::Speaking { since: at(1, 11) }
            ],
            "one speaker at a time; the question still waits"
        );
        assert!(
            !give_floor(&mut queue, a, SpeechKind::Speak, at(1, 12)),
            "a member who is done must ask again"
        );
        assert!(end_floor(&mut queue), "the chair ends the turn");
        assert_eq!(queue[2].state, SpeechState::Done);
        assert!(!end_floor(&mut queue), "nobody has the floor any more");
    }
}
