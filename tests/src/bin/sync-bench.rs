#![allow(clippy::unwrap_used)] // a benchmark command: any failure ends the run with its message
//! Benchmark: a meeting pack of 40 PDFs (about 200 MB) to 20 laptops on loopback.
//!
//! Measures, in one run: the wall time for 20 `quorum sync` processes started together
//! to hold the whole pack, verified; the same bytes fetched by 20 `curl` processes
//! straight from the hub's blob endpoint (plain HTTP, no sync logic); the latency of a
//! sync when nothing changed; and the hub's memory while serving.
//!
//! Build in release first, then run from the same target folder:
//! `cargo build --release -p quorum-hub -p quorum-client -p quorum-e2e --bin sync-bench`
//! `target/release/sync-bench` (with CARGO_TARGET_DIR, the folder there).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use quorum_e2e::processes::{HubProcess, Laptop, code_for, hub_admin_output, hub_demo, new_code};
use serde_json::{Value, json};

const DOCUMENTS: usize = 40;
const DOCUMENT_BYTES: usize = 5 * 1024 * 1024;
const LAPTOPS: usize = 20;
const NO_CHANGE_RUNS: usize = 20;

fn sample_documents() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/sample/documents");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// 40 distinct PDFs of 5 MiB: the sample PDFs with a different incompressible tail
/// after their end marker (readers ignore bytes after %%EOF).
fn make_pack(dir: &Path) -> Vec<(String, PathBuf, u64, u32)> {
    std::fs::create_dir_all(dir).unwrap();
    let sources = sample_documents();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..DOCUMENTS)
        .map(|n| {
            let mut bytes = std::fs::read(&sources[n % sources.len()]).unwrap();
            bytes.extend_from_slice(b"\n% quorum benchmark padding\n");
            while bytes.len() < DOCUMENT_BYTES {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.extend_from_slice(&state.to_le_bytes());
            }
            let path = dir.join(format!("tai-lieu-{n:02}.pdf"));
            std::fs::write(&path, &bytes).unwrap();
            let (sha, size) = quorum_core::Sha256Hex::of_reader(&mut &bytes[..]).unwrap();
            (sha.to_string(), path, size, 2)
        })
        .collect()
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    field("VmRSS:")
}

/// Samples the hub's resident memory until stopped; returns the peak in KiB.
fn watch_memory(pid: u32) -> (Arc<AtomicBool>, std::thread::JoinHandle<u64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let handle = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
            peak.load(Ordering::Relaxed)
        })
    };
    (stop, handle)
}

/// Forces everything written to the file system holding `folder` to disk (syncfs).
fn sync_file_system(folder: &Path) {
    let status = Command::new("sync").arg("-f").arg(folder).status().unwrap();
    assert!(status.success(), "sync -f failed");
}

fn wait_all(children: Vec<Child>) {
    for mut child in children {
        let status = child.wait().unwrap();
        assert!(status.success(), "a download failed: {status}");
    }
}

#[tokio::main]
async fn main() {
    let work = tempfile::Builder::new()
        .prefix("quorum-bench-")
        .tempdir_in("/var/tmp")
        .unwrap();
    let data = work.path().join("hub");
    let pack = make_pack(&work.path().join("pack"));
    let pack_bytes: u64 = pack.iter().map(|(_, _, size, _)| size).sum();

    let members = hub_demo(&data);
    let hub = HubProcess::start(&data, "127.0.0.1:0");
    let idle_kib = rss_kib(hub.pid());
    let secretary = Laptop::new(work.path().join("secretary"));
    secretary.enroll(&hub, &code_for(&members, "secretary"));
    let committee = secretary.run(&["status"])["member"]["committeeId"]
        .as_str()
        .unwrap()
        .to_string();

    let mut invitees = Vec::new();
    let laptops: Vec<Laptop> = (0..LAPTOPS)
        .map(|n| {
            let name = format!("Thành viên {n:02}");
            let out = hub_admin_output(
                &data,
                &[
                    "admin",
                    "add-member",
                    "--committee",
                    &committee,
                    "--name",
                    &name,
                    "--role",
                    "member",
                ],
            );
            let line = String::from_utf8(out.stdout).unwrap();
            let mut fields = line.trim().split('\t');
            let (member, code) = (fields.next().unwrap(), fields.next().unwrap());
            invitees.push(member.to_string());
            let laptop = Laptop::new(work.path().join(format!("laptop-{n:02}")));
            (laptop, code.to_string())
        })
        .map(|(laptop, code)| {
            laptop.enroll(&hub, &code);
            laptop
        })
        .collect();

    // Publish the pack as the secretary would: blobs first, then the meeting.
    let http = hub.client();
    let token = secretary.token();
    for (sha, path, _, _) in &pack {
        let file = tokio::fs::File::open(path).await.unwrap();
        let bytes = reqwest::Body::from(file);
        hub.upload_blob(&http, &token, sha, bytes, "upload").await;
    }
    let documents: Vec<Value> = pack
        .iter()
        .map(|(sha, path, size, pages)| {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            json!({ "id": uuid(), "title": name, "current": {
                "number": 1, "sha256": sha, "sizeBytes": size, "pageCount": pages, "fileName": name } })
        })
        .collect();
    let meeting_id = uuid();
    let meeting = json!({
        "id": meeting_id, "committeeId": committee, "title": "Phiên họp đo tải", "startsAt": "2027-01-05T01:00:00Z",
        "location": "Hội trường", "status": "published", "version": 1, "invitees": invitees,
        "agenda": documents.chunks(5).enumerate().map(|(n, docs)| json!({
            "id": uuid(), "title": format!("Nội dung {}", n + 1), "presenter": "Văn phòng",
            "plannedMinutes": 15, "documents": docs })).collect::<Vec<_>>(),
    });
    hub.publish_meeting(&http, &token, &meeting, "publish")
        .await;

    // 20 curl processes fetch the 40 blobs straight from the hub, over the same HTTPS.
    let curl_dir = work.path().join("curl");
    // What the set-up wrote reaches the disk first, so the flush timed below is curl's.
    sync_file_system(work.path());
    let (stop, memory) = watch_memory(hub.pid());
    let started = Instant::now();
    let children = laptops
        .iter()
        .enumerate()
        .map(|(n, laptop)| {
            let out = curl_dir.join(n.to_string());
            std::fs::create_dir_all(&out).unwrap();
            let mut curl = Command::new("curl");
            // The same TLS as the laptops; curl cannot pin a certificate's own hash, so
            // it skips the check (a cost the laptops pay and curl does not).
            curl.args(["-sfk", "--output-dir"]).arg(&out);
            curl.args(["-H", &format!("Authorization: Bearer {}", laptop.token())]);
            for (sha, _, _, _) in &pack {
                curl.args(["-o", sha, &format!("{}/v1/blobs/{sha}", hub.url())]);
            }
            curl.stdout(Stdio::null()).spawn().unwrap()
        })
        .collect();
    wait_all(children);
    let curl_time = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let curl_peak_kib = memory.join().unwrap();
    // curl leaves its bytes in the page cache; a laptop's pack must survive a power cut.
    // The same bytes forced to disk afterwards (syncfs) are the durable anchor.
    let flushed = Instant::now();
    sync_file_system(work.path());
    let curl_durable_time = curl_time + flushed.elapsed();

    // Quorum: 20 laptops sync together: changes, then every blob, hash-verified.
    let (stop, memory) = watch_memory(hub.pid());
    let started = Instant::now();
    let children = laptops
        .iter()
        .map(|l| l.command(&["sync"]).stdout(Stdio::null()).spawn().unwrap())
        .collect();
    wait_all(children);
    let sync_time = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let sync_peak_kib = memory.join().unwrap();
    for laptop in &laptops {
        let status = laptop.run(&["status"]);
        assert_eq!(
            status["status"]["documentsPresent"], DOCUMENTS,
            "every laptop holds the pack"
        );
    }

    // A sync when nothing changed, as a laptop does every 30 s: over HTTPS, and for the
    // handshake's cost the same build over plain HTTP (a second hub process on the same
    // data, allowed on loopback only), alternating so both see the same machine.
    let plain = HubProcess::start_with(&data, "127.0.0.1:0", &["--plain-http"]);
    let plain_laptop = Laptop::new(work.path().join("laptop-plain"));
    plain_laptop.enroll(&plain, &new_code(&data, &invitees[0]));
    plain_laptop.run(&["sync"]);
    let timed = |laptop: &Laptop| {
        let started = Instant::now();
        laptop.run(&["sync"]);
        started.elapsed()
    };
    let (mut no_change, mut no_change_plain): (Vec<Duration>, Vec<Duration>) = (0..NO_CHANGE_RUNS)
        .map(|_| (timed(&laptops[0]), timed(&plain_laptop)))
        .unzip();
    no_change.sort();
    no_change_plain.sort();
    drop(plain);

    let total = (pack_bytes * LAPTOPS as u64) as f64 / 1e6;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "pack: {DOCUMENTS} PDFs, {:.1} MB; {LAPTOPS} laptops; {total:.0} MB delivered per method",
        pack_bytes as f64 / 1e6
    );
    println!("| method | time | throughput | hub peak RSS |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| quorum sync (pull, download, SHA-256 verify) | {:.2} s | {:.0} MB/s | {:.1} MiB |",
        sync_time.as_secs_f64(),
        total / sync_time.as_secs_f64(),
        sync_peak_kib as f64 / 1024.0
    );
    println!(
        "| curl, same blobs from the same hub | {:.2} s | {:.0} MB/s | {:.1} MiB |",
        curl_time.as_secs_f64(),
        total / curl_time.as_secs_f64(),
        curl_peak_kib as f64 / 1024.0
    );
    println!(
        "| curl, then its files forced to disk (`sync -f`) | {:.2} s | {:.0} MB/s | |",
        curl_durable_time.as_secs_f64(),
        total / curl_durable_time.as_secs_f64(),
    );
    println!(
        "ratio quorum/curl durable time: {:.2}",
        sync_time.as_secs_f64() / curl_durable_time.as_secs_f64()
    );
    println!(
        "ratio quorum/curl time: {:.2}",
        sync_time.as_secs_f64() / curl_time.as_secs_f64()
    );
    println!(
        "no-change sync over HTTPS (whole `quorum sync` process), {NO_CHANGE_RUNS} runs: median {:.1} ms, p90 {:.1} ms",
        ms(no_change[NO_CHANGE_RUNS / 2]),
        ms(no_change[NO_CHANGE_RUNS * 9 / 10])
    );
    println!(
        "no-change sync over plain HTTP, same build, same runs: median {:.1} ms, p90 {:.1} ms",
        ms(no_change_plain[NO_CHANGE_RUNS / 2]),
        ms(no_change_plain[NO_CHANGE_RUNS * 9 / 10])
    );
    println!(
        "hub RSS idle after start: {:.1} MiB",
        idle_kib as f64 / 1024.0
    );
}

fn uuid() -> String {
    quorum_core::DocumentId::new_v7().to_string()
}
