//! Reading what the laptop holds: meetings, members, search, what changed since the
//! member last looked, the refused operations, and the member's language.

use quorum_core::{Capabilities, Meeting, MeetingId, MeetingSummary, Member};
use quorum_store::{Enrollment, RefusedOperation, SearchHit, SinceLastLook};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Laptop, Result};

pub(crate) const LANGUAGE_KEY: &str = "ui.language";

/// What every part of a meeting's page needs, loaded once: who the member is, the
/// committee's members (to name voters, speakers, delegates), and what the member may do.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MeetingContext {
    pub me: Option<Member>,
    pub members: Vec<Member>,
    pub may: Capabilities,
}

/// The language Quorum speaks to the member: Vietnamese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Language {
    #[default]
    Vi,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Vi, Self::En].into_iter().find(|l| l.code() == code)
    }
}

impl Laptop {
    /// Meetings on this laptop, upcoming first.
    pub fn meetings(&self) -> Result<Vec<MeetingSummary>> {
        let now = self.now();
        self.with_store(|store| store.meetings(now))
    }

    pub fn meeting(&self, id: MeetingId) -> Result<Meeting> {
        self.with_store(|store| store.meeting(id))
    }

    /// What changed in a meeting since the member last looked; records this look.
    pub fn look_at_meeting(&self, id: MeetingId) -> Result<SinceLastLook> {
        self.with_store(|store| store.look_at_meeting(id))
    }

    /// Pages where `query` occurs, ignoring case and diacritics: in one meeting's pack,
    /// or in every document on this laptop.
    pub fn search(&self, query: &str, meeting_id: Option<MeetingId>) -> Result<Vec<SearchHit>> {
        self.with_store(|store| store.search(query, meeting_id))
    }

    /// The member this laptop is enrolled as; `None` on a laptop that only holds the
    /// sample.
    pub fn me(&self) -> Result<Option<Member>> {
        self.with_store(|store| store.me())
    }

    /// The member, the committee's members and what the member may do in a meeting, or
    /// with no meeting in their committee; on a laptop never enrolled, nothing.
    pub fn meeting_context(&self, meeting_id: Option<MeetingId>) -> Result<MeetingContext> {
        self.with_store(|store| {
            let me = store.me()?;
            let members = store.members()?;
            let may = match (&me, meeting_id) {
                (None, _) => Capabilities::default(),
                (Some(me), Some(id)) => Capabilities::in_meeting(me, &store.meeting(id)?, &members),
                (Some(me), None) => Capabilities::in_committee(me),
            };
            Ok(MeetingContext { me, members, may })
        })
    }

    /// Everyone in the committees on this laptop, to name voters and delegates.
    pub fn members(&self) -> Result<Vec<Member>> {
        self.with_store(|store| store.members())
    }

    /// The hub this laptop is enrolled with, if any.
    pub fn enrollment(&self) -> Result<Option<Enrollment>> {
        self.with_store(|store| store.enrollment())
    }

    /// Operations the hub refused, with its reasons.
    pub fn rejected_operations(&self) -> Result<Vec<RefusedOperation>> {
        self.with_store(|store| store.rejected_operations())
    }

    /// The language chosen on this laptop; Vietnamese until the member switches.
    pub fn language(&self) -> Language {
        self.with_store(|store| store.setting(LANGUAGE_KEY))
            .ok()
            .flatten()
            .and_then(|code| Language::from_code(&code))
            .unwrap_or_default()
    }

    pub fn set_language(&self, language: Language) -> Result<()> {
        self.with_store(|store| store.set_setting(LANGUAGE_KEY, language.code()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_round_trip() {
        for language in [Language::Vi, Language::En] {
            assert_eq!(
                Language::from_code(language.code()),
                Some(language),
                "{language:?}"
            );
        }
        assert_eq!(
            Language::from_code("fr"),
            None,
            "unknown codes fall back to the default"
        );
        assert_eq!(
            Language::default(),
            Language::Vi,
            "Quorum speaks Vietnamese first"
        );
    }
}
