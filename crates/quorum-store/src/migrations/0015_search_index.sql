-- Each page's text in its searchable form (folded, whitespace runs one space; see
-- quorum_core::search::searchable), indexed by its three-character sequences: a search
-- then reads only the pages that hold every sequence of the query, in order, rather
-- than folding every page of the library again. Pages already here are added by the
-- migration's Rust step.
CREATE VIRTUAL TABLE page_search USING fts5(
    searchable,
    sha256 UNINDEXED,
    page UNINDEXED,
    tokenize = 'trigram'
);
