//! What changed in a meeting since the member last looked: documents added, replaced
//! or removed, agenda items added or moved; and for a replaced document, which pages.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::search::fold;
use crate::{AgendaItemId, DocumentId, Meeting};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MeetingChanges {
    pub new_documents: Vec<DocumentId>,
    pub replaced_documents: Vec<DocumentId>,
    /// Titles of documents no longer in the meeting.
    pub removed_documents: Vec<String>,
    pub new_items: Vec<AgendaItemId>,
    /// Items now at another place in the agenda.
    pub moved_items: Vec<AgendaItemId>,
}

impl MeetingChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The changes from `seen` (the version the member last looked at) to `now`.
pub fn meeting_changes(seen: &Meeting, now: &Meeting) -> MeetingChanges {
    let documents = |m: &Meeting| m.documents().cloned().collect::<Vec<_>>();
    let (before, after) = (documents(seen), documents(now));
    let item_at = |m: &Meeting, id: AgendaItemId| m.agenda.iter().position(|i| i.id == id);
    MeetingChanges {
        new_documents: after
            .iter()
            .filter(|d| !before.iter().any(|b| b.id == d.id))
            .map(|d| d.id)
            .collect(),
        replaced_documents: after
            .iter()
            .filter(|d| {
                before
                    .iter()
                    .any(|b| b.id == d.id && b.current.sha256 != d.current.sha256)
            })
            .map(|d| d.id)
            .collect(),
        removed_documents: before
            .iter()
            .filter(|b| !after.iter().any(|d| d.id == b.id))
            .map(|b| b.title.clone())
            .collect(),
        new_items: now
            .agenda
            .iter()
            .filter(|i| item_at(seen, i.id).is_none())
            .map(|i| i.id)
            .collect(),
        moved_items: {
            // Order among the items in both versions: an item added or removed elsewhere
            // moves nothing.
            let common = |m: &Meeting| {
                m.agenda
                    .iter()
                    .filter(|i| item_at(seen, i.id).is_some() && item_at(now, i.id).is_some())
                    .map(|i| i.id)
                    .collect::<Vec<_>>()
            };
            let (before, after) = (common(seen), common(now));
            after
                .iter()
                .enumerate()
                .filter(|(at, id)| before.get(*at) != Some(id))
                .map(|(_, id)| *id)
                .collect()
        },
    }
}

/// Pages (zero-based) of a new version whose text is on no page of the old one:
/// a page inserted or edited shows, a page that only moved does not.
pub fn changed_pages(old_pages: &[String], new_pages: &[String]) -> Vec<u32> {
    let normal = |text: &str| fold(text).split_whitespace().collect::<Vec<_>>().join(" ");
    let before: HashSet<String> = old_pages.iter().map(|t| normal(t)).collect();
    (0..)
        .zip(new_pages)
        .filter(|(_, text)| !before.contains(&normal(text)))
        .map(|(page, _)| page)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::tests::{at, item, meeting};
    use crate::{AgendaItem, Document, DocumentVersion, Sha256Hex};

    fn document(title: &str, n: u8) -> Document {
        Document {
            id: DocumentId::new_v7(),
            title: title.into(),
            current: DocumentVersion {
                number: 1,
                sha256: Sha256Hex::from_digest(&[n; 32]),
                size_bytes: 100,
                page_count: 2,
                file_name: format!("{title}.pdf"),
            },
        }
    }

    #[test]
    fn a_republish_names_what_was_added_replaced_removed_and_moved() {
        let mut seen = meeting("Phiên họp", at(1, 8));
        seen.agenda = vec![
            item("Khai mạc", 5),
            item("Báo cáo", 30),
            item("Kết luận", 10),
        ];
        seen.agenda[1].documents = vec![document("Báo cáo", 1), document("Phụ lục", 2)];
        let mut now = seen.clone();
        now.agenda.swap(0, 2);
        now.agenda[1].documents[0].current.sha256 = Sha256Hex::from_digest(&[9; 32]);
        now.agenda[1].documents.pop();
        let added = document("Tờ trình", 3);
        now.agenda[1].documents.push(added.clone());
        let extra = AgendaItem {
            documents: Vec::new(),
            ..item("Kiến nghị", 15)
        };
        now.agenda.push(extra.clone());

        let changes = meeting_changes(&seen, &now);
        assert_eq!(changes.new_documents, vec![added.id]);
        assert_eq!(
            changes.replaced_documents,
            vec![seen.agenda[1].documents[0].id]
        );
        assert_eq!(changes.removed_documents, vec!["Phụ lục".to_string()]);
        assert_eq!(changes.new_items, vec![extra.id]);
        assert_eq!(
            changes.moved_items,
            vec![seen.agenda[2].id, seen.agenda[0].id],
            "the first and last items swapped; the middle one stayed"
        );
        assert!(
            meeting_changes(&now, &now).is_empty(),
            "nothing since the last look"
        );
    }

    #[test]
    fn an_inserted_page_is_changed_and_the_pages_it_pushed_down_are_not() {
        let old = vec!["Báo cáo kinh tế".to_string(), "Phần 2\nsố liệu".to_string()];
        let new = vec![
            "Trang bìa".to_string(),
            "Báo cáo  kinh tế".to_string(),
            "Phần 2 số liệu".to_string(),
        ];
        assert_eq!(
            changed_pages(&old, &new),
            vec![0],
            "only the cover page is new"
        );
        let edited = vec![
            "Báo cáo kinh tế".to_string(),
            "Phần 2 số liệu đã sửa".to_string(),
        ];
        assert_eq!(changed_pages(&old, &edited), vec![1]);
    }
}
