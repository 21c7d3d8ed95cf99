#![allow(clippy::unwrap_used)] // a benchmark command: any failure ends the run with its message
//! Benchmark: rendering real PDFs at 1200 px wide with quorum-pdf (pdfium in its worker
//! process, pages to memory) against `mutool draw` and `pdftoppm` (pages to PNM files
//! in /dev/shm), side by side in one run; the time from "open document" to the first
//! page for a 184-page manual; and a cached page turn.
//!
//! `scripts/bench-pdf.sh` installs mupdf-tools and poppler-utils, fetches the PDFs and
//! runs this in release.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use quorum_pdf::{PdfService, locate_library};

const WIDTH: u32 = 1200;

fn worker() -> PathBuf {
    quorum_e2e::workspace_binary("quorum-pdf-worker", "QUORUM_PDF_WORKER")
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn run(command: &mut Command) -> Duration {
    let started = Instant::now();
    let status = command.status().unwrap();
    assert!(status.success(), "{command:?} failed");
    started.elapsed()
}

fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("quorum-pdf-bench-")
        .tempdir_in("/dev/shm")
        .unwrap()
}

/// All pages at WIDTH: (quorum, mutool, pdftoppm) total times.
fn all_pages(path: &Path, pages: u32) -> (Duration, Duration, Duration) {
    // No cache: every page is rendered once, as on first reading.
    let service = PdfService::with_cache(worker(), locate_library().unwrap(), 0);
    service.info(path).unwrap(); // start the worker and open the file outside the timing
    let started = Instant::now();
    for page in 0..pages {
        service.render(path, page, WIDTH).unwrap();
    }
    let quorum = started.elapsed();

    let out = scratch();
    let mutool = run(Command::new("mutool")
        .args(["draw", "-q", "-w", &WIDTH.to_string(), "-o"])
        .arg(out.path().join("page-%d.pnm"))
        .arg(path));
    let out = scratch();
    let pdftoppm = run(Command::new("pdftoppm")
        .args(["-scale-to-x", &WIDTH.to_string(), "-scale-to-y", "-1"])
        .arg(path)
        .arg(out.path().join("page")));
    (quorum, mutool, pdftoppm)
}

fn main() {
    let dir = PathBuf::from(
        std::env::var_os("QUORUM_TEST_PDFS").expect("QUORUM_TEST_PDFS names the PDFs"),
    );
    println!(
        "| document | pages | quorum-pdf ms/page | mutool draw ms/page | pdftoppm ms/page | mutool / quorum | pdftoppm / quorum |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (name, pages) in [("why3-manual.pdf", 184u32), ("gs-color-management.pdf", 42)] {
        let (quorum, mutool, pdftoppm) = all_pages(&dir.join(name), pages);
        let per = |d: Duration| ms(d) / f64::from(pages);
        println!(
            "| {name} | {pages} | {:.1} | {:.1} | {:.1} | {:.2} | {:.2} |",
            per(quorum),
            per(mutool),
            per(pdftoppm),
            mutool.as_secs_f64() / quorum.as_secs_f64(),
            pdftoppm.as_secs_f64() / quorum.as_secs_f64()
        );
    }

    // Open to first page, 184 pages: a new worker process, open, render page 1.
    let manual = dir.join("why3-manual.pdf");
    let first_page: Vec<Duration> = (0..7)
        .map(|_| {
            let started = Instant::now();
            let service = PdfService::new(worker(), locate_library().unwrap());
            service.render(&manual, 0, WIDTH).unwrap().to_bmp();
            started.elapsed()
        })
        .collect();
    let mutool_first: Vec<Duration> = (0..7)
        .map(|_| {
            let out = scratch();
            run(Command::new("mutool")
                .args(["draw", "-q", "-w", &WIDTH.to_string(), "-o"])
                .arg(out.path().join("first.pnm"))
                .arg(&manual)
                .arg("1"))
        })
        .collect();
    println!(
        "open to first page (184-page manual, {WIDTH} px, incl. worker start and BMP): quorum-pdf median {:.1} ms; mutool draw of page 1 median {:.1} ms",
        ms(median(first_page)),
        ms(median(mutool_first))
    );

    // A cached page turn: the page was rendered (or prefetched) before.
    let service = PdfService::new(worker(), locate_library().unwrap());
    for page in 0..20 {
        service.render(&manual, page, WIDTH).unwrap();
    }
    let turns: Vec<Duration> = (0..20)
        .map(|page| {
            let started = Instant::now();
            service.render(&manual, page, WIDTH).unwrap().to_bmp();
            started.elapsed()
        })
        .collect();
    println!(
        "cached page turn (from memory, as the BMP the window receives): median {:.2} ms over 20 pages (within the cache budget)",
        ms(median(turns))
    );
}
