//! Damaged and hostile PDFs written by other projects (tests/hostile/README.md says
//! where each comes from), through a real worker and real libpdfium: a page that cannot
//! be shown is named, the rest of its document still reads, and the worker goes on.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use quorum_pdf::{Page, PageProblem, Password, PdfError, PdfService, locate_library};

fn service() -> PdfService {
    PdfService::new(
        env!("CARGO_BIN_EXE_quorum-pdf-worker").into(),
        locate_library().unwrap(),
    )
}

fn hostile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(name)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn problems(pages: &[Page]) -> Vec<Option<PageProblem>> {
    pages.iter().map(|page| page.problem).collect()
}

#[test]
fn a_page_two_billion_points_tall_is_refused_by_its_size_and_the_worker_goes_on() {
    let service = service();
    let path = hostile("pdfjs/poppler-85140-0.pdf");
    let info = service.info(&path).unwrap();
    assert_eq!(info.pages.len(), 1, "the document opens");
    let Some(PageProblem::Unusual { width, height }) = info.pages[0].problem else {
        panic!("the page's size is named as unusual: {:?}", info.pages[0]);
    };
    assert_eq!(width, 595.0, "its width as the file says");
    assert!(height > 2.0e9, "and its height: {height}");
    assert!(
        info.pages[0].height <= quorum_pdf::MAX_PAGE_POINTS,
        "it is laid out at a stand-in size, not two billion points: {:?}",
        info.pages[0]
    );
    assert_eq!(
        service.render(&path, 0, 1000).map(|_| ()),
        Err(PdfError::BadPage {
            page: 0,
            problem: PageProblem::Unusual { width, height }
        }),
        "drawing it is refused for its size, not tried"
    );
    let report = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/sample/documents/02-bao-cao-kinh-te-xa-hoi.pdf");
    assert_eq!(
        service.render(&report, 0, 600).unwrap().width,
        600,
        "the next document is drawn"
    );
}

#[test]
fn one_unreadable_page_leaves_the_others_readable() {
    let service = service();
    let path = hostile("pdfjs/Pages-tree-refs.pdf");
    let info = service.info(&path).unwrap();
    assert_eq!(
        problems(&info.pages),
        vec![None, Some(PageProblem::Unreadable)],
        "the document opens; only its second page is marked"
    );
    let first = service.render(&path, 0, 400).unwrap();
    assert_eq!(first.width, 400, "the first page is drawn");
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
    let service = service();
    let path = hostile("pdfjs/boundingBox_invalid.pdf");
    let info = service.info(&path).unwrap();
    assert_eq!(
        problems(&info.pages),
        vec![None, None, Some(PageProblem::Empty)],
        "the third page has no area"
    );
    assert!(
        info.pages[2].width > 0.0 && info.pages[2].height > 0.0,
        "it is laid out at a stand-in size the viewer can divide by: {:?}",
        info.pages[2]
    );
    for page in 0..2 {
        assert_eq!(
            service.render(&path, page, 300).unwrap().width,
            300,
            "page {page} draws"
        );
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
    let report = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/sample/documents/02-bao-cao-kinh-te-xa-hoi.pdf");
    let checked = service.check(&report).unwrap();
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
    assert_eq!(
        service.render(&path, 0, 300).unwrap().width,
        300,
        "its pages draw without asking again"
    );
    assert!(
        !format!("{:?}", Password("mat-khau".into())).contains("mat-khau"),
        "a password never reaches a log line"
    );
}

#[test]
fn a_page_that_needs_more_memory_than_the_cap_fails_alone() {
    let report = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/sample/documents/02-bao-cao-kinh-te-xa-hoi.pdf");
    let service = service().with_limits(quorum_pdf::WorkerLimits {
        memory_mb: 32,
        ..Default::default()
    });
    assert_eq!(
        service.render(&report, 1, 300).unwrap().width,
        300,
        "a page that fits the cap draws"
    );
    // 3400 px wide: 62 MB of pixels, past the 32 MB the worker may take.
    assert_eq!(
        service.render(&report, 1, 3400).map(|_| ()),
        Err(PdfError::WorkerCrashed),
        "the page past the cap fails, the app does not"
    );
    assert_eq!(
        service.render(&report, 2, 300).unwrap().width,
        300,
        "a new worker draws the next page"
    );
}

/// Log lines written while `work` runs on this thread.
fn logged(work: impl FnOnce()) -> String {
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, work);
    let bytes = captured.0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn turning_to_the_last_page_logs_no_warning_for_the_pages_after_it() {
    let report = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/sample/documents/02-bao-cao-kinh-te-xa-hoi.pdf");
    let service = service();
    let log = logged(|| {
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
