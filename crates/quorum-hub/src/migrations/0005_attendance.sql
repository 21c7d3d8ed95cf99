-- Who is in the room: a check-in from the member's laptop, or the secretary's mark
-- (quorum_core::Attendance JSON).
CREATE TABLE attendance (
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    member_id  TEXT NOT NULL REFERENCES members(id),
    attendance TEXT NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
);
