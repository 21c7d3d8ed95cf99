-- The certificates the hub's admin trusts to vouch for the signers of documents (ký số):
-- roots and intermediates alike, for every committee of the hub. Sent to the laptops in
-- each committee's feed; readers check signatures against them offline.
CREATE TABLE signature_anchors (
    -- SHA-256 of the DER, in hexadecimal.
    fingerprint TEXT PRIMARY KEY,
    -- The DER, in hexadecimal, as the feed carries it.
    certificate TEXT NOT NULL,
    added_at    TEXT NOT NULL
);
