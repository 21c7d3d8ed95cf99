//! The sample meeting shipped in `assets/sample`: a committee, five members and one
//! upcoming meeting with six agenda items and real multi-page PDFs.
//!
//! Invariants: every document's hash and size are computed from the file itself, never
//! trusted from the manifest; the meeting always lies in the future of the clock it is
//! loaded with, so the demo shows an upcoming meeting whatever the date.

use std::path::{Path, PathBuf};

use chrono::{Duration, FixedOffset, NaiveTime, TimeZone};
use quorum_core::{
    AgendaItem, AgendaItemId, Clock, Committee, Document, DocumentId, DocumentVersion, Meeting,
    MeetingId, MeetingStatus, Member, MemberId, Sha256Hex,
};
use serde::Deserialize;

/// The sample folder of this source tree, for tests and development runs.
pub fn source_tree_sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/sample")
}

#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid sample manifest: {source}")]
    Manifest {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("the sample's start time {0:?} is not HH:MM")]
    StartTime(String),
    #[error("the sample's UTC offset of {0} hours is impossible")]
    UtcOffset(i32),
}

/// The sample, ready to be stored or published.
#[derive(Debug, Clone)]
pub struct Sample {
    pub committee: Committee,
    pub members: Vec<Member>,
    pub meeting: Meeting,
    /// Where each document's bytes are, by hash.
    pub files: Vec<(Sha256Hex, PathBuf)>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    committee: Committee,
    members: Vec<Member>,
    meeting: ManifestMeeting,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ManifestMeeting {
    id: MeetingId,
    title: String,
    location: String,
    starts_in_days: i64,
    starts_at_local_time: String,
    utc_offset_hours: i32,
    status: MeetingStatus,
    version: u32,
    invitees: Vec<MemberId>,
    agenda: Vec<ManifestItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ManifestItem {
    id: AgendaItemId,
    title: String,
    presenter: String,
    planned_minutes: u32,
    documents: Vec<ManifestDocument>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ManifestDocument {
    id: DocumentId,
    title: String,
    file: PathBuf,
    page_count: u32,
}

/// Reads `dir/sample.json` and hashes every document it names.
pub fn load(dir: &Path, clock: &dyn Clock) -> Result<Sample, SampleError> {
    let path = dir.join("sample.json");
    let text = std::fs::read_to_string(&path).map_err(|source| SampleError::Read {
        path: path.clone(),
        source,
    })?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|source| SampleError::Manifest { path, source })?;
    let m = manifest.meeting;

    let offset_seconds = m.utc_offset_hours * 3600;
    let zone =
        FixedOffset::east_opt(offset_seconds).ok_or(SampleError::UtcOffset(m.utc_offset_hours))?;
    let time = NaiveTime::parse_from_str(&m.starts_at_local_time, "%H:%M")
        .map_err(|_| SampleError::StartTime(m.starts_at_local_time.clone()))?;
    let day = clock.now().with_timezone(&zone).date_naive() + Duration::days(m.starts_in_days);
    let starts_at = zone
        .from_local_datetime(&day.and_time(time))
        .single()
        .ok_or_else(|| SampleError::StartTime(m.starts_at_local_time.clone()))?
        .to_utc();

    let mut files = Vec::new();
    let mut agenda = Vec::new();
    for item in m.agenda {
        let mut documents = Vec::new();
        for doc in item.documents {
            let file = dir.join(&doc.file);
            let (sha256, size_bytes) = hash_file(&file)?;
            let file_name = doc
                .file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push((sha256.clone(), file));
            documents.push(Document {
                id: doc.id,
                title: doc.title,
                current: DocumentVersion {
                    number: 1,
                    sha256,
                    size_bytes,
                    page_count: doc.page_count,
                    file_name,
                },
            });
        }
        agenda.push(AgendaItem {
            id: item.id,
            title: item.title,
            presenter: item.presenter,
            planned_minutes: item.planned_minutes,
            documents,
        });
    }
    let meeting = Meeting {
        id: m.id,
        committee_id: manifest.committee.id,
        title: m.title,
        starts_at,
        location: m.location,
        status: m.status,
        version: m.version,
        invitees: m.invitees,
        agenda,
    };
    Ok(Sample {
        committee: manifest.committee,
        members: manifest.members,
        meeting,
        files,
    })
}

fn hash_file(path: &Path) -> Result<(Sha256Hex, u64), SampleError> {
    let read_error = |source| SampleError::Read {
        path: path.into(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(read_error)?;
    Sha256Hex::of_reader(&mut file).map_err(read_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use quorum_core::{FixedClock, Role};
    use sha2::{Digest, Sha256};

    fn loaded() -> Sample {
        let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 24, 20, 0, 0).unwrap());
        load(&source_tree_sample_dir(), &clock).expect("the shipped sample loads")
    }

    #[test]
    fn the_sample_has_five_members_with_every_role_and_six_valid_items() {
        let sample = loaded();
        assert_eq!(
            sample.members.len(),
            5,
            "the sample committee has five members"
        );
        for role in [Role::Chair, Role::Member, Role::Secretary, Role::Observer] {
            assert!(
                sample.members.iter().any(|m| m.role == role),
                "the sample has a {role:?}"
            );
        }
        assert_eq!(
            sample.meeting.agenda.len(),
            6,
            "the sample meeting has six agenda items"
        );
        assert_eq!(
            sample.meeting.validate(),
            Ok(()),
            "the sample meeting is valid"
        );
        let longest = sample
            .meeting
            .documents()
            .map(|d| d.current.page_count)
            .max();
        assert!(
            longest >= Some(10),
            "one document is long enough to go to page 10"
        );
    }

    #[test]
    fn the_meeting_starts_days_after_loading_at_eight_in_vietnam() {
        let sample = loaded();
        // 20:00 UTC on the 24th is already the 25th in Vietnam (UTC+7): three days on is the 28th.
        assert_eq!(
            sample.meeting.starts_at,
            Utc.with_ymd_and_hms(2026, 11, 28, 1, 0, 0).unwrap(),
            "08:00 in Vietnam is 01:00 UTC"
        );
    }

    #[test]
    fn every_document_is_hashed_from_its_file() {
        let sample = loaded();
        assert_eq!(sample.files.len(), 7, "seven PDFs in the pack");
        for (sha256, path) in &sample.files {
            let bytes = std::fs::read(path).unwrap();
            assert!(bytes.starts_with(b"%PDF-"), "{} is a PDF", path.display());
            let expected = Sha256Hex::from_digest(&Sha256::digest(&bytes).into());
            assert_eq!(
                sha256,
                &expected,
                "{} is addressed by its own hash",
                path.display()
            );
        }
    }

    #[test]
    fn a_missing_or_broken_manifest_is_reported_with_its_path() {
        let dir = std::env::temp_dir().join(format!("quorum-sample-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap());
        assert!(
            matches!(load(&dir, &clock), Err(SampleError::Read { .. })),
            "no manifest"
        );
        std::fs::write(dir.join("sample.json"), "{ not json").unwrap();
        let error = load(&dir, &clock).unwrap_err();
        assert!(
            error.to_string().contains("sample.json"),
            "the message names the file: {error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
