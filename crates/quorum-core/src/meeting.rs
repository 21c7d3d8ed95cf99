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
        "document {title:?} is sent as version {sent}, which the members already hold as \
         another file or below version {stored}: a new file takes a higher number"
    )]
    DocumentVersionReused {
        title: String,
        sent: u32,
        stored: u32,
    },
    #[error("document {title:?} belongs to another meeting: attach the file as a new document")]
    DocumentOfAnotherMeeting { title: String },
}

/// A document version as the hub once published it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedVersion {
    pub document_id: DocumentId,
    pub meeting_id: MeetingId,
    pub number: u32,
    pub sha256: Sha256Hex,
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

    /// Every document on the agenda, in agenda order.
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.agenda.iter().flat_map(|item| &item.documents)
    }

    /// Checks this meeting's documents against every version of them published before
    /// (`published`, in any meeting): a number keeps its file for good, a document's
    /// number never goes below its highest, and a document stays in the meeting it was
    /// first published in. A laptop keeps every version it received: one that holds
    /// version 2 must never be told that another file is version 2.
    pub fn check_versions(&self, published: &[PublishedVersion]) -> Result<(), MeetingError> {
        for document in self.documents() {
            let sent = &document.current;
            let history = published.iter().filter(|p| p.document_id == document.id);
            let mut highest = 0;
            for before in history {
                if before.meeting_id != self.id {
                    return Err(MeetingError::DocumentOfAnotherMeeting {
                        title: document.title.clone(),
                    });
                }
                if before.number == sent.number && before.sha256 != sent.sha256 {
                    return Err(MeetingError::DocumentVersionReused {
                        title: document.title.clone(),
                        sent: sent.number,
                        stored: before.number,
                    });
                }
                highest = highest.max(before.number);
            }
            if sent.number < highest {
                return Err(MeetingError::DocumentVersionReused {
                    title: document.title.clone(),
                    sent: sent.number,
                    stored: highest,
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
    fn a_document_keeps_each_number_with_its_file_for_good_and_stays_in_its_meeting() {
        let m = meeting("Phiên họp", at(1, 8));
        let document = &m.agenda[0].documents[0];
        let published = |number, byte: u8| PublishedVersion {
            document_id: document.id,
            meeting_id: m.id,
            number,
            sha256: Sha256Hex::from_digest(&[byte; 32]),
        };
        let sent = |number, byte: u8| {
            let mut next = m.clone();
            let version = &mut next.agenda[0].documents[0].current;
            version.number = number;
            version.sha256 = Sha256Hex::from_digest(&[byte; 32]);
            next
        };
        // Published so far: version 1 (file 7), then version 2 (file 8).
        let history = [published(1, 7), published(2, 8)];
        assert_eq!(
            sent(2, 8).check_versions(&history),
            Ok(()),
            "the same again"
        );
        assert_eq!(
            sent(3, 9).check_versions(&history),
            Ok(()),
            "a new file, a new number"
        );
        assert_eq!(
            sent(3, 7).check_versions(&history),
            Ok(()),
            "an old file back, numbered on"
        );
        assert_eq!(
            sent(1, 7).check_versions(&[]),
            Ok(()),
            "a new document is free"
        );
        let reused = |sent, stored| {
            Err(MeetingError::DocumentVersionReused {
                title: "to-trinh.pdf".into(),
                sent,
                stored,
            })
        };
        assert_eq!(
            sent(2, 9).check_versions(&history),
            reused(2, 2),
            "another file as 2"
        );
        assert_eq!(
            sent(1, 7).check_versions(&history),
            reused(1, 2),
            "back below the highest number, even with its own file"
        );
        // Dropped from the agenda in between and sent back: the history still holds.
        assert_eq!(sent(2, 9).check_versions(&history), reused(2, 2));
        let elsewhere = PublishedVersion {
            meeting_id: MeetingId::new_v7(),
            ..published(1, 7)
        };
        assert_eq!(
            sent(1, 7).check_versions(&[elsewhere]),
            Err(MeetingError::DocumentOfAnotherMeeting {
                title: "to-trinh.pdf".into()
            }),
            "a document of another meeting"
        );
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
