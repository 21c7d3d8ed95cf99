//! Real documents nobody here wrote, from Debian's packages (scripts/test.sh fetches
//! them into $QUORUM_TEST_PDFS): a 184-page text manual and a 42-page guide with images.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod common;

use std::path::PathBuf;

use common::service;

fn real(name: &str) -> PathBuf {
    let dir = std::env::var_os("QUORUM_TEST_PDFS").expect("scripts/test.sh sets QUORUM_TEST_PDFS");
    let path = PathBuf::from(dir).join(name);
    assert!(
        path.is_file(),
        "{} is fetched by scripts/test.sh",
        path.display()
    );
    path
}

/// Share of pixels that are not near-white: how much of the page is ink or image.
fn coverage(bgra: &[u8]) -> f64 {
    let inked = bgra
        .chunks(4)
        .filter(|p| p[0] < 200 || p[1] < 200 || p[2] < 200)
        .count();
    inked as f64 / (bgra.len() / 4) as f64
}

#[test]
fn a_long_manual_opens_renders_and_reads() {
    let service = service();
    let manual = real("why3-manual.pdf");
    let info = service.info(&manual).unwrap();
    assert_eq!(info.pages.len(), 184, "the Why3 manual has 184 pages");
    let page = service.render(&manual, 99, 1200).unwrap();
    assert_eq!(page.width, 1200, "rendered at the asked width");
    let ink = coverage(page.bgra());
    assert!(
        ink > 0.005 && ink < 0.5,
        "page 100 is text on paper ({:.1}% ink)",
        ink * 100.0
    );
    let text: String = service
        .text(&manual, 0)
        .unwrap()
        .iter()
        .map(|c| c.ch)
        .collect();
    assert!(
        text.contains("Why3"),
        "the title page names the tool: {:?}",
        &text[..text.len().min(200)]
    );
}

#[test]
fn a_guide_with_images_renders_every_sampled_page() {
    let service = service();
    let guide = real("gs-color-management.pdf");
    let info = service.info(&guide).unwrap();
    assert_eq!(
        info.pages.len(),
        42,
        "the colour-management guide has 42 pages"
    );
    for index in [0u32, 10, 41] {
        let page = service.render(&guide, index, 800).unwrap();
        assert!(
            coverage(page.bgra()) > 0.01,
            "page {} shows something",
            index + 1
        );
    }
}
