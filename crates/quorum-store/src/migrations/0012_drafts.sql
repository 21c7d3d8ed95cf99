-- Meetings the secretary prepares on this laptop (quorum_core::Meeting JSON; `version`
-- is the published version the edit is based on, 0 for a new meeting). A queued draft
-- is published at the next sync; `problem` says why the hub refused the last attempt.
CREATE TABLE drafts (
    meeting_id TEXT PRIMARY KEY,
    json       TEXT NOT NULL,
    queued     INTEGER NOT NULL DEFAULT 0,
    problem    TEXT
) STRICT;
