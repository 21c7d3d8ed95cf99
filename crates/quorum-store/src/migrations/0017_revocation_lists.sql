-- The revocation lists (CRLs) the hub fetched for documents' signers, one per address;
-- signatures are checked against them offline. Checks cached before were made without
-- them (and in an older form): they are made again.
CREATE TABLE revocation_lists (
    url TEXT PRIMARY KEY,
    der BLOB NOT NULL
);
DELETE FROM signature_checks;
