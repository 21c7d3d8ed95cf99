//! Polls of a meeting and written-opinion requests: the member's ballots (signed on
//! this laptop, queued like everything else), delegation, and the chair's and
//! secretary's controls. The hub decides what counts; these queue and show.

use chrono::{DateTime, Utc};
use quorum_core::protocol::PollView;
use quorum_core::{
    AgendaItemId, Ballot, MeetingId, Member, MemberId, Poll, PollId, PollSubject, Role,
};
use quorum_store::{MyBallot, MySheet, Store, StoreError};
use serde::Serialize;
use ts_rs::TS;

use crate::answer_sheets::{AnswerSheetCheck, checked_sheets};
use crate::{Laptop, Result};

/// A poll as the member's laptop shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PollCard {
    pub view: PollView,
    /// Ballots cast on this laptop, newest first, with where each stands.
    pub my_ballots: Vec<MyBallot>,
    /// Whose votes this member casts here: their own, and those delegated to them.
    pub votes_for: Vec<MemberId>,
    /// The chair or the secretary: may open and close it.
    pub may_run: bool,
    /// A named written opinion: the member may sign their answer (phiếu lấy ý kiến).
    pub takes_answer_sheets: bool,
    /// Where the member's own signed sheet stands, once they signed one.
    pub my_sheet: Option<MySheet>,
    /// For the chair and secretaries: the members' signed sheets, checked here.
    pub answer_sheets: Vec<AnswerSheetCheck>,
}

fn card(
    store: &Store,
    view: PollView,
    me: Option<&Member>,
    now: DateTime<Utc>,
) -> quorum_store::Result<PollCard> {
    let my_ballots = store.my_ballots(view.poll.id)?;
    let mut votes_for = Vec::new();
    if let Some(me) = me {
        if view.eligible.contains(&me.id) {
            votes_for.push(me.id);
        }
        if let PollSubject::AgendaItem { meeting_id, .. } = view.poll.subject {
            votes_for.extend(
                store
                    .delegators(meeting_id, me.id)?
                    .into_iter()
                    .filter(|m| view.eligible.contains(m)),
            );
        }
    }
    let may_run = me.is_some_and(|m| matches!(m.role, Role::Chair | Role::Secretary));
    let takes_answer_sheets = view.poll.takes_answer_sheets();
    let my_sheet = match me {
        Some(me) if takes_answer_sheets => store.my_answer_sheet(view.poll.id, me.id)?,
        _ => None,
    };
    let answer_sheets = if takes_answer_sheets && may_run {
        checked_sheets(store, view.poll.id, now)?
    } else {
        Vec::new()
    };
    Ok(PollCard {
        view,
        my_ballots,
        votes_for,
        may_run,
        takes_answer_sheets,
        my_sheet,
        answer_sheets,
    })
}

/// What a new poll is about.
#[derive(Debug, Clone, serde::Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum NewPollSubject {
    #[serde(rename_all = "camelCase")]
    AgendaItem {
        meeting_id: MeetingId,
        agenda_item_id: AgendaItemId,
    },
    /// A written-opinion request to the member's committee, answered by the deadline.
    #[serde(rename_all = "camelCase")]
    WrittenOpinion { closes_at: DateTime<Utc> },
}

impl Laptop {
    /// The polls of a meeting, or with no meeting the written-opinion requests.
    pub fn polls(&self, meeting_id: Option<MeetingId>) -> Result<Vec<PollCard>> {
        let now = self.now();
        self.with_store(|store| {
            let me = store.me()?;
            store
                .polls(meeting_id)?
                .into_iter()
                .map(|view| card(store, view, me.as_ref(), now))
                .collect()
        })
    }

    /// A poll with the committee's usual rules (see [`Poll::standard`]) but for how long
    /// after its close a ballot cast offline still counts, queued.
    pub fn create_poll(
        &self,
        subject: NewPollSubject,
        question: String,
        secret: bool,
        late_grace_seconds: u32,
    ) -> Result<Poll> {
        self.queue(|store, now| {
            let me = store.me()?.ok_or(StoreError::NotEnrolled)?;
            let (subject, closes_at) = match subject {
                NewPollSubject::AgendaItem {
                    meeting_id,
                    agenda_item_id,
                } => (
                    PollSubject::AgendaItem {
                        meeting_id,
                        agenda_item_id,
                    },
                    None,
                ),
                NewPollSubject::WrittenOpinion { closes_at } => (
                    PollSubject::WrittenOpinion {
                        committee_id: me.committee_id,
                    },
                    Some(closes_at),
                ),
            };
            let poll = Poll {
                late_grace_seconds,
                ..Poll::standard(subject, question, secret, closes_at)
            };
            store.create_poll(&poll, now)?;
            Ok(poll)
        })
    }

    /// Opens (`open`) or closes a poll; the hub's moment of applying it is what counts.
    pub fn run_poll(&self, poll_id: PollId, open: bool) -> Result<()> {
        self.queue(|store, now| store.run_poll(poll_id, open, now))
    }

    /// The member's choice, or the choice for `for_member` who delegated to them:
    /// signed here and queued; it counts once the hub takes it.
    pub fn cast_ballot(
        &self,
        poll_id: PollId,
        for_member: Option<MemberId>,
        option_key: &str,
        comment: Option<String>,
    ) -> Result<Ballot> {
        self.queue(|store, now| {
            let me = store.me()?.ok_or(StoreError::NotEnrolled)?;
            let for_member = for_member.unwrap_or(me.id);
            store.cast_ballot(poll_id, for_member, option_key, comment, now)
        })
    }

    /// Lets another member vote for this one in a meeting, or takes it back (`None`).
    pub fn delegate(&self, meeting_id: MeetingId, delegate: Option<MemberId>) -> Result<()> {
        self.queue(|store, now| store.delegate(meeting_id, delegate, now))
    }

    /// Whom the member lets vote for them in a meeting, if anyone.
    pub fn my_delegate(&self, meeting_id: MeetingId) -> Result<Option<MemberId>> {
        self.with_store(|store| store.my_delegate(meeting_id))
    }
}
