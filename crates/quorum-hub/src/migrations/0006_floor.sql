-- The floor of each agenda item: both queues (quorum_core::FloorRequest JSON list).
CREATE TABLE floor (
    meeting_id     TEXT NOT NULL REFERENCES meetings(id),
    agenda_item_id TEXT NOT NULL,
    queue          TEXT NOT NULL,
    PRIMARY KEY (meeting_id, agenda_item_id)
);
