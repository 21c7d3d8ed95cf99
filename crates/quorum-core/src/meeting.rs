use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AgendaItemId, CommitteeId, DocumentId, MeetingId, MemberId, Sha256Hex};

/// Where a meeting is in its life. Members see a meeting from `Published` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MeetingStatus {
    Draft,
    Published,
    InSession,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Meeting {
    pub id: MeetingId,
    pub committee_id: CommitteeId,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub location: String,
    pub status: MeetingStatus,
    /// Raised by every publish, so a laptop can tell whether it holds the latest pack.
    pub version: u32,
    pub invitees: Vec<MemberId>,
    /// In agenda order.
    pub agenda: Vec<AgendaItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgendaItem {
    pub id: AgendaItemId,
    pub title: String,
    pub presenter: String,
    pub planned_minutes: u32,
    pub documents: Vec<Document>,
}

/// A document attached to an agenda item; `current` is the version members read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub id: DocumentId,
    pub title: String,
    pub current: DocumentVersion,
}

/// One immutable upload of a document, addressed by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocumentVersion {
    /// 1 for the first upload, raised by each replacement.
    pub number: u32,
    pub sha256: Sha256Hex,
    /// JSON numbers are exact up to 2^53 bytes, far beyond any document.
    #[ts(type = "number")]
    pub size_bytes: u64,
    pub page_count: u32,
    pub file_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    #[error("a meeting needs a title")]
    MissingTitle,
    #[error("agenda item {position} needs a title")]
    ItemWithoutTitle { position: usize },
    #[error("agenda item {position} plans {minutes} minutes; allowed is 1 to {max}")]
    PlannedMinutesOutOfRange {
        position: usize,
        minutes: u32,
        max: u32,
    },
    #[error("agenda item {id} appears more than once")]
    DuplicateItem { id: AgendaItemId },
    #[error("document {id} appears more than once")]
    DuplicateDocument { id: DocumentId },
    #[error("document {file_name:?} has no pages")]
    EmptyDocument { file_name: String },
    #[error("document {file_name:?} has version number 0; versions start at 1")]
    DocumentVersionZero { file_name: String },
    #[error(
        "document {title:?} is sent as version {sent} of another file, or of an older one, \
         than version {stored} the members hold: a new file takes a higher number"
    )]
    DocumentVersionReused {
        title: String,
        sent: u32,
        stored: u32,
    },
}

/// No single agenda item may be planned longer than a working day.
pub const MAX_PLANNED_MINUTES: u32 = 8 * 60;

impl Meeting {
    /// Checks what every meeting must satisfy before it is stored or published.
    pub fn validate(&self) -> Result<(), MeetingError> {
        if self.title.trim().is_empty() {
            return Err(MeetingError::MissingTitle);
        }
        let mut items = std::collections::HashSet::new();
        let mut documents = std::collections::HashSet::new();
        for (index, item) in self.agenda.iter().enumerate() {
            let position = index + 1;
            if item.title.trim().is_empty() {
                return Err(MeetingError::ItemWithoutTitle { position });
            }
            if !(1..=MAX_PLANNED_MINUTES).contains(&item.planned_minutes) {
                return Err(MeetingError::PlannedMinutesOutOfRange {
                    position,
                    minutes: item.planned_minutes,
                    max: MAX_PLANNED_MINUTES,
                });
            }
            if !items.insert(item.id) {
                return Err(MeetingError::DuplicateItem { id: item.id });
            }
            for document in &item.documents {
                if !documents.insert(document.id) {
                    return Err(MeetingError::DuplicateDocument { id: document.id });
                }
                let version = &document.current;
                if version.page_count == 0 {
                    return Err(MeetingError::EmptyDocument {
                        file_name: version.file_name.clone(),
                    });
                }
                if version.number == 0 {
                    return Err(MeetingError::DocumentVersionZero {
                        file_name: version.file_name.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Checks this meeting as the next publication of `previous`: a document keeps its
    /// version number only with the same file, and a number never goes down. A laptop
    /// that holds version 2 of a document must never be told another file is version 2.
    pub fn follows(&self, previous: &Meeting) -> Result<(), MeetingError> {
        let stored: std::collections::HashMap<DocumentId, &DocumentVersion> = previous
            .agenda
            .iter()
            .flat_map(|item| &item.documents)
            .map(|document| (document.id, &document.current))
            .collect();
        for document in self.agenda.iter().flat_map(|item| &item.documents) {
            let Some(before) = stored.get(&document.id) else {
                continue;
            };
            let sent = &document.current;
            let same_file = sent.sha256 == before.sha256;
            if sent.number < before.number || (sent.number == before.number && !same_file) {
                return Err(MeetingError::DocumentVersionReused {
                    title: document.title.clone(),
                    sent: sent.number,
                    stored: before.number,
                });
            }
        }
        Ok(())
    }

    /// Whether someone who could not see `previous` may see this version: a member newly
    /// invited, or a draft now published (until then its invitees did not see it).
    pub fn newly_seen_after(&self, previous: &Meeting) -> bool {
        if self.status == MeetingStatus::Draft || self.invitees.is_empty() {
            return false;
        }
        previous.status == MeetingStatus::Draft
            || self
                .invitees
                .iter()
                .any(|invitee| !previous.invitees.contains(invitee))
    }

    pub fn summary(&self, committee_name: &str) -> MeetingSummary {
        MeetingSummary {
            id: self.id,
            committee_name: committee_name.into(),
            title: self.title.clone(),
            starts_at: self.starts_at,
            location: self.location.clone(),
            status: self.status,
            agenda_items: count(self.agenda.len()),
            documents: count(self.agenda.iter().map(|item| item.documents.len()).sum()),
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One line of a member's meeting list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MeetingSummary {
    pub id: MeetingId,
    pub committee_name: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub location: String,
    pub status: MeetingStatus,
    pub agenda_items: u32,
    pub documents: u32,
}

/// The order of a member's meeting list: meetings still to come first, soonest first;
/// then past meetings, most recent first. A meeting in session counts as still to come.
pub fn order_meetings(a: &MeetingSummary, b: &MeetingSummary, now: DateTime<Utc>) -> Ordering {
    let upcoming = |m: &MeetingSummary| m.status == MeetingStatus::InSession || m.starts_at >= now;
    match (upcoming(a), upcoming(b)) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (true, true) => a.starts_at.cmp(&b.starts_at),
        (false, false) => b.starts_at.cmp(&a.starts_at),
    }
    .then_with(|| a.title.cmp(&b.title))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
    }

    pub(crate) fn meeting(title: &str, starts_at: DateTime<Utc>) -> Meeting {
        Meeting {
            id: MeetingId::new_v7(),
            committee_id: CommitteeId::new_v7(),
            title: title.into(),
            starts_at,
            location: "Phòng họp số 1".into(),
            status: MeetingStatus::Published,
            version: 1,
            invitees: vec![],
            agenda: vec![item("Khai mạc", 10)],
        }
    }

    pub(crate) fn item(title: &str, planned_minutes: u32) -> AgendaItem {
        AgendaItem {
            id: AgendaItemId::new_v7(),
            title: title.into(),
            presenter: "Văn phòng".into(),
            planned_minutes,
            documents: vec![document("to-trinh.pdf", 3)],
        }
    }

    fn document(file_name: &str, page_count: u32) -> Document {
        Document {
            id: DocumentId::new_v7(),
            title: file_name.into(),
            current: DocumentVersion {
                number: 1,
                sha256: Sha256Hex::from_digest(&[7; 32]),
                size_bytes: 1024,
                page_count,
                file_name: file_name.into(),
            },
        }
    }

    #[test]
    fn a_well_formed_meeting_validates() {
        let m = meeting("Phiên họp thường kỳ", at(1, 8));
        assert_eq!(m.validate(), Ok(()), "the fixture meeting is well formed");
    }

    #[test]
    fn validation_names_the_offending_item() {
        let mut m = meeting("Phiên họp", at(1, 8));
        m.agenda.push(item("  ", 10));
        assert_eq!(
            m.validate(),
            Err(MeetingError::ItemWithoutTitle { position: 2 }),
            "the secretary must be told which item lacks a title"
        );

        let mut m = meeting("Phiên họp", at(1, 8));
        m.agenda[0].planned_minutes = 0;
        assert!(
            matches!(
                m.validate(),
                Err(MeetingError::PlannedMinutesOutOfRange { position: 1, .. })
            ),
            "an item planned for zero minutes is a typing mistake"
        );
    }

    #[test]
    fn validation_rejects_untitled_meetings_duplicates_and_empty_documents() {
        let mut m = meeting(" ", at(1, 8));
        assert_eq!(
            m.validate(),
            Err(MeetingError::MissingTitle),
            "a meeting needs a title"
        );

        m.title = "Phiên họp".into();
        let again = m.agenda[0].clone();
        m.agenda.push(again);
        assert!(
            matches!(m.validate(), Err(MeetingError::DuplicateItem { .. })),
            "one item cannot stand twice on the agenda"
        );

        let mut m = meeting("Phiên họp", at(1, 8));
        m.agenda[0].documents[0].current.page_count = 0;
        assert!(
            matches!(m.validate(), Err(MeetingError::EmptyDocument { .. })),
            "a zero-page document cannot be read"
        );
    }

    #[test]
    fn a_summary_counts_items_and_documents() {
        let mut m = meeting("Phiên họp", at(1, 8));
        m.agenda.push(item("Báo cáo", 45));
        let summary = m.summary("UBND");
        assert_eq!(
            (summary.agenda_items, summary.documents),
            (2, 2),
            "summary counts items and documents"
        );
    }

    #[test]
    fn meetings_to_come_are_listed_first_soonest_first_then_the_past_newest_first() {
        let now = at(10, 12);
        let mut list: Vec<Meeting> = vec![
            meeting("long past", at(1, 8)),
            meeting("next month", at(30, 8)),
            meeting("yesterday", at(9, 8)),
            meeting("tomorrow", at(11, 8)),
        ];
        let mut running = meeting("running since morning", at(10, 8));
        running.status = MeetingStatus::InSession;
        list.push(running);
        let mut list: Vec<MeetingSummary> = list.iter().map(|m| m.summary("UBND")).collect();
        list.sort_by(|a, b| order_meetings(a, b, now));
        let titles: Vec<_> = list.iter().map(|m| m.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "running since morning",
                "tomorrow",
                "next month",
                "yesterday",
                "long past"
            ],
            "a member looks for the next meeting first"
        );
    }

    #[test]
    fn json_field_names_are_stable_camel_case() {
        let m = meeting("Phiên họp", at(1, 8));
        let json = serde_json::to_value(&m).unwrap();
        for key in ["committeeId", "startsAt", "invitees", "agenda"] {
            assert!(
                json.get(key).is_some(),
                "stored and exchanged JSON uses {key}"
            );
        }
        assert_eq!(
            json["status"], "published",
            "statuses are lower camel case strings"
        );
        let item = &json["agenda"][0];
        assert!(
            item.get("plannedMinutes").is_some(),
            "agenda items use camelCase"
        );
        let back: Meeting = serde_json::from_value(json).unwrap();
        assert_eq!(back, m, "a meeting survives a JSON round trip unchanged");
    }

    #[test]
    fn a_document_keeps_its_number_only_with_its_file_and_numbers_never_go_down() {
        let previous = meeting("Phiên họp", at(1, 8));
        let next = |change: &dyn Fn(&mut DocumentVersion)| {
            let mut m = previous.clone();
            change(&mut m.agenda[0].documents[0].current);
            m.follows(&previous)
        };
        assert_eq!(next(&|_| ()), Ok(()), "the same file, the same number");
        assert_eq!(
            next(&|v| {
                v.number = 2;
                v.sha256 = Sha256Hex::from_digest(&[8; 32]);
            }),
            Ok(()),
            "a new file, the next number"
        );
        let reused = MeetingError::DocumentVersionReused {
            title: "to-trinh.pdf".into(),
            sent: 1,
            stored: 1,
        };
        assert_eq!(
            next(&|v| v.sha256 = Sha256Hex::from_digest(&[8; 32])),
            Err(reused),
            "another file under version 1"
        );
        let mut later = previous.clone();
        later.agenda[0].documents[0].current.number = 3;
        let mut back = previous.clone();
        back.agenda[0].documents[0].current.number = 2;
        assert!(
            matches!(
                back.follows(&later),
                Err(MeetingError::DocumentVersionReused {
                    sent: 2,
                    stored: 3,
                    ..
                })
            ),
            "a number going down"
        );
        let mut added = previous.clone();
        added.agenda[0].documents.push(document("phu-luc.pdf", 2));
        assert_eq!(added.follows(&previous), Ok(()), "a new document is free");
    }

    #[test]
    fn a_meeting_is_newly_seen_by_a_new_invitee_or_once_its_draft_is_published() {
        let mut previous = meeting("Phiên họp", at(1, 8));
        previous.invitees = vec![MemberId::new_v7()];
        let mut next = previous.clone();
        assert!(!next.newly_seen_after(&previous), "the same audience");
        next.invitees.push(MemberId::new_v7());
        assert!(next.newly_seen_after(&previous), "someone invited now");
        let mut fewer = previous.clone();
        fewer.invitees.clear();
        assert!(!fewer.newly_seen_after(&previous), "nobody new");
        let mut draft = previous.clone();
        draft.status = MeetingStatus::Draft;
        assert!(previous.newly_seen_after(&draft), "a draft published");
        let mut still_draft = next.clone();
        still_draft.status = MeetingStatus::Draft;
        assert!(
            !still_draft.newly_seen_after(&draft),
            "a draft's new invitee sees nothing yet"
        );
    }
}
