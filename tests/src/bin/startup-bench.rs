#![allow(clippy::unwrap_used)] // a benchmark command: any failure ends the run with its message
//! Benchmark: time from the start of the Quorum process until its first screen is
//! drawn. Run under a display:
//! `xvfb-run -a cargo run -p quorum-e2e --bin startup-bench -- 10`
//! (`QUORUM_APP_BIN` names a release build to measure that one).
//!
//! Two cases: a first launch (a new profile: the store is created and the sample
//! loaded; the first screen is the join screen, where the member tries the demo) and a
//! daily launch (the same profile again: the first screen is the meeting list). Each launch is split in two:
//! from the process's start until the page begins loading (GTK, the store, the webview:
//! what any Tauri app pays, the hello-world part), and from there until the meeting
//! list is drawn (the page's script and the commands it calls). The process's start
//! comes from /proc (10 ms ticks); the page's times from `performance` in the window,
//! where the app marks its first screen drawn (`quorum:first-screen`).

use std::path::Path;
use std::time::Duration;

use quorum_e2e::processes::processes_named;
use quorum_e2e::{AppWindow, runs_argument};

/// One launch: process start → page start → first screen, in ms.
struct Launch {
    native: f64,
    page: f64,
}

/// When the newest `quorum-app` process started, in ms since the epoch.
fn app_process_start_ms() -> f64 {
    let boot_seconds: f64 = std::fs::read_to_string("/proc/stat")
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("btime "))
        .and_then(|seconds| seconds.trim().parse().ok())
        .expect("the boot time in /proc/stat");
    // Clock ticks a second: 100 on Linux for /proc's start times.
    const TICKS: f64 = 100.0;
    let newest_ticks = processes_named("quorum-app")
        .into_iter()
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // Fields after the command's closing parenthesis; the start time is the 22nd.
            let after = &stat[stat.rfind(')')? + 2..];
            after.split_whitespace().nth(19)?.parse::<f64>().ok()
        })
        .fold(0.0, f64::max);
    assert!(newest_ticks > 0.0, "a quorum-app process runs");
    (boot_seconds + newest_ticks / TICKS) * 1000.0
}

/// Launches the app on `profile` and times it to its first screen, then leaves it
/// showing the meetings (trying the demo on a new profile).
async fn launch(profile: &Path) -> Launch {
    let window = AppWindow::launch_as_members_run_it(profile).await;
    let script = "const shown = performance.getEntriesByName('quorum:first-screen')[0];
        return shown ? [performance.timeOrigin, shown.startTime] : null;";
    let (origin, shown) = loop {
        let marks = window.client.execute(script, vec![]).await.unwrap();
        if let Some([origin, shown]) = marks.as_array().map(Vec::as_slice) {
            break (origin.as_f64().unwrap(), shown.as_f64().unwrap());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let process = app_process_start_ms();
    window.enter_the_demo().await;
    window.find("[data-testid=meeting-row]").await;
    window.close().await;
    Launch {
        native: origin - process,
        page: shown,
    }
}

fn report(case: &str, launches: &[Launch]) {
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let mut total: Vec<f64> = launches.iter().map(|l| l.native + l.page).collect();
    let mut native: Vec<f64> = launches.iter().map(|l| l.native).collect();
    let mut page: Vec<f64> = launches.iter().map(|l| l.page).collect();
    let fastest = total.iter().copied().fold(f64::INFINITY, f64::min);
    let slowest = total.iter().copied().fold(0.0, f64::max);
    println!(
        "| {case} | {} | {:.0} ms | {fastest:.0} ms | {slowest:.0} ms | {:.0} ms | {:.0} ms |",
        total.len(),
        median(&mut total),
        median(&mut native),
        median(&mut page),
    );
}

#[tokio::main]
async fn main() {
    let runs = runs_argument(10);
    let (mut first, mut daily) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let profile = tempfile::tempdir().expect("a temporary profile");
        first.push(launch(profile.path()).await);
        daily.push(launch(profile.path()).await);
    }
    println!("launch to first screen drawn, {runs} runs of each");
    println!(
        "| launch | runs | median | fastest | slowest | process start → page start (median) | page start → first screen drawn (median) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    report("first (new profile, sample loaded): join screen", &first);
    report("daily (same profile again): meeting list", &daily);
}
