-- The last report of each laptop of the committee, for the chair's and secretary's
-- readiness board (quorum_core::protocol::DeviceReadiness JSON).
CREATE TABLE readiness (
    device_id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL,
    json      TEXT NOT NULL
) STRICT;
