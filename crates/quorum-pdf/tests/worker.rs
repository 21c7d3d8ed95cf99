//! The PDF service with a real worker process, real libpdfium and real PDFs.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{REPORT, assert_report_opens, fixture, sample, service};
use quorum_core::{
    Annotation, AnnotationShape, Color, DocumentId, InkStroke, MemberId, PagePoint, PageRect,
    Sha256Hex,
};
use quorum_pdf::{
    ExportedAnnotation, LineStyle, PdfError, PdfService, Priority, Report, ReportLine,
    locate_library,
};

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
    assert_eq!(page.bgra().len(), 600 * 849 * 4, "four bytes a pixel");
    let dark = page
        .bgra()
        .chunks(4)
        .filter(|p| p[0] < 100 && p[1] < 100 && p[2] < 100)
        .count();
    let white = page
        .bgra()
        .chunks(4)
        .filter(|p| p[0] > 240 && p[1] > 240 && p[2] > 240)
        .count();
    assert!(dark > 1000, "the text is drawn ({dark} dark pixels)");
    assert!(
        white > page.bgra().len() / 8,
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
    assert_report_opens(&service, "good documents still open");
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
        Err(PdfError::LibraryUnusable { detail }) => {
            assert!(detail.contains("/nowhere/libpdfium.so"), "{detail}");
            assert!(!detail.contains('\n'), "said in one line: {detail}");
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
    assert_report_opens(&service, "and the reader goes on");
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
            .render_strip(
                &poster,
                0,
                4096,
                Some(Strip { top, height: 2048 }),
                Priority::Shown,
                &|| true,
            )
            .unwrap();
        assert_eq!(strip.width, 4096, "every strip is the page's full width");
        assert!(
            u64::from(strip.width) * u64::from(strip.height) <= MAX_BITMAP_PIXELS,
            "each strip fits"
        );
        rows += strip.height;
        ink_by_strip.push(strip.bgra().chunks(4).filter(|p| p[0] < 100).count());
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

/// Shared memory the worker `pid` holds, in MB: the page memory it draws into.
fn shared_memory_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("RssShmem:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap();
    kb / 1024
}

#[test]
fn the_memory_a_poster_took_to_draw_is_given_back_once_smaller_pages_follow() {
    use quorum_pdf::Strip;
    let service = PdfService::with_workers(
        env!("CARGO_BIN_EXE_quorum-pdf-worker").into(),
        locate_library().unwrap(),
        1,
        0,
    );
    let poster = fixture("poster-a0.pdf");
    let strip = Some(Strip {
        top: 0,
        height: 4096,
    });
    service
        .render_strip(&poster, 0, 4096, strip, Priority::Shown, &|| true)
        .unwrap();
    let worker = service.worker_pids()[0];
    let drawing_the_poster = shared_memory_mb(worker);
    assert!(
        drawing_the_poster >= 60,
        "a 4096 × 4096 strip is 64 MB of pixels: {drawing_the_poster} MB"
    );
    for page in 0..3 {
        service.render(&sample(REPORT), page, 1200).unwrap();
    }
    let reading_on = shared_memory_mb(worker);
    assert!(
        reading_on <= 10,
        "pages 1200 px wide keep about 8 MB, not the poster's 64: {reading_on} MB"
    );
    assert_eq!(
        service.worker_pids(),
        vec![worker],
        "the same worker throughout"
    );
}

#[test]
fn while_the_worker_is_busy_the_page_on_screen_goes_before_thumbnails_and_pages_ahead() {
    use std::sync::Mutex;
    let service = PdfService::with_workers(
        env!("CARGO_BIN_EXE_quorum-pdf-worker").into(),
        locate_library().unwrap(),
        1,
        0,
    );
    let report = sample(REPORT);
    let served = Mutex::new(Vec::new());
    // Each request says when it gets the worker.
    let ask = |page: u32, priority: Priority, hold: Duration| {
        let served = &served;
        let report = &report;
        let service = &service;
        move || {
            service
                .render_strip(report, page, 300, None, priority, &|| {
                    served.lock().unwrap().push(priority);
                    // The first request keeps the worker until the others wait in line.
                    std::thread::sleep(hold);
                    true
                })
                .unwrap();
        }
    };
    std::thread::scope(|threads| {
        threads.spawn(ask(0, Priority::Near, Duration::from_millis(500)));
        std::thread::sleep(Duration::from_millis(100));
        threads.spawn(ask(1, Priority::Ahead, Duration::ZERO));
        threads.spawn(ask(2, Priority::Thumbnail, Duration::ZERO));
        std::thread::sleep(Duration::from_millis(50));
        threads.spawn(ask(3, Priority::Shown, Duration::ZERO));
    });
    assert_eq!(
        *served.lock().unwrap(),
        vec![
            Priority::Near,
            Priority::Shown,
            Priority::Thumbnail,
            Priority::Ahead
        ],
        "the worker, once free, goes to the page on screen though it asked last"
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

    let dropped = service.render_strip(&sample(REPORT), 9, 800, None, Priority::Near, &|| false);
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

/// A member's annotation, made at a fixed time, as the export receives it.
fn by_lan(page: u32, color: Color, shape: AnnotationShape) -> ExportedAnnotation {
    let at: DateTime<Utc> = "2025-03-14T09:30:00Z".parse().unwrap();
    ExportedAnnotation {
        annotation: Annotation::private(
            DocumentId::new_v7(),
            Sha256Hex::from_digest(&[7; 32]),
            page,
            MemberId::new_v7(),
            color,
            shape,
            at,
        ),
        author_name: "Nguyễn Thị Lan".into(),
    }
}

const NOTE: &str = "Đề nghị bổ sung số liệu quý III";

fn rect(left: f32, bottom: f32, right: f32, top: f32) -> PageRect {
    PageRect {
        left,
        bottom,
        right,
        top,
    }
}

fn stroke(points: &[(f32, f32)]) -> InkStroke {
    InkStroke {
        points: points.iter().map(|&(x, y)| PagePoint { x, y }).collect(),
        width: 2.0,
    }
}

/// One annotation of each kind over pages 0 and 1, and one deleted.
fn one_of_each() -> Vec<ExportedAnnotation> {
    let mut deleted = by_lan(
        1,
        Color::Green,
        AnnotationShape::Highlight {
            rects: vec![rect(72.0, 500.0, 200.0, 514.0)],
            text: "đã xoá".into(),
        },
    );
    deleted.annotation.deleted = true;
    vec![
        by_lan(
            0,
            Color::Yellow,
            AnnotationShape::Highlight {
                rects: vec![
                    rect(72.0, 700.0, 300.0, 714.0),
                    rect(72.0, 684.0, 180.0, 698.0),
                ],
                text: "tăng trưởng kinh tế".into(),
            },
        ),
        by_lan(
            0,
            Color::Blue,
            AnnotationShape::Note {
                at: PagePoint { x: 480.0, y: 780.0 },
                text: NOTE.into(),
            },
        ),
        by_lan(
            0,
            Color::Red,
            AnnotationShape::Ink {
                strokes: vec![
                    stroke(&[(100.0, 400.0), (150.0, 420.0), (200.0, 400.0)]),
                    stroke(&[
                        (100.0, 380.0),
                        (130.0, 370.0),
                        (170.0, 372.0),
                        (200.0, 380.0),
                    ]),
                ],
            },
        ),
        by_lan(
            1,
            Color::Green,
            AnnotationShape::Underline {
                rects: vec![rect(72.0, 600.0, 250.0, 612.0)],
                text: "dự toán".into(),
            },
        ),
        by_lan(
            1,
            Color::Red,
            AnnotationShape::StrikeOut {
                rects: vec![rect(72.0, 560.0, 220.0, 572.0)],
                text: "không cần thiết".into(),
            },
        ),
        by_lan(
            1,
            Color::Black,
            AnnotationShape::Rectangle {
                rect: rect(300.0, 300.0, 500.0, 400.0),
            },
        ),
        deleted,
    ]
}

#[test]
fn an_annotated_copy_carries_each_annotation_as_pdfium_reads_it_and_leaves_the_source_alone() {
    let service = service();
    let source = sample(REPORT);
    let before = std::fs::read(&source).unwrap();
    assert!(
        service.annotations(&source).unwrap().is_empty(),
        "the sample report has no annotations of its own"
    );
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("bao-cao-cua-toi.pdf");

    let written = service.export(&source, &output, &one_of_each()).unwrap();

    assert_eq!(
        written, 6,
        "six annotations written, the deleted one left out"
    );
    assert_eq!(
        std::fs::read(&source).unwrap(),
        before,
        "the original document is unchanged byte for byte"
    );
    assert!(
        !dir.path().join("bao-cao-cua-toi.pdf.part").exists(),
        "no partial file is left beside the copy"
    );
    let found = service.annotations(&output).unwrap();
    let kinds: Vec<(u32, &str)> = found.iter().map(|a| (a.page, a.subtype.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (0, "Highlight"),
            (0, "Text"),
            (0, "Ink"),
            (1, "Underline"),
            (1, "StrikeOut"),
            (1, "Square")
        ],
        "each kind became its PDF annotation, on its page"
    );
    let [highlight, note, ink, underline, strike, square] = &found[..] else {
        unreachable!("six annotations, checked above")
    };
    assert_eq!(note.contents, NOTE, "the Vietnamese note reads back intact");
    let expected = rect(72.0, 684.0, 300.0, 714.0);
    for (got, want) in [
        (highlight.rect.left, expected.left),
        (highlight.rect.bottom, expected.bottom),
        (highlight.rect.right, expected.right),
        (highlight.rect.top, expected.top),
    ] {
        assert!(
            (got - want).abs() <= 1.0,
            "the highlight covers the two marked lines: {:?}",
            highlight.rect
        );
    }
    assert_eq!(highlight.quads, 2, "one quadrilateral per marked line");
    assert_eq!(
        highlight.contents, "tăng trưởng kinh tế",
        "a highlight carries the marked text"
    );
    assert_eq!(
        (underline.quads, strike.quads),
        (1, 1),
        "underline and strike-out mark their line"
    );
    assert_eq!(strike.contents, "không cần thiết", "with its text");
    assert_eq!(
        ink.ink_strokes,
        [3, 4],
        "the pen's two strokes, every point kept"
    );
    assert!(
        square.rect.left <= 300.0 && square.rect.right >= 500.0,
        "the rectangle is where it was drawn: {:?}",
        square.rect
    );
    for annotation in &found {
        assert_eq!(
            annotation.author, "Nguyễn Thị Lan",
            "{} names its author",
            annotation.subtype
        );
        assert!(
            annotation.has_appearance,
            "{} has an appearance stream, so every reader draws it",
            annotation.subtype
        );
    }
}

/// The object a qpdf JSON value stands for: itself, or the object it refers to.
fn resolve<'a>(
    objects: &'a serde_json::Value,
    value: &'a serde_json::Value,
) -> &'a serde_json::Value {
    match value.as_str().filter(|s| s.ends_with(" R")) {
        Some(reference) => {
            let object = &objects[format!("obj:{reference}")];
            if object["stream"].is_object() {
                object
            } else {
                &object["value"]
            }
        }
        None => value,
    }
}

#[test]
fn another_pdf_library_finds_standard_annotations_that_it_can_draw() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("bao-cao-cua-toi.pdf");
    service()
        .export(&sample(REPORT), &output, &one_of_each())
        .unwrap();

    let qpdf = |args: &[&str]| {
        std::process::Command::new("qpdf")
            .args(args)
            .arg(&output)
            .output()
            .expect("qpdf is installed (scripts/setup.sh)")
    };
    let check = qpdf(&["--check"]);
    assert!(
        check.status.success(),
        "qpdf finds the copy well formed: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    let json = qpdf(&["--json=2", "--json-key=pages", "--json-key=qpdf"]);
    assert!(json.status.success(), "qpdf reads the copy");
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let objects = &json["qpdf"][1];
    let pages = json["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 14, "every page of the report is in the copy");

    let annotations_of = |page: usize| -> Vec<&serde_json::Value> {
        let page = resolve(objects, &pages[page]["object"]);
        resolve(objects, &page["/Annots"])
            .as_array()
            .map(|refs| refs.iter().map(|r| resolve(objects, r)).collect())
            .unwrap_or_default()
    };
    let subtypes = |page: usize| -> Vec<&str> {
        annotations_of(page)
            .iter()
            .map(|a| a["/Subtype"].as_str().unwrap())
            .collect()
    };
    assert_eq!(
        subtypes(0),
        ["/Highlight", "/Text", "/Ink"],
        "page 1 holds the highlight, the note and the ink"
    );
    assert_eq!(
        subtypes(1),
        ["/Underline", "/StrikeOut", "/Square"],
        "page 2 holds the underline, the strike-out and the rectangle"
    );
    assert!(
        (2..14).all(|page| annotations_of(page).is_empty()),
        "no other page gained annotations"
    );

    for annotation in annotations_of(0).into_iter().chain(annotations_of(1)) {
        let subtype = annotation["/Subtype"].as_str().unwrap();
        let normal = resolve(objects, &annotation["/AP"]["/N"]);
        assert!(
            normal["stream"]["dict"]["/BBox"].is_array(),
            "{subtype} has a normal appearance stream, which poppler, Chrome and Okular draw"
        );
        assert_eq!(annotation["/F"], 4, "{subtype} is printed with the page");
    }
    let [highlight, note, ink] = annotations_of(0)[..] else {
        unreachable!("three annotations on page 1, checked above")
    };
    let numbers = |value: &serde_json::Value| -> Vec<f64> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_f64().unwrap())
            .collect()
    };
    assert_eq!(
        numbers(&highlight["/QuadPoints"]),
        [
            72.0, 714.0, 300.0, 714.0, 72.0, 700.0, 300.0, 700.0, // first line
            72.0, 698.0, 180.0, 698.0, 72.0, 684.0, 180.0, 684.0, // second line
        ],
        "each line's corners run upper left, upper right, lower left, lower right, as Acrobat expects"
    );
    assert_eq!(
        note["/Contents"],
        format!("u:{NOTE}"),
        "the note's Vietnamese text is a proper PDF text string"
    );
    let strokes = ink["/InkList"].as_array().unwrap();
    assert_eq!(
        strokes.iter().map(|s| numbers(s).len()).collect::<Vec<_>>(),
        [6, 8],
        "the ink keeps its two strokes as an /InkList of x, y pairs"
    );
    assert_eq!(ink["/Border"][2], 2, "the ink's line is as wide as the pen");
}

#[test]
fn an_annotation_on_a_page_the_document_lacks_fails_the_export_and_writes_nothing() {
    let service = service();
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("bao-cao-cua-toi.pdf");
    let mut annotations = one_of_each();
    annotations.push(by_lan(
        14,
        Color::Yellow,
        AnnotationShape::Note {
            at: PagePoint { x: 100.0, y: 100.0 },
            text: "trang 15".into(),
        },
    ));

    let error = service
        .export(&sample(REPORT), &output, &annotations)
        .unwrap_err();

    assert_eq!(
        error,
        PdfError::PageOutOfRange {
            page: 14,
            page_count: 14
        },
        "the annotation's page is named, with how many the document has"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "neither a copy nor a partial file was written"
    );

    let nowhere = dir.path().join("unplugged").join("bao-cao-cua-toi.pdf");
    assert!(
        matches!(
            service.export(&sample(REPORT), &nowhere, &one_of_each()),
            Err(PdfError::Pdfium(message)) if message.contains("unplugged")
        ),
        "a folder that is gone is an error naming it, not a crash"
    );
    annotations.pop();
    assert_eq!(
        service.export(&sample(REPORT), &output, &annotations),
        Ok(6),
        "and the same worker exports the good annotations afterwards"
    );
}

const POLL_TITLE: &str = "Nghị quyết thông qua dự toán ngân sách năm 2027 – Đồng ý";
const FIRST_LINE: &str =
    "Kết quả biểu quyết: Đồng ý 45, Không đồng ý 3, Ý kiến khác 2 – nghị quyết được thông qua.";
const LAST_LINE: &str = "Thư ký kỳ họp ghi lại; chủ tọa xác nhận.";

/// A Vietnamese poll result of 120 lines in every style, every third one long enough
/// to wrap.
fn poll_report() -> Report {
    let mut lines = vec![ReportLine {
        text: FIRST_LINE.into(),
        style: LineStyle::Normal,
    }];
    for n in 1..=118 {
        let (text, style) = match n {
            n if n % 20 == 1 => (
                format!("Phần {}: ý kiến đại biểu", n / 20 + 1),
                LineStyle::Heading,
            ),
            n if n % 3 == 0 => (
                format!(
                    "Đại biểu số {n} phát biểu: đề nghị Ủy ban nhân dân tỉnh rà soát kỹ các khoản \
                     chi thường xuyên, ưu tiên vốn cho giáo dục, y tế và hạ tầng giao thông nông \
                     thôn; đồng thời công khai tiến độ giải ngân hằng quý để cử tri được biết."
                ),
                LineStyle::Normal,
            ),
            n if n % 7 == 0 => (format!("Đại biểu số {n}: Đồng ý"), LineStyle::Bold),
            n if n % 5 == 0 => (format!("Ghi chú {n}: phiếu hợp lệ"), LineStyle::Small),
            n => (format!("Đại biểu số {n}: Không đồng ý"), LineStyle::Normal),
        };
        lines.push(ReportLine { text, style });
    }
    lines.push(ReportLine {
        text: LAST_LINE.into(),
        style: LineStyle::Normal,
    });
    Report {
        title: POLL_TITLE.into(),
        lines,
    }
}

/// Text with every run of whitespace as one space: how lines compare once wrapped.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_report_prints_vietnamese_wrapped_within_the_margins_on_numbered_pages() {
    // The margin an administrative print-out keeps: 2 cm, in points, as the reader
    // measures it — not the implementation's own constant.
    const MARGIN: f32 = 2.0 / 2.54 * 72.0;
    let service = service();
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("ket-qua-bieu-quyet.pdf");
    let report = poll_report();
    assert_eq!(report.lines.len(), 120, "the report has 120 lines");

    let pages = service.write_report(&output, &report).unwrap();

    let info = service.info(&output).unwrap();
    assert!(pages >= 2, "120 lines need more than one page, got {pages}");
    assert_eq!(
        info.pages.len(),
        pages as usize,
        "the answer counts the pages written"
    );
    let texts = service.pages_text(&output).unwrap();
    let first = words(&texts[0]);
    assert!(
        first.starts_with(POLL_TITLE),
        "page 1 opens with the title, every diacritic intact: {first:?}"
    );
    assert!(
        first.contains(FIRST_LINE),
        "the first line follows, every diacritic intact: {first:?}"
    );
    let last = words(&texts[texts.len() - 1]);
    assert!(
        last.contains(LAST_LINE),
        "the last line is on the last page: {last:?}"
    );

    // Each page ends with its number; without them the pages read as the report.
    let mut body = String::new();
    for (index, text) in texts.iter().enumerate() {
        let number = format!("{} / {pages}", index + 1);
        let text = words(text);
        let Some(lines) = text.strip_suffix(&number) else {
            panic!(
                "page {} ends with its number {number:?}: {text:?}",
                index + 1
            )
        };
        body.push_str(lines);
        body.push(' ');
    }
    let body = words(&body);
    let mut rest = body.as_str();
    for line in std::iter::once(POLL_TITLE).chain(report.lines.iter().map(|l| l.text.as_str())) {
        let at = rest
            .find(&words(line))
            .unwrap_or_else(|| panic!("{line:?} is printed whole, after the lines before it"));
        rest = &rest[at + words(line).len()..];
    }

    let mut widest = 0.0f32;
    for (index, size) in info.pages.iter().enumerate() {
        assert!(
            (size.width - 595.3).abs() < 1.0 && (size.height - 841.9).abs() < 1.0,
            "page {} is A4: {size:?}",
            index + 1
        );
        let chars = service.text(&output, index as u32).unwrap();
        for c in chars.iter().filter(|c| !c.ch.is_whitespace()) {
            assert!(
                c.right <= size.width - MARGIN + 1.0 && c.left >= MARGIN - 1.0,
                "{:?} on page {} stays within the side margins: {c:?}",
                c.ch,
                index + 1
            );
            widest = widest.max(c.right);
        }
    }
    assert!(
        widest > 595.3 - MARGIN - 20.0,
        "long lines run up to the right margin before they wrap (widest reaches {widest})"
    );
}

#[test]
fn another_pdf_reader_extracts_the_report_and_finds_its_fonts_embedded() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("ket-qua-bieu-quyet.pdf");
    service().write_report(&output, &poll_report()).unwrap();

    // Options, the file, then where to (`-`: standard output).
    let poppler = |tool: &str, options: &[&str], to: &[&str]| {
        let run = std::process::Command::new(tool)
            .args(options)
            .arg(&output)
            .args(to)
            .output()
            .unwrap_or_else(|e| {
                panic!("{tool} is installed (poppler-utils, scripts/setup.sh): {e}")
            });
        assert!(run.status.success(), "{tool} reads the report");
        String::from_utf8(run.stdout).unwrap()
    };
    let text = words(&poppler(
        "pdftotext",
        &["-f", "1", "-l", "1", "-enc", "UTF-8"],
        &["-"],
    ));
    assert!(
        text.contains(POLL_TITLE),
        "poppler extracts the Vietnamese title as written: {text:?}"
    );
    let fonts = poppler("pdffonts", &[], &[]);
    for name in ["DejaVuSans", "DejaVuSans-Bold"] {
        let row = fonts
            .lines()
            .find(|row| {
                row.split_whitespace()
                    .next()
                    .is_some_and(|n| n.ends_with(name))
            })
            .unwrap_or_else(|| panic!("{name} is used: {fonts}"));
        let columns: Vec<&str> = row.split_whitespace().collect();
        // name, type (one or two words), encoding, then emb, sub, uni, object number, generation
        let [emb, _sub, uni, _, _] = columns[columns.len() - 5..] else {
            unreachable!("pdffonts prints five columns after the encoding")
        };
        assert_eq!(emb, "yes", "{name} is embedded: {row}");
        assert_eq!(uni, "yes", "{name} maps its glyphs back to Unicode: {row}");
    }
}

#[test]
fn a_report_over_one_just_read_is_read_anew() {
    let service = service();
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("bien-ban.pdf");
    let report = |title: &str| Report {
        title: title.into(),
        lines: vec![ReportLine {
            text: "Nội dung".into(),
            style: LineStyle::Normal,
        }],
    };
    assert_eq!(
        service.write_report(&output, &report("Bản nháp")),
        Ok(1),
        "one page"
    );
    assert!(
        service.pages_text(&output).unwrap()[0].contains("Bản nháp"),
        "the draft is read, and the worker keeps it open"
    );

    service
        .write_report(&output, &report("Bản chính thức"))
        .unwrap();

    let text = &service.pages_text(&output).unwrap()[0];
    assert!(
        text.contains("Bản chính thức") && !text.contains("Bản nháp"),
        "the new report is read, not the one the worker had open: {text:?}"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["bien-ban.pdf"], "no partial file is left behind");
}

#[test]
fn a_report_into_a_folder_that_is_gone_fails_clearly_and_writes_nothing() {
    let service = service();
    let dir = tempfile::tempdir().unwrap();
    let nowhere = dir.path().join("unplugged").join("ket-qua.pdf");

    let error = service.write_report(&nowhere, &poll_report()).unwrap_err();

    assert!(
        matches!(&error, PdfError::Pdfium(message)
            if message.contains("could not write") && message.contains("unplugged")),
        "the error says the file could not be written and names where: {error}"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "neither a report nor a partial file was written"
    );
    let here = dir.path().join("ket-qua.pdf");
    assert!(
        service.write_report(&here, &poll_report()).unwrap() >= 2,
        "and the same worker writes the report where it can"
    );
}
