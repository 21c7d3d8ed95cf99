-- As ../0012_revocation_lists.sql: the revocation lists fetched for documents' signers.
CREATE TABLE revocation_lists (
    url        TEXT PRIMARY KEY,
    list       TEXT NOT NULL,
    issued_at  TEXT NOT NULL,
    fetched_at TEXT NOT NULL
);
