//! The floor table, kept alike by hub and laptop: each agenda item's queue of requests
//! to speak or to question, as JSON in order of asking.

use quorum_core::{AgendaItemId, FloorRequest, MeetingId};
use rusqlite::{Connection, params};

use crate::{json_column, optional_value};

/// Both queues of an agenda item, in order of asking; empty when nobody asked.
pub fn floor_queue(
    conn: &Connection,
    meeting_id: MeetingId,
    agenda_item_id: AgendaItemId,
) -> rusqlite::Result<Vec<FloorRequest>> {
    let json: Option<String> = optional_value(
        conn,
        "SELECT queue FROM floor WHERE meeting_id = ?1 AND agenda_item_id = ?2",
        params![meeting_id.to_string(), agenda_item_id.to_string()],
    )?;
    json.map(|json| json_column(0, &json))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// Keeps an agenda item's queue, replacing the one before.
pub fn save_floor_queue(
    conn: &Connection,
    meeting_id: MeetingId,
    agenda_item_id: AgendaItemId,
    queue: &[FloorRequest],
) -> rusqlite::Result<()> {
    let json = serde_json::to_string(queue)
        .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))?;
    conn.execute(
        "INSERT INTO floor (meeting_id, agenda_item_id, queue) VALUES (?1, ?2, ?3)
         ON CONFLICT (meeting_id, agenda_item_id) DO UPDATE SET queue = excluded.queue",
        params![meeting_id.to_string(), agenda_item_id.to_string(), json],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::in_memory;
    use quorum_core::{MemberId, SpeechKind, SpeechState};

    #[test]
    fn a_queue_is_kept_whole_and_replaced_and_an_item_nobody_asked_on_is_empty() {
        let conn = in_memory(
            "CREATE TABLE floor (meeting_id TEXT NOT NULL, agenda_item_id TEXT NOT NULL,
             queue TEXT NOT NULL, PRIMARY KEY (meeting_id, agenda_item_id))",
        );
        let (meeting, item) = (MeetingId::new_v7(), AgendaItemId::new_v7());
        assert!(floor_queue(&conn, meeting, item).unwrap().is_empty());
        let asked = |kind| FloorRequest {
            member_id: MemberId::new_v7(),
            kind,
            requested_at: chrono::DateTime::UNIX_EPOCH,
            state: SpeechState::Waiting,
        };
        let mut queue = vec![asked(SpeechKind::Speak), asked(SpeechKind::Question)];
        save_floor_queue(&conn, meeting, item, &queue).unwrap();
        queue[0].state = SpeechState::Done;
        save_floor_queue(&conn, meeting, item, &queue).unwrap();
        assert_eq!(
            floor_queue(&conn, meeting, item).unwrap(),
            queue,
            "the newest queue, in order"
        );
        assert!(
            floor_queue(&conn, meeting, AgendaItemId::new_v7())
                .unwrap()
                .is_empty(),
            "another item's queue is its own"
        );
    }
}
