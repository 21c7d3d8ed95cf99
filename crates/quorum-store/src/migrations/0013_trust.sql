-- The SHA-256 of the hub's certificate, pinned at enrollment (hex); NULL for a hub on
-- this machine spoken to in plain HTTP, the only way a profile enrolled before HTTPS
-- could have reached its hub.
ALTER TABLE device ADD COLUMN hub_certificate TEXT;

-- A check-in from the member's laptop that lost to the secretary's later mark (its time
-- by that laptop's clock), as the hub passed it on; shown on the attendance board.
ALTER TABLE attendance ADD COLUMN disputed_at TEXT;

-- Where the token and signing key are: 'keyring' (the OS keyring; the columns above are
-- then empty) or 'profile' (those columns, in this owner-only file).
ALTER TABLE device ADD COLUMN secrets_in TEXT NOT NULL DEFAULT 'profile'
    CHECK (secrets_in IN ('keyring', 'profile'));
