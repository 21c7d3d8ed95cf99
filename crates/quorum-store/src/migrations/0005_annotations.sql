-- The member's annotations (and, later, those shared with them), as the JSON of
-- quorum_core::Annotation; deletion is a tombstone so it reaches the other devices.
CREATE TABLE annotations (
    id          TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL,
    page        INTEGER NOT NULL,
    json        TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX annotations_by_document ON annotations (sha256, page);
