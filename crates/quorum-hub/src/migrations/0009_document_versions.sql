-- Every document version the hub has published, kept for good: a number keeps its file,
-- and a document belongs to the meeting it was first published in. Filled from the
-- meetings as they stand (earlier versions of theirs were not kept before).
CREATE TABLE document_versions (
    document_id TEXT NOT NULL,
    number      INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    meeting_id  TEXT NOT NULL,
    PRIMARY KEY (document_id, number)
);
INSERT OR IGNORE INTO document_versions (document_id, number, sha256, meeting_id)
SELECT json_extract(d.value, '$.id'), json_extract(d.value, '$.current.number'),
       json_extract(d.value, '$.current.sha256'), m.id
FROM meetings m, json_each(m.json, '$.agenda') a, json_each(a.value, '$.documents') d;
