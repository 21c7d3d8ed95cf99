//! Helpers for tests that put the `faulty-pdf-worker` in front of the real PDF worker.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The fault-injecting worker, built beside the tests.
pub fn faulty_worker() -> PathBuf {
    crate::workspace_binary("faulty-pdf-worker", "QUORUM_FAULTY_PDF_WORKER")
}

/// Every worker process the faulty workers recorded in `log`: each wrapper and the real
/// worker behind it.
pub fn recorded_workers(log: &Path) -> Vec<u32> {
    std::fs::read_dir(log)
        .expect("the fault log folder exists")
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let wrapper: u32 = entry.file_name().to_str()?.parse().ok()?;
            let real: u32 = std::fs::read_to_string(entry.path())
                .ok()?
                .trim()
                .parse()
                .ok()?;
            Some([wrapper, real])
        })
        .flatten()
        .collect()
}

/// Whether process `pid` runs (a zombie, dead but not yet reaped, does not).
pub fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

/// The parent of process `pid`.
pub fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')')
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The app that started the recorded `workers`: the parent of a running one that is the
/// app binary. (A worker whose wrapper died was handed to the system, or to whichever
/// process reaps orphans here, and that parent never exits with the window.)
pub fn app_of(workers: &[u32]) -> u32 {
    let app = crate::app_binary()
        .canonicalize()
        .expect("the app binary is built");
    workers
        .iter()
        .filter_map(|pid| parent_of(*pid))
        .find(|parent| {
            !workers.contains(parent)
                && std::fs::read_link(format!("/proc/{parent}/exe")).is_ok_and(|exe| exe == app)
        })
        .expect("a running worker names the app as its parent")
}

/// Waits up to five seconds for `pids` to end; returns those still running.
pub fn still_running_after_a_while(pids: &[u32]) -> Vec<u32> {
    for _ in 0..50 {
        if pids.iter().all(|pid| !running(*pid)) {
            return Vec::new();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    pids.iter().copied().filter(|pid| running(*pid)).collect()
}
