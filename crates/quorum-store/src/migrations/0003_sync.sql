-- Where this device is in the hub's change feed, and when it last synced.
CREATE TABLE sync_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    cursor         INTEGER NOT NULL DEFAULT 0,
    last_synced_at TEXT
) STRICT;
INSERT INTO sync_state (id) VALUES (1);

-- Document blobs present in the profile's blobs/ folder, each verified against its hash.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    size_bytes  INTEGER NOT NULL,
    verified_at TEXT NOT NULL
) STRICT;

-- This laptop's enrollment with a hub. One row at most.
CREATE TABLE device (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    device_id   TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    hub_url     TEXT NOT NULL,
    signing_key TEXT NOT NULL,
    token       TEXT NOT NULL,
    enrolled_at TEXT NOT NULL
) STRICT;

-- An operation the hub refused stays in the outbox, for the member to see: the refusal
-- code the window has a sentence for, and the hub's own words for support.
ALTER TABLE outbox ADD COLUMN refusal TEXT;
ALTER TABLE outbox ADD COLUMN rejected_reason TEXT;

-- The member's own check-ins, shown at once, before the hub has them.
CREATE TABLE check_ins (
    meeting_id    TEXT PRIMARY KEY,
    checked_in_at TEXT NOT NULL
) STRICT;
