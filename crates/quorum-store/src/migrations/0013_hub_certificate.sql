-- The SHA-256 of the hub's certificate, pinned at enrollment (hex); NULL for a hub on
-- this machine spoken to in plain HTTP, the only way a profile enrolled before HTTPS
-- could have reached its hub.
ALTER TABLE device ADD COLUMN hub_certificate TEXT;
