//! The PDF service with a real worker process, real libpdfium and real PDFs.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use quorum_pdf::{PdfError, PdfService, locate_library};

fn service() -> PdfService {
    let library =
        locate_library().expect("libpdfium is provided (scripts/setup.sh sets QUORUM_PDFIUM)");
    PdfService::new(env!("CARGO_BIN_EXE_quorum-pdf-worker").into(), library)
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/sample/documents")
        .join(name)
}

const REPORT: &str = "02-bao-cao-kinh-te-xa-hoi.pdf";

#[test]
fn page_count_and_sizes_come_from_the_document() {
    let info = service().info(&sample(REPORT)).unwrap();
    assert_eq!(info.pages.len(), 14, "the report has 14 pages");
    let first = info.pages[0];
    assert!(
        (first.width - 595.3).abs() < 1.0 && (first.height - 841.9).abs() < 1.0,
        "A4 in points: {first:?}"
    );
}

#[test]
fn a_page_renders_at_the_asked_width_with_ink_on_paper() {
    let page = service().render(&sample(REPORT), 9, 600).unwrap();
    assert_eq!(page.width, 600, "rendered at the screen's width");
    assert_eq!(page.height, 849, "height follows the A4 proportions");
    assert_eq!(page.bgra.len(), 600 * 849 * 4, "four bytes a pixel");
    let dark = page
        .bgra
        .chunks(4)
        .filter(|p| p[0] < 100 && p[1] < 100 && p[2] < 100)
        .count();
    let white = page
        .bgra
        .chunks(4)
        .filter(|p| p[0] > 240 && p[1] > 240 && p[2] > 240)
        .count();
    assert!(dark > 1000, "the text is drawn ({dark} dark pixels)");
    assert!(
        white > page.bgra.len() / 8,
        "on white paper ({white} white pixels)"
    );
}

#[test]
fn page_text_carries_vietnamese_words_with_their_boxes() {
    let service = service();
    let info = service.info(&sample(REPORT)).unwrap();
    let chars = service.text(&sample(REPORT), 9).unwrap();
    let text: String = chars.iter().map(|c| c.ch).collect();
    assert!(
        text.contains("biểu quyết"),
        "page 10 asks for a vote: {text:?}"
    );
    let page = info.pages[9];
    for c in chars.iter().filter(|c| !c.ch.is_whitespace()) {
        assert!(
            c.left >= 0.0
                && c.right <= page.width
                && c.bottom >= 0.0
                && c.top <= page.height
                && c.left < c.right,
            "{:?} has a box on the page: {c:?}",
            c.ch
        );
    }
}

#[test]
fn broken_files_get_clear_errors_and_the_reader_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read(sample(REPORT)).unwrap();
    let garbage = dir.path().join("garbage.pdf");
    std::fs::write(&garbage, "Đây không phải là tệp PDF".repeat(100)).unwrap();
    let truncated = dir.path().join("truncated.pdf");
    std::fs::write(&truncated, &original[..1024]).unwrap();
    let empty = dir.path().join("empty.pdf");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.path().join("missing.pdf");

    let service = service();
    for (path, what) in [
        (&garbage, "garbage"),
        (&truncated, "a truncated file"),
        (&empty, "an empty file"),
    ] {
        assert_eq!(
            service.info(path),
            Err(PdfError::Corrupt),
            "{what} is reported as damaged"
        );
    }
    assert!(
        matches!(service.info(&missing), Err(PdfError::NotFound { .. })),
        "a missing file is named"
    );
    assert_eq!(
        service.render(&sample(REPORT), 14, 600),
        Err(PdfError::PageOutOfRange {
            page: 14,
            page_count: 14
        }),
        "pages are counted from zero"
    );
    assert!(
        matches!(
            service.render(&sample(REPORT), 0, 20_000),
            Err(PdfError::TooLarge { .. })
        ),
        "no single bitmap over about 16 megapixels"
    );
    assert_eq!(
        service.info(&sample(REPORT)).unwrap().pages.len(),
        14,
        "good documents still open"
    );
}

#[test]
fn a_worker_that_dies_is_replaced_and_the_request_still_answered() {
    let service = service();
    service.info(&sample(REPORT)).unwrap();
    let first = service.worker_pids()[0];
    std::process::Command::new("kill")
        .args(["-KILL", &first.to_string()])
        .status()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));

    let info = service.info(&sample("01-chuong-trinh.pdf")).unwrap();
    assert_eq!(
        info.pages.len(),
        2,
        "the request after the crash is answered"
    );
    let second = service.worker_pids()[0];
    assert_ne!(first, second, "by a new worker process");
}

#[test]
fn a_missing_library_is_reported_with_where_it_was_looked_for() {
    let service = PdfService::new(
        env!("CARGO_BIN_EXE_quorum-pdf-worker").into(),
        "/nowhere/libpdfium.so".into(),
    );
    match service.info(&sample(REPORT)) {
        Err(PdfError::Pdfium(message)) => {
            assert!(message.contains("/nowhere/libpdfium.so"), "{message}")
        }
        other => panic!("expected a clear library error, got {other:?}"),
    }
}

#[test]
fn a_page_seen_before_comes_from_memory_and_the_next_ones_are_prefetched() {
    let service = service();
    let report = sample(REPORT);
    let first = service.render(&report, 3, 400).unwrap();
    assert!(
        service.is_cached(&report, 3, 400),
        "a rendered page is kept"
    );
    let again = service.render(&report, 3, 400).unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "the second look is the same bitmap, not a new render"
    );
    assert!(
        !service.is_cached(&report, 4, 400),
        "pages not yet asked for are not in memory"
    );
    service.prefetch(&report, 3, 400, 2);
    assert!(
        service.is_cached(&report, 4, 400) && service.is_cached(&report, 5, 400),
        "the two pages after it are ready for the page turn"
    );
    service.prefetch(&report, 11, 400, 5);
    assert!(
        service.is_cached(&report, 13, 400),
        "near the end it fills up to the last page and stops there quietly"
    );
}

#[test]
fn the_page_cache_stays_within_its_budget() {
    let library = locate_library().unwrap();
    let one_page = 400 * 566 * 4;
    let service = PdfService::with_cache(
        env!("CARGO_BIN_EXE_quorum-pdf-worker").into(),
        library,
        one_page + 1000,
    );
    let report = sample(REPORT);
    service.render(&report, 0, 400).unwrap();
    service.render(&report, 1, 400).unwrap();
    assert!(
        service.is_cached(&report, 1, 400),
        "the latest page is kept"
    );
    assert!(
        !service.is_cached(&report, 0, 400),
        "the oldest page made room for it"
    );
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn a_protected_or_empty_document_is_named_for_what_it_is() {
    let service = service();
    assert_eq!(
        service.info(&fixture("protected.pdf")),
        Err(PdfError::PasswordProtected),
        "a password-protected document says so"
    );
    assert_eq!(
        service.info(&fixture("zero-pages.pdf")),
        Err(PdfError::NoPages),
        "a document without pages says so"
    );
    assert_eq!(
        service.info(&sample(REPORT)).unwrap().pages.len(),
        14,
        "and the reader goes on"
    );
}

#[test]
fn a_page_too_large_for_one_bitmap_is_drawn_in_strips_that_add_up_to_it() {
    use quorum_pdf::{MAX_BITMAP_PIXELS, Strip};
    let service = service();
    let poster = fixture("poster-a0.pdf");
    // 4096 px wide, an A0 page is 5790 px high: 23.7 megapixels.
    assert!(
        matches!(
            service.render(&poster, 0, 4096),
            Err(PdfError::TooLarge { .. })
        ),
        "never one bitmap over ~16 megapixels"
    );
    let mut rows = 0;
    let mut ink_by_strip = Vec::new();
    for top in [0, 2048, 4096] {
        let strip = service
            .render_strip(&poster, 0, 4096, Some(Strip { top, height: 2048 }), &|| {
                true
            })
            .unwrap();
        assert_eq!(strip.width, 4096, "every strip is the page's full width");
        assert!(
            u64::from(strip.width) * u64::from(strip.height) <= MAX_BITMAP_PIXELS,
            "each strip fits"
        );
        rows += strip.height;
        ink_by_strip.push(strip.bgra.chunks(4).filter(|p| p[0] < 100).count());
    }
    assert_eq!(
        rows, 5790,
        "the strips cover the page exactly, the last one shorter"
    );
    assert!(
        ink_by_strip[0] > 1000,
        "the top strip shows the word at the top"
    );
    assert_eq!(ink_by_strip[1], 0, "the middle of the poster is blank");
    assert!(
        ink_by_strip[2] > 1000,
        "the bottom strip shows the word at the bottom: the strips are offset right"
    );
}

#[test]
fn two_readers_get_two_workers_and_a_page_no_longer_wanted_is_not_rendered() {
    let library = locate_library().unwrap();
    let service = std::sync::Arc::new(PdfService::with_workers(
        env!("CARGO_BIN_EXE_quorum-pdf-worker").into(),
        library,
        2,
        0,
    ));
    let readers: Vec<_> = [REPORT, "04-de-an-chinh-trang-do-thi.pdf"]
        .into_iter()
        .map(|name| {
            let service = service.clone();
            std::thread::spawn(move || {
                for page in 0..8 {
                    service.render(&sample(name), page, 800).unwrap();
                }
            })
        })
        .collect();
    for reader in readers {
        reader.join().unwrap();
    }
    assert_eq!(
        service.worker_pids().len(),
        2,
        "two readers at once kept two workers busy"
    );

    let dropped = service.render_strip(&sample(REPORT), 9, 800, None, &|| false);
    assert_eq!(
        dropped.map(|_| ()),
        Err(PdfError::NoLongerWanted),
        "a page scrolled away is dropped"
    );
    assert!(
        !service.is_cached(&sample(REPORT), 9, 800),
        "and nothing was rendered for it"
    );
}
