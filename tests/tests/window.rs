//! The real window: what a member sees when they open Quorum.

use quorum_e2e::AppWindow;

const SAMPLE_TITLE: &str = "Phiên họp thường kỳ UBND quận tháng 12";

#[tokio::test(flavor = "multi_thread")]
async fn a_member_opens_the_sample_meeting_and_switches_to_english() {
    let profile = tempfile::tempdir().unwrap();
    let window = AppWindow::launch(profile.path()).await;
    eprintln!("window up {:?} after launch", window.startup);

    // First start: Vietnamese, with the sample meeting loaded into the empty store.
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

    window
        .find("[data-testid=lang-en]")
        .await
        .click()
        .await
        .unwrap();
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

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_store_is_explained_and_left_untouched() {
    let profile = tempfile::tempdir().unwrap();
    let store = profile.path().join("store.sqlite3");
    let garbage = "Biên bản viết tay, không phải cơ sở dữ liệu.\n".repeat(200);
    std::fs::write(&store, &garbage).unwrap();

    let window = AppWindow::launch(profile.path()).await;
    let panel = window.find("[data-testid=error-panel]").await;
    assert_eq!(
        panel.attr("data-code").await.unwrap().as_deref(),
        Some("storeNotADatabase"),
        "the window names the problem"
    );
    let message = window
        .find("[data-testid=error-message]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        message.contains("không phải là cơ sở dữ liệu") && message.contains("giữ nguyên"),
        "the member reads, in Vietnamese, what is wrong and that the file is kept: {message:?}"
    );
    window.screenshot("damaged-store").await;
    window.close().await;

    assert_eq!(
        std::fs::read_to_string(&store).unwrap(),
        garbage,
        "the damaged file is left as it was"
    );
}
