//! Time to check every signature of a 40-document pack, as a laptop does when the pack
//! arrives, beside poppler's `pdfsig -nocert` over the same files (which checks the
//! digests and signatures but no certificate path):
//! `cargo run --release -p quorum-signatures --example verify-bench`.
#![allow(clippy::unwrap_used)] // a benchmark: a failed unwrap is a failed run

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quorum_signatures::{Anchors, verify_document};

const PACK: usize = 40;
const RUNS: usize = 5;

fn main() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut signed: Vec<PathBuf> = ["pyhanko", "made-with-pyhanko"]
        .iter()
        .flat_map(|folder| std::fs::read_dir(data.join(folder)).unwrap().flatten())
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pdf"))
        .collect();
    signed.sort();
    let pack: Vec<PathBuf> = signed.iter().cycle().take(PACK).cloned().collect();
    let anchors = Anchors::from_der(
        Anchors::read_pem(&std::fs::read(data.join("pyhanko/root-ca.pem")).unwrap()).unwrap(),
    );
    let now = "2026-12-03T00:00:00Z".parse().unwrap();
    let bytes: u64 = pack
        .iter()
        .map(|path| std::fs::metadata(path).unwrap().len())
        .sum();
    println!(
        "pack: {PACK} documents ({} distinct), {} KB",
        signed.len(),
        bytes / 1024
    );

    let mut ours = Vec::new();
    let mut poppler = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut signatures = 0;
        for path in &pack {
            let document = verify_document(&std::fs::read(path).unwrap(), &anchors, now);
            signatures += document.signatures.len();
        }
        ours.push((started.elapsed(), signatures));
        let started = Instant::now();
        for path in &pack {
            Command::new("pdfsig")
                .arg("-nocert")
                .arg(path)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap();
        }
        poppler.push(started.elapsed());
    }
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let signatures = ours[0].1;
    let ours = median(ours.into_iter().map(|(time, _)| time).collect());
    let poppler = median(poppler);
    println!("signatures checked per pack: {signatures}");
    println!(
        "quorum-signatures, whole pack, median of {RUNS}: {:.1} ms",
        ours.as_secs_f64() * 1e3
    );
    println!(
        "pdfsig -nocert, one process per file, median of {RUNS}: {:.1} ms",
        poppler.as_secs_f64() * 1e3
    );
}
