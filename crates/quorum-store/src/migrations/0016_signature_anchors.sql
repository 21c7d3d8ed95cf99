-- The certificates the hub's admin trusts to vouch for the signers of documents (ký số),
-- as the feed brought them: the reader checks signatures against these, offline.
CREATE TABLE signature_anchors (
    -- SHA-256 of the DER, in hexadecimal.
    fingerprint TEXT PRIMARY KEY,
    der         BLOB NOT NULL
);

-- A document's signatures as last checked: quorum_signatures::DocumentSignatures JSON,
-- valid while the trusted certificates are those `anchors` names (the SHA-256 of their
-- fingerprints in order).
CREATE TABLE signature_checks (
    sha256     TEXT PRIMARY KEY,
    anchors    TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    result     TEXT NOT NULL
);
