//! `quorum`: the headless Quorum client. Same profile format as the window, so a script
//! can enroll, sync and inspect what a member's laptop holds. `--json` prints exactly
//! one JSON document on stdout, also for errors.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::{Parser, Subcommand};
use quorum_core::{
    Annotation, AnnotationShape, Clock, Color, DocumentId, MeetingId, PagePoint, SystemClock,
    Visibility,
};
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
    /// Put a sticky note on a page of a document's newest version (queued until the
    /// next sync); private unless `--share`.
    Note {
        document: DocumentId,
        /// Page number, from 1.
        #[arg(long)]
        page: u32,
        /// Where on the page, in PDF points from the bottom-left corner.
        #[arg(long)]
        x: f32,
        #[arg(long)]
        y: f32,
        /// Show it to everyone in the meeting.
        #[arg(long)]
        share: bool,
        text: String,
    },
    /// The annotations on a document's newest version: the member's own and those
    /// others shared.
    Annotations { document: DocumentId },
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
        Command::Note {
            document,
            page,
            x,
            y,
            share,
            text,
        } => {
            let mut store = profile.open_store()?;
            let me = store.me()?.ok_or(quorum_store::StoreError::NotEnrolled)?;
            let sha256 = store.current_sha256(*document)?;
            let page = page.checked_sub(1).ok_or("pages are numbered from 1")?;
            let shape = AnnotationShape::Note {
                at: PagePoint { x: *x, y: *y },
                text: text.clone(),
            };
            let now = clock.now();
            let note = Annotation {
                visibility: if *share {
                    Visibility::Shared
                } else {
                    Visibility::Private
                },
                ..Annotation::private(*document, sha256, page, me.id, Color::Yellow, shape, now)
            };
            store.save_annotation(&note, now)?;
            let text = format!("note {} kept; it waits for the next sync", note.id);
            Ok((to_value(&note)?, text))
        }
        Command::Annotations { document } => {
            let store = profile.open_store()?;
            let shown = store.annotations(&store.current_sha256(*document)?)?;
            let text = shown
                .iter()
                .map(|s| {
                    let a = &s.annotation;
                    format!(
                        "p.{}  {:?}  {:?}  {}",
                        a.page + 1,
                        a.visibility,
                        a.shape,
                        s.author_name
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            Ok((to_value(&shown)?, text))
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
