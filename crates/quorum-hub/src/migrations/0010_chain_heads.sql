-- The head of each hash-chained log (ballots, delegation_log): its last seq and hash,
-- taken by the transaction that appends, so appends queue on one row and the log stays
-- one chain even with several hub processes. Filled from the logs as they stand; the
-- last seq comes from SQLite's own record, which a removed last row leaves behind.
CREATE TABLE chain_heads (
    log      TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL,
    hash     TEXT NOT NULL
);
INSERT INTO chain_heads (log, last_seq, hash)
SELECT s.name, s.seq,
       COALESCE(CASE s.name
           WHEN 'ballots' THEN (SELECT hash FROM ballots ORDER BY seq DESC LIMIT 1)
           ELSE (SELECT hash FROM delegation_log ORDER BY seq DESC LIMIT 1)
       END, '0000000000000000000000000000000000000000000000000000000000000000')
FROM sqlite_sequence s WHERE s.name IN ('ballots', 'delegation_log');
