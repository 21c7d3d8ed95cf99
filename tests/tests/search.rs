//! Search over a laptop's library through the index gives the hits today's search gave
//! (which read and folded every page): the same pages, match counts and snippets, in the
//! same order, on the sample pack's Vietnamese text and the real manuals' English text.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use quorum_core::search::fold;
use quorum_e2e::library::{Library, real_texts, search_every_page};
use quorum_store::Store;

/// Words a member would type, taken from the text itself: one word and two, as
/// written, without diacritics and in capitals; two words across a line break.
fn queries_from(pages: &[String], stride: usize) -> Vec<String> {
    let mut queries = Vec::new();
    for page in pages.iter().step_by(stride) {
        let words: Vec<&str> = page.split_whitespace().collect();
        for at in (0..words.len()).step_by(127) {
            let one = words[at];
            queries.push(one.to_string());
            queries.push(fold(one));
            if let Some(next) = words.get(at + 1) {
                queries.push(format!("{one} {next}"));
                queries.push(fold(&format!("{one}  {next}")).to_uppercase());
            }
        }
        let lines: Vec<&str> = page.lines().collect();
        for pair in lines.windows(2).step_by(61) {
            if let (Some(last), Some(first)) = (
                pair[0].split_whitespace().last(),
                pair[1].split_whitespace().next(),
            ) {
                queries.push(fold(&format!("{last} {first}")));
            }
        }
    }
    queries
}

#[test]
fn searching_through_the_index_finds_the_same_hits_as_reading_every_page() {
    let texts = real_texts();
    let Library {
        dir: _dir,
        path,
        store,
        meetings,
    } = Library::build(&texts, 600);

    let mut queries: Vec<String> = [
        "bieu quyet",
        "ngan sach",
        "du toan",
        "KẾ HOẠCH",
        "UBND",
        "đ",
        "qu",
        "a",
        "",
        "   ",
        "\"quoted\"",
        "bieu AND quyet",
        "NEAR(du toan)",
        "toan*",
        "-",
        "Why3",
        "colour management",
        "không có trong tài liệu nào",
        "ngân sách nhà nước năm",
    ]
    .map(String::from)
    .into();
    for document in texts.sample.iter().chain(&texts.manuals) {
        queries.extend(queries_from(&document.pages, 9));
    }
    assert!(queries.len() > 200, "{} queries", queries.len());

    let (mut with_hits, mut capped) = (0, 0);
    for query in &queries {
        for within in [None, Some(meetings[meetings.len() - 1])] {
            let indexed = store.search(query, within).unwrap();
            let every_page = search_every_page(&path, query, within);
            assert_eq!(
                indexed, every_page,
                "{query:?} within {within:?}: the same hits as reading every page"
            );
            with_hits += usize::from(!indexed.is_empty());
            capped += usize::from(indexed.len() == 200);
        }
    }
    assert!(
        with_hits > queries.len() && capped > 10,
        "the queries found something ({with_hits} searches with hits, {capped} capped at 200)"
    );
}

#[test]
fn a_store_written_before_the_index_finds_its_pages_after_the_upgrade() {
    let Library {
        dir: _dir,
        path,
        store,
        meetings,
    } = Library::build(&real_texts(), 1);
    drop(store);
    // What version 14, before the index, left: the page texts without ids, no index,
    // and none of the later migrations' tables.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TABLE answer_sheets;
         DROP TABLE revocation_lists;
         DROP TABLE signature_checks;
         DROP TABLE signature_anchors;
         DROP TABLE page_search;
         CREATE TABLE page_texts_before (
             sha256 TEXT NOT NULL, page INTEGER NOT NULL, text TEXT NOT NULL,
             PRIMARY KEY (sha256, page)
         ) STRICT;
         INSERT INTO page_texts_before SELECT sha256, page, text FROM page_texts;
         DROP TABLE page_texts;
         ALTER TABLE page_texts_before RENAME TO page_texts;
         PRAGMA user_version = 14;",
    )
    .unwrap();
    drop(conn);

    let store = Store::open(&path).unwrap();
    for query in ["bieu quyet", "du toan", "Why3", "ngan sach"] {
        let hits = store.search(query, None).unwrap();
        assert!(!hits.is_empty(), "{query:?} is found after the upgrade");
        assert_eq!(
            hits,
            search_every_page(&path, query, Some(meetings[0])),
            "{query:?}: every page of the old store is in the index"
        );
    }
}
