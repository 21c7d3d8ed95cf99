//! `quorum`: the headless Quorum client. Same profile format as the window, and the same
//! use-cases (quorum-app-core's `Laptop`): this file parses flags and prints results.
//! `--json` prints exactly one JSON document on stdout, also for errors.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use quorum_app_core::{AppError, Laptop, NewPollSubject, PageRef};
use quorum_core::{
    AgendaItemId, Attendance, DocumentId, FloorAction, MeetingId, MemberId, PagePoint, PollId,
    SpeechKind, SystemClock, Visibility,
};
use quorum_pdf::PdfError;
use quorum_sync::Profile;
use serde::Serialize;
use serde_json::{Value, json};

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
    /// Bind this profile to a member with the one-time code the secretary gave, and the
    /// hub's certificate fingerprint printed beside it (pinned from then on).
    Enroll {
        url: String,
        code: String,
        /// The SHA-256 fingerprint of the hub's certificate; needed for an https:// hub.
        #[arg(long)]
        certificate: Option<String>,
        #[arg(long, default_value = "quorum (headless)")]
        device_name: String,
    },
    #[command(flatten)]
    OnLaptop(LaptopCommand),
}

/// What a profile's laptop does once it is open: all but enrolling.
#[derive(Subcommand)]
enum LaptopCommand {
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
    /// The certificates on the USB tokens plugged in (no PIN needed).
    Tokens,
    /// The signatures (ký số) of a document's newest version, checked on this laptop
    /// against the certificates the hub's admin trusts (no network).
    Signatures { document: DocumentId },
    /// Polls of a meeting, or without `--meeting` the written-opinion requests, with the
    /// ballots cast on this laptop and where they stand.
    Polls {
        #[arg(long)]
        meeting: Option<MeetingId>,
    },
    /// Prepare a poll (chair or secretary): on an agenda item, or as a written-opinion
    /// request to the committee answered by `--deadline`. Queued until the next sync.
    CreatePoll {
        #[arg(long)]
        question: String,
        #[arg(long, requires = "item")]
        meeting: Option<MeetingId>,
        #[arg(long)]
        item: Option<AgendaItemId>,
        /// RFC 3339, e.g. 2026-12-01T17:00:00+07:00; required without `--meeting`.
        #[arg(long, required_unless_present = "meeting")]
        deadline: Option<DateTime<Utc>>,
        #[arg(long)]
        secret: bool,
        /// How long after the close a ballot cast offline before it still counts, in
        /// seconds (at most a day); 0 for a vote in the room, where none comes late.
        #[arg(long, default_value_t = quorum_core::STANDARD_GRACE_SECONDS)]
        late_grace_seconds: u32,
    },
    /// Open a poll for voting (queued; the hub's moment of applying it counts).
    OpenPoll { poll: PollId },
    /// Close a poll (queued; the hub's moment of applying it counts).
    ClosePoll { poll: PollId },
    /// Ask for the floor on an agenda item: to speak, or with `--question` to question.
    RequestFloor {
        meeting: MeetingId,
        item: AgendaItemId,
        #[arg(long)]
        question: bool,
    },
    /// The chair gives the floor to a member waiting on an agenda item.
    GiveFloor {
        meeting: MeetingId,
        item: AgendaItemId,
        member: MemberId,
        #[arg(long)]
        question: bool,
    },
    /// The chair ends the turn of whoever has the floor on an agenda item.
    EndFloor {
        meeting: MeetingId,
        item: AgendaItemId,
    },
    /// The floor of each agenda item of a meeting.
    Floor { meeting: MeetingId },
    /// Who is in the room, and whether the meeting has quorum.
    Attendance { meeting: MeetingId },
    /// The secretary marks an invitee: present, absent (with `--reason`) or replaced by
    /// someone (`--substitute NAME`). Queued until the next sync.
    MarkAttendance {
        meeting: MeetingId,
        member: MemberId,
        #[arg(long, conflicts_with = "substitute")]
        reason: Option<String>,
        #[arg(long)]
        substitute: Option<String>,
    },
    /// Who is ready for a meeting: for each invitee, whether a laptop of theirs holds
    /// the whole latest pack (chair and secretary see the others' laptops).
    Readiness { meeting: MeetingId },
    /// Let another voting member vote for this one in a meeting's polls (signed, queued
    /// until the next sync); without `--to`, take the vote back.
    Delegate {
        meeting: MeetingId,
        #[arg(long)]
        to: Option<MemberId>,
    },
    /// Cast a ballot: signed with this laptop's key and queued until the next sync.
    Vote {
        poll: PollId,
        /// The option's key: agree, disagree, other…
        option: String,
        /// The member's words; required for "other".
        #[arg(long)]
        comment: Option<String>,
        /// Vote for a member who delegated their vote to this one.
        #[arg(long = "for")]
        for_member: Option<MemberId>,
    },
}

type Failure = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    quorum_logging::to_stderr("warn");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // A script asked for JSON: a mistyped argument is answered in JSON too.
        Err(error) if error.use_stderr() && std::env::args().any(|arg| arg == "--json") => {
            let rendered = error.to_string();
            let first_line = rendered.lines().next().unwrap_or_default();
            println!(
                "{}",
                json!({ "error": first_line.trim_start_matches("error: ") })
            );
            eprint!("{error}");
            return ExitCode::from(2);
        }
        Err(error) => error.exit(),
    };
    // The profile holds the device's token and key, ballots and unpublished documents.
    quorum_sqlite::private::restrict_new_files();
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

fn speech_of(question: bool) -> SpeechKind {
    if question {
        SpeechKind::Question
    } else {
        SpeechKind::Speak
    }
}

fn to_value(value: &impl Serialize) -> Result<Value, Failure> {
    Ok(serde_json::to_value(value)?)
}

/// A list as JSON, and for people one line per item.
fn listed<T: Serialize>(
    items: &[T],
    line: impl Fn(&T) -> String,
) -> Result<(Value, String), Failure> {
    let text = items.iter().map(line).collect::<Vec<_>>().join("\n");
    Ok((to_value(&items)?, text))
}

/// Runs the command; returns the JSON document and the text for people.
async fn run(cli: &Cli) -> Result<(Value, String), Failure> {
    let profile = Profile::new(&cli.profile);
    let clock = Arc::new(SystemClock);
    let command = match &cli.command {
        Command::Enroll {
            url,
            code,
            certificate,
            device_name,
        } => return enroll(&profile, url, code, certificate.as_deref(), device_name).await,
        Command::OnLaptop(command) => command,
    };
    // The headless client reads no PDFs: nothing it does needs their pages.
    let no_reader = Err(PdfError::Worker("the quorum client reads no PDFs".into()));
    let laptop = Laptop::open(profile, clock, no_reader)?;
    on_laptop(&laptop, command).await
}

/// Binds the profile to the member whose one-time code this is.
async fn enroll(
    profile: &Profile,
    url: &str,
    code: &str,
    certificate: Option<&str>,
    device_name: &str,
) -> Result<(Value, String), Failure> {
    let enrolled =
        quorum_sync::enroll(profile, url, code, certificate, device_name, &SystemClock).await?;
    let text = format!(
        "enrolled as {} ({:?}) in {}",
        enrolled.member.full_name, enrolled.member.role, enrolled.committee.name
    );
    Ok((
        json!({ "member": enrolled.member, "committee": enrolled.committee }),
        text,
    ))
}

/// Runs a command on the open laptop.
async fn on_laptop(laptop: &Laptop, command: &LaptopCommand) -> Result<(Value, String), Failure> {
    match command {
        LaptopCommand::Sync => {
            let (report, status) = laptop.sync_once().await?;
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
        LaptopCommand::Status => {
            let status = laptop.sync_status()?;
            let me = laptop.me()?;
            let device_id = laptop.enrollment()?.map(|enrollment| enrollment.device_id);
            let rejected: Vec<Value> = laptop
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
        LaptopCommand::Meetings => {
            let meetings = laptop.meetings()?;
            listed(&meetings, |m| {
                format!("{}  {}  {}", m.id, m.starts_at.to_rfc3339(), m.title)
            })
        }
        LaptopCommand::Show { meeting } => {
            let meeting = laptop.meeting(*meeting)?;
            let mut documents = Vec::new();
            let mut text = format!("{}\n", meeting.title);
            for (n, item) in meeting.agenda.iter().enumerate() {
                text.push_str(&format!("{}. {}\n", n + 1, item.title));
                for document in &item.documents {
                    let sha256 = &document.current.sha256;
                    let path = match laptop.verified_blob(sha256) {
                        Ok(path) => Some(path),
                        Err(AppError::NotDownloaded(_)) => None,
                        Err(other) => return Err(other.into()),
                    };
                    text.push_str(&format!(
                        "   {} ({}){}\n",
                        document.title,
                        document.current.file_name,
                        if path.is_some() {
                            ""
                        } else {
                            " — not downloaded yet"
                        }
                    ));
                    documents.push(json!({
                        "documentId": document.id,
                        "sha256": sha256,
                        "present": path.is_some(),
                        "path": path,
                    }));
                }
            }
            Ok((
                json!({ "meeting": meeting, "documents": documents }),
                text.trim_end().to_string(),
            ))
        }
        LaptopCommand::Note {
            document,
            page,
            x,
            y,
            share,
            text,
        } => {
            let at = PageRef {
                document_id: *document,
                sha256: laptop.newest_version(*document)?,
                page: page.checked_sub(1).ok_or("pages are numbered from 1")?,
            };
            let visibility = if *share {
                Visibility::Shared
            } else {
                Visibility::Private
            };
            let point = PagePoint { x: *x, y: *y };
            let note = laptop.add_note(at, point, text.clone(), visibility)?;
            let text = format!("note {} kept; it waits for the next sync", note.id);
            Ok((to_value(&note)?, text))
        }
        LaptopCommand::Annotations { document } => {
            let shown = laptop.annotations(&laptop.newest_version(*document)?)?;
            listed(&shown, |s| {
                let a = &s.annotation;
                format!(
                    "p.{}  {:?}  {:?}  {}",
                    a.page + 1,
                    a.visibility,
                    a.shape,
                    s.author_name
                )
            })
        }
        LaptopCommand::Tokens => listed(&laptop.token_certificates()?, |certificate| {
            format!(
                "{}  {:?}  {}",
                certificate.summary.fingerprint, certificate.summary.subject, certificate.token
            )
        }),
        LaptopCommand::Signatures { document } => {
            let checked = laptop.document_signatures(&laptop.newest_version(*document)?)?;
            let lines: Vec<String> = checked
                .signatures
                .iter()
                .map(|signature| {
                    let signer = signature.signer.as_ref();
                    format!(
                        "{}  {:?}  {}  {}  {:?}",
                        signature.number,
                        signature.verdict,
                        signer.and_then(|s| s.common_name.as_deref()).unwrap_or("?"),
                        signature
                            .signed_at
                            .map_or("no time".to_string(), |t| t.to_rfc3339()),
                        signature.problems
                    )
                })
                .collect();
            let text = lines.join("\n");
            Ok((to_value(&checked)?, text))
        }
        LaptopCommand::Polls { meeting } => {
            let cards = laptop.polls(*meeting)?;
            listed(&cards, |card| {
                let view = &card.view;
                format!(
                    "{}  {:?}  {}/{} answered  {}",
                    view.poll.id,
                    view.state,
                    view.answered,
                    view.eligible.len(),
                    view.poll.question
                )
            })
        }
        LaptopCommand::CreatePoll {
            question,
            meeting,
            item,
            deadline,
            secret,
            late_grace_seconds,
        } => {
            let subject = match (meeting, item, deadline) {
                (Some(meeting_id), Some(agenda_item_id), _) => NewPollSubject::AgendaItem {
                    meeting_id: *meeting_id,
                    agenda_item_id: *agenda_item_id,
                },
                (_, _, Some(closes_at)) => NewPollSubject::WrittenOpinion {
                    closes_at: *closes_at,
                },
                _ => return Err("a written opinion needs --deadline".into()),
            };
            let poll =
                laptop.create_poll(subject, question.clone(), *secret, *late_grace_seconds)?;
            let text = format!("poll {} prepared; it waits for the next sync", poll.id);
            Ok((to_value(&poll)?, text))
        }
        LaptopCommand::OpenPoll { poll } | LaptopCommand::ClosePoll { poll } => {
            let open = matches!(command, LaptopCommand::OpenPoll { .. });
            laptop.run_poll(*poll, open)?;
            let text = format!(
                "{} of poll {poll} queued until the next sync",
                if open { "opening" } else { "closing" }
            );
            Ok((json!({ "poll": poll, "open": open }), text))
        }
        LaptopCommand::Vote {
            poll,
            option,
            comment,
            for_member,
        } => {
            let ballot = laptop.cast_ballot(*poll, *for_member, option, comment.clone())?;
            let text = format!("ballot \"{option}\" signed; it waits for the next sync");
            Ok((to_value(&ballot)?, text))
        }
        LaptopCommand::RequestFloor {
            meeting,
            item,
            question,
        } => {
            let speech = speech_of(*question);
            laptop.floor_action(*meeting, *item, FloorAction::Request(speech))?;
            Ok((
                to_value(&speech)?,
                "request queued until the next sync".to_string(),
            ))
        }
        LaptopCommand::GiveFloor {
            meeting,
            item,
            member,
            question,
        } => {
            let speech = speech_of(*question);
            let action = FloorAction::Give {
                member_id: *member,
                speech,
            };
            laptop.floor_action(*meeting, *item, action)?;
            Ok((to_value(&speech)?, "queued until the next sync".to_string()))
        }
        LaptopCommand::EndFloor { meeting, item } => {
            laptop.floor_action(*meeting, *item, FloorAction::End)?;
            Ok((
                json!({ "ended": true }),
                "queued until the next sync".to_string(),
            ))
        }
        LaptopCommand::Floor { meeting } => {
            let floor = laptop.floor(*meeting)?;
            let text = format!("{} agenda items with requests", floor.len());
            Ok((to_value(&floor)?, text))
        }
        LaptopCommand::Attendance { meeting } => {
            let board = laptop.attendance(*meeting)?;
            let text = format!(
                "{}/{} voting invitees in the room{}",
                board.quorum.present,
                board.quorum.voting,
                if board.quorum.met {
                    ": quorum"
                } else {
                    ": no quorum"
                }
            );
            Ok((to_value(&board)?, text))
        }
        LaptopCommand::MarkAttendance {
            meeting,
            member,
            reason,
            substitute,
        } => {
            let attendance = match (reason, substitute) {
                (Some(reason), _) => Attendance::Absent {
                    reason: reason.clone(),
                },
                (None, Some(by)) => Attendance::Substitute { by: by.clone() },
                (None, None) => Attendance::Present,
            };
            laptop.mark_attendance(*meeting, *member, attendance.clone())?;
            Ok((
                to_value(&attendance)?,
                "attendance marked; it waits for the next sync".to_string(),
            ))
        }
        LaptopCommand::Readiness { meeting } => {
            let board = laptop.readiness(*meeting)?;
            listed(&board, |invitee| {
                let state = if invitee.ready { "ready" } else { "not ready" };
                let seen = invitee
                    .devices
                    .first()
                    .map_or("no laptop reported".to_string(), |d| {
                        format!(
                            "{} reported {}, {} operations to upload",
                            d.device_name,
                            d.reported_at.to_rfc3339(),
                            d.status.pending_operations
                        )
                    });
                format!("{}  {state}  ({seen})", invitee.member.full_name)
            })
        }
        LaptopCommand::Delegate { meeting, to } => {
            laptop.delegate(*meeting, *to)?;
            let text = match to {
                Some(delegate) => {
                    format!("{delegate} may vote for you; queued until the next sync")
                }
                None => "your vote is yours again; queued until the next sync".to_string(),
            };
            Ok((json!({ "meeting": meeting, "delegate": to }), text))
        }
        LaptopCommand::CheckIn { meeting } => {
            let operation = laptop.check_in(*meeting)?;
            let text = format!(
                "checked in; operation {} waits for the next sync",
                operation.id
            );
            Ok((to_value(&operation)?, text))
        }
    }
}
