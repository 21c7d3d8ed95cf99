-- Each page's text in its searchable form (folded, whitespace runs one space; see
-- quorum_core::search::searchable), indexed by its three-character sequences: a search
-- then reads only the pages that hold every sequence of the query, in order, rather
-- than folding every page of the library again. The index keeps no copy of the text:
-- its row ids are the pages' ids, which `id INTEGER PRIMARY KEY` keeps stable (a
-- VACUUM may renumber plain row ids). Pages already here are added by the migration's
-- Rust step.
CREATE TABLE page_texts_keyed (
    id     INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    page   INTEGER NOT NULL,
    text   TEXT NOT NULL,
    UNIQUE (sha256, page)
) STRICT;
INSERT INTO page_texts_keyed (sha256, page, text)
    SELECT sha256, page, text FROM page_texts ORDER BY sha256, page;
DROP TABLE page_texts;
ALTER TABLE page_texts_keyed RENAME TO page_texts;

CREATE VIRTUAL TABLE page_search USING fts5(
    searchable,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram'
);
