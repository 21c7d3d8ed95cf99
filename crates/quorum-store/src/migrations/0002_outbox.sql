-- What this device did and the hub has not yet acknowledged. AUTOINCREMENT keeps a
-- device sequence number from ever being reused after its row is acknowledged.
CREATE TABLE outbox (
    device_seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    payload    TEXT NOT NULL
) STRICT;
