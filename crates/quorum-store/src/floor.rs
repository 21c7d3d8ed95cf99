//! The floor on this laptop: the queues of each agenda item, the member's requests to
//! speak or question, and the chair giving the floor.

use chrono::{DateTime, Utc};
use quorum_core::{AgendaItemId, FloorAction, FloorRequest, MeetingId, SpeechState, request_floor};
use rusqlite::Transaction;
use serde::Serialize;
use tracing::instrument;
use ts_rs::TS;

use crate::{Result, Store};

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

    /// The member asks for the floor, or the chair gives or ends it, on an item: a
    /// request shows in its queue at once; all are queued for the hub, whose moment of
    /// applying a turn starts its clock.
    #[instrument(skip(self), err)]
    pub fn floor_action(
        &mut self,
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
        action: FloorAction,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (allowed, payload) = action.operation(meeting_id, agenda_item_id);
        self.record_allowed(allowed, meeting_id, now, payload, |tx, me| {
            let FloorAction::Request(speech) = action else {
                return Ok(());
            };
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
