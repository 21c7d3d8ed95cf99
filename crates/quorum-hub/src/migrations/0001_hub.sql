-- The hub's own records. Domain objects are stored as the JSON of their quorum-core
-- type, so the wire format and the stored format cannot drift apart; the columns
-- beside the JSON exist only to be searched or joined on.

CREATE TABLE committees (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE members (
    id           TEXT PRIMARY KEY,
    committee_id TEXT NOT NULL REFERENCES committees(id),
    full_name    TEXT NOT NULL,
    position     TEXT NOT NULL,
    -- The serde string of quorum_core::Role, e.g. "chair".
    role         TEXT NOT NULL
);
CREATE INDEX members_by_committee ON members(committee_id);

-- Only the SHA-256 of a code is kept, so a copy of the database cannot enroll a device.
CREATE TABLE enrollment_codes (
    code_hash  TEXT PRIMARY KEY,
    member_id  TEXT NOT NULL REFERENCES members(id),
    created_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX enrollment_codes_by_member ON enrollment_codes(member_id);

CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    member_id    TEXT NOT NULL REFERENCES members(id),
    public_key   TEXT NOT NULL,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    enrolled_at  TEXT NOT NULL,
    revoked_at   TEXT,
    -- The highest device_seq taken from this device's outbox, applied or rejected.
    last_seq     INTEGER NOT NULL DEFAULT 0,
    last_seen_at TEXT
);

CREATE TABLE meetings (
    id           TEXT PRIMARY KEY,
    committee_id TEXT NOT NULL REFERENCES committees(id),
    json         TEXT NOT NULL,
    version      INTEGER NOT NULL
);
CREATE INDEX meetings_by_committee ON meetings(committee_id);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size   INTEGER NOT NULL
);

-- Every blob any version of a meeting pointed at: an old version's documents stay
-- downloadable for members who annotated them.
CREATE TABLE meeting_blobs (
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    sha256     TEXT NOT NULL REFERENCES blobs(sha256),
    PRIMARY KEY (meeting_id, sha256)
);
CREATE INDEX meeting_blobs_by_sha256 ON meeting_blobs(sha256);

-- The change feed. AUTOINCREMENT so a sequence number is never reused, even after the
-- newest change is deleted.
CREATE TABLE changes (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    committee_id TEXT NOT NULL,
    record       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- Every operation taken from a device, with what the hub did with it: the id is the
-- idempotency key, and (device_id, device_seq) keeps a device's queue in order.
CREATE TABLE operations (
    id          TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    device_seq  INTEGER NOT NULL,
    member_id   TEXT NOT NULL REFERENCES members(id),
    payload     TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (device_id, device_seq)
);

CREATE TABLE annotations (
    id         TEXT PRIMARY KEY,
    author_id  TEXT NOT NULL REFERENCES members(id),
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    json       TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0
);
