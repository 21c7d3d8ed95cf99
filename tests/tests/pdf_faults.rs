//! The PDF service in front of a worker that goes wrong on purpose (the
//! `faulty-pdf-worker` binary, which passes requests to the real worker except those it
//! is told to hang, crash or garble): the request is answered with a clear error in
//! bounded time, the worker replaced, other documents still read, and what broke a
//! worker twice is not sent again.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use quorum_e2e::faults::{faulty_worker, recorded_workers, running, still_running_after_a_while};
use quorum_pdf::{PdfError, PdfService, WorkerLimits, locate_library};

const REPORT: &str = "02-bao-cao-kinh-te-xa-hoi.pdf";
const PROGRAMME: &str = "01-chuong-trinh.pdf";

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/sample/documents")
        .join(name)
}

/// Asserts that `service` draws page `page` of the report at the `width` asked for.
#[track_caller]
fn assert_report_draws(service: &PdfService, page: u32, width: u32, why: &str) {
    let drawn = service.render(&sample(REPORT), page, width).unwrap();
    assert_eq!(drawn.width, width, "{why}");
}

/// A service whose workers are the faulty wrapper, told `faults`, with a two-second
/// patience so a hang costs a few seconds and a slow start on a busy machine none.
fn faulty(faults: &str, workers: usize, log: &Path) -> PdfService {
    // The wrapper reads its rules and log folder from its environment, which it inherits.
    let program = faulty_worker();
    let wrapper = log.join("worker.sh");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nQUORUM_PDF_FAULTS='{faults}' QUORUM_PDF_FAULT_LOG='{}' exec '{}' \"$@\"\n",
            log.display(),
            program.display()
        ),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .args(["+x", &wrapper.display().to_string()])
        .status()
        .unwrap();
    PdfService::with_workers(wrapper, locate_library().unwrap(), workers, 0).with_limits(
        WorkerLimits {
            patience: Duration::from_secs(2),
            ..Default::default()
        },
    )
}

#[test]
fn a_worker_that_stops_answering_is_killed_at_its_deadline_and_reading_goes_on() {
    let log = tempfile::tempdir().unwrap();
    let service = faulty(&format!("hang:render:{REPORT}:3"), 1, log.path());
    assert_report_draws(&service, 2, 300, "the page before the hung one draws");
    let first = service.worker_pids();

    let hung = service.render(&sample(REPORT), 3, 300).map(|_| ());
    let Err(PdfError::ReaderTimedOut { seconds }) = hung else {
        panic!("the hung page is answered with a timeout: {hung:?}");
    };
    assert!(
        seconds <= 6,
        "within its deadline, a few seconds: {seconds}"
    );
    assert_eq!(
        still_running_after_a_while(&first),
        Vec::<u32>::new(),
        "the hung worker was killed"
    );
    assert_report_draws(
        &service,
        4,
        300,
        "the next page of the same document is drawn by a new worker",
    );
    assert_eq!(
        service.info(&sample(PROGRAMME)).unwrap().pages.len(),
        2,
        "another document opens"
    );
    assert_eq!(
        service.page_failure(&sample(REPORT), 3),
        Some(PdfError::ReaderTimedOut { seconds }),
        "the viewer can ask why page 4 is missing"
    );

    // A second hang on the same page, and it is left alone until restart.
    assert!(matches!(
        service.render(&sample(REPORT), 3, 96),
        Err(PdfError::ReaderTimedOut { .. })
    ));
    let started = service.workers_started();
    for width in [96, 300, 1200] {
        assert_eq!(
            service.render(&sample(REPORT), 3, width).map(|_| ()),
            Err(PdfError::ReaderGaveUp),
            "after two hangs the page is not sent again ({width} px)"
        );
    }
    assert_report_draws(&service, 5, 300, "the pages around it still draw");
    assert!(
        service.workers_started() <= started + 1,
        "and no worker was started for the page given up on"
    );
}

#[test]
fn two_hung_workers_block_no_one_for_longer_than_a_deadline() {
    let log = tempfile::tempdir().unwrap();
    let service = Arc::new(faulty(&format!("hang:render:{REPORT}:*"), 2, log.path()));
    let stuck: Vec<_> = [3, 4]
        .into_iter()
        .map(|page| {
            let service = service.clone();
            std::thread::spawn(move || service.render(&sample(REPORT), page, 300).map(|_| ()))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // Both workers are stuck now; this request waits for one to be replaced.
    assert_eq!(
        service.info(&sample(PROGRAMME)).unwrap().pages.len(),
        2,
        "another document still opens once the stuck workers are past their deadline"
    );
    for request in stuck {
        assert!(matches!(
            request.join().unwrap(),
            Err(PdfError::ReaderTimedOut { .. })
        ));
    }
    let texts = service.pages_text(&sample(PROGRAMME)).unwrap();
    assert!(
        texts.iter().any(|text| !text.trim().is_empty()),
        "text extraction goes on for the other documents"
    );
}

#[test]
fn a_page_that_crashes_workers_costs_two_crashes_then_is_left_alone() {
    let log = tempfile::tempdir().unwrap();
    let service = faulty(&format!("crash:render:{REPORT}:5"), 1, log.path());
    assert_report_draws(&service, 4, 300, "the page before the crashing one draws");
    assert_eq!(service.workers_started(), 1);
    assert_eq!(
        service.render(&sample(REPORT), 5, 300).map(|_| ()),
        Err(PdfError::WorkerCrashed),
        "the crash is reported"
    );
    assert_eq!(
        service.workers_started(),
        2,
        "tried once more on a new worker, which crashed too"
    );
    // The viewer's retries, its thumbnail and the prefetch all ask for the page again.
    for width in [96, 300, 300, 1200, 96, 300] {
        assert_eq!(
            service.render(&sample(REPORT), 5, width).map(|_| ()),
            Err(PdfError::ReaderGaveUp)
        );
    }
    service.prefetch(&sample(REPORT), 4, 300, 2);
    assert_eq!(
        service.workers_started(),
        2,
        "no crash storm: the page was not sent again"
    );
    assert_report_draws(&service, 6, 300, "the page after it draws");
    assert_eq!(service.workers_started(), 3, "on one new worker");
}

#[test]
fn an_answer_that_is_not_one_or_claims_a_terabyte_is_refused_and_the_worker_replaced() {
    let log = tempfile::tempdir().unwrap();
    let service = faulty(
        &format!("garbage:info:{PROGRAMME}:*,huge:render:{REPORT}:1"),
        1,
        log.path(),
    );
    assert_eq!(
        service.info(&sample(PROGRAMME)),
        Err(PdfError::WorkerCrashed),
        "garbage is not taken for an answer"
    );
    assert_eq!(
        service.render(&sample(REPORT), 1, 600).map(|_| ()),
        Err(PdfError::WorkerCrashed),
        "nor is an answer announcing a terabyte of pixels, and nothing was allocated for it"
    );
    assert_report_draws(&service, 0, 600, "a new worker answers the next request");
}

#[test]
fn a_worker_that_cuts_the_page_memory_it_shares_with_the_app_cannot() {
    let log = tempfile::tempdir().unwrap();
    let service = faulty(&format!("shrink:render:{REPORT}:*"), 1, log.path());
    let page = service.render(&sample(REPORT), 1, 600).unwrap();
    assert_eq!(
        (page.width, page.bgra().len()),
        (600, 600 * 849 * 4),
        "the memory kept its size: the page was drawn into it and read whole"
    );
    assert!(
        page.bgra().chunks(4).any(|pixel| pixel[0] < 100),
        "with its ink"
    );
    assert_eq!(service.workers_started(), 1, "and no worker was lost to it");
}

#[test]
fn no_worker_outlives_its_service_even_one_stuck_in_a_request() {
    let log = tempfile::tempdir().unwrap();
    let service = Arc::new(faulty(&format!("hang:text:{REPORT}:*"), 2, log.path()));
    assert_report_draws(
        &service,
        0,
        300,
        "a page draws before the text is asked for",
    );
    let stuck = {
        let service = service.clone();
        std::thread::spawn(move || service.text(&sample(REPORT), 0).map(|_| ()))
    };
    std::thread::sleep(Duration::from_millis(300));
    let processes = recorded_workers(log.path());
    assert!(
        processes.len() >= 2 && processes.iter().all(|pid| running(*pid)),
        "a wrapper and its real worker run: {processes:?}"
    );
    service.stop();
    assert_eq!(
        stuck.join().unwrap(),
        Err(PdfError::WorkerCrashed),
        "the request waiting on it fails"
    );
    assert_eq!(
        still_running_after_a_while(&processes),
        Vec::<u32>::new(),
        "every worker ended, the stuck one too"
    );
    assert!(
        matches!(service.info(&sample(REPORT)), Err(PdfError::Worker(_))),
        "a stopped service starts no new worker"
    );
}
