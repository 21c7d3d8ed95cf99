-- Each meeting as the member last looked at it, to show what changed since.
CREATE TABLE seen_meetings (
    meeting_id TEXT PRIMARY KEY,
    json       TEXT NOT NULL
) STRICT;
