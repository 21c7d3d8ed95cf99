-- The replica of what the hub publishes to this member.
CREATE TABLE committees (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE members (
    id           TEXT PRIMARY KEY,
    committee_id TEXT NOT NULL REFERENCES committees (id),
    full_name    TEXT NOT NULL,
    position     TEXT NOT NULL,
    role         TEXT NOT NULL
) STRICT;

CREATE TABLE meetings (
    id           TEXT PRIMARY KEY,
    committee_id TEXT NOT NULL REFERENCES committees (id),
    title        TEXT NOT NULL,
    starts_at    TEXT NOT NULL,
    location     TEXT NOT NULL,
    status       TEXT NOT NULL,
    version      INTEGER NOT NULL
) STRICT;

CREATE TABLE meeting_invitees (
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    member_id  TEXT NOT NULL REFERENCES members (id),
    PRIMARY KEY (meeting_id, member_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE agenda_items (
    id              TEXT PRIMARY KEY,
    meeting_id      TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    title           TEXT NOT NULL,
    presenter       TEXT NOT NULL,
    planned_minutes INTEGER NOT NULL,
    UNIQUE (meeting_id, position)
) STRICT;

CREATE TABLE documents (
    id              TEXT PRIMARY KEY,
    agenda_item_id  TEXT NOT NULL REFERENCES agenda_items (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    title           TEXT NOT NULL,
    current_version INTEGER NOT NULL
) STRICT;

-- Versions are history: they outlive the document row of a republished meeting, so
-- annotations made on an old version can be moved to the new one.
CREATE TABLE document_versions (
    document_id TEXT NOT NULL,
    number      INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    page_count  INTEGER NOT NULL,
    file_name   TEXT NOT NULL,
    PRIMARY KEY (document_id, number)
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
