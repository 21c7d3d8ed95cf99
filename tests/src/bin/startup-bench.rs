//! Benchmark: time from launching Quorum until the meeting list is on screen.
//! Run under a display: `xvfb-run -a cargo run -p quorum-e2e --bin startup-bench -- 10`.
//! Each run uses a new profile, so it includes creating the store and loading the sample.

use std::time::{Duration, Instant};

use quorum_e2e::{AppWindow, runs_argument};

#[tokio::main]
async fn main() {
    let runs = runs_argument(10);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let profile = tempfile::tempdir().expect("a temporary profile");
        let started = Instant::now();
        let window = AppWindow::launch(profile.path()).await;
        window.find("[data-testid=meeting-row]").await;
        times.push(started.elapsed());
        window.close().await;
    }
    times.sort();
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!(
        "launch to meeting list, {runs} runs: median {}, fastest {}, slowest {}",
        ms(times[runs / 2]),
        ms(times[0]),
        ms(times[runs - 1])
    );
}
