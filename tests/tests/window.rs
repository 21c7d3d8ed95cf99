//! The real window: what a member sees when they open Quorum.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::io::Write as _;
use std::path::Path;

use quorum_core::Clock as _;
use quorum_e2e::fantoccini::actions::{
    InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
};
use quorum_e2e::processes::{
    DemoHub, HubProcess, Laptop, audit_verify_against, code_for, demo_hub, hub_admin_output,
    processes_named, replace_document, synced_laptop,
};
use quorum_e2e::signing::{CrlServer, signed_by_test_signer, test_ca};
use quorum_e2e::{AppWindow, COMPOSITING, signatures_data};
use sha2::Digest;

const SAMPLE_TITLE: &str = "Phiên họp thường kỳ UBND quận tháng 12";

/// Starts the window on `profile` and opens its only meeting (the sample).
async fn open_the_sample_meeting(profile: &std::path::Path) -> AppWindow {
    open_the_sample_meeting_with(profile, &[]).await
}

/// As [`open_the_sample_meeting`], with `env` set for the app.
async fn open_the_sample_meeting_with(
    profile: &std::path::Path,
    env: &[(&str, &str)],
) -> AppWindow {
    let window = AppWindow::launch_with(profile, env).await;
    window.enter_the_demo().await;
    window.wait_for_count("[data-testid=meeting-row]", 1).await[0]
        .click()
        .await
        .unwrap();
    window
}

/// Starts the window on `profile` (the sample loads into it) and opens the 14-page
/// economic report of the sample meeting in the viewer.
async fn open_the_sample_report(profile: &std::path::Path) -> AppWindow {
    open_the_report_of(profile, 14).await
}

/// Opens the sample meeting's economic report, whose current version has `pages`.
async fn open_the_report_of(profile: &std::path::Path, pages: usize) -> AppWindow {
    let window = AppWindow::launch(profile).await;
    window.enter_the_demo().await;
    window.open_demo_document(1, pages).await;
    window
}

/// Where page `n` (from 1) is in the window: left, top, width, height in CSS pixels.
async fn page_box(window: &AppWindow, n: u32) -> [f64; 4] {
    let rect = window
        .client
        .execute(
            &format!(
                "const r = document.querySelector('[data-page=\"{n}\"]').getBoundingClientRect(); \
                 return [r.left, r.top, r.width, r.height];"
            ),
            vec![],
        )
        .await
        .unwrap();
    [0, 1, 2, 3].map(|i| rect[i].as_f64().unwrap())
}

/// A mouse drag on page `n` between two points given as fractions of the page's size.
async fn drag_across(window: &AppWindow, from: (f64, f64), to: (f64, f64), n: u32) {
    let [left, top, width, height] = page_box(window, n).await;
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: left + from.0 * width,
            y: top + from.1 * height,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveTo {
            duration: Some(std::time::Duration::from_millis(200)),
            x: left + to.0 * width,
            y: top + to.1 * height,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    window.client.perform_actions(drag).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_opens_the_sample_meeting_and_switches_to_english() {
    let profile = tempfile::tempdir().unwrap();
    let window = AppWindow::launch(profile.path()).await;
    eprintln!("window up {:?} after launch", window.startup);

    // First start: Vietnamese, on the join screen, which offers the sample meeting.
    window
        .wait_for_text("[data-testid=join-screen] h1", "Tham gia ủy ban của bạn")
        .await;
    window.click("[data-testid=try-demo]").await;
    window.wait_for_text("aside h2", "Cuộc họp").await;
    let rows = window.wait_for_count("[data-testid=meeting-row]", 1).await;
    let row_text = rows[0].text().await.unwrap();
    assert!(
        row_text.contains(SAMPLE_TITLE),
        "the sample meeting is listed: {row_text:?}"
    );
    assert!(
        row_text.contains("6 nội dung"),
        "the list counts six items in Vietnamese: {row_text:?}"
    );
    rows[0].click().await.unwrap();

    window
        .wait_for_text("[data-testid=meeting-title]", SAMPLE_TITLE)
        .await;
    window
        .wait_for_text("[data-testid=agenda-heading]", "Chương trình họp")
        .await;
    let items = window.wait_for_count("[data-testid=agenda-item]", 6).await;
    let first = items[0].text().await.unwrap();
    assert!(
        first.contains("Khai mạc"),
        "items are in agenda order: {first:?}"
    );
    assert!(
        first.contains("Trình bày:"),
        "presenter label in Vietnamese: {first:?}"
    );
    let documents = window.wait_for_count("[data-testid=document]", 7).await;
    let report = documents[1].text().await.unwrap();
    assert!(
        report.contains("14 trang"),
        "the report shows its page count: {report:?}"
    );
    window.screenshot("sample-meeting-vi").await;

    window.click("[data-testid=lang-en]").await;
    window
        .wait_for_text("[data-testid=agenda-heading]", "Agenda")
        .await;
    window.wait_for_text("aside h2", "Meetings").await;
    let presenter = window
        .find("[data-testid=agenda-presenter]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        presenter.starts_with("Presented by"),
        "presenter label in English: {presenter:?}"
    );
    assert!(
        presenter.contains("10 minutes"),
        "minutes in English: {presenter:?}"
    );
    let report = window.wait_for_count("[data-testid=document]", 7).await[1]
        .text()
        .await
        .unwrap();
    assert!(
        report.contains("14 pages"),
        "page count in English: {report:?}"
    );
    let shot = window.screenshot("sample-meeting-en").await;
    eprintln!("screenshot: {}", shot.display());
    window.close().await;

    // The choice of language belongs to this laptop and survives a restart.
    let window = AppWindow::launch(profile.path()).await;
    window.wait_for_text("aside h2", "Meetings").await;
    window.wait_for_count("[data-testid=meeting-row]", 1).await;
    window.close().await;
}

/// Opens the window on a profile whose store file is `store_bytes`, checks the message
/// the member reads, and that the file is byte for byte as it was.
async fn assert_store_refused_in_window(
    store_bytes: &[u8],
    code: &str,
    words: &[&str],
    shot: &str,
) {
    let profile = tempfile::tempdir().unwrap();
    let store = profile.path().join("store.sqlite3");
    std::fs::write(&store, store_bytes).unwrap();

    let window = AppWindow::launch(profile.path()).await;
    let panel = window.find("[data-testid=error-panel]").await;
    assert_eq!(
        panel.attr("data-code").await.unwrap().as_deref(),
        Some(code),
        "the window names the problem"
    );
    let message = window
        .find("[data-testid=error-message]")
        .await
        .text()
        .await
        .unwrap();
    for word in words {
        assert!(
            message.contains(word),
            "the member reads, in Vietnamese, {word:?}: {message:?}"
        );
    }
    window.screenshot(shot).await;
    window.close().await;

    assert_eq!(
        std::fs::read(&store).unwrap(),
        store_bytes,
        "the refused store file is left as it was"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_store_is_explained_and_left_untouched() {
    let garbage = "Biên bản viết tay, không phải cơ sở dữ liệu.\n".repeat(200);
    assert_store_refused_in_window(
        garbage.as_bytes(),
        "storeNotADatabase",
        &["không phải là cơ sở dữ liệu", "giữ nguyên"],
        "damaged-store",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_store_database_is_explained_and_left_untouched() {
    // A real SQLite database, then one of its pages overwritten, as a failing disk would.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite3");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);")
        .unwrap();
    for n in 0..400 {
        conn.execute(
            "INSERT INTO notes (text) VALUES (?1)",
            [format!("Ghi chú số {n}: {}", "nội dung ".repeat(20))],
        )
        .unwrap();
    }
    drop(conn);
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    assert!(bytes.len() > 4 * page, "the database spans several pages");
    bytes[2 * page..3 * page].fill(0xA5);
    assert_store_refused_in_window(
        &bytes,
        "storeCorrupt",
        &["bị hỏng", "giữ nguyên"],
        "corrupt-store",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_from_a_newer_quorum_is_explained_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE from_the_future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    assert_store_refused_in_window(
        &std::fs::read(&path).unwrap(),
        "storeTooNew",
        &["phiên bản Quorum mới hơn", "giữ nguyên"],
        "store-from-newer-version",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_shows_the_pinned_hub_and_refuses_a_hub_with_another_certificate() {
    let DemoHub {
        data: _hub_data,
        members,
        hub,
    } = demo_hub();
    let profile = tempfile::tempdir().unwrap();
    Laptop::new(profile.path()).enroll(&hub, &code_for(&members, "member"));
    let window = AppWindow::launch(profile.path()).await;
    window
        .wait_for_attribute("[data-testid=sync-connection]", "data-state", "online")
        .await;
    window
        .wait_for_attribute(
            "[data-testid=sync-hub]",
            "data-certificate",
            &hub.fingerprint,
        )
        .await;
    let shown = window
        .find("[data-testid=sync-hub]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        shown.contains(&hub.url()) && shown.contains(&hub.fingerprint[..8]),
        "the member sees which hub, and which certificate, the laptop trusts: {shown:?}"
    );

    // Someone else's hub takes the address: same port, another certificate.
    let (address, pinned) = (hub.address.clone(), hub.fingerprint.clone());
    hub.kill();
    let impostor_data = tempfile::tempdir().unwrap();
    let impostor = HubProcess::start(impostor_data.path(), &address);
    assert_ne!(impostor.fingerprint, pinned, "a certificate of its own");
    window
        .wait_for_attribute(
            "[data-testid=sync-problem]",
            "data-problem",
            "certificateMismatch",
        )
        .await;
    window
        .wait_for_text(
            "[data-testid=sync-problem]",
            "Máy chủ đưa ra chứng thư khác với chứng thư đã ghim khi đăng ký: có thể đây không phải máy chủ của cơ quan. Không đồng bộ; hãy báo bộ phận CNTT.",
        )
        .await;
    window
        .wait_for_attribute("[data-testid=sync-connection]", "data-state", "offline")
        .await;
    window.screenshot("sync-certificate-mismatch").await;
    let rows = window.wait_for_count("[data-testid=meeting-row]", 1).await;
    rows[0].click().await.unwrap();
    window.wait_for_count("[data-testid=agenda-item]", 6).await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_enrolled_laptop_shows_its_sync_state_and_stays_usable_when_the_hub_goes_down() {
    let DemoHub {
        data: _hub_data,
        members,
        hub,
    } = demo_hub();
    let profile = tempfile::tempdir().unwrap();
    Laptop::new(profile.path()).enroll(&hub, &code_for(&members, "chair"));

    // The window syncs on its own: the meeting and all seven documents arrive.
    let window = AppWindow::launch(profile.path()).await;
    window
        .wait_for_attribute("[data-testid=sync-connection]", "data-state", "online")
        .await;
    window
        .wait_for_text("[data-testid=sync-documents]", "7/7 tài liệu trên máy")
        .await;
    let last = window
        .find("[data-testid=sync-last]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        last.starts_with("Đồng bộ lúc"),
        "the last sync time is shown: {last:?}"
    );
    let rows = window.wait_for_count("[data-testid=meeting-row]", 1).await;
    rows[0].click().await.unwrap();
    window.wait_for_count("[data-testid=agenda-item]", 6).await;
    // Documents that came by sync are made searchable as soon as they arrive.
    window
        .find("[data-testid=search-input]")
        .await
        .send_keys("bieu quyet thong qua")
        .await
        .unwrap();
    let hit = window.wait_for_count("[data-testid=search-hit]", 1).await[0]
        .text()
        .await
        .unwrap();
    assert!(
        hit.contains("Trang 10"),
        "the synced report is searchable: {hit:?}"
    );
    window.screenshot("sync-online").await;

    // The hub goes away: the window says so and everything on the laptop stays readable.
    hub.kill();
    window
        .wait_for_attribute("[data-testid=sync-connection]", "data-state", "offline")
        .await;
    window.click("[data-testid=lang-en]").await;
    window
        .wait_for_text("[data-testid=sync-connection]", "Offline — still usable")
        .await;
    let rows = window.wait_for_count("[data-testid=meeting-row]", 1).await;
    rows[0].click().await.unwrap();
    window.wait_for_count("[data-testid=agenda-item]", 6).await;
    window.wait_for_count("[data-testid=document]", 7).await;
    window.screenshot("sync-offline").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_action_the_hub_refuses_is_shown_with_the_reason_in_vietnamese() {
    let DemoHub {
        data: _hub_data,
        members,
        hub,
    } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let chair = synced_laptop(&hub, laptops.path(), &members, "chair");
    let meeting_id = chair.run(&["meetings"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The secretary closes the meeting; the chair's laptop has not heard of it yet...
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    let mut meeting = secretary.run(&["show", &meeting_id])["meeting"].clone();
    meeting["status"] = "closed".into();
    let token = quorum_store::Store::open(&secretary.profile.join("store.sqlite3"))
        .unwrap()
        .device()
        .unwrap()
        .unwrap()
        .token;
    let closed = hub
        .client()
        .put(format!("{}/v1/meetings/{meeting_id}", hub.url()))
        .bearer_auth(token)
        .json(&meeting)
        .send()
        .await
        .unwrap();
    assert!(
        closed.status().is_success(),
        "the secretary closes the meeting"
    );
    // ...and checks in, which the hub will refuse.
    chair.run(&["check-in", &meeting_id]);

    let window = AppWindow::launch(&chair.profile).await;
    let refused = window.find("[data-testid=sync-rejected]").await;
    window
        .wait_for_text("[data-testid=sync-rejected]", "1 thao tác bị từ chối")
        .await;
    refused.click().await.unwrap();
    let list = window
        .find("[data-testid=rejected-list]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("Điểm danh") && list.contains("Cuộc họp đã kết thúc."),
        "the member reads what was refused and why, in Vietnamese: {list:?}"
    );
    window.screenshot("refused-action").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_opens_a_document_and_goes_to_page_ten() {
    let profile = tempfile::tempdir().unwrap();
    let window = open_the_sample_meeting(profile.path()).await;
    let documents = window
        .wait_for_count("[data-testid=open-document]", 7)
        .await;
    documents[1].click().await.unwrap();
    window
        .wait_for_text(
            "[data-testid=viewer-title]",
            "Báo cáo tình hình kinh tế – xã hội năm 2026",
        )
        .await;
    window
        .wait_for_text("[data-testid=viewer-count]", "/ 14")
        .await;
    window.wait_for_count("[data-page]", 14).await;

    let goto = window.find("[data-testid=viewer-goto]").await;
    goto.clear().await.unwrap();
    goto.send_keys("10\u{E007}").await.unwrap(); // Enter
    window
        .wait_for_attribute("[data-testid=viewer-pages]", "data-current", "10")
        .await;
    // The tenth page's image arrives from the PDF worker through the page: scheme.
    let deadline = std::time::Instant::now() + quorum_e2e::PATIENCE;
    loop {
        let loaded = window
            .client
            .execute(
                "const img = document.querySelector('[data-page=\"10\"] img'); return img && img.complete ? img.naturalWidth : 0;",
                vec![],
            )
            .await
            .unwrap();
        if loaded.as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "page 10 never loaded");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // A screenshot right after a change can show the previous frame.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let thumbnails = window.wait_for_count("[data-testid=thumbnail]", 14).await;
    assert_eq!(
        thumbnails[9].attr("aria-current").await.unwrap().as_deref(),
        Some("page"),
        "the sidebar shows where the reader is"
    );
    window.screenshot("document-page-10").await;
    thumbnails[2].click().await.unwrap();
    window
        .wait_for_attribute("[data-testid=viewer-pages]", "data-current", "3")
        .await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_search_without_diacritics_lands_on_the_page_with_the_words_marked() {
    let profile = tempfile::tempdir().unwrap();
    let window = open_the_sample_meeting(profile.path()).await;
    let search = window.find("[data-testid=search-input]").await;
    search
        .send_keys("bieu quyet thong qua cac chi tieu")
        .await
        .unwrap();
    // The text is extracted in the background right after start-up; the hit appears once
    // it is in. Hits for the first letters typed may show first: wait for the whole query's.
    window
        .wait_for_text(
            "[data-testid=search-hit] mark",
            "biểu quyết thông qua các chỉ tiêu",
        )
        .await;
    let hits = window.wait_for_count("[data-testid=search-hit]", 1).await;
    let hit = hits[0].text().await.unwrap();
    assert!(
        hit.contains("Báo cáo tình hình kinh tế") && hit.contains("Trang 10"),
        "the report's page 10: {hit:?}"
    );
    assert!(
        hit.contains("biểu quyết thông qua các chỉ tiêu"),
        "the snippet shows the real words: {hit:?}"
    );
    let marked = window
        .find("[data-testid=search-hit] mark")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        marked, "biểu quyết thông qua các chỉ tiêu",
        "the words found are marked as written, across the line break"
    );
    hits[0].click().await.unwrap();

    window
        .wait_for_attribute("[data-testid=viewer-pages]", "data-current", "10")
        .await;
    window
        .wait_for_count("[data-page=\"10\"] [data-testid=search-mark]", 1)
        .await;
    // The mark lets clicks through, so WebDriver will not measure it: ask the page.
    let size = window
        .client
        .execute(
            "const r = document.querySelector('[data-page=\"10\"] [data-testid=search-mark]').getBoundingClientRect(); return [r.width, r.height];",
            vec![],
        )
        .await
        .unwrap();
    let (width, height) = (size[0].as_f64().unwrap(), size[1].as_f64().unwrap());
    assert!(
        width > 50.0 && height > 5.0,
        "the match is marked where it stands: {width}×{height}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    window.screenshot("search-bieu-quyet").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_document_is_explained_and_the_rest_of_the_pack_stays_readable() {
    let profile = tempfile::tempdir().unwrap();
    // The demo loads the sample and its documents into the profile.
    let window = AppWindow::launch(profile.path()).await;
    window.enter_the_demo().await;
    window.wait_for_count("[data-testid=meeting-row]", 1).await;
    window.close().await;
    // The programme's bytes are then damaged on disk.
    let programme = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../assets/sample/documents/01-chuong-trinh.pdf"),
    )
    .unwrap();
    let sha256: String = sha2::Sha256::digest(&programme)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(
        profile.path().join("blobs").join(&sha256),
        b"%PDF-1.4 mangled",
    )
    .unwrap();

    let window = open_the_sample_meeting(profile.path()).await;
    let documents = window
        .wait_for_count("[data-testid=open-document]", 7)
        .await;
    documents[0].click().await.unwrap();
    let panel = window.find("[data-testid=error-panel]").await;
    assert_eq!(
        panel.attr("data-code").await.unwrap().as_deref(),
        Some("documentDamaged"),
        "the viewer names the problem"
    );
    let message = window
        .find("[data-testid=error-message]")
        .await
        .text()
        .await
        .unwrap();
    assert!(message.contains("bị hỏng"), "in Vietnamese: {message:?}");
    window.screenshot("damaged-document").await;

    window.click("[data-testid=viewer-back]").await;
    window
        .wait_for_count("[data-testid=open-document]", 7)
        .await[1]
        .click()
        .await
        .unwrap();
    window.wait_for_count("[data-testid=thumbnail]", 14).await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_zoomed_far_in_is_drawn_in_strips_that_all_arrive() {
    let profile = tempfile::tempdir().unwrap();
    let window = open_the_sample_report(profile.path()).await;
    let zoom_in = window.find("button[aria-label=\"Phóng to\"]").await;
    for _ in 0..8 {
        zoom_in.click().await.unwrap();
    }
    // At 400 % an A4 page is over 8 megapixels: it comes in strips, each a bitmap of its
    // own, each asked for when it scrolls into view.
    let deadline = std::time::Instant::now() + quorum_e2e::PATIENCE;
    loop {
        let loaded = window
            .client
            .execute(
                // Scroll to the first strip still missing, as a reader moving down would.
                "const s = [...document.querySelectorAll('[data-page=\"1\"] [data-testid=page-strip]')]; \
                 const done = i => i.complete && i.naturalWidth > 0; \
                 s.find(i => !done(i))?.scrollIntoView(); \
                 return [s.length, s.filter(done).length];",
                vec![],
            )
            .await
            .unwrap();
        let (strips, arrived) = (loaded[0].as_u64().unwrap(), loaded[1].as_u64().unwrap());
        if strips >= 2 && arrived == strips {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "page 1 at 400 %: {arrived} of {strips} strips arrived"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    window.screenshot("zoomed-in-strips").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn find_in_the_open_document_steps_through_the_pages_with_the_words() {
    let profile = tempfile::tempdir().unwrap();
    let window = open_the_sample_report(profile.path()).await;

    let find = window.find("[data-testid=viewer-find]").await;
    find.send_keys("ngan sach nha nuoc").await.unwrap();
    // The text is extracted in the background after start-up: press Enter until it answers.
    let deadline = std::time::Instant::now() + quorum_e2e::PATIENCE;
    let total = loop {
        find.send_keys("\u{E007}").await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let count = window
            .find("[data-testid=viewer-find-count]")
            .await
            .text()
            .await
            .unwrap();
        if let Some(total) = count.strip_prefix("1/") {
            break total.parse::<u32>().unwrap();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "find never answered: {count:?}"
        );
    };
    assert!(
        total >= 2,
        "the budget is spoken of on several pages ({total})"
    );
    let current = || async {
        let value = window
            .find("[data-testid=viewer-pages]")
            .await
            .attr("data-current")
            .await;
        value.unwrap().unwrap().parse::<u32>().unwrap()
    };
    let first = current().await;
    window
        .find(&format!(
            "[data-page=\"{first}\"] [data-testid=search-mark]"
        ))
        .await;
    find.send_keys("\u{E007}").await.unwrap();
    window
        .wait_for_text("[data-testid=viewer-find-count]", &format!("2/{total}"))
        .await;
    let second = current().await;
    assert!(
        second > first,
        "Enter moves on to a later page: {first} → {second}"
    );
    window
        .find(&format!(
            "[data-page=\"{second}\"] [data-testid=search-mark]"
        ))
        .await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_note_a_highlight_and_a_pen_stroke_stay_where_they_were_put_and_reach_the_hub_once() {
    let DemoHub {
        data: hub_data,
        members,
        hub,
    } = demo_hub();
    let profile = tempfile::tempdir().unwrap();
    let laptop = Laptop::new(profile.path());
    laptop.enroll(&hub, &code_for(&members, "member"));
    laptop.run(&["sync"]);

    let window = open_the_sample_report(profile.path()).await;
    window.click("[data-testid=note-tool]").await;
    window.click("[data-page=\"1\"]").await;
    let text = window.find("[data-testid=note-text]").await;
    text.send_keys("Hỏi lại số liệu thu ngân sách")
        .await
        .unwrap();
    window.click("[data-testid=note-save]").await;
    let note = window.find("[data-page=\"1\"] [data-testid=note]").await;
    assert!(
        note.text()
            .await
            .unwrap()
            .contains("Hỏi lại số liệu thu ngân sách"),
        "the note shows on the page"
    );
    let place = (
        note.attr("data-x").await.unwrap(),
        note.attr("data-y").await.unwrap(),
    );

    // A drag across a line of text with the highlight tool, as a mouse would.
    window.click("[data-testid=highlight-tool]").await;
    let [left, top, width, height] = page_box(&window, 1).await;
    drag_across(&window, (0.2, 0.4), (0.7, 0.4), 1).await;
    let highlight = window
        .find("[data-page=\"1\"] [data-testid=highlight]")
        .await;
    let marked = highlight
        .attr("data-text")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        marked.split_whitespace().count() >= 3,
        "the words under the drag are highlighted: {marked:?}"
    );

    // A blue pen stroke, drawn through several points below the highlight.
    window.click("[data-testid=pen-tool]").await;
    window.click("[data-testid=color-blue]").await;
    let pen_y = top + 0.5 * height;
    let mut pen = MouseActions::new("pen".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: left + 0.2 * width,
            y: pen_y,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        });
    for step in 1..=8 {
        let wobble = if step % 2 == 0 { 6.0 } else { -6.0 };
        pen = pen.then(PointerAction::MoveTo {
            duration: Some(std::time::Duration::from_millis(40)),
            x: left + (0.2 + 0.05 * f64::from(step)) * width,
            y: pen_y + wobble,
        });
    }
    window
        .client
        .perform_actions(pen.then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        }))
        .await
        .unwrap();
    let ink = window.find("[data-page=\"1\"] [data-testid=ink]").await;
    assert_eq!(
        ink.attr("stroke").await.unwrap().as_deref(),
        Some("#1f5fbf"),
        "the stroke is drawn in the chosen blue"
    );
    let stroke = ink.attr("points").await.unwrap().unwrap_or_default();
    assert!(
        stroke.split(' ').count() >= 5,
        "the stroke keeps its path: {stroke}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    window.screenshot("note-highlight-pen").await;

    // "My annotated copy": a PDF whose annotations another reader finds.
    window.click("[data-testid=export-copy]").await;
    let exported = window
        .find("[data-testid=export-result]")
        .await
        .attr("data-path")
        .await
        .unwrap()
        .expect("the window names the file it wrote");
    let pdf = quorum_pdf::PdfService::new(
        quorum_e2e::workspace_binary("quorum-pdf-worker", "QUORUM_PDF_WORKER"),
        quorum_pdf::locate_library().unwrap(),
    );
    let mut found: Vec<(u32, String)> = pdf
        .annotations(std::path::Path::new(&exported))
        .unwrap()
        .into_iter()
        .map(|a| (a.page, a.subtype))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (0, "Highlight".to_string()),
            (0, "Ink".to_string()),
            (0, "Text".to_string())
        ],
        "pdfium reads the note, the highlight and the stroke on page 1 of the copy"
    );
    let check = std::process::Command::new("qpdf")
        .args(["--check", &exported])
        .output()
        .expect("qpdf runs");
    assert!(
        check.status.success(),
        "qpdf finds the copy sound: {}",
        String::from_utf8_lossy(&check.stdout)
    );

    // The list of the member's notes, under the agenda item of the report.
    window.click("[data-testid=viewer-back]").await;
    window.click("[data-testid=my-notes]").await;
    let item = window.find("[data-testid=notes-item]").await;
    let listed = item.text().await.unwrap();
    assert!(
        listed.contains("Hỏi lại số liệu thu ngân sách") && listed.contains(&marked),
        "the note and the highlighted words are listed under the report's item: {listed}"
    );
    window.close().await;

    // After a restart the note is where it was put, in page coordinates.
    let window = open_the_sample_report(profile.path()).await;
    let note = window.find("[data-page=\"1\"] [data-testid=note]").await;
    let again = (
        note.attr("data-x").await.unwrap(),
        note.attr("data-y").await.unwrap(),
    );
    assert_eq!(again, place, "the note kept its place on the page");
    let highlight = window
        .find("[data-page=\"1\"] [data-testid=highlight]")
        .await;
    assert_eq!(
        highlight
            .attr("data-text")
            .await
            .unwrap()
            .unwrap_or_default(),
        marked,
        "the highlight covers the same words after a restart"
    );
    let ink = window.find("[data-page=\"1\"] [data-testid=ink]").await;
    assert_eq!(
        ink.attr("points").await.unwrap().unwrap_or_default(),
        stroke,
        "the stroke is where it was drawn after a restart"
    );
    window.close().await;

    // The next sync hands it to the hub, which applies it once.
    laptop.run(&["sync"]);
    laptop.run(&["sync"]);
    let db = rusqlite::Connection::open(hub_data.path().join("hub.sqlite3")).unwrap();
    let saved: i64 = db
        .query_row(
            "SELECT count(*) FROM operations WHERE payload LIKE '%saveAnnotation%' AND outcome LIKE '%applied%'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        saved, 3,
        "the note, the highlight and the stroke each reached the hub exactly once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_highlight_moves_to_the_same_words_when_a_page_is_inserted_before_them() {
    let DemoHub {
        data: _hub_data,
        members,
        hub,
    } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let laptop = synced_laptop(&hub, laptops.path(), &members, "member");
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");

    let window = open_the_sample_report(laptop.profile.as_path()).await;
    window.click("[data-testid=highlight-tool]").await;
    drag_across(&window, (0.2, 0.4), (0.7, 0.4), 1).await;
    let marked = window
        .find("[data-page=\"1\"] [data-testid=highlight]")
        .await
        .attr("data-text")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(!marked.is_empty(), "words were highlighted");
    // And a note beside the text.
    window.click("[data-testid=note-tool]").await;
    window.click("[data-page=\"1\"]").await;
    window
        .find("[data-testid=note-text]")
        .await
        .send_keys("Xem lại số liệu")
        .await
        .unwrap();
    window.click("[data-testid=note-save]").await;
    let note = window.find("[data-page=\"1\"] [data-testid=note]").await;
    let noted_at = (
        note.attr("data-x").await.unwrap(),
        note.attr("data-y").await.unwrap(),
    );
    window.close().await;
    laptop.run(&["sync"]);

    // The secretary puts a cover page in front of the report: a new version of 15 pages.
    let shown = secretary.run(&["show", secretary.only_meeting()["id"].as_str().unwrap()]);
    let path_of = |i: usize| shown["documents"][i]["path"].as_str().unwrap().to_string();
    let new_version = laptops.path().join("report-v2.pdf");
    let qpdf = std::process::Command::new("qpdf")
        .args(["--empty", "--pages", &path_of(0), "1", &path_of(1), "--"])
        .arg(&new_version)
        .status()
        .expect("qpdf runs");
    assert!(qpdf.success(), "the new version is made");
    let sha256 = quorum_e2e::processes::replace_document(
        &hub,
        &secretary,
        1,
        std::fs::read(&new_version).unwrap(),
        15,
    )
    .await;
    laptop.run(&["sync"]);
    assert!(
        laptop.blob_path(&sha256).exists(),
        "the member's laptop has the new version"
    );

    // The meeting page marks the report as updated, with the page that changed.
    let window = open_the_sample_meeting(laptop.profile.as_path()).await;
    window
        .wait_for_text(
            "[data-testid=document-updated]",
            "Đã cập nhật · trang thay đổi: 1",
        )
        .await;
    window.screenshot("document-updated").await;
    window
        .wait_for_count("[data-testid=open-document]", 7)
        .await[1]
        .click()
        .await
        .unwrap();
    window.wait_for_count("[data-testid=thumbnail]", 15).await;
    let moved = window
        .find("[data-page=\"2\"] [data-testid=highlight]")
        .await
        .attr("data-text")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(
        moved, marked,
        "the highlight is on the same words, now on page 2"
    );
    let note = window.find("[data-page=\"2\"] [data-testid=note]").await;
    assert!(
        note.text().await.unwrap().contains("Xem lại số liệu"),
        "the note went with its text to page 2"
    );
    assert_eq!(
        (
            note.attr("data-x").await.unwrap(),
            note.attr("data-y").await.unwrap()
        ),
        noted_at,
        "at the same place beside it, the page's text being where it was"
    );
    assert_eq!(
        window
            .count(
                "[data-page=\"1\"] [data-testid=highlight], [data-page=\"1\"] [data-testid=note]"
            )
            .await,
        0,
        "nothing was left on the new cover page"
    );
    window.screenshot("highlight-moved").await;
    window.close().await;

    // Replaced again by a document without those words: the highlight is kept, listed
    // with what it marked.
    let appendix = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/sample/documents/03-phu-luc-du-toan.pdf");
    quorum_e2e::processes::replace_document(
        &hub,
        &secretary,
        1,
        std::fs::read(appendix).unwrap(),
        6,
    )
    .await;
    laptop.run(&["sync"]);
    let window = open_the_report_of(laptop.profile.as_path(), 6).await;
    let listed = window.find("[data-testid=unanchored]").await;
    listed.click().await.unwrap();
    let item = window.find("[data-testid=unanchored-item]").await;
    assert!(
        item.text().await.unwrap().contains(&marked),
        "the highlight is listed with the words it marked"
    );
    assert_eq!(
        window
            .count("[data-testid=highlight], [data-testid=note]")
            .await,
        0,
        "and drawn on no page of the new version"
    );
    assert_eq!(
        window.count("[data-testid=unanchored-item]").await,
        2,
        "the note is listed too"
    );
    window.screenshot("highlight-unanchored").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chair_opens_a_poll_the_member_votes_without_looking_for_it_and_the_board_counts_it() {
    let DemoHub {
        data: _hub_data,
        members,
        hub,
    } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let chair = synced_laptop(&hub, laptops.path(), &members, "chair");
    let member = synced_laptop(&hub, laptops.path(), &members, "member");
    let member_name = members
        .iter()
        .find(|m| m.role == "member")
        .unwrap()
        .name
        .clone();

    let chair_window = open_the_sample_meeting(chair.profile.as_path()).await;
    let member_window = open_the_sample_meeting(member.profile.as_path()).await;
    member_window.find("[data-testid=meeting-polls]").await;
    // The member checks in on their laptop; the chair's window sees them present.
    member_window.click("[data-testid=check-in]").await;
    chair_window
        .wait_for_attribute(
            &format!("[data-testid=attendee][data-member=\"{member_name}\"]"),
            "data-kind",
            "present",
        )
        .await;
    // The member asks to speak; the chair gives the floor; the member sees it.
    member_window.click("[data-testid=floor-ask-speak]").await;
    chair_window
        .click("[data-testid=floor-request][data-state=waiting] [data-testid=floor-give]")
        .await;
    member_window
        .find("[data-testid=floor-request][data-kind=speak][data-state=speaking]")
        .await;
    // The member's laptop holds the whole pack: the chair's readiness board says so.
    chair_window
        .wait_for_attribute(
            &format!("[data-testid=readiness-row][data-member=\"{member_name}\"]"),
            "data-ready",
            "true",
        )
        .await;

    open_a_poll(
        &chair_window,
        "Thông qua báo cáo kinh tế – xã hội năm 2026",
        false,
    )
    .await;

    // The member's window shows the open poll by itself.
    member_window
        .find("[data-testid=poll][data-state=open]")
        .await;
    member_window.click("[data-testid=vote-agree]").await;
    member_window
        .wait_for_attribute("[data-testid=my-ballot]", "data-status", "counted")
        .await;
    member_window.screenshot("poll-member-voted").await;

    chair_window
        .wait_for_attribute("[data-testid=poll-board]", "data-answered", "1")
        .await;
    chair_window
        .wait_for_attribute(
            "[data-testid=poll-count][data-key=agree]",
            "data-count",
            "1",
        )
        .await;
    let voters = chair_window
        .find("[data-testid=poll-voters]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        voters.contains(&member_name),
        "the chair sees who has voted: {voters}"
    );
    chair_window.screenshot("poll-chair-board").await;

    // Closed and exported: the PDF and CSV carry the result.
    chair_window.click("[data-testid=poll-close]").await;
    chair_window
        .wait_for_attribute("[data-testid=poll]", "data-state", "closed")
        .await;
    let (pdf_text, csv) = export_results(&chair_window).await;
    // Ballots cast offline may still arrive for ten minutes: the results are not yet
    // final, and the window offers no signing until then.
    let later = chair_window
        .find("[data-testid=poll-sign-later]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        later.starts_with("Ký số được kết quả sau khi hết thời gian nhận phiếu gửi muộn ("),
        "{later}"
    );
    assert_eq!(chair_window.count("[data-testid=sign-export]").await, 0);
    assert!(
        pdf_text.contains("Thông qua báo cáo kinh tế – xã hội năm 2026")
            && pdf_text.contains("Đồng ý: 1")
            && pdf_text.contains(&member_name),
        "the named poll's PDF has the question, the count and who voted: {pdf_text}"
    );
    assert!(csv.contains("agree,Đồng ý,1"), "and the CSV: {csv}");

    // A secret poll: the member's choice is counted, nothing links it to them.
    open_a_poll(&chair_window, "Bầu trưởng ban (phiếu kín)", true).await;
    // The newest poll comes first; the member's screen shows it open by itself.
    let secret_poll = "article[data-testid=poll]:first-of-type";
    member_window.wait_for_count("[data-testid=poll]", 2).await;
    member_window
        .click(&format!(
            "{secret_poll}[data-state=open] [data-testid=vote-disagree]"
        ))
        .await;
    member_window
        .wait_for_attribute(
            &format!("{secret_poll} [data-testid=my-ballot]"),
            "data-status",
            "counted",
        )
        .await;
    member_window.screenshot("poll-secret-member").await;
    chair_window
        .wait_for_attribute(
            &format!("{secret_poll} [data-testid=poll-board]"),
            "data-answered",
            "1",
        )
        .await;
    assert_eq!(
        chair_window
            .count(&format!("{secret_poll} [data-testid=poll-voters]"))
            .await,
        0,
        "a secret poll's board names nobody"
    );
    chair_window
        .click(&format!("{secret_poll} [data-testid=poll-close]"))
        .await;
    chair_window
        .wait_for_count("[data-testid=poll][data-state=closed]", 2)
        .await;
    let (pdf_text, csv) = export_results(&chair_window).await;
    assert!(
        pdf_text.contains("1/3 thành viên đã biểu quyết") && pdf_text.contains("Phiếu kín"),
        "the secret poll's export says how many voted, and that counts wait for the grace \
         period: {pdf_text}"
    );
    assert!(
        !pdf_text.contains(&member_name) && !csv.contains(&member_name),
        "and no member's name: {pdf_text} {csv}"
    );

    // The minutes: the chair's decision for the first item and its vote results.
    let decision = chair_window.find("[data-testid=minutes-decision]").await;
    decision
        .send_keys("Thống nhất báo cáo, giao Văn phòng hoàn thiện")
        .await
        .unwrap();
    let minutes = export_minutes(&chair_window).await;
    let text = pdf_text_of(&minutes);
    assert!(
        text.contains("1. Khai mạc, thông qua chương trình phiên họp")
            && text.contains("Kết luận: Thống nhất báo cáo, giao Văn phòng hoàn thiện")
            && text.contains("Thông qua báo cáo kinh tế – xã hội năm 2026: Đồng ý: 1, Không đồng ý: 0, Ý kiến khác: 0 — Không được thông qua"),
        "the minutes hold the item's decision and its vote result: {text}"
    );
    chair_window.close().await;
    member_window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_delegates_in_the_window_and_the_delegate_votes_for_them_in_theirs() {
    let DemoHub {
        data: _hub_data,
        members,
        hub,
    } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let chair = synced_laptop(&hub, laptops.path(), &members, "chair");
    let voters: Vec<_> = members.iter().filter(|m| m.role == "member").collect();
    let laptop = |name: &str, code: &str| {
        let laptop = Laptop::new(laptops.path().join(name));
        let id = laptop.enroll(&hub, code)["member"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        laptop.run(&["sync"]);
        (laptop, id)
    };
    let (away, away_id) = laptop("away", &voters[0].code);
    let (delegate, delegate_id) = laptop("delegate", &voters[1].code);
    let meeting = chair.only_meeting();

    // The member who will be away picks their delegate in their own window.
    let away_window = open_the_sample_meeting(away.profile.as_path()).await;
    away_window
        .find("[data-testid=delegate]")
        .await
        .select_by_value(&delegate_id)
        .await
        .unwrap();
    let delegate_window = open_the_sample_meeting(delegate.profile.as_path()).await;
    open_a_poll_from(&chair, &meeting);

    // The delegate's window offers a ballot for the absent member beside their own.
    let ballot_for = |member: &str| format!("[data-testid=ballot][data-for=\"{member}\"]");
    delegate_window.find(&ballot_for(&away_id)).await;
    away_window.close().await;
    // One ballot at a time: each one's answer appears under it and moves the next down,
    // so a click sent while the first answer is drawn would land beside the button.
    for (member, choice) in [(&delegate_id, "disagree"), (&away_id, "agree")] {
        delegate_window
            .click(&format!(
                "{} [data-testid=vote-{choice}]",
                ballot_for(member)
            ))
            .await;
        delegate_window
            .wait_for_attribute(
                &format!("{} [data-testid=my-ballot]", ballot_for(member)),
                "data-status",
                "counted",
            )
            .await;
    }
    delegate_window.screenshot("poll-delegate-voted").await;
    delegate_window.close().await;

    chair.run(&["sync"]);
    let view =
        chair.run(&["polls", "--meeting", meeting["id"].as_str().unwrap()])[0]["view"].clone();
    assert_eq!(
        (
            view["answered"].as_u64(),
            view["tally"]["delegated"].as_u64(),
            view["tally"]["counts"][0]["count"].as_u64(),
        ),
        (Some(2), Some(1), Some(1)),
        "the delegate's own ballot and the one for the absent member, agree once: {view}"
    );
    let counted: Vec<&str> = view["voters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|voter| voter.as_str().unwrap())
        .collect();
    assert!(
        counted.contains(&away_id.as_str()) && counted.contains(&delegate_id.as_str()),
        "the absent member voted through their delegate: {counted:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readiness_board_shows_what_a_laptop_still_has_to_send_and_when_it_reported() {
    let DemoHub {
        data: _hub_data,
        members,
        hub,
    } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let chair = synced_laptop(&hub, laptops.path(), &members, "chair");
    let member = synced_laptop(&hub, laptops.path(), &members, "member");
    let member_name = &members.iter().find(|m| m.role == "member").unwrap().name;
    let meeting = chair.only_meeting();
    let item = meeting["agenda"][1]["id"].as_str().unwrap();
    // Two requests for the floor, the first lost from the outbox: the second cannot go.
    for kind in [&[][..], &["--question"][..]] {
        let mut args = vec!["request-floor", meeting["id"].as_str().unwrap(), item];
        args.extend_from_slice(kind);
        member.run(&args);
    }
    member.lose_first_queued_operation();

    let window = open_the_sample_meeting(chair.profile.as_path()).await;
    let device = format!(
        "[data-testid=readiness-row][data-member=\"{member_name}\"] [data-testid=readiness-device]"
    );
    window
        .wait_for_attribute(&device, "data-pending", "0")
        .await;
    let before = quorum_core::SystemClock.now();
    let (synced, _) = member.try_run(&["sync"]);
    assert!(!synced, "the member's sync stops at the gap");
    window
        .wait_for_attribute(&device, "data-pending", "1")
        .await;
    let shown = window.find(&device).await;
    let reported: chrono::DateTime<chrono::Utc> = shown
        .attr("data-reported")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    let text = shown.text().await.unwrap();
    assert!(
        reported >= before
            && text.contains("báo cáo lúc")
            && text.contains("còn 1 thao tác chờ gửi"),
        "the chair reads when the laptop last reported and that one action waits: {text:?} \
         at {reported}"
    );
    window.screenshot("readiness-pending").await;
    window.close().await;
}

/// The text of a PDF's first page as pdfium reads it, whitespace runs as single spaces.
/// Prints the minutes from the open meeting; returns where they were saved.
async fn export_minutes(window: &AppWindow) -> String {
    window.click("[data-testid=minutes-export]").await;
    window
        .find("[data-testid=minutes-exported]")
        .await
        .attr("data-path")
        .await
        .unwrap()
        .unwrap()
}

fn pdf_text_of(path: &str) -> String {
    let pdf = quorum_pdf::PdfService::new(
        quorum_e2e::workspace_binary("quorum-pdf-worker", "QUORUM_PDF_WORKER"),
        quorum_pdf::locate_library().unwrap(),
    );
    let text: String = pdf
        .text(std::path::Path::new(path), 0)
        .unwrap()
        .iter()
        .map(|c| c.ch)
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The chair prepares a poll on the first agenda item and opens it, in the window.
async fn open_a_poll(window: &AppWindow, question: &str, secret: bool) {
    window
        .find("[data-testid=poll-new-question]")
        .await
        .send_keys(question)
        .await
        .unwrap();
    let mut clicks = vec!["[data-testid=poll-create]", "[data-testid=poll-open]"];
    if secret {
        clicks.insert(0, "[data-testid=poll-new-secret]");
    }
    for css in clicks {
        window.click(css).await;
    }
}

/// Exports the first poll on the chair's screen (the newest); returns the PDF's text
/// (read back with pdfium) and the CSV.
async fn export_results(window: &AppWindow) -> (String, String) {
    let newest = "article[data-testid=poll]:first-of-type";
    window
        .click(&format!("{newest} [data-testid=poll-export]"))
        .await;
    let exported = window
        .find(&format!("{newest} [data-testid=poll-exported]"))
        .await;
    let pdf_path = exported.attr("data-pdf").await.unwrap().unwrap();
    let csv_path = exported.attr("data-csv").await.unwrap().unwrap();
    (
        pdf_text_of(&pdf_path),
        std::fs::read_to_string(csv_path).unwrap(),
    )
}

/// The chair's `quorum` laptop opens a poll on the meeting's second item and uploads it.
fn open_a_poll_from(chair: &Laptop, meeting: &serde_json::Value) {
    let poll = chair.run(&[
        "create-poll",
        "--question",
        "Thông qua báo cáo kinh tế - xã hội",
        "--meeting",
        meeting["id"].as_str().unwrap(),
        "--item",
        meeting["agenda"][1]["id"].as_str().unwrap(),
    ]);
    chair.run(&["open-poll", poll["id"].as_str().unwrap()]);
    chair.run(&["sync"]);
}

/// In the secretary workspace: types a new draft's title, place, date and time as the
/// secretary would, and asks for it.
async fn start_draft(window: &AppWindow, title: &str, date: &str, time: &str) {
    let typing = [
        ("[data-testid=draft-title]", title),
        ("[data-testid=draft-starts-date]", date),
        ("[data-testid=draft-starts-time]", time),
        ("[data-testid=draft-location]", "Phòng họp số 2"),
    ];
    for (css, text) in typing {
        let field = window.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }
    window.click("[data-testid=draft-create]").await;
}

/// In the secretary workspace: a new draft meeting titled `title`, with `items`.
async fn create_draft(window: &AppWindow, title: &str, items: &[&str]) {
    start_draft(window, title, "15/12/2026", "08:00").await;
    window.find("[data-testid=draft]").await;
    for (n, item) in items.iter().enumerate() {
        window
            .find("[data-testid=item-title]")
            .await
            .send_keys(item)
            .await
            .unwrap();
        window
            .find("[data-testid=item-presenter]")
            .await
            .send_keys("Văn phòng")
            .await
            .unwrap();
        window.click("[data-testid=item-add]").await;
        window
            .wait_for_count("[data-testid=draft-item]", n + 1)
            .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_secretary_is_told_at_attach_what_members_will_not_see_in_a_file() {
    let DemoHub {
        data: _hub_data,
        hub,
        members,
    } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/quorum-pdf/tests");
    let window = AppWindow::launch(secretary.profile.as_path()).await;
    create_draft(&window, "Phiên họp xem xét hồ sơ đơn vị gửi", &["Hồ sơ"]).await;
    let attach = |file: &str| {
        let path = corpus.join(file).display().to_string();
        let window = &window;
        async move {
            window
                .find("[data-testid=draft-attach]")
                .await
                .send_keys(&path)
                .await
                .unwrap();
        }
    };

    // Two pages, the second unreadable: attached, and the secretary told which page.
    attach("hostile/pdfjs/Pages-tree-refs.pdf").await;
    window
        .wait_for_count("[data-testid=draft-document]", 1)
        .await;
    let warning = window
        .find("[data-testid=attach-warning][data-kind=pagesNotShown]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        warning.contains("Pages-tree-refs.pdf")
            && warning.contains("1/2 trang bị hỏng")
            && warning.contains("(trang 2)"),
        "in Vietnamese, with the page: {warning:?}"
    );

    // No page of it can be read: refused, and not attached.
    attach("hostile/qpdf/bad34.pdf").await;
    let panel = window.find("[data-testid=error-panel]").await;
    assert_eq!(
        panel.attr("data-code").await.unwrap().as_deref(),
        Some("documentDamaged")
    );
    assert_eq!(
        window.count("[data-testid=draft-document]").await,
        1,
        "the refused file is not on the item"
    );

    // Protected: attached, with word that members will need the password.
    attach("fixtures/protected.pdf").await;
    window
        .wait_for_count("[data-testid=draft-document]", 2)
        .await;
    let warning = window
        .find("[data-testid=attach-warning][data-kind=protected]")
        .await
        .text()
        .await
        .unwrap();
    assert!(warning.contains("mật khẩu"), "{warning:?}");
    window.screenshot("attach-warnings").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_secretary_builds_a_meeting_attaches_two_pdfs_and_publishes_it_to_the_members() {
    let DemoHub {
        data: _hub_data,
        members,
        hub,
    } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    let member = synced_laptop(&hub, laptops.path(), &members, "member");
    let documents =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/sample/documents");

    let window = AppWindow::launch(secretary.profile.as_path()).await;
    create_draft(
        &window,
        "Phiên họp chuyên đề về ngân sách",
        &["Tờ trình dự toán", "Phụ lục số liệu", "Kết luận"],
    )
    .await;
    // The appendix goes first: moved down, the first item changes places with it.
    window
        .wait_for_count("[data-testid=draft-item-down]", 3)
        .await[0]
        .click()
        .await
        .unwrap();
    window
        .wait_for_text("[data-testid=draft-item] strong", "Phụ lục số liệu")
        .await;
    let pdfs = ["03-phu-luc-du-toan.pdf", "03-to-trinh-du-toan.pdf"];
    for (n, pdf) in pdfs.iter().enumerate() {
        let inputs = window.wait_for_count("[data-testid=draft-attach]", 3).await;
        inputs[n]
            .send_keys(documents.join(pdf).to_str().unwrap())
            .await
            .unwrap();
        window
            .wait_for_count("[data-testid=draft-document]", n + 1)
            .await;
    }
    // Edited before publishing: the observer is not invited, the last item renamed.
    window.click("[data-testid=draft-edit]").await;
    let observer = members
        .iter()
        .find(|m| m.role == "observer")
        .unwrap()
        .name
        .clone();
    window
        .click(&format!(
            "[data-testid=edit-invitee][data-member=\"{observer}\"]"
        ))
        .await;
    let last_title = window
        .wait_for_count("[data-testid=edit-item-title]", 3)
        .await[2]
        .clone();
    last_title.clear().await.unwrap();
    last_title.send_keys("Kết luận phiên họp").await.unwrap();
    window.click("[data-testid=draft-save]").await;
    window.wait_for_count("[data-testid=draft-editor]", 0).await;
    window.screenshot("secretary-draft").await;
    window.click("[data-testid=draft-publish]").await;
    // Published: the draft leaves the workspace, the meeting joins the list.
    window.wait_for_count("[data-testid=draft]", 0).await;
    window.wait_for_count("[data-testid=meeting-row]", 2).await;
    window.close().await;

    member.run(&["sync"]);
    let meetings = member.run(&["meetings"]);
    let new = meetings
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["title"] == "Phiên họp chuyên đề về ngân sách")
        .expect("the member's laptop has the new meeting");
    let shown = member.run(&["show", new["id"].as_str().unwrap()]);
    let items: Vec<&str> = shown["meeting"]["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        items,
        ["Phụ lục số liệu", "Tờ trình dự toán", "Kết luận phiên họp"],
        "three items, in the order and with the titles the secretary set"
    );
    assert_eq!(
        shown["meeting"]["invitees"].as_array().unwrap().len(),
        4,
        "everyone but the observer is invited"
    );
    let present: Vec<bool> = shown["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["present"].as_bool().unwrap())
        .collect();
    assert_eq!(
        present,
        [true, true],
        "both PDFs are on the member's laptop, verified"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pdf_dropped_in_the_watched_folder_reaches_the_members_as_a_new_version() {
    let DemoHub {
        data: _hub_data,
        members,
        hub,
    } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    let member = synced_laptop(&hub, laptops.path(), &members, "member");
    // The member has looked at the meeting once.
    let looked = open_the_sample_meeting(member.profile.as_path()).await;
    looked.wait_for_count("[data-testid=agenda-item]", 6).await;
    // Kept once the laptop's store has it, not after a guess at how long that takes.
    let store = member.profile.join("store.sqlite3");
    let deadline = std::time::Instant::now() + quorum_e2e::PATIENCE;
    while rusqlite::Connection::open(&store)
        .and_then(|db| {
            db.query_row("SELECT COUNT(*) FROM seen_meetings", [], |r| {
                r.get::<_, i64>(0)
            })
        })
        .unwrap_or(0)
        == 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the look was never kept"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    looked.close().await;

    let folder = laptops.path().join("ho-so-phien-hop");
    std::fs::create_dir_all(folder.join("2")).unwrap();
    let window = open_the_sample_meeting(secretary.profile.as_path()).await;
    window
        .find("[data-testid=watch-path]")
        .await
        .send_keys(folder.to_str().unwrap())
        .await
        .unwrap();
    window.click("[data-testid=watch-start]").await;
    window.find("[data-testid=watching]").await;

    // The report, corrected, put in item 2's folder under the document's own title.
    let report = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/sample/documents/02-bao-cao-kinh-te-xa-hoi.pdf");
    let mut corrected = std::fs::read(report).unwrap();
    corrected.extend_from_slice(b"\n% corrected\n");
    // Written in two goes a moment apart, as a slow copy does: after the first, the
    // file already reads as a whole PDF, but it is not the one being put there.
    let dropped = folder
        .join("2")
        .join("Báo cáo tình hình kinh tế – xã hội năm 2026.pdf");
    std::fs::write(&dropped, &corrected[..corrected.len() - 1]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    std::fs::OpenOptions::new()
        .append(true)
        .open(&dropped)
        .unwrap()
        .write_all(b"\n")
        .unwrap();
    let corrected_sha: String = sha2::Sha256::digest(&corrected)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();

    // Imported, published: the member's laptop gets version 2 of that document.
    let meeting_id = member.run(&["meetings"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let version = loop {
        member.run(&["sync"]);
        let shown = member.run(&["show", &meeting_id]);
        let version = shown["meeting"]["agenda"][1]["documents"][0]["current"]["number"].clone();
        if version == 2 || std::time::Instant::now() > deadline {
            break version;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    assert_eq!(
        version, 2,
        "the dropped file is the report's second version"
    );
    // Once the file held still, and only then: no version was made of the half-copy.
    std::thread::sleep(std::time::Duration::from_secs(2));
    member.run(&["sync"]);
    let current =
        &member.run(&["show", &meeting_id])["meeting"]["agenda"][1]["documents"][0]["current"];
    assert_eq!(
        (current["number"].as_u64(), current["sha256"].as_str()),
        (Some(2), Some(corrected_sha.as_str())),
        "version 2 is the file as it ended up, and there is no third"
    );
    window.close().await;

    let window = open_the_sample_meeting(member.profile.as_path()).await;
    let mark = window.find("[data-testid=document-updated]").await;
    assert!(
        mark.text().await.unwrap().starts_with("Đã cập nhật"),
        "the member sees it marked as updated"
    );
    window.screenshot("watched-folder-updated").await;
    window.close().await;
}

/// The hash a sample document's blob is kept under.
fn sample_sha256(name: &str) -> String {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../assets/sample/documents")
            .join(name),
    )
    .unwrap();
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A file of the hostile-PDF corpus (crates/quorum-pdf/tests/hostile).
fn hostile_pdf(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/quorum-pdf/tests/hostile")
            .join(name),
    )
    .unwrap()
}

/// Opens the document kept under `sha256` from the open meeting.
async fn open_document(window: &AppWindow, sha256: &str) {
    window
        .click(&format!(
            "[data-testid=open-document][data-sha256=\"{sha256}\"]"
        ))
        .await;
}

/// The message shown on page `n` (from 1), once there.
async fn page_problem(window: &AppWindow, n: u32) -> (String, String) {
    let selector = format!("[data-page=\"{n}\"] [data-testid=page-problem]");
    let problem = window.find(&selector).await;
    let text = window
        .client
        .execute(
            &format!("return document.querySelector('{selector}').textContent;"),
            vec![],
        )
        .await
        .unwrap();
    (
        problem
            .attr("data-problem")
            .await
            .unwrap()
            .unwrap_or_default(),
        text.as_str().unwrap_or_default().trim().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_documents_show_their_good_pages_and_name_the_bad_ones_and_the_window_answers() {
    let profile = tempfile::tempdir().unwrap();
    let window = AppWindow::launch(profile.path()).await;
    window.enter_the_demo().await;
    window.wait_for_count("[data-testid=meeting-row]", 1).await;
    window.close().await;
    // Files as units send them: the sample's blobs are replaced by other projects'
    // damaged PDFs (pdf.js's test suite).
    let (programme, report, annex, plan) = (
        sample_sha256("01-chuong-trinh.pdf"),
        sample_sha256("02-bao-cao-kinh-te-xa-hoi.pdf"),
        sample_sha256("04-de-an-chinh-trang-do-thi.pdf"),
        sample_sha256("05-ke-hoach-cai-cach-hanh-chinh.pdf"),
    );
    let blobs = profile.path().join("blobs");
    for (sha256, hostile) in [
        (&programme, "pdfjs/poppler-85140-0.pdf"),
        (&report, "pdfjs/boundingBox_invalid.pdf"),
        (&annex, "pdfjs/Pages-tree-refs.pdf"),
        (&plan, "../fixtures/protected.pdf"),
    ] {
        std::fs::write(blobs.join(sha256), hostile_pdf(hostile)).unwrap();
    }

    let window = open_the_sample_meeting(profile.path()).await;
    // A 340-byte file whose page is 595 × 2,147,483,647 points.
    open_document(&window, &programme).await;
    let (kind, message) = page_problem(&window, 1).await;
    assert_eq!(kind, "unusual", "the page is named for its size");
    assert!(
        message.contains("Trang 1") && message.contains("kích thước bất thường"),
        "in Vietnamese: {message:?}"
    );
    let layout = window
        .client
        .execute(
            "return [document.querySelectorAll('[data-testid=viewer-pages] img').length, \
                     document.querySelector('[data-page=\"1\"]').getBoundingClientRect().height];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(layout[0].as_u64(), Some(0), "no image is asked for it");
    assert!(
        layout[1].as_f64().unwrap() < 10_000.0,
        "its box has a stand-in size, not billions of pixels: {}",
        layout[1]
    );
    window.screenshot("hostile-page-size").await;
    // The window still answers: back to the agenda.
    window.click("[data-testid=viewer-back]").await;

    // Three pages; the third is 0 × 0.
    open_document(&window, &report).await;
    let (kind, message) = page_problem(&window, 3).await;
    assert_eq!(kind, "empty");
    assert!(message.contains("Trang 3"), "{message:?}");
    window.wait_until_drawn(1).await;
    window.wait_until_drawn(2).await;
    window.click("[data-testid=viewer-back]").await;

    // Two pages; the second cannot be read.
    open_document(&window, &annex).await;
    let (kind, message) = page_problem(&window, 2).await;
    assert_eq!(kind, "unreadable");
    assert!(
        message.contains("Trang 2 bị hỏng, không hiển thị được"),
        "{message:?}"
    );
    window.wait_until_drawn(1).await;
    window.screenshot("hostile-one-bad-page").await;
    window.click("[data-testid=viewer-back]").await;

    // Protected by a password: asked for, a wrong one told apart, the right one opens it.
    open_document(&window, &plan).await;
    window
        .wait_for_attribute(
            "[data-testid=error-panel]",
            "data-code",
            "documentProtected",
        )
        .await;
    let typed = window.find("[data-testid=document-password]").await;
    typed.send_keys("sai-mat-khau").await.unwrap();
    window.click("[data-testid=document-unlock]").await;
    window.error_shown("wrongPassword").await;
    let typed = window.find("[data-testid=document-password]").await;
    typed.clear().await.unwrap();
    typed.send_keys("mat-khau").await.unwrap();
    window.click("[data-testid=document-unlock]").await;
    window.wait_for_count("[data-testid=thumbnail]", 1).await;
    window.wait_until_drawn(1).await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_hangs_or_crashes_is_replaced_the_rest_reads_and_no_worker_outlives_the_window()
 {
    let profile = tempfile::tempdir().unwrap();
    let log = tempfile::tempdir().unwrap();
    let (programme, report) = (
        sample_sha256("01-chuong-trinh.pdf"),
        sample_sha256("02-bao-cao-kinh-te-xa-hoi.pdf"),
    );
    // Every request on the programme hangs; drawing the report's second page crashes.
    let faults = format!("hang:*:{programme}:*,crash:render:{report}:1");
    let worker = quorum_e2e::faults::faulty_worker();
    let log_dir = log.path().display().to_string();
    let env = [
        ("QUORUM_PDF_WORKER", worker.to_str().unwrap()),
        ("QUORUM_PDF_FAULTS", faults.as_str()),
        ("QUORUM_PDF_FAULT_LOG", log_dir.as_str()),
        ("QUORUM_PDF_PATIENCE", "2"),
    ];
    let window = AppWindow::launch_with(profile.path(), &env).await;
    window.enter_the_demo().await;
    window.wait_for_count("[data-testid=meeting-row]", 1).await[0]
        .click()
        .await
        .unwrap();
    // The text indexer met the hanging programme first, and went on with the others.
    window
        .find("[data-testid=search-input]")
        .await
        .send_keys("bieu quyet thong qua cac chi tieu")
        .await
        .unwrap();
    window
        .wait_for_text(
            "[data-testid=search-hit] mark",
            "biểu quyết thông qua các chỉ tiêu",
        )
        .await;
    let hits = window.wait_for_count("[data-testid=search-hit]", 1).await;
    assert!(
        hits[0].text().await.unwrap().contains("Trang 10"),
        "the report was indexed after the programme hung"
    );
    window
        .find("[data-testid=search-input]")
        .await
        .clear()
        .await
        .unwrap();

    open_document(&window, &programme).await;
    let panel = window.find("[data-testid=error-panel]").await;
    let code = panel.attr("data-code").await.unwrap().unwrap_or_default();
    assert!(
        code == "readerTimedOut" || code == "readerStopped",
        "the hanging document is explained: {code}"
    );
    let message = window
        .find("[data-testid=error-message]")
        .await
        .text()
        .await
        .unwrap();
    assert!(message.contains("đọc PDF"), "in Vietnamese: {message:?}");
    window.click("[data-testid=viewer-back]").await;

    open_document(&window, &report).await;
    window.wait_for_count("[data-testid=thumbnail]", 14).await;
    window.wait_until_drawn(1).await;
    let (kind, message) = page_problem(&window, 2).await;
    assert_eq!(kind, "readerStopped", "the crashing page is named");
    assert!(message.contains("Trang 2"), "{message:?}");
    window.screenshot("reader-stopped-on-a-page").await;

    let workers = quorum_e2e::faults::recorded_workers(log.path());
    assert!(!workers.is_empty(), "faulty workers ran");
    let app = quorum_e2e::faults::app_of(&workers);
    window.close().await;
    let deadline = std::time::Instant::now() + quorum_e2e::PATIENCE;
    while quorum_e2e::faults::running(app) {
        assert!(std::time::Instant::now() < deadline, "the app never exited");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        quorum_e2e::faults::still_running_after_a_while(&workers),
        Vec::<u32>::new(),
        "no PDF worker outlives the window"
    );

    // The app killed outright while a worker is stuck inside a request.
    let log = tempfile::tempdir().unwrap();
    let log_dir = log.path().display().to_string();
    let env = [
        ("QUORUM_PDF_WORKER", worker.to_str().unwrap()),
        ("QUORUM_PDF_FAULTS", faults.as_str()),
        ("QUORUM_PDF_FAULT_LOG", log_dir.as_str()),
        ("QUORUM_PDF_PATIENCE", "600"),
    ];
    let window = open_the_sample_meeting_with(profile.path(), &env).await;
    open_document(&window, &programme).await;
    let deadline = std::time::Instant::now() + quorum_e2e::PATIENCE;
    let workers = loop {
        let workers = quorum_e2e::faults::recorded_workers(log.path());
        if !workers.is_empty() {
            break workers;
        }
        assert!(std::time::Instant::now() < deadline, "no worker started");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let app = quorum_e2e::faults::app_of(&workers);
    std::process::Command::new("kill")
        .args(["-KILL", &app.to_string()])
        .status()
        .unwrap();
    assert_eq!(
        quorum_e2e::faults::still_running_after_a_while(&workers),
        Vec::<u32>::new(),
        "the workers end with the app, the stuck one too"
    );
    drop(window);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_member_joins_from_the_window_with_the_secretarys_code_votes_and_can_leave_again() {
    let DemoHub {
        data: hub_data,
        members,
        hub,
    } = quorum_e2e::processes::demo_hub_with(&["--announce"]);
    let member = members.iter().find(|m| m.role == "member").unwrap();
    let hub_db = rusqlite::Connection::open(hub_data.path().join("hub.sqlite3")).unwrap();
    let member_id: String = hub_db
        .query_row(
            "SELECT id FROM members WHERE full_name = ?1",
            [&member.name],
            |row| row.get(0),
        )
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let window = AppWindow::launch(profile.path()).await;

    // Trying the demo first: the sample meeting, marked as such.
    window.click("[data-testid=try-demo]").await;
    window.wait_for_count("[data-testid=meeting-row]", 1).await;
    window.find("[data-testid=demo-banner]").await;
    window.click("[data-testid=demo-join]").await;

    // The room's hub announces itself: picking it fills in its address, nothing more.
    window
        .click(&format!(
            "[data-testid=nearby-hub][data-url=\"{}\"]",
            hub.url()
        ))
        .await;
    let address = window
        .find("[data-testid=join-hub]")
        .await
        .prop("value")
        .await;
    assert_eq!(address.unwrap(), Some(hub.url()));
    let fingerprint = window
        .find("[data-testid=join-fingerprint]")
        .await
        .prop("value")
        .await;
    assert_eq!(
        fingerprint.unwrap().as_deref(),
        Some(""),
        "the fingerprint still comes from the sheet"
    );

    // A mistyped code is refused in Vietnamese, and the demo is still there.
    let fill = |code: String| {
        let window = &window;
        let url = hub.url();
        async move {
            let hub_field = window.find("[data-testid=join-hub]").await;
            hub_field.clear().await.unwrap();
            hub_field.send_keys(&url).await.unwrap();
            let code_field = window.find("[data-testid=join-code]").await;
            code_field.clear().await.unwrap();
            code_field.send_keys(&code).await.unwrap();
            window.click("[data-testid=join-submit]").await;
        }
    };
    fill(format!("AAAA-BBBB-CCCC {}", member.certificate)).await;
    let said = window.error_shown("codeRefused").await;
    assert!(
        said.contains("Máy chủ không nhận mã này"),
        "in Vietnamese: {said}"
    );
    window.click("[data-testid=join-back]").await;
    window.wait_for_count("[data-testid=meeting-row]", 1).await;
    window.click("[data-testid=demo-join]").await;

    // The secretary's code, left lying past its expiry: told so, and nothing bound.
    hub_db
        .execute(
            "UPDATE enrollment_codes SET expires_at = created_at WHERE member_id = ?1",
            [&member_id],
        )
        .unwrap();
    fill(format!("{}  {}", member.code, member.certificate)).await;
    let said = window.error_shown("codeExpired").await;
    assert!(said.contains("Mã này đã hết hạn"), "in Vietnamese: {said}");
    let store = profile.path().join("store.sqlite3");
    assert!(
        quorum_store::Store::open(&store)
            .unwrap()
            .enrollment()
            .unwrap()
            .is_none(),
        "an expired code binds nothing"
    );

    // A new code from the secretary (`admin new-code`), as its sheet prints the line:
    // the code, then the fingerprint.
    let code = quorum_e2e::processes::new_code(hub_data.path(), &member_id);
    fill(format!("{code}  {}", member.certificate)).await;
    window
        .wait_for_attribute("[data-testid=sync-connection]", "data-state", "online")
        .await;
    window
        .wait_for_text("[data-testid=sync-documents]", "7/7 tài liệu trên máy")
        .await;
    let rows = window.wait_for_count("[data-testid=meeting-row]", 1).await;
    assert!(
        rows[0].text().await.unwrap().contains(SAMPLE_TITLE),
        "the committee's meeting, from the hub, and not the demo's beside it"
    );
    assert_eq!(
        window.count("[data-testid=demo-banner]").await,
        0,
        "no longer the demo"
    );

    // The chair opens a poll; the new member votes in the window and is counted.
    let chairs = tempfile::tempdir().unwrap();
    let chair = synced_laptop(&hub, chairs.path(), &members, "chair");
    let meeting = chair.only_meeting();
    open_a_poll_from(&chair, &meeting);
    rows[0].click().await.unwrap();
    window
        .click("[data-testid=poll][data-state=open] [data-testid=vote-agree]")
        .await;
    window
        .wait_for_attribute("[data-testid=my-ballot]", "data-status", "counted")
        .await;
    chair.run(&["sync"]);
    let view =
        chair.run(&["polls", "--meeting", meeting["id"].as_str().unwrap()])[0]["view"].clone();
    assert_eq!(
        (
            view["answered"].as_u64(),
            view["tally"]["counts"][0]["count"].as_u64(),
            view["voters"][0].as_str(),
        ),
        (Some(1), Some(1), Some(member_id.as_str())),
        "the chair counts the new member's ballot, agree: {view}"
    );

    window.click("[data-testid=settings] summary").await;
    window
        .wait_for_text("[data-testid=settings-member]", &member.name)
        .await;
    window
        .wait_for_text("[data-testid=settings-hub]", &hub.url())
        .await;
    let enrolled = quorum_store::Store::open(&store)
        .unwrap()
        .enrollment()
        .unwrap();
    assert_eq!(
        enrolled.map(|e| e.hub_url),
        Some(hub.url()),
        "the laptop is bound to the hub it was given"
    );

    // Leaving asks first, then forgets everything the committee put on the laptop.
    window.click("[data-testid=leave-committee]").await;
    window.click("[data-testid=leave-confirm]").await;
    window
        .wait_for_text("[data-testid=join-screen] h1", "Tham gia ủy ban của bạn")
        .await;
    let left = quorum_store::Store::open(&store).unwrap();
    assert!(
        left.enrollment().unwrap().is_none(),
        "no enrollment is left"
    );
    assert!(!left.has_meetings().unwrap(), "no meeting is left");
    let documents = std::fs::read_dir(profile.path().join("blobs"))
        .unwrap()
        .count();
    assert_eq!(documents, 0, "no document is left");
    window.close().await;
}

/// Fails on what axe-core finds serious or critical on the page `window` shows.
async fn assert_accessible(window: &AppWindow, page: &str) {
    let violations = window.accessibility_violations().await;
    assert!(violations.is_empty(), "{page}: {violations:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_votes_with_the_keyboard_alone_and_each_page_passes_an_accessibility_audit() {
    let profile = tempfile::tempdir().unwrap();
    let window = AppWindow::launch(profile.path()).await;
    window.find("[data-testid=join-screen]").await;
    assert_accessible(&window, "the join screen").await;
    window.click("[data-testid=try-demo]").await;
    let rows = window.wait_for_count("[data-testid=meeting-row]", 1).await;
    assert_accessible(&window, "the meeting list").await;
    rows[0].click().await.unwrap();
    let documents = window
        .wait_for_count("[data-testid=open-document]", 7)
        .await;
    assert_accessible(&window, "the meeting page").await;
    documents[1].click().await.unwrap();
    window.wait_for_count("[data-testid=thumbnail]", 14).await;
    assert_accessible(&window, "the viewer").await;
    window.close().await;

    let DemoHub {
        data: _hub_data,
        members,
        hub,
    } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let chair = synced_laptop(&hub, laptops.path(), &members, "chair");
    let member = synced_laptop(&hub, laptops.path(), &members, "member");
    let chair_window = open_the_sample_meeting(chair.profile.as_path()).await;
    let member_window = open_the_sample_meeting(member.profile.as_path()).await;
    open_a_poll(&chair_window, "Thông qua kế hoạch đầu tư công 2027", false).await;
    assert_accessible(&chair_window, "the chair's poll board").await;
    member_window
        .find("[data-testid=poll][data-state=open]")
        .await;
    assert_accessible(&member_window, "the member's open poll").await;

    // Tab from the top of the window to the choice, as a member without a mouse would.
    let tab = "\u{e004}";
    let mut presses = 0;
    let choice = loop {
        let focused = member_window.client.active_element().await.unwrap();
        if focused.attr("data-testid").await.unwrap().as_deref() == Some("vote-agree") {
            break focused;
        }
        assert!(presses < 300, "Tab never reached the choice");
        focused.send_keys(tab).await.unwrap();
        presses += 1;
    };
    let outline = choice.css_value("outline-style").await.unwrap();
    assert_ne!(
        outline, "none",
        "the focused choice shows that it has the focus"
    );
    choice.send_keys("\u{e007}").await.unwrap();
    member_window
        .wait_for_attribute("[data-testid=my-ballot]", "data-status", "counted")
        .await;
    chair_window
        .wait_for_attribute(
            "[data-testid=poll-count][data-key=agree]",
            "data-count",
            "1",
        )
        .await;
    chair_window.close().await;
    member_window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secretary_whose_laptop_is_set_to_new_york_types_and_reads_times_on_the_committees_clock()
{
    let DemoHub {
        data: _hub_data,
        hub,
        members,
    } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    let window =
        AppWindow::launch_with(secretary.profile.as_path(), &[("TZ", "America/New_York")]).await;

    // Month first, as the laptop's own zone might suggest: refused in Vietnamese, no draft.
    start_draft(&window, "Phiên họp giao ban", "12/31/2026", "08:00").await;
    let said = window.error_shown("badDate").await;
    assert!(said.contains("ngày/tháng/năm"), "in Vietnamese: {said}");
    assert_eq!(
        window.count("[data-testid=draft]").await,
        0,
        "no draft made"
    );

    // 08:00 on 15/12/2026 means 08:00 in Hà Nội, named as such on this laptop.
    window.find("[data-testid=draft-starts-zone]").await;
    start_draft(&window, "Phiên họp giao ban", "15/12/2026", "08:00").await;
    window
        .wait_for_text(
            "[data-testid=draft-when]",
            "08:00 Thứ Ba, 15/12/2026 (giờ GMT+7) · Phòng họp số 2",
        )
        .await;
    window.close().await;
    let drafts = quorum_store::Store::open(&secretary.profile.join("store.sqlite3"))
        .unwrap()
        .drafts()
        .unwrap();
    assert_eq!(
        drafts[0].meeting.starts_at.to_rfc3339(),
        "2026-12-15T01:00:00+00:00",
        "kept as the instant the committee means, not 08:00 in New York"
    );
}

/// The environment WebKit's web process of the newest app window started with.
fn web_process_environment() -> String {
    let newest = processes_named("WebKitWebProces")
        .into_iter()
        .max()
        .expect("a WebKit web process runs");
    let environ = std::fs::read(format!("/proc/{newest}/environ")).unwrap();
    String::from_utf8_lossy(&environ).replace('\0', "\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_gpu_the_window_is_painted_directly_and_still_shows_pages() {
    let has_gpu = std::fs::read_dir("/dev/dri").is_ok_and(|nodes| {
        nodes
            .flatten()
            .any(|node| node.file_name().to_string_lossy().starts_with("renderD"))
    });
    let profile = tempfile::tempdir().unwrap();
    let window = AppWindow::launch_as_members_run_it(profile.path()).await;
    window.enter_the_demo().await;
    window.open_demo_document(1, 14).await;
    window.wait_until_drawn(1).await;
    let painting_directly = web_process_environment()
        .lines()
        .any(|line| line == format!("{COMPOSITING}=1"));
    assert_eq!(
        painting_directly, !has_gpu,
        "WebKit composites only where a GPU does it (this machine has one: {has_gpu})"
    );
    window.close().await;
}

/// Where the window wrote the signed copy, once it says so.
async fn signed_copy(window: &AppWindow) -> String {
    window
        .find("[data-testid=sign-done]")
        .await
        .attr("data-path")
        .await
        .unwrap()
        .unwrap()
}

/// A test CA (`scripts/test-ca.sh`, its signer's PKCS#12 file inside) that the hub with
/// data folder `data` trusts; its revocation list is served nowhere.
fn trusted_test_ca(data: &Path) -> tempfile::TempDir {
    let ca = tempfile::tempdir().unwrap();
    test_ca(&[
        Path::new("make"),
        ca.path(),
        Path::new("http://127.0.0.1:9/ca.crl"),
    ]);
    let certificate = ca.path().join("ca.pem");
    hub_admin_output(
        data,
        &["admin", "trust", "add", certificate.to_str().unwrap()],
    );
    ca
}

/// Brings the element matching `css` into view, once it is there: below the window's
/// fold, WebKit's driver does not scroll to it by itself.
async fn scroll_to(window: &AppWindow, css: &str) {
    window.find(css).await;
    let script = format!("document.querySelector('{css}').scrollIntoView();");
    window.client.execute(&script, vec![]).await.unwrap();
}

/// Signs with the PKCS#12 file `p12` (password "mật khẩu 1") in the signing panel within
/// `scope` (a CSS prefix, or "" for the page's first); answers the signed copy's path.
async fn sign_with_key_file(window: &AppWindow, scope: &str, p12: &Path) -> String {
    let within = |testid: &str| format!("{scope} [data-testid={testid}]");
    window.click(&within("sign-with-file")).await;
    window
        .find(&within("sign-key-file"))
        .await
        .send_keys(p12.to_str().unwrap())
        .await
        .unwrap();
    window
        .find(&within("sign-file-password"))
        .await
        .send_keys("mật khẩu 1")
        .await
        .unwrap();
    window.click(&within("sign-file-submit")).await;
    window
        .find(&within("sign-done"))
        .await
        .attr("data-path")
        .await
        .unwrap()
        .unwrap()
}

/// The id of the document of `sha256` on agenda item `item` (from 0), once the member's
/// laptop has synced the meeting's version that carries it; `None` if it never does.
async fn document_reaching(member: &Laptop, item: usize, sha256: &str) -> Option<String> {
    for _ in 0..100 {
        member.run(&["sync"]);
        let meeting = member.only_meeting();
        let found = meeting["agenda"][item]["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|document| document["current"]["sha256"] == sha256)
            .map(|document| document["id"].as_str().unwrap().to_string());
        if found.is_some() {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    None
}

/// A poll on agenda item `item` of `meeting`, prepared on `laptop`, voted on in the room:
/// no ballot comes late, so the results are final at the close. Answers its id.
fn poll_in_the_room(
    laptop: &Laptop,
    meeting: &serde_json::Value,
    item: usize,
    question: &str,
) -> String {
    let poll = laptop.run(&[
        "create-poll",
        "--question",
        question,
        "--meeting",
        meeting["id"].as_str().unwrap(),
        "--item",
        meeting["agenda"][item]["id"].as_str().unwrap(),
        "--late-grace-seconds",
        "0",
    ]);
    poll["id"].as_str().unwrap().to_string()
}

/// `runner` opens `poll_id` and `member` answers "agree", each synced.
fn opened_and_answered(runner: &Laptop, member: &Laptop, poll_id: &str) {
    runner.run(&["open-poll", poll_id]);
    runner.run(&["sync"]);
    member.run(&["sync"]);
    member.run(&["vote", poll_id, "agree"]);
    member.run(&["sync"]);
}

/// Closes `poll_id` from `laptop` and answers the poll's view once the hub settled it
/// and the laptop heard (the hub settles closed polls every second).
async fn closed_until_final(
    laptop: &Laptop,
    meeting: &serde_json::Value,
    poll_id: &str,
) -> serde_json::Value {
    laptop.run(&["close-poll", poll_id]);
    for _ in 0..100 {
        laptop.run(&["sync"]);
        let cards = laptop.run(&["polls", "--meeting", meeting["id"].as_str().unwrap()]);
        let settled =
            cards.as_array().unwrap().iter().find(|card| {
                card["view"]["poll"]["id"] == poll_id && !card["view"]["audit"].is_null()
            });
        if let Some(card) = settled {
            return card["view"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("poll {poll_id} never became final on the laptop");
}

/// SHA-256 of the file at `path`, in hexadecimal.
fn sha256_of_file(path: &str) -> String {
    sha2::Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// What poppler's `pdfsig` says of the PDF at `path`.
fn pdfsig(path: &str) -> String {
    let output = std::process::Command::new("pdfsig")
        .arg("-nocert")
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The text of the first element matching `css`, hidden or not.
async fn text_of(window: &AppWindow, css: &str) -> String {
    let script = format!("return document.querySelector('{css}').textContent;");
    let text = window.client.execute(&script, vec![]).await.unwrap();
    text.as_str().unwrap_or_default().trim().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_documents_show_their_verdict_on_the_meeting_page_and_who_signed_in_the_viewer_offline()
 {
    let DemoHub { data, members, hub } = demo_hub();
    let root = signatures_data("pyhanko/root-ca.pem");
    hub_admin_output(
        data.path(),
        &["admin", "trust", "add", root.to_str().unwrap()],
    );
    // A second CA, whose signer's certificate it has revoked by the time the hub asks.
    let www = tempfile::tempdir().unwrap();
    let crl_server = CrlServer::start(www.path());
    let url = format!("http://127.0.0.1:{}/ca.crl", crl_server.port);
    let ca = tempfile::tempdir().unwrap();
    test_ca(&[Path::new("make"), ca.path(), Path::new(&url)]);
    test_ca(&[Path::new("revoke"), ca.path()]);
    test_ca(&[Path::new("crl"), ca.path(), &www.path().join("ca.crl")]);
    let ca_certificate = ca.path().join("ca.pem");
    hub_admin_output(
        data.path(),
        &["admin", "trust", "add", ca_certificate.to_str().unwrap()],
    );
    let laptops = tempfile::tempdir().unwrap();
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    let pdf = |name: &str| std::fs::read(signatures_data(name)).unwrap();
    let signed = replace_document(
        &hub,
        &secretary,
        0,
        pdf("made-with-pyhanko/plain-adbe-rsa.pdf"),
        1,
    )
    .await;
    let tampered = replace_document(
        &hub,
        &secretary,
        1,
        pdf("made-with-pyhanko/plain-adbe-rsa-tampered.pdf"),
        1,
    )
    .await;
    let revoked = replace_document(&hub, &secretary, 2, signed_by_test_signer(ca.path()), 1).await;
    hub_admin_output(data.path(), &["admin", "check-revocation"]);
    let member = synced_laptop(&hub, laptops.path(), &members, "member");
    // From here the laptop is on its own: the verdicts need no hub.
    hub.kill();

    let window = AppWindow::launch(member.profile.as_path()).await;
    window.wait_for_count("[data-testid=meeting-row]", 1).await[0]
        .click()
        .await
        .unwrap();
    window
        .wait_for_count("[data-testid=open-document]", 7)
        .await;
    let badges = window
        .wait_for_count("[data-testid=signature-badge]", 3)
        .await;
    let mut shown = Vec::new();
    for badge in &badges {
        shown.push((
            badge
                .attr("data-verdict")
                .await
                .unwrap()
                .unwrap_or_default(),
            badge.text().await.unwrap(),
        ));
    }
    assert_eq!(
        shown,
        [
            ("valid".to_string(), "Ký số hợp lệ".to_string()),
            ("invalid".to_string(), "Ký số không hợp lệ".to_string()),
            ("invalid".to_string(), "Ký số không hợp lệ".to_string())
        ],
        "the signed document is hợp lệ, the one changed after signing is not, nor the \
         one whose signer's certificate was revoked; the four unsigned documents carry \
         no badge"
    );
    window.screenshot("signature-badges").await;

    open_document(&window, &signed).await;
    window
        .wait_for_attribute("[data-testid=signature-panel]", "data-verdict", "valid")
        .await;
    window.click("[data-testid=signature-panel] summary").await;
    window
        .wait_for_text("[data-testid=signature-signer]", "Alice, Example Inc")
        .await;
    let issuer = text_of(&window, "[data-testid=signature-issuer]").await;
    assert!(
        issuer.starts_with("Intermediate CA"),
        "the issuer: {issuer}"
    );
    let time = text_of(&window, "[data-testid=signature-time]").await;
    assert!(
        time.contains("do máy tính của người ký tự khai"),
        "the time is labelled as the signer's own: {time}"
    );
    assert_eq!(
        text_of(&window, "[data-testid=signature-changes]").await,
        "Văn bản không bị sửa sau khi ký"
    );
    assert_eq!(
        text_of(&window, "[data-testid=signature-revocation]").await,
        "Chưa kiểm tra thu hồi chứng thư"
    );
    assert_eq!(window.count("[data-testid=signature-problem]").await, 0);
    window.screenshot("signature-panel-valid").await;

    window.click("[data-testid=viewer-back]").await;
    open_document(&window, &tampered).await;
    window
        .wait_for_attribute("[data-testid=signature-panel]", "data-verdict", "invalid")
        .await;
    // Not hợp lệ: the panel opens by itself and says why.
    window
        .wait_for_attribute(
            "[data-testid=signature-problem]",
            "data-code",
            "digestMismatch",
        )
        .await;
    window
        .wait_for_text(
            "[data-testid=signature-problem]",
            "Nội dung tệp không còn là nội dung đã ký",
        )
        .await;
    window.screenshot("signature-panel-invalid").await;

    // Revoked: the CA's list, fetched by the hub before the laptop went offline, says so.
    window.click("[data-testid=viewer-back]").await;
    open_document(&window, &revoked).await;
    window
        .wait_for_attribute(
            "[data-testid=signature-problem]",
            "data-code",
            "certificateRevoked",
        )
        .await;
    window
        .wait_for_text(
            "[data-testid=signature-signer]",
            "Trần Thị Bình, UBND phường Hải Châu",
        )
        .await;
    let revocation = text_of(&window, "[data-testid=signature-revocation]").await;
    assert!(
        revocation.starts_with("Chứng thư bị thu hồi lúc"),
        "the revocation and its time: {revocation}"
    );
    let problem = text_of(&window, "[data-testid=signature-problem]").await;
    assert!(
        problem.contains("đã bị thu hồi"),
        "why it is không hợp lệ: {problem}"
    );
    window.screenshot("signature-panel-revoked").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chair_signs_the_minutes_with_a_usb_token_and_the_signed_copy_reads_as_valid() {
    let DemoHub { data, members, hub } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let chair = synced_laptop(&hub, laptops.path(), &members, "chair");
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    let token = tempfile::tempdir().unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/test-token.sh");
    let made = std::process::Command::new("bash")
        .arg(script)
        .arg(token.path())
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let config = String::from_utf8(made.stdout).unwrap();
    let window = AppWindow::launch_with(
        chair.profile.as_path(),
        &[
            ("SOFTHSM2_CONF", config.trim()),
            ("QUORUM_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so"),
        ],
    )
    .await;
    window.wait_for_count("[data-testid=meeting-row]", 1).await[0]
        .click()
        .await
        .unwrap();
    let minutes = export_minutes(&window).await;
    let unsigned = std::fs::read(&minutes).unwrap();

    window.click("[data-testid=sign-start]").await;
    let options = window
        .wait_for_count("[data-testid=sign-certificate] option", 1)
        .await;
    let listed = options[0].text().await.unwrap();
    assert!(
        listed.contains("Nguyễn Văn An, UBND quận Sông Hàn")
            && listed.contains("Quorum thử nghiệm"),
        "the signer's certificate is offered by holder and token, the CA's is not: {listed}"
    );
    let pin = window.find("[data-testid=sign-pin]").await;
    pin.send_keys("0000").await.unwrap();
    window.click("[data-testid=sign-submit]").await;
    window
        .wait_for_attribute(
            "[data-testid=sign-export] [data-testid=error-panel]",
            "data-code",
            "tokenWrongPin",
        )
        .await;
    window
        .wait_for_text(
            "[data-testid=sign-export] [data-testid=error-message]",
            "Mã PIN (hoặc mật khẩu tệp chứng thư) không đúng. Token có thể bị khóa nếu nhập sai nhiều lần.",
        )
        .await;
    assert_eq!(
        window.count("[data-testid=sign-done]").await,
        0,
        "a wrong PIN signs nothing"
    );
    let pin = window.find("[data-testid=sign-pin]").await;
    pin.clear().await.unwrap();
    pin.send_keys("1234").await.unwrap();
    window.click("[data-testid=sign-submit]").await;
    let signed_path = signed_copy(&window).await;
    window.screenshot("minutes-signed").await;
    assert!(
        signed_path.ends_with("(ký số).pdf"),
        "a copy beside the minutes: {signed_path}"
    );
    assert_eq!(
        std::fs::read(&minutes).unwrap(),
        unsigned,
        "the exported minutes are left as they were"
    );
    let signed = std::fs::read(&signed_path).unwrap();
    let judged = pdfsig(&signed_path);
    assert!(judged.contains("Signature is Valid."), "pdfsig: {judged}");

    // The next signer signs the signed copy again, here with a PKCS#12 file: a copy
    // with both signatures, each of which holds.
    scroll_to(&window, "[data-testid=sign-again]").await;
    window.click("[data-testid=sign-again]").await;
    let again = "[data-testid=sign-again-panel]";
    let countersigned = sign_with_key_file(&window, again, &token.path().join("signer.p12")).await;
    assert_eq!(
        window.count("[data-testid=sign-publish]").await,
        0,
        "the chair is offered no publishing: putting a file on the meeting is the secretary's"
    );
    assert!(
        countersigned.ends_with("(ký số 2).pdf"),
        "beside the first signer's copy: {countersigned}"
    );
    let judged = pdfsig(&countersigned);
    assert_eq!(
        judged.matches("Signature is Valid.").count(),
        2,
        "pdfsig: {judged}"
    );
    assert_eq!(
        std::fs::read(&signed_path).unwrap(),
        signed,
        "the first signer's copy is left as it was"
    );

    // Without a token: the same signer's PKCS#12 file and its password.
    export_minutes(&window).await;
    let judged = pdfsig(&sign_with_key_file(&window, "", &token.path().join("signer.p12")).await);
    assert!(
        judged.contains("Signature is Valid."),
        "signed with the file: {judged}"
    );

    // Published to the meeting, the signed minutes read as hợp lệ on every laptop that
    // trusts the CA.
    let ca = token.path().join("ca.pem");
    hub_admin_output(
        data.path(),
        &["admin", "trust", "add", ca.to_str().unwrap()],
    );
    let sha256 = replace_document(&hub, &secretary, 0, signed, 1).await;
    window.click("[data-testid=meeting-row]").await;
    window
        .wait_for_attribute(
            &format!("[data-testid=open-document][data-sha256=\"{sha256}\"] ~ [data-testid=signature-badge]"),
            "data-verdict",
            "valid",
        )
        .await;
    open_document(&window, &sha256).await;
    window.click("[data-testid=signature-panel] summary").await;
    window
        .wait_for_text(
            "[data-testid=signature-signer]",
            "Nguyễn Văn An, UBND quận Sông Hàn",
        )
        .await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_results_state_the_ballot_log_and_the_hub_finds_out_if_the_log_or_the_file_changed()
{
    let DemoHub { data, members, hub } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let chair = synced_laptop(&hub, laptops.path(), &members, "chair");
    let meeting = chair.only_meeting();
    let poll_id = poll_in_the_room(
        &chair,
        &meeting,
        2,
        "Thông qua dự toán ngân sách quận năm 2027",
    );
    chair.run(&["open-poll", &poll_id]);
    chair.run(&["sync"]);
    for (n, voter) in members
        .iter()
        .filter(|m| m.role == "member")
        .take(2)
        .enumerate()
    {
        let laptop = Laptop::new(laptops.path().join(format!("voter-{n}")));
        laptop.enroll(&hub, &voter.code);
        laptop.run(&["sync"]);
        laptop.run(&["vote", &poll_id, "agree"]);
        laptop.run(&["sync"]);
        if n == 0 {
            // The hub as a backup taken now would bring it back: one ballot in.
            let to = laptops.path().join("after-one-ballot.tar");
            hub_admin_output(data.path(), &["backup", "--to", to.to_str().unwrap()]);
        }
    }
    let final_view = closed_until_final(&chair, &meeting, &poll_id).await;
    assert_eq!(final_view["audit"]["ballots"], 2, "{final_view}");

    let ca = trusted_test_ca(data.path());

    let window = AppWindow::launch(chair.profile.as_path()).await;
    window.wait_for_count("[data-testid=meeting-row]", 1).await[0]
        .click()
        .await
        .unwrap();
    let card = format!("article[data-testid=poll][data-poll=\"{poll_id}\"]");
    window
        .click(&format!("{card} [data-testid=poll-export]"))
        .await;
    let results = window
        .find(&format!("{card} [data-testid=poll-exported]"))
        .await
        .attr("data-pdf")
        .await
        .unwrap()
        .unwrap();
    // The report wraps long lines: compared without the spaces and breaks.
    let unspaced = |text: &str| text.split_whitespace().collect::<String>();
    let text = pdf_text_of(&results);
    let stated = format!(
        "Sổ kiểm phiếu của máy chủ: 2 mục cho biểu quyết này, mục cuối ở vị trí {}, mã băm {}",
        final_view["audit"]["lastSeq"],
        final_view["audit"]["hash"].as_str().unwrap()
    );
    assert!(
        unspaced(&text).contains(&unspaced(&stated)),
        "the results say where their ballots stand in the log: {text}"
    );
    let signed = sign_with_key_file(&window, &card, &ca.path().join("signer.p12")).await;
    window.screenshot("results-signed").await;
    window.close().await;

    let (matches, said) = audit_verify_against(data.path(), Path::new(&signed));
    assert!(matches, "{said}");
    assert!(
        said.starts_with(&format!(
            "signed results match the audit log: poll {poll_id}, 2 ballots up to entry {}",
            final_view["audit"]["lastSeq"]
        )) && said.contains("signed by Trần Thị Bình, UBND phường Hải Châu"),
        "{said}"
    );
    let (matches, said) = audit_verify_against(data.path(), Path::new(&results));
    assert!(
        !matches && said.contains("states no poll's audit log under a signature"),
        "the unsigned export proves nothing: {said}"
    );

    // The statement edited in the signed copy, "2 ballots" made "9": the signature no
    // longer holds, and nothing is taken from it.
    let utf16_hex = |text: &str| -> String {
        text.encode_utf16()
            .flat_map(u16::to_be_bytes)
            .map(|byte| format!("{byte:02x}"))
            .collect()
    };
    let mut bytes = std::fs::read(&signed).unwrap();
    let (said_two, said_nine) = (utf16_hex("ballots=2"), utf16_hex("ballots=9"));
    let at = bytes
        .windows(said_two.len())
        .position(|window| window == said_two.as_bytes())
        .expect("the statement is in the file");
    bytes[at..at + said_nine.len()].copy_from_slice(said_nine.as_bytes());
    let forged = laptops.path().join("forged.pdf");
    std::fs::write(&forged, bytes).unwrap();
    let (matches, said) = audit_verify_against(data.path(), &forged);
    assert!(
        !matches && said.starts_with("the signature over the results is invalid"),
        "{said}"
    );

    // A hub put back from the backup taken after the first ballot: its log is intact
    // but holds less than the results signed.
    let restored = laptops.path().join("restored");
    let from = laptops.path().join("after-one-ballot.tar");
    hub_admin_output(&restored, &["restore", "--from", from.to_str().unwrap()]);
    let certificate = ca.path().join("ca.pem");
    hub_admin_output(
        &restored,
        &["admin", "trust", "add", certificate.to_str().unwrap()],
    );
    let (matches, said) = audit_verify_against(&restored, Path::new(&signed));
    assert!(
        !matches
            && said.starts_with(&format!(
                "signed results do not match the audit log for poll {poll_id}: they state 2 ballots"
            ))
            && said.contains("the log holds 1 ballots"),
        "{said}"
    );

    // The log changed behind the hub's back: its last ballot removed.
    hub.kill();
    let conn = rusqlite::Connection::open(data.path().join("hub.sqlite3")).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DROP TRIGGER ballots_are_never_deleted;
         DELETE FROM ballots WHERE seq = (SELECT MAX(seq) FROM ballots);",
    )
    .unwrap();
    drop(conn);
    let (matches, said) = audit_verify_against(data.path(), Path::new(&signed));
    assert!(!matches && said.contains("audit log broken"), "{said}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_secretary_puts_the_signed_minutes_on_the_meeting_in_one_step_and_members_read_them_as_valid()
 {
    let DemoHub { data, members, hub } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    let member = synced_laptop(&hub, laptops.path(), &members, "member");
    let ca = trusted_test_ca(data.path());

    let window = open_the_sample_meeting(secretary.profile.as_path()).await;
    export_minutes(&window).await;
    let signed = sign_with_key_file(&window, "", &ca.path().join("signer.p12")).await;
    scroll_to(&window, "[data-testid=sign-publish]").await;
    window.click("[data-testid=sign-publish]").await;
    // Online, the new version goes out at once and the page shows it, the signed
    // minutes on the last item, hợp lệ.
    let sha256 = sha256_of_file(&signed);
    window
        .wait_for_attribute(
            &format!(
                "[data-testid=open-document][data-sha256=\"{sha256}\"] ~ [data-testid=signature-badge]"
            ),
            "data-verdict",
            "valid",
        )
        .await;
    window.screenshot("minutes-published").await;

    // The member's laptop receives the new version with the signed minutes on the last
    // item, and reads them as hợp lệ.
    let found = document_reaching(&member, 5, &sha256).await;
    let document = found.expect("the signed minutes reach the member on the last item");
    let checked = member.run(&["signatures", &document]);
    assert_eq!(checked["verdict"], "valid", "{checked}");
    assert_eq!(
        checked["signatures"][0]["signer"]["commonName"],
        "Trần Thị Bình"
    );
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_signs_their_written_opinion_and_the_secretary_sees_it_signed_and_valid() {
    let DemoHub { data, members, hub } = demo_hub();
    let ca = trusted_test_ca(data.path());
    let laptops = tempfile::tempdir().unwrap();
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    let member = synced_laptop(&hub, laptops.path(), &members, "member");
    let question = "Góp ý dự thảo quy chế làm việc của Ủy ban";
    let poll_id = secretary.create_written_opinion(question, &[]);
    opened_and_answered(&secretary, &member, &poll_id);

    let window = AppWindow::launch(member.profile.as_path()).await;
    let card = format!("article[data-testid=poll][data-poll=\"{poll_id}\"]");
    scroll_to(&window, &format!("{card} [data-testid=answer-sheet-start]")).await;
    window
        .click(&format!("{card} [data-testid=answer-sheet-start]"))
        .await;
    scroll_to(&window, &format!("{card} [data-testid=sign-with-file]")).await;
    let signed = sign_with_key_file(&window, &card, &ca.path().join("signer.p12")).await;
    window
        .find(&format!("{card} [data-testid=sign-sent]"))
        .await;
    let unspaced = |text: &str| text.split_whitespace().collect::<String>();
    let text = unspaced(&pdf_text_of(&signed));
    for expected in [
        "PHIẾU LẤY Ý KIẾN",
        &format!("Về việc: {question}"),
        "Ý kiến: Đồng ý",
    ] {
        assert!(
            text.contains(&unspaced(expected)),
            "the sheet says {expected:?}: {text}"
        );
    }
    // The window's own sync sends it; the member is told the hub has it.
    window
        .wait_for_attribute(
            &format!("{card} [data-testid=my-sheet]"),
            "data-status",
            "received",
        )
        .await;
    window.screenshot("answer-sheet-signed").await;
    window.close().await;
    assert!(
        pdfsig(&signed).contains("Signature is Valid"),
        "another reader finds the signature whole: {}",
        pdfsig(&signed)
    );

    secretary.run(&["sync"]);
    let window = AppWindow::launch(secretary.profile.as_path()).await;
    let row = format!("{card} [data-testid=answer-sheet]");
    window
        .wait_for_attribute(&row, "data-verdict", "valid")
        .await;
    window
        .wait_for_text(
            &format!("{row} [data-testid=answer-sheet-signer]"),
            "Trần Thị Bình, UBND phường Hải Châu",
        )
        .await;
    scroll_to(&window, &format!("{row} [data-testid=answer-sheet-save]")).await;
    window.screenshot("answer-sheets-received").await;
    window
        .click(&format!("{row} [data-testid=answer-sheet-save]"))
        .await;
    let copy = window
        .find(&format!("{row} [data-testid=answer-sheet-saved]"))
        .await
        .attr("data-path")
        .await
        .unwrap()
        .unwrap();
    window.close().await;
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&signed).unwrap(),
        "the secretary's copy is the member's signed sheet, byte for byte"
    );

    // The member answers again: the signed sheet no longer answers for their choice.
    member.run(&["vote", &poll_id, "disagree"]);
    member.run(&["sync"]);
    secretary.run(&["sync"]);
    let cards = secretary.run(&["polls"]);
    let card = cards
        .as_array()
        .unwrap()
        .iter()
        .find(|card| card["view"]["poll"]["id"] == poll_id.as_str())
        .unwrap();
    assert_eq!(
        card["answerSheets"],
        serde_json::json!([]),
        "withdrawn on the secretary's laptop too"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_secretary_puts_signed_results_on_the_polls_item_in_one_step() {
    let DemoHub { data, members, hub } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    let member = synced_laptop(&hub, laptops.path(), &members, "member");
    let ca = trusted_test_ca(data.path());
    let meeting = secretary.only_meeting();
    let poll_id = poll_in_the_room(
        &secretary,
        &meeting,
        2,
        "Thông qua kế hoạch đầu tư công năm 2027",
    );
    opened_and_answered(&secretary, &member, &poll_id);
    closed_until_final(&secretary, &meeting, &poll_id).await;

    let window = open_the_sample_meeting(secretary.profile.as_path()).await;
    let card = format!("article[data-testid=poll][data-poll=\"{poll_id}\"]");
    scroll_to(&window, &format!("{card} [data-testid=poll-export]")).await;
    window
        .click(&format!("{card} [data-testid=poll-export]"))
        .await;
    scroll_to(&window, &format!("{card} [data-testid=sign-with-file]")).await;
    let signed = sign_with_key_file(&window, &card, &ca.path().join("signer.p12")).await;
    let offered = window
        .find(&format!("{card} [data-testid=sign-publish-item]"))
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        offered.as_deref(),
        meeting["agenda"][2]["id"].as_str(),
        "the results go on the poll's own item unless the secretary picks another"
    );
    scroll_to(&window, &format!("{card} [data-testid=sign-publish]")).await;
    window
        .click(&format!("{card} [data-testid=sign-publish]"))
        .await;
    window
        .find(&format!("{card} [data-testid=sign-published]"))
        .await;
    window.close().await;

    let sha256 = sha256_of_file(&signed);
    let document = document_reaching(&member, 2, &sha256)
        .await
        .expect("the signed results reach the member on the poll's item");
    let checked = member.run(&["signatures", &document]);
    assert_eq!(checked["verdict"], "valid", "{checked}");
    let (matches, said) = audit_verify_against(data.path(), Path::new(&signed));
    assert!(matches, "the published copy still matches the log: {said}");
}
