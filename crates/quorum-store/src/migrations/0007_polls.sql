-- Polls as the hub shows them to this member (quorum_core::protocol::PollView JSON);
-- `meeting_id` is NULL for a written-opinion request outside any meeting.
CREATE TABLE polls (
    id         TEXT PRIMARY KEY,
    meeting_id TEXT,
    json       TEXT NOT NULL
) STRICT;
CREATE INDEX polls_by_meeting ON polls (meeting_id);

-- Who votes for whom (ủy quyền), per meeting.
CREATE TABLE delegations (
    meeting_id  TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    delegate_id TEXT NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
) STRICT;

-- Ballots signed on this laptop, with the operation carrying each: while that
-- operation waits in the outbox the ballot is "waiting to upload"; once the hub took
-- it, "counted"; if the hub refused it, the outbox row says why.
CREATE TABLE my_ballots (
    operation_id TEXT PRIMARY KEY,
    poll_id      TEXT NOT NULL,
    json         TEXT NOT NULL
) STRICT;
CREATE INDEX my_ballots_by_poll ON my_ballots (poll_id);
