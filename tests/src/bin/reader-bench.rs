#![allow(clippy::unwrap_used)] // a benchmark command: any failure ends the run with its message
//! Benchmark: the reader in the real window, on the 184-page Why3 manual. The secretary
//! puts the manual into the demo meeting on a real hub; a member's laptop syncs it, and
//! the app (`QUORUM_APP_BIN`, a release build for the figures) opens it. Run under a
//! display: `xvfb-run -a cargo run -p quorum-e2e --bin reader-bench`.
//!
//! - Page turns, from the key press to the frame after the page's image is decoded
//!   (timed inside the page, from the key event's own timestamp): turns to pages never
//!   shown (`uncached`: typed into the page box, far from any page rendered ahead) and
//!   back to pages shown before (`cached`).
//! - Memory: the proportional set size (PSS, from /proc/PID/smaps_rollup) of the app
//!   and its WebKit processes, and of the PDF workers, once the manual is open and after
//!   each of two passes through all of it, page by page.

use std::time::{Duration, Instant};

use quorum_e2e::AppWindow;
use quorum_e2e::processes::{DemoHub, demo_hub, processes_named, replace_document, synced_laptop};

const PAGES: u32 = 184;

/// Waits for the turn the watcher timed, in ms.
async fn timed_turn(window: &AppWindow) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let turn = window
            .client
            .execute("return window.__turn ?? null;", vec![])
            .await
            .unwrap();
        if let Some(ms) = turn.as_f64() {
            return ms;
        }
        assert!(Instant::now() < deadline, "the page never arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Arms a watcher for the next key press: it notes the press's time, then the frame
/// after page `n` (from 1) has all its images decoded.
async fn watch_turn_to(window: &AppWindow, n: u32) {
    let script = "
        const n = arguments[0];
        window.__turn = null;
        addEventListener('keydown', (event) => {
            const pressed = event.timeStamp;
            const drawn = () => {
                const images = [...document.querySelectorAll(`[data-page=\"${n}\"] img`)];
                return images.length > 0 && images.every((i) => i.complete && i.naturalWidth > 0);
            };
            const check = () => drawn()
                ? requestAnimationFrame(() => { window.__turn = performance.now() - pressed; })
                : setTimeout(check, 1);
            check();
        }, { once: true, capture: true });";
    window
        .client
        .execute(script, vec![serde_json::json!(n)])
        .await
        .unwrap();
}

/// Goes to page `n` by typing it into the page box, timed from the Enter key.
async fn turn_to(window: &AppWindow, n: u32) -> f64 {
    let goto = window.find("[data-testid=viewer-goto]").await;
    goto.clear().await.unwrap();
    goto.send_keys(&n.to_string()).await.unwrap();
    watch_turn_to(window, n).await;
    goto.send_keys("\u{E007}").await.unwrap(); // Enter
    timed_turn(window).await
}

/// PSS in MB of every process whose command name is `comm`.
fn pss_mb(comm: &str) -> f64 {
    processes_named(comm)
        .into_iter()
        .filter_map(|pid| {
            let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
            rollup
                .lines()
                .find_map(|line| line.strip_prefix("Pss:"))?
                .split_whitespace()
                .next()?
                .parse::<f64>()
                .ok()
        })
        .sum::<f64>()
        / 1024.0
}

fn memory_row(when: &str) {
    let [app, web, network, workers] = [
        "quorum-app",
        "WebKitWebProces",
        "WebKitNetworkPr",
        "quorum-pdf-work",
    ]
    .map(pss_mb);
    println!(
        "| {when} | {:.0} | {app:.0} | {web:.0} | {network:.0} | {workers:.0} |",
        app + web + network
    );
}

/// Every page in turn, by the PageDown key, each waited for.
async fn read_through(window: &AppWindow) {
    // Keys typed into the page box stay there: give them to the page instead.
    window
        .client
        .execute("document.activeElement?.blur();", vec![])
        .await
        .unwrap();
    let keys = window.client.active_element().await.unwrap();
    for n in 2..=PAGES {
        watch_turn_to(window, n).await;
        keys.send_keys("\u{E00F}").await.unwrap(); // PageDown
        timed_turn(window).await;
    }
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

#[tokio::main]
async fn main() {
    let manual = std::path::PathBuf::from(
        std::env::var_os("QUORUM_TEST_PDFS").expect("QUORUM_TEST_PDFS names the PDFs"),
    )
    .join("why3-manual.pdf");
    let DemoHub {
        data: _hub_data,
        members,
        hub,
    } = demo_hub();
    let laptops = tempfile::tempdir().unwrap();
    let laptop = synced_laptop(&hub, laptops.path(), &members, "member");
    let secretary = synced_laptop(&hub, laptops.path(), &members, "secretary");
    replace_document(&hub, &secretary, 1, std::fs::read(&manual).unwrap(), PAGES).await;
    laptop.run(&["sync"]);

    let window = AppWindow::launch_as_members_run_it(laptop.profile.as_path()).await;
    window.enter_the_demo().await;
    window.find("[data-testid=meeting-row]").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let at_start = [
        "quorum-app",
        "WebKitWebProces",
        "WebKitNetworkPr",
        "quorum-pdf-work",
    ]
    .map(pss_mb);
    window.open_demo_document(1, PAGES as usize).await;
    window.wait_until_drawn(1).await;
    // Let the pages rendered ahead of page 1 arrive before anything is timed.
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Far from each other and from page 1, so none was rendered ahead.
    let far: Vec<u32> = (1..=8).map(|i| i * 20 + 3).collect();
    let mut uncached = Vec::new();
    for &n in &far {
        uncached.push(turn_to(&window, n).await);
        // The member reads a moment; the pages after it are rendered ahead meanwhile.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let mut cached = Vec::new();
    for &n in &far {
        cached.push(turn_to(&window, n).await);
    }
    println!(
        "page turn in the window, {} turns each: uncached median {:.1} ms (slowest {:.1}); cached median {:.1} ms (slowest {:.1})",
        far.len(),
        median(uncached.clone()),
        uncached.iter().copied().fold(0.0, f64::max),
        median(cached.clone()),
        cached.iter().copied().fold(0.0, f64::max),
    );

    println!(
        "| when | app + WebKit PSS MB | quorum-app | WebKitWebProcess | WebKitNetworkProcess | PDF workers |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let [app, web, network, workers] = at_start;
    println!(
        "| meeting list, before any document | {:.0} | {app:.0} | {web:.0} | {network:.0} | {workers:.0} |",
        app + web + network
    );
    turn_to(&window, 1).await;
    memory_row("manual open, page 1 shown");
    for pass in 1..=2 {
        turn_to(&window, 1).await;
        read_through(&window).await;
        memory_row(&format!("after reading all {PAGES} pages, pass {pass}"));
    }
    window.close().await;
}
