-- The floor of each agenda item as the hub passed it on (FloorRequest JSON list); a
-- request made here shows at once.
CREATE TABLE floor (
    meeting_id     TEXT NOT NULL,
    agenda_item_id TEXT NOT NULL,
    queue          TEXT NOT NULL,
    PRIMARY KEY (meeting_id, agenda_item_id)
) STRICT;
