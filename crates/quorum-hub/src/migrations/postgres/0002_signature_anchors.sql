-- As ../0011_signature_anchors.sql: the certificates trusted to vouch for the signers of
-- documents.
CREATE TABLE signature_anchors (
    fingerprint TEXT PRIMARY KEY,
    certificate TEXT NOT NULL,
    added_at    TEXT NOT NULL
);
