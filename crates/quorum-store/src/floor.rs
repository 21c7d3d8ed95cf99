//! The floor on this laptop: the queues of each agenda item, the member's requests to
//! speak or question, and the chair giving the floor.

use chrono::{DateTime, Utc};
use quorum_core::{
    Action, AgendaItemId, FloorRequest, MeetingId, MemberId, OperationPayload, SpeechKind,
    SpeechState, decide, request_floor,
};
use rusqlite::Transaction;
use serde::Serialize;
use tracing::instrument;
use ts_rs::TS;

use crate::{Result, Store, StoreError};

/// One agenda item's floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ItemFloor {
    pub agenda_item_id: AgendaItemId,
    pub queue: Vec<FloorRequest>,
}

impl Store {
    /// The floor of every item of a meeting that has requests, in agenda order.
    pub fn floor(&self, meeting_id: MeetingId) -> Result<Vec<ItemFloor>> {
        let meeting = self.meeting(meeting_id)?;
        let mut floors = Vec::new();
        for item in &meeting.agenda {
            let queue = queue_of(&self.conn, meeting_id, item.id)?;
            if !queue.is_empty() {
                floors.push(ItemFloor {
                    agenda_item_id: item.id,
                    queue,
                });
            }
        }
        Ok(floors)
    }

    /// The member asks to speak, or to question, on an item: shown at once, queued.
    #[instrument(skip(self), err)]
    pub fn request_floor(
        &mut self,
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
        speech: SpeechKind,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let me = self.me()?.ok_or(StoreError::NotEnrolled)?;
        decide(&me, Action::RequestToSpeak, &self.meeting(meeting_id)?)?;
        let payload = OperationPayload::RequestToSpeak {
            meeting_id,
            agenda_item_id,
            speech,
        };
        self.record(now, payload, |tx| {
            let mut queue = queue_of(tx, meeting_id, agenda_item_id)?;
            request_floor(
                &mut queue,
                FloorRequest {
                    member_id: me.id,
                    kind: speech,
                    requested_at: now,
                    state: SpeechState::Waiting,
                },
            );
            receive_floor(tx, meeting_id, agenda_item_id, &queue)
        })?;
        Ok(())
    }

    /// The chair ends the current turn on an item.
    #[instrument(skip(self), err)]
    pub fn end_floor(
        &mut self,
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let me = self.me()?.ok_or(StoreError::NotEnrolled)?;
        decide(&me, Action::RunPoll, &self.meeting(meeting_id)?)?;
        let payload = OperationPayload::EndFloor {
            meeting_id,
            agenda_item_id,
        };
        self.record(now, payload, |_| Ok(()))?;
        Ok(())
    }

    /// The chair gives the floor; the hub's moment of applying it starts the clock.
    #[instrument(skip(self), err)]
    pub fn give_floor(
        &mut self,
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
        member_id: MemberId,
        speech: SpeechKind,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let me = self.me()?.ok_or(StoreError::NotEnrolled)?;
        decide(&me, Action::RunPoll, &self.meeting(meeting_id)?)?;
        let payload = OperationPayload::GiveFloor {
            meeting_id,
            agenda_item_id,
            member_id,
            speech,
        };
        self.record(now, payload, |_| Ok(()))?;
        Ok(())
    }
}

fn queue_of(
    conn: &rusqlite::Connection,
    meeting_id: MeetingId,
    agenda_item_id: AgendaItemId,
) -> Result<Vec<FloorRequest>> {
    Ok(quorum_sqlite::floor_queue(
        conn,
        meeting_id,
        agenda_item_id,
    )?)
}

pub(crate) fn receive_floor(
    tx: &Transaction,
    meeting_id: MeetingId,
    agenda_item_id: AgendaItemId,
    queue: &[FloorRequest],
) -> Result<()> {
    Ok(quorum_sqlite::save_floor_queue(
        tx,
        meeting_id,
        agenda_item_id,
        queue,
    )?)
}
