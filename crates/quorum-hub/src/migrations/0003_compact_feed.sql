-- Records that only ever matter in their latest state (a poll's counts change with every
-- ballot) carry a key; a new change with the same key replaces the older ones, so a
-- laptop catching up pulls a poll once, not once per ballot.
ALTER TABLE changes ADD COLUMN record_key TEXT;
CREATE INDEX changes_by_record_key ON changes (record_key);
