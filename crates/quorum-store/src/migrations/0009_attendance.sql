-- Who is in the room, as the hub passed it on (quorum_core::Attendance JSON); a check-in
-- or a mark made here shows at once.
CREATE TABLE attendance (
    meeting_id TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    json       TEXT NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
) STRICT;
