//! `quorum-hub`: serve the hub, load the demo, or administer a data folder.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use quorum_core::{
    BallotSecrecy, Clock, CommitteeId, DeviceId, MemberId, PollId, Role, SystemClock,
};
use quorum_hub::{
    AuditOutcome, Backends, BlobsAt, ConnectionLimits, EnrollmentSheet, Fetched, Hub,
    HubCertificate, HubConfig, HubError, PollResults, Records, SignedResults, Transport,
    serde_name,
};

#[derive(Parser)]
#[command(name = "quorum-hub", version, about = "The Quorum hub server")]
struct Cli {
    /// Where the hub's records are: `sqlite:` (the data folder's own file, the default)
    /// or a `postgres://` URL that several hub processes share. Documents stay in the
    /// data folder's `blobs/`.
    #[arg(long, global = true, env = "QUORUM_HUB_DATABASE")]
    database: Option<Records>,
    /// Where the documents are: `file:` (the data folder's `blobs/`, the default) or
    /// `s3://BUCKET?endpoint=URL` (credentials from AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY), which several hub processes share.
    #[arg(long, global = true, env = "QUORUM_HUB_BLOBS")]
    blobs: Option<BlobsAt>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API over HTTPS; prints `listening on IP:PORT`, then `certificate SHA256`
    /// (the fingerprint laptops pin), once ready. Flags win over the settings file.
    Serve {
        /// A settings file (TOML: data, database, blobs, listen, tls_cert, tls_key, client_timeout_seconds,
        /// max_connections, log_level), e.g. /etc/quorum-hub/hub.toml.
        #[arg(long, env = "QUORUM_HUB_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long, env = "QUORUM_HUB_DATA")]
        data: Option<PathBuf>,
        /// Default 127.0.0.1:7878.
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// A certificate chain (PEM) to serve instead of the hub's own, made on first start
        /// in DATA/tls.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The private key (PEM) of --tls-cert.
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Speak plain HTTP, for tools on this machine only: refused on any address but
        /// loopback.
        #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
        plain_http: bool,
        /// Seconds a client may take for the TLS handshake, for each request's headers and
        /// between two parts of a request body (default 10).
        #[arg(long)]
        client_timeout: Option<u64>,
        /// Announce the hub on the room's network (mDNS), so that the join screen of a
        /// laptop there offers its address. For a room hub; a city's hub needs none.
        #[arg(long)]
        announce: bool,
        /// A balancer in front of this hub (repeatable): its requests count against the
        /// address it forwards for (X-Forwarded-For), so that one guesser behind it does
        /// not slow everyone's enrollment.
        #[arg(long = "trusted-proxy")]
        trusted_proxies: Vec<std::net::IpAddr>,
    },
    /// Print the SHA-256 fingerprint of the hub's certificate (made if there is none yet),
    /// which laptops pin when they enroll.
    Certificate {
        #[arg(long, env = "QUORUM_HUB_DATA")]
        data: PathBuf,
    },
    /// Load the sample meeting and print a one-time code per member:
    /// `NAME<TAB>ROLE<TAB>CODE<TAB>CERTIFICATE`.
    Demo {
        #[arg(long, env = "QUORUM_HUB_DATA")]
        data: PathBuf,
        /// The sample folder (holding sample.json); defaults to this source tree's.
        #[arg(long)]
        sample: Option<PathBuf>,
    },
    /// Write the data folder to one archive while the hub serves: the database as it
    /// stood at one instant, its documents and the hub's certificate, with a manifest of
    /// every file's SHA-256. Prints `backup FILE: N documents, BYTES bytes`.
    Backup {
        #[arg(long, env = "QUORUM_HUB_DATA")]
        data: PathBuf,
        /// The archive to write; it appears only once complete.
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore an archive from `backup` into a new, empty data folder, once every file in
    /// it verifies against its manifest; a damaged or cut archive restores nothing.
    Restore {
        #[arg(long)]
        from: PathBuf,
        #[arg(long)]
        data: PathBuf,
    },
    /// Copy this data folder's records into an empty PostgreSQL database (and its documents
    /// into a bucket), numbers, tokens and audit logs as they are, so laptops go on
    /// syncing; then serve with the same --database and --blobs. Prints `migrated N rows
    /// and M documents`.
    Migrate {
        #[arg(long, env = "QUORUM_HUB_DATA")]
        data: PathBuf,
        /// The PostgreSQL database to copy the records into: postgres://…
        #[arg(long)]
        to: Records,
        /// Where the documents go (default: they stay in the data folder).
        #[arg(long)]
        to_blobs: Option<BlobsAt>,
    },
    /// Check the ballot audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print a poll's results as CSV: per-option counts, then the totals, then (for a
    /// named poll only) each counted ballot.
    Results {
        #[arg(long, env = "QUORUM_HUB_DATA")]
        data: PathBuf,
        #[arg(long)]
        poll: PollId,
    },
    /// Manage committees, members and devices.
    Admin {
        #[arg(long, env = "QUORUM_HUB_DATA")]
        data: PathBuf,
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and verify every ballot's signature; exits 1 at the
    /// first broken ballot. With `--against`, also check that the log holds what a
    /// signed results PDF states of its poll (exits 1 if not).
    Verify {
        #[arg(long, env = "QUORUM_HUB_DATA")]
        data: PathBuf,
        /// A poll's results, exported and signed (ký số) from the window.
        #[arg(long)]
        against: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a committee; prints its id.
    AddCommittee {
        name: String,
        /// The IANA time zone its meeting times and deadlines are read and written in.
        #[arg(long, default_value = quorum_core::DEFAULT_TIME_ZONE)]
        time_zone: String,
    },
    /// Set the time zone a committee's times are read and written in (an IANA name such
    /// as Asia/Ho_Chi_Minh); its laptops follow at their next sync.
    SetTimeZone {
        committee: CommitteeId,
        time_zone: String,
    },
    /// Add a member; prints `MEMBER_ID<TAB>CODE<TAB>CERTIFICATE`.
    AddMember {
        #[arg(long)]
        committee: CommitteeId,
        #[arg(long)]
        name: String,
        /// secretary, chair, member or observer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long, default_value = "")]
        position: String,
        /// Hours the one-time code enrolls a device.
        #[arg(long, default_value_t = 72)]
        valid_hours: u32,
        #[command(flatten)]
        sheet: SheetArgs,
    },
    /// Issue a fresh one-time enrollment code; earlier unused codes stop working. Prints
    /// `CODE<TAB>CERTIFICATE`.
    NewCode {
        member_id: MemberId,
        /// Hours the code enrolls a device.
        #[arg(long, default_value_t = 72)]
        valid_hours: u32,
        #[command(flatten)]
        sheet: SheetArgs,
    },
    ListMembers,
    ListDevices,
    /// Revoke a device: its token stops working at once.
    RevokeDevice {
        device_id: DeviceId,
    },
    /// The certificates trusted to vouch for the signers of documents (ký số), for every
    /// committee of this hub; laptops receive them at their next sync.
    Trust {
        #[command(subcommand)]
        command: TrustCommand,
    },
    /// Fetch the revocation lists (CRLs) the signers of the meetings' documents name, and
    /// pass each one their issuer signed to the laptops; prints
    /// `URL<TAB>updated|unchanged|failed<TAB>DETAIL` per list. `serve` also does this
    /// every few hours.
    CheckRevocation,
}

#[derive(Subcommand)]
enum TrustCommand {
    /// Trust every certificate (root or intermediate CA) of a PEM file; prints each as
    /// `list` does.
    Add { file: PathBuf },
    /// The trusted certificates: `FINGERPRINT<TAB>SUBJECT<TAB>ISSUER<TAB>NOT_AFTER`.
    List,
    /// Stop trusting the certificate with this SHA-256 fingerprint.
    Remove { fingerprint: String },
}

/// Where to print the member's enrollment sheet, if anywhere.
#[derive(Args)]
struct SheetArgs {
    /// Also write the member's enrollment sheet (PDF, Vietnamese) here.
    #[arg(long, requires = "hub_url")]
    sheet: Option<PathBuf>,
    /// The hub's address as laptops reach it, printed on the sheet.
    #[arg(long)]
    hub_url: Option<String>,
}

impl SheetArgs {
    /// Writes the sheet of `member_id`'s fresh `code`, when one was asked for.
    fn write(
        &self,
        store: &quorum_hub::HubStore,
        member_id: MemberId,
        code: &str,
        fingerprint: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), HubError> {
        let (Some(sheet), Some(hub_url)) = (&self.sheet, &self.hub_url) else {
            return Ok(());
        };
        let (member, committee) = store.member_of_committee(member_id)?;
        EnrollmentSheet {
            member: &member,
            committee: &committee,
            hub_url,
            code,
            fingerprint,
            expires_at,
        }
        .write(sheet)
    }
}

fn parse_role(text: &str) -> Result<Role, String> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|_| format!("{text:?} is not one of secretary, chair, member, observer"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match &cli.command {
        Command::Serve {
            config: Some(path), ..
        } => match HubConfig::read(path) {
            Ok(settings) => settings,
            Err(e) => {
                eprintln!("quorum-hub: {e}");
                return ExitCode::FAILURE;
            }
        },
        _ => HubConfig::default(),
    };
    quorum_logging::to_stderr(settings.log_level.as_deref().unwrap_or("info"));
    // The data folder holds members, tokens' hashes, secret ballots and documents.
    quorum_sqlite::private::restrict_new_files();
    match run(cli, settings) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("quorum-hub: {e}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
}

/// The fingerprint laptops pin: of the hub's own certificate in `data`. A hub served with
/// an operator's certificate (`--tls-cert`) has that one's, from `serve`'s output.
fn certificate(data: &std::path::Path) -> Result<String, HubError> {
    Ok(HubCertificate::load_or_create(data, None)?
        .fingerprint()
        .to_string())
}

/// `settings` is the `serve --config` file, empty for every other command.
fn run(cli: Cli, settings: HubConfig) -> Result<ExitCode, CliError> {
    let clock = SystemClock;
    let records = match (cli.database, &settings.database) {
        (Some(given), _) => given,
        (None, Some(configured)) => configured.parse().map_err(CliError::Usage)?,
        (None, None) => Records::InDataFolder,
    };
    let blobs = match (cli.blobs, &settings.blobs) {
        (Some(given), _) => given,
        (None, Some(configured)) => configured.parse().map_err(CliError::Usage)?,
        (None, None) => BlobsAt::InDataFolder,
    };
    let backends = Backends { records, blobs };
    match cli.command {
        Command::Serve {
            config: _,
            data,
            listen,
            tls_cert,
            tls_key,
            plain_http,
            client_timeout,
            announce,
            trusted_proxies,
        } => {
            let data = data.or(settings.data).ok_or_else(|| {
                CliError::Usage("no data folder: give --data, or `data` in --config".into())
            })?;
            let listen = listen
                .or(settings.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 7878)));
            // A certificate given on the command line replaces the file's pair whole.
            let (tls_cert, tls_key) = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => (Some(cert), Some(key)),
                _ if plain_http => (None, None),
                _ => (settings.tls_cert, settings.tls_key),
            };
            let given = match (tls_cert.as_deref(), tls_key.as_deref()) {
                (Some(cert), Some(key)) => Some((cert, key)),
                (None, None) => None,
                _ => {
                    return Err(CliError::Usage(
                        "tls_cert and tls_key go together: give both or neither".into(),
                    ));
                }
            };
            let transport = if plain_http {
                if !listen.ip().is_loopback() {
                    return Err(CliError::Usage(format!(
                        "--plain-http is only for loopback addresses, not {listen}: laptops on the network get HTTPS"
                    )));
                }
                None
            } else {
                Some(HubCertificate::load_or_create(&data, given)?)
            };
            let defaults = ConnectionLimits::default();
            let timeout = client_timeout.or(settings.client_timeout_seconds);
            let limits = ConnectionLimits {
                client_timeout: timeout.map_or(defaults.client_timeout, |seconds| {
                    std::time::Duration::from_secs(seconds.max(1))
                }),
                max_connections: settings.max_connections.unwrap_or(defaults.max_connections),
            };
            let announce = announce || settings.announce.unwrap_or(false);
            let trusted_proxies = if trusted_proxies.is_empty() {
                settings.trusted_proxies.clone().unwrap_or_default()
            } else {
                trusted_proxies
            };
            serve(data, &backends, listen, transport, limits, announce, trusted_proxies)
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Certificate { data } => {
            let certificate = certificate(&data)?;
            writeln!(std::io::stdout().lock(), "{certificate}")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command:
                AuditCommand::Verify {
                    data,
                    against: Some(results),
                },
        } => {
            let store = quorum_hub::open_for_admin(&data, &backends)?;
            let pdf = std::fs::read(&results).map_err(|source| HubError::Io {
                path: results.clone(),
                source,
            })?;
            let checked = store.check_signed_results(&pdf, clock.now())?;
            write_signed_results(&mut std::io::stdout().lock(), &results, &checked)?;
            Ok(if matches!(checked, SignedResults::Match { .. }) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Audit {
            command: AuditCommand::Verify {
                data,
                against: None,
            },
        } => {
            let store = quorum_hub::open_for_admin(&data, &backends)?;
            let mut out = std::io::stdout().lock();
            match store.verify_audit_log()? {
                AuditOutcome::Intact {
                    ballots,
                    delegations,
                } => {
                    writeln!(
                        out,
                        "audit log intact: {ballots} ballots and {delegations} delegations, chains and signatures verified"
                    )?;
                    Ok(ExitCode::SUCCESS)
                }
                AuditOutcome::Broken { seq, reason } => {
                    writeln!(out, "audit log broken at ballot {seq}: {reason}")?;
                    Ok(ExitCode::FAILURE)
                }
                AuditOutcome::BrokenDelegation { seq, reason } => {
                    writeln!(out, "audit log broken at delegation {seq}: {reason}")?;
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Backup { .. } | Command::Restore { .. } if backends != Backends::default() => {
            Err(CliError::Usage(
                "backup and restore copy a data folder whose records and documents are its own: back up a PostgreSQL database with pg_dump, and a bucket with the object store's tools".into(),
            ))
        }
        Command::Migrate {
            data,
            to,
            to_blobs,
        } => {
            if to == Records::InDataFolder {
                return Err(CliError::Usage(
                    "--to names the PostgreSQL database to migrate into: postgres://…".into(),
                ));
            }
            let from = quorum_hub::open_for_admin(&data, &Backends::default())?;
            let target = Backends {
                records: to,
                blobs: to_blobs.unwrap_or_default(),
            };
            let into = quorum_hub::open_for_admin(&data, &target)?;
            let migrated = quorum_hub::migrate(&from, &into)?;
            writeln!(
                std::io::stdout().lock(),
                "migrated {} rows and {} documents",
                migrated.rows,
                migrated.documents
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { data, to } => {
            let summary = quorum_hub::backup(&data, &to, clock.now())?;
            writeln!(
                std::io::stdout().lock(),
                "backup {}: {} documents, {} bytes",
                to.display(),
                summary.documents,
                summary.bytes
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from, data } => {
            let summary = quorum_hub::restore(&from, &data)?;
            writeln!(
                std::io::stdout().lock(),
                "restored {}: {} documents, {} bytes",
                data.display(),
                summary.documents,
                summary.bytes
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Results { data, poll } => {
            let store = quorum_hub::open_for_admin(&data, &backends)?;
            let results = store.poll_results(poll, clock.now())?;
            write_results(&mut std::io::stdout().lock(), &results)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { data, sample } => {
            let sample = sample.unwrap_or_else(quorum_sample::source_tree_sample_dir);
            let mut store = quorum_hub::open_for_admin(&data, &backends)?;
            let codes = quorum_hub::demo(&mut store, &sample, &clock)?;
            let certificate = certificate(&data)?;
            let mut out = std::io::stdout().lock();
            for line in codes {
                let role = serde_name(&line.member.role);
                writeln!(
                    out,
                    "{}\t{role}\t{}\t{certificate}",
                    line.member.full_name, line.code
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin { data, command } => {
            let mut store = quorum_hub::open_for_admin(&data, &backends)?;
            let mut out = std::io::stdout().lock();
            match command {
                AdminCommand::AddCommittee { name, time_zone } => {
                    let committee = store.add_committee(&name, &time_zone, &clock)?;
                    writeln!(out, "{}", committee.id)?;
                }
                AdminCommand::SetTimeZone {
                    committee,
                    time_zone,
                } => {
                    store.set_time_zone(committee, &time_zone, &clock)?;
                }
                AdminCommand::AddMember {
                    committee,
                    name,
                    role,
                    position,
                    valid_hours,
                    sheet,
                } => {
                    let valid_for = chrono::Duration::hours(valid_hours.into());
                    let added =
                        store.add_member(committee, &name, role, &position, valid_for, &clock)?;
                    let certificate = certificate(&data)?;
                    let expires_at = clock.now() + valid_for;
                    sheet.write(
                        &store,
                        added.member.id,
                        &added.code,
                        &certificate,
                        expires_at,
                    )?;
                    writeln!(out, "{}\t{}\t{certificate}", added.member.id, added.code)?;
                }
                AdminCommand::NewCode {
                    member_id,
                    valid_hours,
                    sheet,
                } => {
                    let valid_for = chrono::Duration::hours(valid_hours.into());
                    let code = store.new_code(member_id, valid_for, &clock)?;
                    let fingerprint = certificate(&data)?;
                    sheet.write(
                        &store,
                        member_id,
                        &code,
                        &fingerprint,
                        clock.now() + valid_for,
                    )?;
                    writeln!(out, "{code}\t{fingerprint}")?;
                }
                AdminCommand::ListMembers => {
                    for member in store.list_members()? {
                        writeln!(
                            out,
                            "{}\t{}\t{}\t{}\t{}",
                            member.id,
                            member.committee_id,
                            serde_name(&member.role),
                            member.full_name,
                            member.position
                        )?;
                    }
                }
                AdminCommand::ListDevices => {
                    for device in store.list_devices()? {
                        let revoked = device
                            .revoked_at
                            .map_or_else(|| "active".to_string(), |at| format!("revoked {at}"));
                        let seen = device
                            .last_seen_at
                            .map_or_else(|| "never seen".to_string(), |at| format!("seen {at}"));
                        writeln!(
                            out,
                            "{}\t{}\t{}\t{revoked}\t{seen}\tlast_seq {}",
                            device.id, device.member_id, device.name, device.last_seq
                        )?;
                    }
                }
                AdminCommand::RevokeDevice { device_id } => {
                    store.revoke_device(device_id, &clock)?;
                    writeln!(out, "revoked {device_id}")?;
                }
                AdminCommand::Trust { command } => match command {
                    TrustCommand::Add { file } => {
                        let pem = std::fs::read(&file).map_err(|source| HubError::Io {
                            path: file.clone(),
                            source,
                        })?;
                        for certificate in store.trust_certificates(&pem, &clock)? {
                            write_certificate(&mut out, &certificate)?;
                        }
                    }
                    TrustCommand::List => {
                        for certificate in store.trusted_certificates()? {
                            write_certificate(&mut out, &certificate)?;
                        }
                    }
                    TrustCommand::Remove { fingerprint } => {
                        let removed = store.distrust(&fingerprint, &clock)?;
                        writeln!(out, "no longer trusted {}", removed.fingerprint)?;
                    }
                },
                AdminCommand::CheckRevocation => {
                    for outcome in store.check_revocation(&clock)? {
                        let (state, detail) = match outcome.fetched {
                            Fetched::Updated {
                                issued_at,
                                revoked_certificates,
                            } => (
                                "updated",
                                format!("issued {issued_at}, {revoked_certificates} revoked"),
                            ),
                            Fetched::Unchanged => ("unchanged", String::new()),
                            Fetched::Failed { reason } => ("failed", reason),
                        };
                        writeln!(out, "{}\t{state}\t{detail}", outcome.url)?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What `audit verify --against` found, in a sentence.
fn write_signed_results(
    out: &mut impl Write,
    file: &Path,
    checked: &SignedResults,
) -> std::io::Result<()> {
    let head = |head: &quorum_core::AuditHead| {
        format!(
            "{} ballots up to entry {} ({})",
            head.ballots, head.last_seq, head.hash
        )
    };
    match checked {
        SignedResults::Match {
            poll_id,
            head: signed,
            signer,
        } => {
            let signer = signer.as_ref().map(party_name).unwrap_or_default();
            writeln!(
                out,
                "signed results match the audit log: poll {poll_id}, {}; signed by {signer}",
                head(signed)
            )
        }
        SignedResults::NoStatement => writeln!(
            out,
            "{} states no poll's audit log under a signature",
            file.display()
        ),
        SignedResults::SignatureDoesNotHold { verdict, problems } => {
            let problems: Vec<String> = problems
                .iter()
                .map(|problem| {
                    serde_json::to_value(problem)
                        .ok()
                        .and_then(|value| value["code"].as_str().map(str::to_string))
                        .unwrap_or_default()
                })
                .collect();
            writeln!(
                out,
                "the signature over the results is {}: {}",
                serde_name(verdict),
                problems.join(", ")
            )
        }
        SignedResults::LogBroken(outcome) => match outcome {
            AuditOutcome::Broken { seq, reason } => {
                writeln!(out, "audit log broken at ballot {seq}: {reason}")
            }
            AuditOutcome::BrokenDelegation { seq, reason } => {
                writeln!(out, "audit log broken at delegation {seq}: {reason}")
            }
            AuditOutcome::Intact { .. } => Ok(()),
        },
        SignedResults::Differs {
            poll_id,
            signed,
            logged,
        } => writeln!(
            out,
            "signed results do not match the audit log for poll {poll_id}: they state {}, the log holds {}",
            head(signed),
            head(logged)
        ),
    }
}

/// One trusted certificate, as `trust add` and `trust list` print it.
fn write_certificate(
    out: &mut impl Write,
    certificate: &quorum_signatures::CertificateSummary,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}\t{}\t{}\t{}",
        certificate.fingerprint,
        party_name(&certificate.subject),
        party_name(&certificate.issuer),
        certificate.not_after.format("%Y-%m-%d")
    )
}

/// "Nguyễn Văn An, UBND quận Sông Hàn": a certificate holder's name and organisation.
fn party_name(party: &quorum_signatures::Party) -> String {
    [&party.common_name, &party.organization]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_results(out: &mut impl Write, results: &PollResults) -> std::io::Result<()> {
    let tally = &results.tally;
    writeln!(
        out,
        "{}",
        quorum_core::csv::line(&["key", "label", "count"])
    )?;
    for option in &tally.counts {
        let count = option.count.to_string();
        writeln!(
            out,
            "{}",
            quorum_core::csv::line(&[&option.key, &option.label, &count])
        )?;
    }
    for (name, value) in [
        ("answered", tally.answered.to_string()),
        ("eligible", tally.eligible.to_string()),
        ("late", tally.late.to_string()),
        ("delegated", tally.delegated.to_string()),
        ("quorum met", tally.quorum_met.to_string()),
        ("passed", tally.passed.to_string()),
    ] {
        writeln!(out, "{}", quorum_core::csv::line(&[name, &value]))?;
    }
    // A secret poll has no ballots here: the store never hands them out.
    if results.poll.secrecy == BallotSecrecy::Named {
        let header = ["member", "choice", "comment", "timing", "cast by"];
        writeln!(out, "{}", quorum_core::csv::line(&header))?;
        for ballot in &results.ballots {
            let timing = serde_name(&ballot.timing);
            writeln!(
                out,
                "{}",
                quorum_core::csv::line(&[
                    &ballot.member,
                    &ballot.option_key,
                    ballot.comment.as_deref().unwrap_or(""),
                    &timing,
                    ballot.cast_by.as_deref().unwrap_or(""),
                ])
            )?;
        }
    }
    Ok(())
}

fn serve(
    data: PathBuf,
    backends: &Backends,
    listen: SocketAddr,
    certificate: Option<HubCertificate>,
    limits: ConnectionLimits,
    announce: bool,
    trusted_proxies: Vec<std::net::IpAddr>,
) -> Result<(), CliError> {
    // Opened before the runtime runs: PostgreSQL's blocking client may not start inside it.
    let hub = Hub::open_with(&data, backends, Arc::new(SystemClock))?;
    hub.trust_proxies(trusted_proxies);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let transport = match &certificate {
            Some(certificate) => Transport::Tls(certificate.server_config()?),
            None => Transport::PlainHttp,
        };
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let address = listener.local_addr()?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on {address}")?;
            match &certificate {
                Some(certificate) => writeln!(out, "certificate {}", certificate.fingerprint())?,
                None => writeln!(out, "plain HTTP, for this machine only")?,
            }
            out.flush()?;
        }
        // Laptops join over HTTPS only, so a plain-HTTP hub is never announced; a network
        // that refuses multicast leaves the hub serving, unannounced.
        let _announcement = match &certificate {
            Some(certificate) if announce => {
                quorum_lan::announce(address, certificate.fingerprint())
                    .inspect_err(|error| tracing::warn!(%error, "not announced"))
                    .ok()
            }
            _ => None,
        };
        quorum_hub::serve(listener, hub, transport, limits, shutdown_signal()).await?;
        Ok(())
    })
}

/// Completes on Ctrl-C or SIGTERM, whichever comes first.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
