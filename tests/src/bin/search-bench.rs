#![allow(clippy::unwrap_used)] // a benchmark command: any failure ends the run with its message
//! Benchmark: search over a laptop's whole library of 10,000 pages (the sample pack's
//! Vietnamese text, its pages' lines reordered into many meetings, and the two real
//! manuals), queries typed without diacritics: the store's indexed search against
//! today's search, which reads and folds every page, side by side in one run.
//!
//! `cargo run --release -p quorum-e2e --bin search-bench -- [PAGES] [RUNS]`, with
//! QUORUM_TEST_PDFS and QUORUM_PDFIUM set as `scripts/test.sh` sets them.

use std::time::{Duration, Instant};

use quorum_e2e::library::{Library, real_texts, search_every_page};

fn percentile(times: &mut [Duration], p: usize) -> f64 {
    times.sort();
    let at = (times.len() * p).div_ceil(100).saturating_sub(1);
    times[at].as_secs_f64() * 1000.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let pages: usize = args.next().map_or(10_000, |a| a.parse().unwrap());
    let runs: usize = args.next().map_or(30, |a| a.parse().unwrap());

    let texts = real_texts();
    let started = Instant::now();
    let Library {
        dir,
        path,
        store,
        meetings,
    } = Library::build(&texts, pages);
    let stored: usize = ["store.sqlite3", "store.sqlite3-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
        .map(|m| m.len() as usize)
        .sum();
    println!(
        "library: {pages}+ pages in {} meetings, stored in {:.1} s, {:.0} MB on disk",
        meetings.len(),
        started.elapsed().as_secs_f64(),
        stored as f64 / 1e6
    );

    println!("| query | hits | indexed p50 / p95 | every page p50 / p95 |");
    println!("| --- | --- | --- | --- |");
    for query in [
        "bieu quyet",
        "du toan ngan sach",
        "cai cach hanh chinh",
        "chinh trang do thi",
        "theorem prover",
        "output intent",
        "khong co trong thu vien",
        "qu",
    ] {
        let hits = store.search(query, None).unwrap().len();
        let mut indexed: Vec<Duration> = (0..runs)
            .map(|_| {
                let started = Instant::now();
                store.search(query, None).unwrap();
                started.elapsed()
            })
            .collect();
        let mut every_page: Vec<Duration> = (0..runs.div_ceil(3))
            .map(|_| {
                let started = Instant::now();
                search_every_page(&path, query, None);
                started.elapsed()
            })
            .collect();
        println!(
            "| {query} | {hits} | {:.1} / {:.1} ms | {:.1} / {:.1} ms |",
            percentile(&mut indexed, 50),
            percentile(&mut indexed, 95),
            percentile(&mut every_page, 50),
            percentile(&mut every_page, 95),
        );
    }
}
