//! Damaged and hostile PDFs written by other projects (tests/hostile/README.md says
//! where each comes from), through a real worker and real libpdfium: a page that cannot
//! be shown is named, the rest of its document still reads, and the worker goes on.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod common;

use std::path::PathBuf;

use common::logged::logged;
use common::{REPORT, assert_draws, fixture, hostile, sample, service};
use quorum_pdf::{Page, PageProblem, Password, PdfError, PdfService};

fn problems(pages: &[Page]) -> Vec<Option<PageProblem>> {
    pages.iter().map(|page| page.problem).collect()
}

/// A fresh service, the hostile file `name`, and the pages the service lists for it.
fn open_hostile(name: &str) -> (PdfService, PathBuf, Vec<Page>) {
    let service = service();
    let path = hostile(name);
    let pages = service.info(&path).unwrap().pages;
    (service, path, pages)
}

#[test]
fn a_page_two_billion_points_tall_is_refused_by_its_size_and_the_worker_goes_on() {
    let (service, path, pages) = open_hostile("pdfjs/poppler-85140-0.pdf");
    assert_eq!(pages.len(), 1, "the document opens");
    let Some(PageProblem::Unusual { width, height }) = pages[0].problem else {
        panic!("the page's size is named as unusual: {:?}", pages[0]);
    };
    assert_eq!(width, 595.0, "its width as the file says");
    assert!(height > 2.0e9, "and its height: {height}");
    assert!(
        pages[0].height <= quorum_pdf::MAX_PAGE_POINTS,
        "it is laid out at a stand-in size, not two billion points: {:?}",
        pages[0]
    );
    assert_eq!(
        service.render(&path, 0, 1000).map(|_| ()),
        Err(PdfError::BadPage {
            page: 0,
            problem: PageProblem::Unusual { width, height }
        }),
        "drawing it is refused for its size, not tried"
    );
    assert_draws(
        &service,
        &sample(REPORT),
        0,
        600,
        "the next document is drawn",
    );
}

#[test]
fn one_unreadable_page_leaves_the_others_readable() {
    let (service, path, pages) = open_hostile("pdfjs/Pages-tree-refs.pdf");
    assert_eq!(
        problems(&pages),
        vec![None, Some(PageProblem::Unreadable)],
        "the document opens; only its second page is marked"
    );
    assert_draws(&service, &path, 0, 400, "the first page is drawn");
    assert_eq!(
        service.render(&path, 1, 400).map(|_| ()),
        Err(PdfError::BadPage {
            page: 1,
            problem: PageProblem::Unreadable
        }),
        "the second is named as the page that cannot be read"
    );
    let texts = service.pages_text(&path).unwrap();
    assert_eq!(texts.len(), 2, "text extraction goes through every page");
}

#[test]
fn files_whose_pages_cannot_be_read_open_with_each_page_named() {
    let service = service();
    for (name, pages) in [
        ("pdfjs/poppler-937-0-fuzzed.pdf", 1),
        ("qpdf/bad34.pdf", 1),
        ("qpdf/15390.fuzz", 30),
    ] {
        let info = service.info(&hostile(name));
        let info = info.unwrap_or_else(|e| panic!("{name} opens instead of failing whole: {e}"));
        assert_eq!(info.pages.len(), pages, "{name} has its pages listed");
        assert!(
            info.pages
                .iter()
                .all(|page| page.problem == Some(PageProblem::Unreadable)),
            "{name}: each page is named as unreadable: {:?}",
            problems(&info.pages)
        );
        let message = service
            .render(&hostile(name), 0, 400)
            .unwrap_err()
            .to_string();
        assert_eq!(
            message, "page 1 is not shown: the page cannot be read",
            "{name}: one line a person can read"
        );
    }
}

#[test]
fn a_page_with_no_area_is_named_and_the_pages_before_it_draw() {
    let (service, path, pages) = open_hostile("pdfjs/boundingBox_invalid.pdf");
    assert_eq!(
        problems(&pages),
        vec![None, None, Some(PageProblem::Empty)],
        "the third page has no area"
    );
    assert!(
        pages[2].width > 0.0 && pages[2].height > 0.0,
        "it is laid out at a stand-in size the viewer can divide by: {:?}",
        pages[2]
    );
    for page in 0..2 {
        assert_draws(&service, &path, page, 300, &format!("page {page} draws"));
    }
}

#[test]
fn a_check_draws_every_page_and_names_those_that_fail() {
    let service = service();
    let checked = service
        .check(&hostile("pdfjs/Pages-tree-refs.pdf"))
        .unwrap();
    assert_eq!(
        problems(&checked.pages),
        vec![None, Some(PageProblem::Unreadable)]
    );
    let checked = service.check(&sample(REPORT)).unwrap();
    assert!(
        checked.pages.len() == 14 && checked.pages.iter().all(|page| page.problem.is_none()),
        "a sound document checks clean"
    );
}

#[test]
fn every_file_of_the_corpus_gets_an_answer_and_the_worker_survives_it() {
    let service = service();
    let mut files: Vec<_> = ["pdfjs", "qpdf"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(hostile(dir)).unwrap())
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() > 60, "the corpus is there: {}", files.len());
    for path in &files {
        match service.info(path) {
            Ok(info) => {
                for (page, shown) in (0u32..).zip(&info.pages).take(3) {
                    let drawn = service.render(path, page, 200);
                    match (shown.problem, drawn) {
                        (None, Ok(_)) | (Some(_), Err(PdfError::BadPage { .. })) => {}
                        // Its size read, but pdfium cannot draw it: named as unreadable.
                        (None, Err(PdfError::BadPage { problem, .. })) => {
                            assert_eq!(problem, PageProblem::Unreadable, "{}", path.display())
                        }
                        (problem, other) => {
                            panic!("{} page {page} ({problem:?}): {other:?}", path.display())
                        }
                    }
                }
            }
            Err(PdfError::Corrupt | PdfError::NoPages | PdfError::PasswordProtected) => {}
            Err(other) => panic!("{}: {other:?}", path.display()),
        }
    }
    assert_eq!(
        service.workers_started(),
        1,
        "one worker read the whole corpus without dying"
    );
}

#[test]
fn a_protected_document_opens_with_its_password_kept_in_memory() {
    let service = service();
    let path = fixture("protected.pdf");
    assert_eq!(service.info(&path), Err(PdfError::PasswordProtected));
    assert_eq!(
        service.unlock(&path, Password("sai-mat-khau".into())),
        Err(PdfError::WrongPassword),
        "a wrong password is told apart from none"
    );
    assert_eq!(
        service.info(&path),
        Err(PdfError::PasswordProtected),
        "and is not kept"
    );
    let info = service.unlock(&path, Password("mat-khau".into())).unwrap();
    assert_eq!(info.pages.len(), 1, "the right one opens it");
    assert_draws(
        &service,
        &path,
        0,
        300,
        "its pages draw without asking again",
    );
    assert!(
        !format!("{:?}", Password("mat-khau".into())).contains("mat-khau"),
        "a password never reaches a log line"
    );
}

#[test]
fn a_page_that_needs_more_memory_than_the_cap_fails_alone() {
    let image = fixture("jpeg2000-4000px.pdf");
    let service = service().with_limits(quorum_pdf::WorkerLimits {
        memory_mb: 32,
        ..Default::default()
    });
    assert_draws(
        &service,
        &image,
        0,
        300,
        "drawn small, the page fits the cap",
    );
    // 3400 px wide, pdfium decodes the 4000 × 4000 image whole: about 200 MB, past the
    // 32 MB the worker may take. (The page's own pixels are in the page memory shared
    // with the app, outside the cap.)
    assert_eq!(
        service.render(&image, 0, 3400).map(|_| ()),
        Err(PdfError::WorkerCrashed),
        "the page past the cap fails, the app does not"
    );
    assert_draws(
        &service,
        &sample(REPORT),
        2,
        300,
        "a new worker draws the next page",
    );
}

#[test]
fn turning_to_the_last_page_logs_no_warning_for_the_pages_after_it() {
    let report = sample(REPORT);
    let service = service();
    let log = logged(tracing::Level::WARN, || {
        assert_eq!(service.info(&report).unwrap().pages.len(), 14);
        service.render(&report, 13, 300).unwrap();
        // As the page scheme does after every page it serves.
        service.prefetch(&report, 13, 300, 2);
    });
    assert_eq!(log, "", "nothing went wrong, so nothing is logged");
}

#[test]
fn annotations_are_read_from_the_pages_that_can_be_read() {
    let service = service();
    let found = service.annotations(&hostile("pdfjs/Pages-tree-refs.pdf"));
    assert!(
        found.is_ok(),
        "an unreadable page does not fail the whole file: {found:?}"
    );
}
