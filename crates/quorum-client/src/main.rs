//! `quorum`: the headless Quorum client. Same profile format as the window, so a script
//! can enroll, sync and inspect what a member's laptop holds. `--json` prints exactly
//! one JSON document on stdout, also for errors.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::{Parser, Subcommand};
use quorum_core::{Clock, MeetingId, SystemClock};
use quorum_sync::{Profile, SyncEngine, SyncStatus};
use serde::Serialize;
use serde_json::{Value, json};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "quorum", version, about = "Quorum's headless client")]
struct Cli {
    /// The profile folder (the window uses the same layout).
    #[arg(long, env = "QUORUM_PROFILE")]
    profile: PathBuf,
    /// Print one JSON document instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Bind this profile to a member with the one-time code the secretary gave.
    Enroll {
        url: String,
        code: String,
        #[arg(long, default_value = "quorum (headless)")]
        device_name: String,
    },
    /// Upload waiting operations, pull changes, fetch missing documents.
    Sync,
    /// What this profile holds and what waits for the hub (no network).
    Status,
    /// Meetings on this laptop, upcoming first.
    Meetings,
    /// One meeting with its agenda and whether each document is here.
    Show { meeting: MeetingId },
    /// Check in to a meeting (queued until the next sync).
    CheckIn { meeting: MeetingId },
}

type Failure = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(cli.json, &error.into()),
    };
    match runtime.block_on(run(&cli)) {
        Ok((value, text)) => {
            if cli.json {
                println!("{value}");
            } else {
                println!("{text}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => fail(cli.json, &error),
    }
}

fn fail(json: bool, error: &Failure) -> ExitCode {
    if json {
        println!("{}", json!({ "error": error.to_string() }));
    }
    eprintln!("quorum: {error}");
    ExitCode::FAILURE
}

fn to_value(value: &impl Serialize) -> Result<Value, Failure> {
    Ok(serde_json::to_value(value)?)
}

/// Runs the command; returns the JSON document and the text for people.
async fn run(cli: &Cli) -> Result<(Value, String), Failure> {
    let profile = Profile::new(&cli.profile);
    let clock = SystemClock;
    match &cli.command {
        Command::Enroll {
            url,
            code,
            device_name,
        } => {
            let enrolled = quorum_sync::enroll(&profile, url, code, device_name, &clock).await?;
            let text = format!(
                "enrolled as {} ({:?}) in {}",
                enrolled.member.full_name, enrolled.member.role, enrolled.committee.name
            );
            Ok((
                json!({ "member": enrolled.member, "committee": enrolled.committee }),
                text,
            ))
        }
        Command::Sync => {
            let store = Arc::new(Mutex::new(profile.open_store()?));
            let engine = SyncEngine::new(profile, store, Arc::new(clock))?;
            let report = engine.sync_once().await?;
            let status = engine.status().borrow().clone();
            let text = format!(
                "synced: {} changes, {} documents fetched, {} operations applied, {} rejected; \
                 {}/{} documents here",
                report.changes_applied,
                report.blobs_fetched,
                report.operations_applied,
                report.operations_rejected,
                status.documents_present,
                status.documents_total
            );
            Ok((json!({ "report": report, "status": status }), text))
        }
        Command::Status => {
            let store = profile.open_store()?;
            let status = SyncStatus::from_store(&store)?;
            let me = store.me()?;
            let device_id = store.device()?.map(|device| device.device_id);
            let rejected: Vec<Value> = store
                .rejected_operations()?
                .into_iter()
                .map(|refused| {
                    json!({ "operation": refused.operation, "refusal": refused.refusal, "reason": refused.reason })
                })
                .collect();
            let text = format!(
                "{}; {} operations waiting, {} rejected; {}/{} documents here; last synced {}",
                me.as_ref().map_or("not enrolled".to_string(), |m| format!(
                    "enrolled as {}",
                    m.full_name
                )),
                status.pending_operations,
                status.rejected_operations,
                status.documents_present,
                status.documents_total,
                status
                    .last_synced_at
                    .map_or("never".to_string(), |t| t.to_rfc3339()),
            );
            Ok((
                json!({ "member": me, "deviceId": device_id, "status": status, "rejected": rejected }),
                text,
            ))
        }
        Command::Meetings => {
            let meetings = profile.open_store()?.meetings(clock.now())?;
            let text = meetings
                .iter()
                .map(|m| format!("{}  {}  {}", m.id, m.starts_at.to_rfc3339(), m.title))
                .collect::<Vec<_>>()
                .join("\n");
            Ok((to_value(&meetings)?, text))
        }
        Command::Show { meeting } => {
            let store = profile.open_store()?;
            let meeting = store.meeting(*meeting)?;
            let mut documents = Vec::new();
            let mut text = format!("{}\n", meeting.title);
            for (n, item) in meeting.agenda.iter().enumerate() {
                text.push_str(&format!("{}. {}\n", n + 1, item.title));
                for document in &item.documents {
                    let sha256 = &document.current.sha256;
                    let present = store.blob_is_verified(sha256)?;
                    text.push_str(&format!(
                        "   {} ({}){}\n",
                        document.title,
                        document.current.file_name,
                        if present {
                            ""
                        } else {
                            " — not downloaded yet"
                        }
                    ));
                    documents.push(json!({
                        "documentId": document.id,
                        "sha256": sha256,
                        "present": present,
                        "path": present.then(|| profile.blob_path(sha256)),
                    }));
                }
            }
            Ok((
                json!({ "meeting": meeting, "documents": documents }),
                text.trim_end().to_string(),
            ))
        }
        Command::CheckIn { meeting } => {
            let operation = profile.open_store()?.check_in(*meeting, clock.now())?;
            let text = format!(
                "checked in; operation {} waits for the next sync",
                operation.id
            );
            Ok((to_value(&operation)?, text))
        }
    }
}
