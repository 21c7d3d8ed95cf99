//! A committee with a published meeting to vote in, enrolled devices that sign their
//! ballots as the app does, and polls to put to them.

use std::cell::Cell;

use chrono::{DateTime, SubsecRound, Utc};
use ed25519_dalek::{Signer, SigningKey};
use quorum_core::protocol::{ChangesPage, Outcome, PollView, Record};
use quorum_core::{
    Ballot, BallotSecrecy, Clock, CommitteeId, Delegation, DeviceId, MajorityBasis, MajorityRule,
    Meeting, MeetingId, Member, MemberId, Operation, OperationId, OperationPayload, Poll, PollId,
    PollOption, PollSubject, QuorumRule, SystemClock,
};
use reqwest::StatusCode;

use super::{Committee4, TestHub, assert_status, device_key};

pub fn now() -> DateTime<Utc> {
    SystemClock.now()
}

/// An enrolled laptop: its token, its signing key and its outbox's next number.
pub struct Device {
    pub token: String,
    pub device_id: DeviceId,
    pub member: Member,
    key: SigningKey,
    last_seq: Cell<u64>,
}

impl Device {
    /// The next operation of this device's outbox.
    pub fn op(&self, payload: OperationPayload) -> Operation {
        self.last_seq.set(self.last_seq.get() + 1);
        Operation {
            id: OperationId::new_v7(),
            device_seq: self.last_seq.get(),
            created_at: now(),
            payload,
        }
    }

    /// The number the next operation will take.
    pub fn next_seq(&self) -> u64 {
        self.last_seq.get() + 1
    }

    /// A ballot for `member_id` cast at `cast_at` (to the millisecond, as signed),
    /// signed by this device for the operation that carries it, as the app signs it.
    pub fn ballot_for(
        &self,
        poll_id: PollId,
        member_id: MemberId,
        option_key: &str,
        comment: Option<&str>,
        cast_at: DateTime<Utc>,
    ) -> Operation {
        let device_seq = self.next_seq();
        let mut ballot = Ballot {
            poll_id,
            member_id,
            cast_by: self.member.id,
            option_key: option_key.into(),
            comment: comment.map(Into::into),
            cast_at: cast_at.trunc_subsecs(3),
            device_id: self.device_id,
            device_seq,
            signature: String::new(),
        };
        ballot.signature = hex::encode(self.key.sign(&ballot.signed_message()).to_bytes());
        self.op(OperationPayload::CastBallot { ballot })
    }

    /// This device's member lets `to` vote for them in `meeting_id` (or ends it with
    /// `None`), signed for the operation that carries it, as the app signs it.
    pub fn delegate(&self, meeting_id: MeetingId, to: Option<MemberId>) -> Operation {
        let mut delegation = Delegation {
            meeting_id,
            member_id: self.member.id,
            delegate: to,
            signed_at: now().trunc_subsecs(3),
            device_id: self.device_id,
            device_seq: self.next_seq(),
            signature: String::new(),
        };
        delegation.signature = hex::encode(self.key.sign(&delegation.signed_message()).to_bytes());
        self.op(OperationPayload::Delegate { delegation })
    }

    /// The member's own ballot, cast now.
    pub fn vote(&self, poll_id: PollId, option_key: &str) -> Operation {
        self.ballot_for(poll_id, self.member.id, option_key, None, now())
    }
}

/// The operation with its ballot changed after signing, as a tamperer would.
pub fn tampered(mut operation: Operation, change: impl FnOnce(&mut Ballot)) -> Operation {
    match &mut operation.payload {
        OperationPayload::CastBallot { ballot } => change(ballot),
        other => panic!("not a ballot: {other:?}"),
    }
    operation
}

/// The ballot an operation carries.
pub fn ballot_of(operation: &Operation) -> Ballot {
    match &operation.payload {
        OperationPayload::CastBallot { ballot } => ballot.clone(),
        other => panic!("not a ballot: {other:?}"),
    }
}

/// Committees A and B on a fresh hub, and a meeting of A's with one document, which A's
/// secretary (a device with its own key) published.
pub struct Published {
    pub hub: TestHub,
    pub a: Committee4,
    pub b: Committee4,
    pub secretary: Device,
    /// As the hub stored it.
    pub meeting: Meeting,
    pub document: Vec<u8>,
}

/// [`Published`], the meeting inviting `invitees` of A, its document `size` bytes long;
/// `why` says why the hub must take it.
pub async fn with_published_meeting(
    invitees: impl FnOnce(&Committee4) -> Vec<MemberId>,
    size: usize,
    why: &str,
) -> Published {
    let (hub, a, b) = TestHub::with_two_committees().await;
    let secretary = hub.device(&a.secretary.1).await;
    let (_, response, document) = hub
        .publish_with_document(&secretary.token, a.committee.id, invitees(&a), size)
        .await;
    assert_status(&response, StatusCode::OK, why);
    let meeting = response
        .json()
        .await
        .expect("the stored meeting comes back");
    Published {
        hub,
        a,
        b,
        secretary,
        meeting,
        document,
    }
}

/// Committee A's published meeting, inviting its chair, member and observer, with a
/// device enrolled for each member of A and for B's chair and member.
pub struct Voting {
    pub hub: TestHub,
    pub a: Committee4,
    pub b: Committee4,
    pub meeting: Meeting,
    pub secretary: Device,
    pub chair: Device,
    pub member: Device,
    pub observer: Device,
    pub outsider_chair: Device,
    pub outsider: Device,
}

pub async fn voting() -> Voting {
    let invited = |a: &Committee4| vec![a.chair.0.id, a.member.0.id, a.observer.0.id];
    let Published {
        hub,
        a,
        b,
        secretary,
        meeting,
        ..
    } = with_published_meeting(invited, 10_000, "the secretary publishes the meeting").await;
    let chair = hub.device(&a.chair.1).await;
    let member = hub.device(&a.member.1).await;
    let observer = hub.device(&a.observer.1).await;
    let outsider_chair = hub.device(&b.chair.1).await;
    let outsider = hub.device(&b.member.1).await;
    Voting {
        hub,
        a,
        b,
        meeting,
        secretary,
        chair,
        member,
        observer,
        outsider_chair,
        outsider,
    }
}

/// `count` voting members of one committee (its chair, its member and others), each
/// with a laptop, invited to a published meeting with one document of 10,000 bytes, and
/// a named poll on it that the chair opened.
pub struct VotingLaptops {
    pub hub: TestHub,
    /// The chair's first.
    pub laptops: Vec<Device>,
    pub meeting: Meeting,
    pub document: Vec<u8>,
    pub poll: Poll,
}

pub async fn laptops_and_an_open_poll(count: usize) -> VotingLaptops {
    let (hub, a) = TestHub::with_committee("UBND phường Bến Nghé").await;
    let committee = a.committee.id;
    let others = count.saturating_sub(2);
    let more = hub
        .hub
        .with_store(move |store, _| {
            (1..=others)
                .map(|n| {
                    let added = store.add_member(
                        committee,
                        &format!("Ủy viên số {n}"),
                        quorum_core::Role::Member,
                        "Ủy viên",
                        quorum_hub::DEFAULT_CODE_VALIDITY,
                        &SystemClock,
                    )?;
                    Ok((added.member, added.code))
                })
                .collect::<Result<Vec<_>, quorum_hub::HubError>>()
        })
        .await
        .expect("the members are added");
    let voters: Vec<_> = [a.chair.clone(), a.member.clone()]
        .into_iter()
        .chain(more)
        .take(count)
        .collect();
    let secretary = hub.device(&a.secretary.1).await;
    let invitees = voters.iter().map(|(member, _)| member.id).collect();
    let (_, published, document) = hub
        .publish_with_document(&secretary.token, committee, invitees, 10_000)
        .await;
    assert_status(&published, StatusCode::OK, "the meeting is published");
    let meeting: Meeting = published.json().await.expect("the stored meeting");
    let mut laptops = Vec::new();
    for (_, code) in &voters {
        laptops.push(hub.device(code).await);
    }
    let poll = poll_on(&meeting, BallotSecrecy::Named, 600);
    let create = secretary.op(OperationPayload::CreatePoll { poll: poll.clone() });
    assert_eq!(hub.push_one(&secretary, create).await, Outcome::Applied);
    let chair = &laptops[0];
    let open = chair.op(OperationPayload::OpenPoll { poll_id: poll.id });
    assert_eq!(hub.push_one(chair, open).await, Outcome::Applied);
    VotingLaptops {
        hub,
        laptops,
        meeting,
        document,
        poll,
    }
}

/// [`voting`], with a poll on the meeting (see [`poll_on`]) that the secretary prepared
/// and the chair opened.
pub async fn voting_on_poll(secrecy: BallotSecrecy, late_grace_seconds: u32) -> (Voting, Poll) {
    let v = voting().await;
    let poll = poll_on(&v.meeting, secrecy, late_grace_seconds);
    v.open(&poll).await;
    (v, poll)
}

impl TestHub {
    /// What `quorum-hub audit verify` says of the hub's log now.
    pub fn audit_verify(&self) -> quorum_hub::AuditOutcome {
        self.admin(|store| store.verify_audit_log().expect("the log can be read"))
    }

    /// Enrolls a device with `code` and keeps its key to sign with.
    pub async fn device(&self, code: &str) -> Device {
        let key = device_key();
        let enrolled = self.enroll_with_key(code, &key).await;
        Device {
            token: enrolled.token,
            device_id: enrolled.device_id,
            member: enrolled.member,
            key,
            last_seq: Cell::new(0),
        }
    }

    /// A fresh enrollment code for the member's second laptop.
    pub async fn new_code(&self, member_id: MemberId) -> String {
        self.hub
            .with_store(move |store, _| {
                store.new_code(member_id, quorum_hub::DEFAULT_CODE_VALIDITY, &SystemClock)
            })
            .await
            .expect("a code is issued")
    }

    pub async fn push(&self, device: &Device, operations: &[Operation]) -> Vec<Outcome> {
        self.push_as(&device.token, operations.to_vec()).await
    }

    /// Pushes one operation and answers its outcome.
    pub async fn push_one(&self, device: &Device, operation: Operation) -> Outcome {
        let outcomes = self.push(device, &[operation]).await;
        assert_eq!(outcomes.len(), 1, "one operation, one outcome");
        outcomes.into_iter().next().expect("one outcome")
    }

    /// The device's whole feed, as the raw text the hub sent.
    pub async fn feed_text(&self, device: &Device) -> String {
        let response = self.get(&device.token, "/changes?since=0&limit=1000").await;
        assert_status(&response, StatusCode::OK, "an enrolled device pulls");
        response.text().await.expect("the feed arrives")
    }

    pub async fn feed(&self, device: &Device) -> Vec<Record> {
        let page: ChangesPage =
            serde_json::from_str(&self.feed_text(device).await).expect("a ChangesPage");
        page.changes.into_iter().map(|c| c.record).collect()
    }

    /// The latest state of `poll_id` in the device's feed, if it has any.
    pub async fn poll_seen_by(&self, device: &Device, poll_id: PollId) -> Option<PollView> {
        self.feed(device)
            .await
            .into_iter()
            .rev()
            .find_map(|record| match record {
                Record::Poll { poll } if poll.poll.id == poll_id => Some(poll),
                _ => None,
            })
    }

    /// Like [`TestHub::poll_seen_by`], for a poll the device must see.
    pub async fn poll_view(&self, device: &Device, poll_id: PollId) -> PollView {
        self.poll_seen_by(device, poll_id)
            .await
            .unwrap_or_else(|| panic!("{} sees poll {poll_id}", device.member.full_name))
    }
}

/// A poll on `subject` asking `question`, with the standard options, a quorum of half
/// the voters and a simple majority of them.
fn standard_poll(
    subject: PollSubject,
    question: &str,
    secrecy: BallotSecrecy,
    late_grace_seconds: u32,
) -> Poll {
    Poll {
        id: PollId::new_v7(),
        subject,
        question: question.into(),
        options: PollOption::standard(),
        secrecy,
        opens_at: None,
        closes_at: None,
        quorum: QuorumRule::Percent { percent: 50 },
        majority: MajorityRule::Simple,
        majority_basis: MajorityBasis::AllMembers,
        late_grace_seconds,
    }
}

/// A poll on the meeting's first agenda item, with the standard options, a quorum of
/// half the voters and a simple majority of them.
pub fn poll_on(meeting: &Meeting, secrecy: BallotSecrecy, late_grace_seconds: u32) -> Poll {
    let subject = PollSubject::AgendaItem {
        meeting_id: meeting.id,
        agenda_item_id: meeting.agenda[0].id,
    };
    let question = "Thông qua báo cáo kinh tế - xã hội?";
    standard_poll(subject, question, secrecy, late_grace_seconds)
}

/// A written-opinion request to the whole committee, outside any meeting.
pub fn written_opinion(committee_id: CommitteeId, secrecy: BallotSecrecy) -> Poll {
    let subject = PollSubject::WrittenOpinion { committee_id };
    standard_poll(subject, "Góp ý dự thảo quy chế làm việc?", secrecy, 0)
}

impl Voting {
    /// The secretary prepares `poll` and the chair opens it.
    pub async fn open(&self, poll: &Poll) {
        let created = self
            .hub
            .push_one(
                &self.secretary,
                self.secretary
                    .op(OperationPayload::CreatePoll { poll: poll.clone() }),
            )
            .await;
        assert_eq!(created, Outcome::Applied, "the secretary prepares the poll");
        let opened = self
            .hub
            .push_one(
                &self.chair,
                self.chair
                    .op(OperationPayload::OpenPoll { poll_id: poll.id }),
            )
            .await;
        assert_eq!(opened, Outcome::Applied, "the chair opens the poll");
    }

    /// `device`'s member votes `option_key` in the poll, and the hub takes the ballot.
    pub async fn cast(&self, device: &Device, poll_id: PollId, option_key: &str) {
        let ballot = device.vote(poll_id, option_key);
        let outcome = self.hub.push_one(device, ballot).await;
        let who = &device.member.full_name;
        assert_eq!(
            outcome,
            Outcome::Applied,
            "{who}'s ballot for {option_key} is taken"
        );
    }

    /// The chair closes the poll.
    pub async fn close(&self, poll_id: PollId) {
        let closed = self
            .hub
            .push_one(
                &self.chair,
                self.chair.op(OperationPayload::ClosePoll { poll_id }),
            )
            .await;
        assert_eq!(closed, Outcome::Applied, "the chair closes the poll");
    }
}
