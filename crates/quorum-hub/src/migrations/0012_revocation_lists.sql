-- The revocation lists (CRLs) the hub fetched for the certificates of documents' signers
-- (ký số), one per address; each passed on to every committee's laptops, which check
-- revocation against them offline.
CREATE TABLE revocation_lists (
    url        TEXT PRIMARY KEY,
    -- The list's DER, in hexadecimal, as the feed carries it.
    list       TEXT NOT NULL,
    -- When the issuer published it (the list's thisUpdate), and when the hub fetched it.
    issued_at  TEXT NOT NULL,
    fetched_at TEXT NOT NULL
);
