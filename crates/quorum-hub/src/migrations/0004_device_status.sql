-- What each laptop last reported holding (quorum_core::protocol::DeviceStatus JSON), for
-- the secretary's readiness board.
CREATE TABLE device_status (
    device_id   TEXT PRIMARY KEY REFERENCES devices(id),
    status      TEXT NOT NULL,
    reported_at TEXT NOT NULL
);
