-- Trust: each committee's feed numbered on its own, a poll's roster fixed when it opens,
-- delegations signed and logged, codes that expire, blobs owned by committees, and the
-- moment each device last received records.

-- A cursor counts only its own committee's changes, so it tells a member nothing of
-- other committees' activity. Existing rows keep their global number, so the cursors
-- laptops hold stay valid.
ALTER TABLE changes ADD COLUMN committee_seq INTEGER;
UPDATE changes SET committee_seq = seq;
CREATE UNIQUE INDEX changes_by_committee ON changes (committee_id, committee_seq);
-- The last number given in each committee's feed; never reused, even when the newest
-- change is replaced by a newer one with the same record key.
CREATE TABLE feed_heads (
    committee_id TEXT PRIMARY KEY,
    last_seq     INTEGER NOT NULL
);
INSERT INTO feed_heads (committee_id, last_seq)
SELECT DISTINCT committee_id, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)
FROM changes;

-- quorum-hub's PollRoster JSON: who may vote and who votes for whom, fixed at opening.
-- NULL while the poll is a draft.
ALTER TABLE polls ADD COLUMN roster TEXT;

-- When the device last pulled records (the feed): a device that did so after a poll
-- closed has seen its result, so a late ballot of its member no longer counts.
ALTER TABLE devices ADD COLUMN last_pulled_at TEXT;

-- NULL: a code issued before codes expired; it expires with the upgrade.
ALTER TABLE enrollment_codes ADD COLUMN expires_at TEXT;
UPDATE enrollment_codes SET expires_at = created_at WHERE expires_at IS NULL;

-- Which committee uploaded (or published) which blob: another committee can neither
-- publish a meeting naming it nor download it, and is not told it exists.
CREATE TABLE committee_blobs (
    committee_id TEXT NOT NULL REFERENCES committees(id),
    sha256       TEXT NOT NULL REFERENCES blobs(sha256),
    PRIMARY KEY (committee_id, sha256)
);
INSERT INTO committee_blobs (committee_id, sha256)
SELECT DISTINCT m.committee_id, mb.sha256
FROM meeting_blobs mb JOIN meetings m ON m.id = mb.meeting_id;

-- The audit log of delegations, hash-chained like the ballots: every delegation (or its
-- end) exactly as the delegating member's device signed it.
CREATE TABLE delegation_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id  TEXT NOT NULL REFERENCES meetings(id),
    member_id   TEXT NOT NULL REFERENCES members(id),
    device_id   TEXT NOT NULL REFERENCES devices(id),
    -- The JSON of quorum_core::SignedDelegation, signature included.
    delegation  TEXT NOT NULL,
    received_at TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
);
CREATE TRIGGER delegation_log_is_never_updated BEFORE UPDATE ON delegation_log
BEGIN
    SELECT RAISE(ABORT, 'the delegation log is append-only');
END;
CREATE TRIGGER delegation_log_is_never_deleted BEFORE DELETE ON delegation_log
BEGIN
    SELECT RAISE(ABORT, 'the delegation log is append-only');
END;

-- Operations keep what they were, not what a ballot chose: the ballot itself is in the
-- audit log only. The signature goes too: checked against each option in turn, it
-- would tell the choice. Payloads stored before this are redacted here.
UPDATE operations
SET payload = json_remove(payload, '$.ballot.optionKey', '$.ballot.comment', '$.ballot.signature')
WHERE json_extract(payload, '$.kind') = 'castBallot';

-- When the secretary marked this attendance (hub clock); NULL for a member's own
-- check-in. A check-in made before that mark and arriving after it does not undo it.
ALTER TABLE attendance ADD COLUMN marked_at TEXT;

-- Each member's counting ballot per poll: their latest by (cast time, log order), kept
-- as ballots are logged, so a tally reads one row per member instead of every version
-- in the audit log. Derived from `ballots`, which stays the record.
CREATE TABLE counted_ballots (
    poll_id     TEXT NOT NULL REFERENCES polls(id),
    member_id   TEXT NOT NULL REFERENCES members(id),
    ballot_seq  INTEGER NOT NULL REFERENCES ballots(seq),
    -- Unix milliseconds of the signed cast time.
    cast_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (poll_id, member_id)
);
INSERT INTO counted_ballots (poll_id, member_id, ballot_seq, cast_at_ms)
SELECT poll_id, member_id, seq,
       CAST(ROUND(unixepoch(json_extract(ballot, '$.castAt'), 'subsec') * 1000) AS INTEGER)
FROM ballots WHERE true ORDER BY seq
ON CONFLICT (poll_id, member_id) DO UPDATE SET ballot_seq = excluded.ballot_seq,
    cast_at_ms = excluded.cast_at_ms
WHERE excluded.cast_at_ms >= counted_ballots.cast_at_ms;
