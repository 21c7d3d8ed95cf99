#![allow(clippy::unwrap_used)] // a benchmark command: any failure ends the run with its message
//! Benchmark: rendering real PDFs at 1200 px wide with quorum-pdf (pdfium in its worker
//! process, pages to memory) against `mutool draw` and `pdftoppm` (pages to PNM files
//! in /dev/shm), side by side in one run; the time from "open document" to the first
//! page for a 184-page manual; and a cached page turn.
//!
//! `scripts/bench-pdf.sh` installs mupdf-tools and poppler-utils, fetches the PDFs and
//! runs this in release. `pdf-bench soak` instead takes one worker through the corpus of
//! hostile PDFs (crates/quorum-pdf/tests/hostile) three times and reports its memory.

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

/// Every page at WIDTH, once, by quorum-pdf with `workers` workers and as many threads
/// asking (page `n` to thread `n % workers`), no cache: as on first reading.
fn quorum_all_pages(path: &Path, pages: u32, workers: u32) -> Duration {
    let service =
        PdfService::with_workers(worker(), locate_library().unwrap(), workers as usize, 0);
    // Start the workers and open the file outside the timing.
    std::thread::scope(|threads| {
        for _ in 0..workers {
            threads.spawn(|| service.info(path).unwrap());
        }
    });
    let started = Instant::now();
    std::thread::scope(|threads| {
        for first in 0..workers {
            let service = &service;
            threads.spawn(move || {
                for page in (first..pages).step_by(workers as usize) {
                    service.render(path, page, WIDTH).unwrap();
                }
            });
        }
    });
    started.elapsed()
}

/// Every page at WIDTH: (quorum with one worker, quorum with two, mutool, pdftoppm).
fn all_pages(path: &Path, pages: u32) -> [Duration; 4] {
    let one = quorum_all_pages(path, pages, 1);
    let two = quorum_all_pages(path, pages, 2);
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
    [one, two, mutool, pdftoppm]
}

/// A process's resident memory now and at its peak, in MB, from /proc.
fn memory_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
            .unwrap()
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// One worker through every file of the hostile corpus, three rounds: every page info
/// finds readable drawn at WIDTH and its text read; memory after each round.
fn soak() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/quorum-pdf/tests/hostile");
    let mut files: Vec<PathBuf> = ["pdfjs", "qpdf"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(corpus.join(dir)).unwrap())
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let service = PdfService::with_workers(worker(), locate_library().unwrap(), 1, 0);
    println!(
        "| round | files | pages drawn | pages named | documents refused | time s | worker RSS MB | worker peak MB | workers started |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for round in 1..=3 {
        let started = Instant::now();
        let (mut drawn, mut named, mut refused) = (0, 0, 0);
        for path in &files {
            let Ok(info) = service.info(path) else {
                refused += 1;
                continue;
            };
            for (page, shown) in (0u32..).zip(&info.pages) {
                if shown.problem.is_some() || service.render(path, page, WIDTH).is_err() {
                    named += 1;
                    continue;
                }
                let _ = service.text(path, page);
                drawn += 1;
            }
        }
        let (rss, peak) = memory_mb(service.worker_pids()[0]);
        println!(
            "| {round} | {} | {drawn} | {named} | {refused} | {:.2} | {rss:.0} | {peak:.0} | {} |",
            files.len(),
            started.elapsed().as_secs_f64(),
            service.workers_started()
        );
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("soak") {
        soak();
        return;
    }
    let dir = PathBuf::from(
        std::env::var_os("QUORUM_TEST_PDFS").expect("QUORUM_TEST_PDFS names the PDFs"),
    );
    println!(
        "| document | pages | quorum-pdf ms/page, 1 worker | 2 workers | mutool draw | pdftoppm | quorum (1 worker) / mutool | quorum (2 workers) / mutool | quorum (1 worker) / pdftoppm |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (name, pages) in [("why3-manual.pdf", 184u32), ("gs-color-management.pdf", 42)] {
        let [one, two, mutool, pdftoppm] = all_pages(&dir.join(name), pages);
        let per = |d: Duration| ms(d) / f64::from(pages);
        let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
        println!(
            "| {name} | {pages} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {:.2} | {:.2} |",
            per(one),
            per(two),
            per(mutool),
            per(pdftoppm),
            ratio(one, mutool),
            ratio(two, mutool),
            ratio(one, pdftoppm),
        );
    }

    // Open to first page, 184 pages: open, render page 1 into the app's memory;
    // from a cold start (the worker process started for it) and from a worker the app
    // started ahead, when the member opened the laptop.
    let manual = dir.join("why3-manual.pdf");
    let first_page = |ahead: bool| -> Vec<Duration> {
        (0..7)
            .map(|_| {
                let service = PdfService::new(worker(), locate_library().unwrap());
                if ahead {
                    service.start_ahead().unwrap();
                    // The member's time to choose a document: the worker is up by then.
                    std::thread::sleep(Duration::from_millis(300));
                }
                let started = Instant::now();
                service.render(&manual, 0, WIDTH).unwrap();
                started.elapsed()
            })
            .collect()
    };
    let cold = first_page(false);
    let warm = first_page(true);
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
        "open to first page in the app's memory (184-page manual, {WIDTH} px), median of 7: quorum-pdf with its worker started ahead {:.1} ms, starting its worker {:.1} ms; mutool draw of page 1 {:.1} ms",
        ms(median(warm)),
        ms(median(cold)),
        ms(median(mutool_first))
    );

    // A cached page turn: the page was rendered (or prefetched) before.
    let service = PdfService::new(worker(), locate_library().unwrap());
    // Eight pages: within the default cache budget.
    for page in 0..8 {
        service.render(&manual, page, WIDTH).unwrap();
    }
    let turns: Vec<Duration> = (0..8)
        .map(|page| {
            let started = Instant::now();
            std::hint::black_box(service.render(&manual, page, WIDTH).unwrap().png().unwrap());
            started.elapsed()
        })
        .collect();
    println!(
        "cached page turn (from memory, as the PNG the window receives): median {:.2} ms over 8 pages",
        ms(median(turns))
    );
}
