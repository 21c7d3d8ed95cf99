//! Benchmark: ballots pushed one per request, as members casting at the same moment send
//! them, against a real hub served over HTTPS in this process with its database at full
//! durability. One laptop pushing its ballots one after another waits for a disk flush
//! each time; twenty laptops pushing at once share flushes when the hub commits the
//! pushes that arrived together in one transaction (group commit). The disk's own rate
//! of flushes, measured in the hub's data folder, is the anchor.
//!
//! `cargo bench -p quorum-hub --bench push` (release build; a run takes ~20 s).
#![allow(clippy::unwrap_used)] // a benchmark command: any failure ends the run with its message

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Write as _;
use std::time::{Duration, Instant};

use common::votes::{VotingLaptops, laptops_and_an_open_poll};
use quorum_core::protocol::Outcome;

const LAPTOPS: usize = 20;
const BALLOTS_EACH: usize = 50;

/// Flushes per second the disk under `dir` takes: a small write and `fsync`, repeated.
fn flushes_per_second(dir: &std::path::Path) -> f64 {
    let path = dir.join("flush-probe");
    let mut file = std::fs::File::create(&path).unwrap();
    let rounds = 200;
    let started = Instant::now();
    for _ in 0..rounds {
        file.write_all(b"ballot").unwrap();
        file.sync_data().unwrap();
    }
    let rate = f64::from(rounds) / started.elapsed().as_secs_f64();
    std::fs::remove_file(path).unwrap();
    rate
}

/// Every laptop in `laptops` pushes `each` ballots, one per request, all laptops at once;
/// answers the time taken. Each push must be applied.
async fn push_singly(v: &VotingLaptops, laptops: usize, each: usize) -> Duration {
    let queued: Vec<Vec<_>> = v.laptops[..laptops]
        .iter()
        .map(|laptop| {
            (0..each)
                .map(|n| laptop.vote(v.poll.id, ["agree", "disagree"][n % 2]))
                .collect()
        })
        .collect();
    let started = Instant::now();
    let pushing = v.laptops[..laptops]
        .iter()
        .zip(queued)
        .map(|(laptop, ballots)| async move {
            for ballot in ballots {
                assert_eq!(v.hub.push_one(laptop, ballot).await, Outcome::Applied);
            }
        });
    futures_util::future::join_all(pushing).await;
    started.elapsed()
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let v = laptops_and_an_open_poll(LAPTOPS).await;
        let flushes = flushes_per_second(v.hub.dir.path());
        let alone = push_singly(&v, 1, LAPTOPS * BALLOTS_EACH / 4).await;
        let together = push_singly(&v, LAPTOPS, BALLOTS_EACH).await;
        let rate = |ballots: usize, took: Duration| {
            f64::from(u32::try_from(ballots).unwrap()) / took.as_secs_f64()
        };
        println!("disk: {flushes:.0} flushes/s (write + fsync in the hub's data folder)");
        println!(
            "1 laptop, {} single-ballot pushes one after another: {:.0} ballots/s",
            LAPTOPS * BALLOTS_EACH / 4,
            rate(LAPTOPS * BALLOTS_EACH / 4, alone)
        );
        println!(
            "{LAPTOPS} laptops at once, {BALLOTS_EACH} single-ballot pushes each: {:.0} ballots/s",
            rate(LAPTOPS * BALLOTS_EACH, together)
        );
        assert_eq!(
            v.hub.audit_verify(),
            quorum_hub::AuditOutcome::Intact {
                ballots: u64::try_from(LAPTOPS * BALLOTS_EACH * 5 / 4).unwrap(),
                delegations: 0
            },
            "every ballot logged once, the chain intact"
        );
    });
}
