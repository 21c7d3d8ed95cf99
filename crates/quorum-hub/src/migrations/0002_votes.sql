-- Polls, the audit log of ballots, and delegations (ủy quyền).

CREATE TABLE polls (
    id           TEXT PRIMARY KEY,
    committee_id TEXT NOT NULL REFERENCES committees(id),
    -- NULL for a written opinion, which belongs to no meeting.
    meeting_id   TEXT REFERENCES meetings(id),
    -- quorum_core::Poll.
    json         TEXT NOT NULL,
    -- quorum_core::PollState, moved only by the hub's clock.
    state        TEXT NOT NULL,
    -- 1 once the poll's final record (closed, grace period over) is in the feed; no
    -- ballot is taken after that.
    settled      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX polls_by_meeting ON polls(meeting_id);
CREATE INDEX polls_unsettled ON polls(settled) WHERE settled = 0;

-- The audit log: every ballot the hub accepted, each version of a member's choice,
-- exactly as signed on the device, in the order the hub took them. Each row's hash
-- covers the previous row's hash, so editing, removing or reordering a row shows;
-- `quorum-hub audit verify` checks the chain and every signature. Never served: for a
-- secret poll this is the only place a member is linked to a choice.
CREATE TABLE ballots (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    poll_id     TEXT NOT NULL REFERENCES polls(id),
    member_id   TEXT NOT NULL REFERENCES members(id),
    cast_by     TEXT NOT NULL REFERENCES members(id),
    device_id   TEXT NOT NULL REFERENCES devices(id),
    -- The JSON of quorum_core::Ballot, signature included.
    ballot      TEXT NOT NULL,
    timing      TEXT NOT NULL CHECK (timing IN ('onTime', 'late')),
    -- RFC 3339, hashed as stored.
    received_at TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
);
CREATE INDEX ballots_by_poll ON ballots(poll_id);

-- The hub itself never rewrites the log; these stop a bug from doing it. The hash
-- chain is what catches someone who drops them first.
CREATE TRIGGER ballots_are_never_updated BEFORE UPDATE ON ballots
BEGIN
    SELECT RAISE(ABORT, 'the ballot log is append-only');
END;
CREATE TRIGGER ballots_are_never_deleted BEFORE DELETE ON ballots
BEGIN
    SELECT RAISE(ABORT, 'the ballot log is append-only');
END;

-- Who votes for whom in a meeting; a member has at most one delegate per meeting.
CREATE TABLE delegations (
    meeting_id  TEXT NOT NULL REFERENCES meetings(id),
    member_id   TEXT NOT NULL REFERENCES members(id),
    delegate_id TEXT NOT NULL REFERENCES members(id),
    PRIMARY KEY (meeting_id, member_id)
);
