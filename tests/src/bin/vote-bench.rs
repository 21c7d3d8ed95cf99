#![allow(clippy::unwrap_used)] // a benchmark command: any failure ends the run with its message
//! Benchmark: how many ballots per second the hub accepts, and how long after the chair
//! opens a poll 200 connected laptops have it.
//!
//! Ballots: 20 voting members each sign 250 ballot versions on their laptops (a member
//! may change their ballot until the close; every version is checked, logged in the
//! hash-chained audit log and tallied); then 20 `quorum sync` processes start together.
//! Opening: 200 devices hold the hub's live channel; the chair's laptop uploads "open";
//! each device, on the notice, pulls the change feed until the poll is open there.
//!
//! Build in release first, then run from the same target folder:
//! `cargo build --release -p quorum-hub -p quorum-client -p quorum-e2e --bin quorum-hub --bin quorum --bin vote-bench`
//! `$CARGO_TARGET_DIR/release/vote-bench` — one hub process, its records in its data
//! folder, or where `QUORUM_HUB_DATABASE` says (a `postgres://` URL);
//! `vote-bench --behind-nginx N` — N hub processes on the PostgreSQL database
//! `QUORUM_HUB_DATABASE` names, laptops reaching them through nginx
//! (packaging/nginx/quorum-hub.conf).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use quorum_core::{Clock, SystemClock};
use quorum_e2e::balancer::{Balancer, hubs_sharing_records};
use quorum_e2e::processes::{
    Laptop, add_voting_member, audit_verify, code_for, demo_committee, get_json, hub_admin_output,
    new_code, pinned_client,
};

const VOTERS: usize = 20;
const BALLOTS_EACH: usize = 250;
const LISTENERS: usize = 200;

fn new_poll(chair: &Laptop, question: &str) -> String {
    chair.create_written_opinion(question, &[])
}

fn percentile(sorted: &[f64], share: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * share).round() as usize]
}

/// A laptop in `profile`, enrolled by `code` at `url`, pinning `fingerprint`.
fn enrolled_at(url: &str, fingerprint: &str, profile: std::path::PathBuf, code: &str) -> Laptop {
    let laptop = Laptop::new(profile);
    laptop.run(&["enroll", url, code, "--certificate", fingerprint]);
    laptop
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let processes = args
        .iter()
        .position(|arg| arg == "--behind-nginx")
        .map_or(1, |at| args[at + 1].parse::<usize>().unwrap());
    let folders: Vec<tempfile::TempDir> = (0..processes)
        .map(|_| tempfile::tempdir().unwrap())
        .collect();
    let data = &folders[0];
    let (demo, hubs) = hubs_sharing_records(&folders);
    let balancer = (processes > 1).then(|| Balancer::start(&hubs, &data.path().join("tls")));
    let url = balancer
        .as_ref()
        .map_or_else(|| hubs[0].url(), |b| b.url.clone());
    let fingerprint = hubs[0].fingerprint.clone();
    eprintln!("{processes} hub process(es), laptops reach them at {url}");
    let laptops = tempfile::tempdir().unwrap();
    let committee = demo_committee(data.path());
    let listed =
        String::from_utf8(hub_admin_output(data.path(), &["admin", "list-members"]).stdout)
            .unwrap();

    // --- ballots per second ---------------------------------------------------------
    let mut codes = vec![code_for(&demo, "chair")];
    codes.extend(
        demo.iter()
            .filter(|m| m.role == "member")
            .map(|m| m.code.clone()),
    );
    while codes.len() < VOTERS {
        let name = format!("Thành viên {}", codes.len());
        codes.push(add_voting_member(data.path(), &committee, &name));
    }
    let voters: Vec<Laptop> = codes
        .iter()
        .enumerate()
        .map(|(n, code)| {
            enrolled_at(
                &url,
                &fingerprint,
                laptops.path().join(format!("voter-{n}")),
                code,
            )
        })
        .collect();
    let chair = &voters[0];
    let poll = new_poll(chair, "Thông qua dự toán ngân sách năm 2027");
    chair.run(&["open-poll", &poll]);
    for laptop in &voters {
        laptop.run(&["sync"]);
    }
    let poll_id: quorum_core::PollId = poll.parse().unwrap();
    let options = ["agree", "disagree", "other"];
    for laptop in &voters {
        let mut store = quorum_store::Store::open(&laptop.profile.join("store.sqlite3")).unwrap();
        let me = store.me().unwrap().unwrap().id;
        let start = SystemClock.now();
        for n in 0..BALLOTS_EACH {
            let option = options[n % options.len()];
            let comment = (option == "other").then(|| format!("Ý kiến lần {n}"));
            let at = start + chrono::Duration::milliseconds(n as i64);
            store.cast_ballot(poll_id, me, option, comment, at).unwrap();
        }
    }
    eprintln!(
        "{} ballots signed on {VOTERS} laptops; uploading",
        VOTERS * BALLOTS_EACH
    );
    let started = Instant::now();
    let syncs: Vec<_> = voters
        .iter()
        .map(|laptop| {
            laptop
                .command(&["sync"])
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut sync in syncs {
        assert!(
            sync.wait().unwrap().success(),
            "every laptop uploads its ballots"
        );
    }
    let elapsed = started.elapsed();
    let total = VOTERS * BALLOTS_EACH;
    assert_eq!(
        audit_verify(data.path()),
        (
            true,
            format!(
                "audit log intact: {total} ballots and 0 delegations, chains and signatures verified\n"
            )
        ),
        "every ballot version is in the audit log, once"
    );
    println!(
        "ballots: {total} from {VOTERS} laptops at once in {:.2} s: {:.0} ballots/s accepted \
         (each signature-checked, logged in the hash chain, tallied)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );

    // --- open to 200 laptops --------------------------------------------------------
    let member_id = listed
        .lines()
        .find(|line| line.split('\t').nth(2) == Some("member"))
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    let mut tokens = Vec::with_capacity(LISTENERS);
    for n in 0..LISTENERS {
        let code = new_code(data.path(), &member_id);
        let profile = laptops.path().join(format!("listener-{n}"));
        tokens.push(enrolled_at(&url, &fingerprint, profile, &code).token());
    }
    eprintln!("{LISTENERS} devices enrolled; connecting their live channels");
    let poll = new_poll(chair, "Thông qua báo cáo kinh tế – xã hội năm 2026");
    chair.run(&["sync"]);
    let client = pinned_client(&fingerprint);
    // Where every device stands in the feed before the opening.
    let mut cursor = 0;
    loop {
        let url = format!("{url}/v1/changes?since={cursor}");
        let page = get_json(&client, &url, &tokens[0]).await;
        cursor = page["nextCursor"].as_u64().unwrap();
        if page["more"] != true {
            break;
        }
    }
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(LISTENERS);
    let (go_tx, _) = tokio::sync::broadcast::channel::<Instant>(1);
    let mut listeners = Vec::with_capacity(LISTENERS);
    for token in tokens {
        // Each laptop its own client, as each runs its own app: the app keeps one for its
        // syncs (every 30 s and on each notice) beside its live channel, so a pull after
        // a notice goes over a connection its last sync left open. Each pulls once after
        // opening its live channel.
        let client = pinned_client(&fingerprint);
        let url = url.clone();
        let poll = poll.clone();
        let ready = ready_tx.clone();
        let mut go = go_tx.subscribe();
        listeners.push(tokio::spawn(async move {
            let response = client
                .get(format!("{url}/v1/events"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let mut events = response.bytes_stream();
            get_json(&client, &format!("{url}/v1/changes?since={cursor}"), &token).await;
            ready.send(()).await.unwrap();
            let opened = go.recv().await.unwrap();
            let mut seen = String::new();
            let mut first_notice = None;
            loop {
                // Each notice: pull the feed; done once the poll is open there.
                while !seen.contains("event: change") {
                    let chunk = events.next().await.unwrap().unwrap();
                    seen.push_str(&String::from_utf8_lossy(&chunk));
                }
                first_notice.get_or_insert_with(|| opened.elapsed());
                seen.clear();
                let changes = format!("{url}/v1/changes?since={cursor}&limit=500");
                let page = get_json(&client, &changes, &token).await;
                let open = page["changes"].as_array().unwrap().iter().any(|change| {
                    change["record"]["poll"]["poll"]["id"] == poll.as_str()
                        && change["record"]["poll"]["state"]["kind"] == "open"
                });
                if open {
                    return (first_notice.unwrap_or_default(), opened.elapsed());
                }
            }
        }));
    }
    for _ in 0..LISTENERS {
        ready_rx.recv().await.unwrap();
    }
    eprintln!("{LISTENERS} live channels open; the chair opens the poll");
    // Let every live channel settle before the chair acts.
    tokio::time::sleep(Duration::from_millis(500)).await;
    chair.run(&["open-poll", &poll]);
    let started = Instant::now();
    go_tx.send(started).unwrap();
    let uploaded = Command::new(quorum_e2e::processes::client_binary())
        .arg("--profile")
        .arg(&chair.profile)
        .arg("sync")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(uploaded.success(), "the chair's laptop uploads the opening");
    let (mut noticed, mut times) = (Vec::new(), Vec::new());
    for listener in listeners {
        let (notice, open) = listener.await.unwrap();
        noticed.push(notice.as_secs_f64() * 1000.0);
        times.push(open.as_secs_f64() * 1000.0);
    }
    for times in [&mut noticed, &mut times] {
        times.sort_by(f64::total_cmp);
    }
    println!(
        "open to {LISTENERS} connected laptops (chair's upload included): median {:.0} ms, \
         p99 {:.0} ms, slowest {:.0} ms; their first notice: median {:.0} ms, p99 {:.0} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times[times.len() - 1],
        percentile(&noticed, 0.5),
        percentile(&noticed, 0.99),
    );
    drop(balancer);
    drop(hubs);
}
