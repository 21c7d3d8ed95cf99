//! Polls, ballots and delegations through the hub's HTTP API, over loopback against a
//! real server and SQLite file: what a member, the chair or the secretary would check.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::votes::{
    Voting, ballot_of, now, poll_on, tampered, voting, voting_on_poll, written_opinion,
};
use quorum_core::protocol::{InvalidOperation, Outcome, PollView, Record};
use quorum_core::{
    AgendaItemId, BallotSecrecy, Denied, OperationPayload, PollId, PollState, PollSubject, Tally,
};

fn counts(tally: &Tally) -> Vec<(&str, u32)> {
    tally
        .counts
        .iter()
        .map(|c| (c.key.as_str(), c.count))
        .collect()
}

fn tally_of(view: &PollView) -> &Tally {
    view.tally
        .as_ref()
        .unwrap_or_else(|| panic!("the tally is shown: {view:?}"))
}

#[tokio::test]
async fn a_ballot_counts_once_and_cannot_be_replayed_or_altered() {
    let (v, poll) = voting_on_poll(BallotSecrecy::Named, 600).await;

    let vote = v.member.vote(poll.id, "agree");
    let outcomes = v.hub.push(&v.member, std::slice::from_ref(&vote)).await;
    assert_eq!(outcomes, vec![Outcome::Applied], "a signed ballot counts");
    let outcomes = v.hub.push(&v.member, std::slice::from_ref(&vote)).await;
    assert_eq!(
        outcomes,
        vec![Outcome::Duplicate],
        "the same upload again (a lost answer, a retry) is a duplicate"
    );

    let replayed = v.member.op(OperationPayload::CastBallot {
        ballot: ballot_of(&vote),
    });
    let renumbered = {
        let mut ballot = ballot_of(&vote);
        ballot.device_seq = v.member.next_seq();
        v.member.op(OperationPayload::CastBallot { ballot })
    };
    let altered = tampered(v.member.vote(poll.id, "agree"), |ballot| {
        ballot.option_key = "disagree".into();
    });
    let outcomes = v
        .hub
        .push(&v.member, &[replayed, renumbered, altered])
        .await;
    let bad = Outcome::rejected(InvalidOperation::BadSignature);
    assert_eq!(
        outcomes[0], bad,
        "the same signed ballot in another upload is a replay"
    );
    assert_eq!(
        outcomes[1], bad,
        "renumbering a replayed ballot breaks its signature"
    );
    assert_eq!(
        outcomes[2], bad,
        "a choice altered after signing breaks the signature"
    );
    let from_elsewhere = v.chair.op(OperationPayload::CastBallot {
        ballot: ballot_of(&v.member.vote(poll.id, "disagree")),
    });
    assert_eq!(
        v.hub.push_one(&v.chair, from_elsewhere).await,
        bad,
        "a ballot signed on the member's laptop cannot be uploaded from another one"
    );

    let tally = tally_of(&v.hub.poll_view(&v.chair, poll.id).await).clone();
    assert_eq!(
        (tally.answered, counts(&tally)),
        (1, vec![("agree", 1), ("disagree", 0), ("other", 0)]),
        "one member, one vote, whatever was replayed"
    );
    v.hub
        .assert_rows("ballots", 1, "the audit log holds the accepted ballot once");
}

#[tokio::test]
async fn a_ballot_cast_before_close_counts_late_within_the_grace_period_and_not_after() {
    let (v, poll) = voting_on_poll(BallotSecrecy::Named, 600).await;
    v.cast(&v.chair, poll.id, "agree").await;
    // Cast on a laptop that is offline until after the chair closes the poll.
    let offline = v.member.vote(poll.id, "disagree");
    v.close(poll.id).await;

    assert_eq!(
        v.hub.push_one(&v.member, offline).await,
        Outcome::Applied,
        "cast before close, arriving within the grace period: it counts"
    );
    let view = v.hub.poll_view(&v.member, poll.id).await;
    assert!(
        matches!(view.state, PollState::Closed { .. }),
        "the poll stays closed"
    );
    let tally = tally_of(&view);
    assert_eq!(
        (tally.answered, tally.late),
        (2, 1),
        "it counts, shown as late"
    );
    let after_close = v.chair.vote(poll.id, "disagree");
    assert_eq!(
        v.hub.push_one(&v.chair, after_close).await,
        Outcome::rejected(InvalidOperation::CastAfterClose),
        "a ballot cast after the close does not count"
    );

    let strict = poll_on(&v.meeting, BallotSecrecy::Named, 0);
    v.open(&strict).await;
    let offline = v.member.vote(strict.id, "agree");
    v.close(strict.id).await;
    assert_eq!(
        v.hub.push_one(&v.member, offline).await,
        Outcome::rejected(InvalidOperation::BallotAfterGrace),
        "with no grace period, a ballot arriving after the close does not count"
    );
    assert_eq!(
        tally_of(&v.hub.poll_view(&v.chair, strict.id).await).answered,
        0,
        "nothing was counted"
    );
}

#[tokio::test]
async fn the_latest_ballot_counts_and_an_older_one_arriving_later_does_not_override_it() {
    let (v, poll) = voting_on_poll(BallotSecrecy::Named, 600).await;
    let code = v.hub.new_code(v.member.member.id).await;
    let tablet = v.hub.device(&code).await;
    let me = v.member.member.id;

    // The laptop votes offline first; the tablet votes later and uploads first.
    let start = now();
    let from_laptop = v.member.ballot_for(poll.id, me, "disagree", None, start);
    let from_tablet = tablet.ballot_for(
        poll.id,
        me,
        "agree",
        None,
        start + chrono::Duration::seconds(1),
    );
    assert_eq!(v.hub.push_one(&tablet, from_tablet).await, Outcome::Applied);
    assert_eq!(
        v.hub.push_one(&v.member, from_laptop).await,
        Outcome::Applied,
        "the older ballot is taken into the audit log"
    );
    let view = v.hub.poll_view(&v.member, poll.id).await;
    assert_eq!(
        counts(tally_of(&view)),
        vec![("agree", 1), ("disagree", 0), ("other", 0)],
        "but the newer choice still counts"
    );

    let changed = tablet.ballot_for(
        poll.id,
        me,
        "other",
        Some("Đề nghị bổ sung số liệu quý IV"),
        start + chrono::Duration::seconds(2),
    );
    assert_eq!(v.hub.push_one(&tablet, changed).await, Outcome::Applied);
    let view = v.hub.poll_view(&v.member, poll.id).await;
    assert_eq!(
        (counts(tally_of(&view)), view.voters.clone()),
        (vec![("agree", 0), ("disagree", 0), ("other", 1)], vec![me]),
        "a member changes their vote until the close; one vote, the latest"
    );
    let no_comment = v.member.vote(poll.id, "other");
    assert_eq!(
        v.hub.push_one(&v.member, no_comment).await,
        Outcome::rejected(InvalidOperation::InvalidChoice),
        "another opinion needs the member's words"
    );
    let poll_records = v
        .hub
        .feed(&v.member)
        .await
        .into_iter()
        .filter(|record| matches!(record, Record::Poll { .. }))
        .count();
    assert_eq!(
        poll_records, 1,
        "a laptop catching up pulls the poll once, in its latest state, not once per ballot"
    );
    v.hub
        .assert_rows("ballots", 3, "every accepted version is in the audit log");
}

#[tokio::test]
async fn a_delegate_votes_for_the_member_who_delegated_and_for_no_one_else() {
    let v = voting().await;
    let poll = poll_on(&v.meeting, BallotSecrecy::Named, 600);
    let member = v.member.member.id;
    let chair = v.chair.member.id;
    let meeting = v.meeting.id;

    for (to, why) in [
        (member, "to themselves"),
        (v.a.observer.0.id, "to an observer, who does not vote"),
        (v.b.member.0.id, "to someone of another committee"),
    ] {
        assert_eq!(
            v.hub
                .push_one(&v.member, v.member.delegate(meeting, Some(to)))
                .await,
            Outcome::rejected(InvalidOperation::InvalidDelegate),
            "a member cannot delegate {why}"
        );
    }
    assert_eq!(
        v.hub
            .push_one(&v.observer, v.observer.delegate(meeting, Some(chair)))
            .await,
        Outcome::rejected(Denied::NonVotingRole),
        "an observer has no vote to delegate"
    );
    assert_eq!(
        v.hub
            .push_one(&v.member, v.member.delegate(meeting, Some(chair)))
            .await,
        Outcome::Applied,
        "the member lets the chair vote for them, signed on the member's laptop"
    );
    let delegation = Record::Delegation {
        meeting_id: meeting,
        member,
        delegate: Some(chair),
    };
    assert!(
        v.hub.feed(&v.chair).await.contains(&delegation),
        "the delegate is told"
    );
    assert!(
        !v.hub.feed(&v.outsider).await.contains(&delegation),
        "another committee is not"
    );

    v.open(&poll).await;
    let for_member = v.chair.ballot_for(poll.id, member, "agree", None, now());
    assert_eq!(v.hub.push_one(&v.chair, for_member).await, Outcome::Applied);
    v.cast(&v.chair, poll.id, "disagree").await;
    let view = v.hub.poll_view(&v.member, poll.id).await;
    let tally = tally_of(&view);
    assert_eq!(
        (tally.answered, tally.delegated, counts(tally)[0]),
        (2, 1, ("agree", 1)),
        "the delegate's ballot for the member counts, marked delegated, beside their own"
    );

    assert_eq!(
        v.hub
            .push_one(&v.member, v.member.delegate(meeting, None))
            .await,
        Outcome::Applied,
        "the member takes the delegation back"
    );
    let later = poll_on(&v.meeting, BallotSecrecy::Named, 600);
    v.open(&later).await;
    let again = v
        .chair
        .ballot_for(later.id, member, "disagree", None, now());
    assert_eq!(
        v.hub.push_one(&v.chair, again).await,
        Outcome::rejected(InvalidOperation::NotDelegated),
        "in the next poll the chair votes only for themselves"
    );
    assert_eq!(
        v.hub.audit_verify(),
        quorum_hub::AuditOutcome::Intact {
            ballots: 2,
            delegations: 2
        },
        "both delegations are in the audit log, their signatures verified"
    );
}

#[tokio::test]
async fn only_voting_members_of_the_meeting_vote() {
    let (v, poll) = voting_on_poll(BallotSecrecy::Named, 600).await;
    for (device, refusal, who) in [
        (&v.observer, Denied::NonVotingRole, "an observer"),
        (&v.secretary, Denied::NonVotingRole, "the secretary"),
        (
            &v.outsider,
            Denied::OtherCommittee,
            "a member of another committee",
        ),
    ] {
        let ballot = device.vote(poll.id, "agree");
        assert_eq!(
            v.hub.push_one(device, ballot).await,
            Outcome::rejected(refusal),
            "{who} does not vote"
        );
    }
    let unknown = v.member.vote(PollId::new_v7(), "agree");
    assert_eq!(
        v.hub.push_one(&v.member, unknown).await,
        Outcome::rejected(InvalidOperation::UnknownPoll),
        "a ballot for a poll the hub does not have"
    );
    let view = v.hub.poll_view(&v.chair, poll.id).await;
    assert_eq!(
        (view.eligible.len(), tally_of(&view).answered),
        (2, 0),
        "the chair and the member are the voters; nobody voted"
    );
}

#[tokio::test]
async fn only_the_chair_or_the_secretary_prepare_open_and_close_polls() {
    let v = voting().await;
    let poll = poll_on(&v.meeting, BallotSecrecy::Named, 600);
    let create = |device: &common::votes::Device, poll: &quorum_core::Poll| {
        device.op(OperationPayload::CreatePoll { poll: poll.clone() })
    };
    assert_eq!(
        v.hub.push_one(&v.member, create(&v.member, &poll)).await,
        Outcome::rejected(Denied::ChairOrSecretaryOnly),
        "a member does not prepare polls"
    );
    assert_eq!(
        v.hub
            .push_one(&v.outsider_chair, create(&v.outsider_chair, &poll))
            .await,
        Outcome::rejected(Denied::OtherCommittee),
        "nor does another committee's chair"
    );
    let mut invalid = poll.clone();
    invalid.options.truncate(1);
    assert_eq!(
        v.hub
            .push_one(&v.secretary, create(&v.secretary, &invalid))
            .await,
        Outcome::rejected(InvalidOperation::InvalidPoll),
        "a poll with one option is no poll"
    );
    let mut never_final = poll.clone();
    never_final.late_grace_seconds = u32::MAX;
    assert_eq!(
        v.hub
            .push_one(&v.secretary, create(&v.secretary, &never_final))
            .await,
        Outcome::rejected(InvalidOperation::InvalidPoll),
        "nor one whose late ballots could arrive for 136 years, its results never final"
    );
    let mut elsewhere = poll.clone();
    elsewhere.subject = PollSubject::AgendaItem {
        meeting_id: v.meeting.id,
        agenda_item_id: AgendaItemId::new_v7(),
    };
    assert_eq!(
        v.hub
            .push_one(&v.secretary, create(&v.secretary, &elsewhere))
            .await,
        Outcome::rejected(InvalidOperation::UnknownAgendaItem),
        "a poll is on an item of its meeting"
    );
    assert_eq!(
        v.hub
            .push_one(&v.secretary, create(&v.secretary, &poll))
            .await,
        Outcome::Applied,
        "the secretary prepares a poll"
    );
    assert!(
        v.hub.poll_seen_by(&v.member, poll.id).await.is_none(),
        "a draft is not shown to members"
    );
    assert_eq!(
        v.hub.poll_view(&v.chair, poll.id).await.state,
        PollState::Draft,
        "the chair sees the draft"
    );

    let open =
        |device: &common::votes::Device| device.op(OperationPayload::OpenPoll { poll_id: poll.id });
    let close = |device: &common::votes::Device| {
        device.op(OperationPayload::ClosePoll { poll_id: poll.id })
    };
    assert_eq!(
        v.hub.push_one(&v.member, open(&v.member)).await,
        Outcome::rejected(Denied::ChairOrSecretaryOnly),
        "a member does not open polls"
    );
    assert_eq!(
        v.hub.push_one(&v.chair, close(&v.chair)).await,
        Outcome::rejected(InvalidOperation::PollNotOpen),
        "a draft cannot be closed"
    );
    assert_eq!(
        v.hub.push_one(&v.chair, open(&v.chair)).await,
        Outcome::Applied
    );
    assert!(
        matches!(
            v.hub.poll_view(&v.member, poll.id).await.state,
            PollState::Open { .. }
        ),
        "an open poll reaches the members"
    );
    assert_eq!(
        v.hub.push_one(&v.secretary, open(&v.secretary)).await,
        Outcome::rejected(InvalidOperation::PollAlreadyOpened),
        "a poll opens once"
    );
    assert_eq!(
        v.hub
            .push_one(&v.secretary, create(&v.secretary, &poll))
            .await,
        Outcome::rejected(InvalidOperation::PollAlreadyOpened),
        "an open poll can no longer be edited"
    );
    assert_eq!(
        v.hub.push_one(&v.observer, close(&v.observer)).await,
        Outcome::rejected(Denied::ChairOrSecretaryOnly),
        "an observer does not close polls"
    );
    assert_eq!(
        v.hub.push_one(&v.secretary, close(&v.secretary)).await,
        Outcome::Applied
    );
    assert_eq!(
        v.hub.push_one(&v.chair, close(&v.chair)).await,
        Outcome::rejected(InvalidOperation::PollNotOpen),
        "a poll closes once"
    );

    let opinion = written_opinion(v.a.committee.id, BallotSecrecy::Named);
    assert_eq!(
        v.hub.push_one(&v.member, create(&v.member, &opinion)).await,
        Outcome::rejected(Denied::ChairOrSecretaryOnly),
        "a member does not ask the committee for written opinions"
    );
    assert_eq!(
        v.hub
            .push_one(&v.outsider_chair, create(&v.outsider_chair, &opinion))
            .await,
        Outcome::rejected(Denied::OtherCommittee),
        "nor does another committee's chair"
    );
    assert_eq!(
        v.hub.push_one(&v.chair, create(&v.chair, &opinion)).await,
        Outcome::Applied,
        "the chair does"
    );
}

/// Waits for the hub's sweep to publish what time changed, until `done` holds.
async fn until_seen(v: &Voting, poll_id: PollId, done: impl Fn(&PollView) -> bool) -> PollView {
    for _ in 0..100 {
        let view = v.hub.poll_view(&v.member, poll_id).await;
        if done(&view) {
            return view;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the hub publishes the poll's change within 10 s");
}

#[tokio::test]
async fn a_secret_poll_never_shows_who_chose_what_and_a_named_one_lists_its_voters() {
    let v = voting().await;
    let secret = poll_on(&v.meeting, BallotSecrecy::Secret, 0);
    let named = poll_on(&v.meeting, BallotSecrecy::Named, 0);
    v.open(&secret).await;
    v.open(&named).await;
    for poll_id in [secret.id, named.id] {
        let ballots = [
            (&v.chair, v.chair.vote(poll_id, "agree")),
            (&v.member, v.member.vote(poll_id, "disagree")),
        ];
        for (device, ballot) in ballots {
            assert_eq!(v.hub.push_one(device, ballot).await, Outcome::Applied);
        }
    }
    let everyone = [&v.secretary, &v.chair, &v.member, &v.observer];
    for device in everyone {
        let who = &device.member.full_name;
        let raw = v.hub.feed_text(device).await;
        assert!(
            !raw.contains("optionKey") && !raw.contains("castBy"),
            "no ballot leaves the hub, not even to {who}: {raw}"
        );
        let view = v.hub.poll_view(device, secret.id).await;
        assert!(
            view.voters.is_empty() && view.tally.is_none(),
            "{who} sees neither who voted nor how, while the secret poll is open: {view:?}"
        );
        assert_eq!(view.answered, 2, "{who} sees how many answered");
        let view = v.hub.poll_view(device, named.id).await;
        assert_eq!(
            view.voters,
            vec![v.chair.member.id, v.member.member.id],
            "{who} sees who voted in the named poll"
        );
    }

    v.close(secret.id).await;
    for device in everyone {
        let who = &device.member.full_name;
        let view = v.hub.poll_view(device, secret.id).await;
        assert!(view.voters.is_empty(), "closing names no voter to {who}");
        assert_eq!(
            counts(tally_of(&view)),
            vec![("agree", 1), ("disagree", 1), ("other", 0)],
            "{who} sees the counts once the poll is closed"
        );
        let raw = v.hub.feed_text(device).await;
        assert!(
            !raw.contains("optionKey") && !raw.contains("castBy"),
            "the results carry counts only: {raw}"
        );
    }
    assert_eq!(
        v.hub.count(&format!(
            "SELECT COUNT(*) FROM ballots WHERE poll_id = '{}'",
            secret.id
        )),
        2,
        "the audit log keeps the secret ballots, for the audit only"
    );
}

#[tokio::test]
async fn a_secret_poll_shows_its_tally_only_once_late_ballots_can_no_longer_move_it() {
    let (v, poll) = voting_on_poll(BallotSecrecy::Secret, 60).await;
    v.cast(&v.chair, poll.id, "agree").await;
    let offline = v.member.vote(poll.id, "disagree");
    v.close(poll.id).await;
    // The observer looks: the member's offline laptop has not pulled since the close.
    let view = v.hub.poll_view(&v.observer, poll.id).await;
    assert!(
        matches!(view.state, PollState::Closed { .. }) && view.tally.is_none(),
        "during the grace period a secret tally is withheld, or a late ballot's change \
         to it would give that ballot away: {view:?}"
    );
    let PollState::Closed { closed_at, .. } = view.state else {
        unreachable!("checked just above")
    };
    assert_eq!(
        view.late_until,
        Some(closed_at + chrono::Duration::seconds(60)),
        "the board is told late ballots may still arrive, and until when"
    );

    assert_eq!(
        v.hub.push_one(&v.member, offline).await,
        Outcome::Applied,
        "the late ballot is in time"
    );
    let view = v.hub.poll_view(&v.member, poll.id).await;
    assert_eq!(
        (view.answered, view.tally.is_none(), view.audit.is_none()),
        (2, true, true),
        "it is counted, and still nothing shows how, nor where the log stands for it"
    );

    // The grace period passes on the hub's clock.
    v.hub.clock.advance(chrono::Duration::seconds(61));
    let view = until_seen(&v, poll.id, |view| view.tally.is_some()).await;
    let tally = tally_of(&view);
    assert_eq!(
        (counts(tally), tally.late),
        (vec![("agree", 1), ("disagree", 1), ("other", 0)], 1),
        "after the grace period the hub publishes the final counts on its own"
    );
    assert_eq!(
        view.late_until, None,
        "and late ballots can no longer arrive"
    );
    assert!(view.voters.is_empty(), "and still no names");
    let head = view
        .audit
        .expect("final results state where their ballots stand in the log");
    let last: i64 = v.hub.first_value("SELECT MAX(seq) FROM ballots");
    let hash: String = v
        .hub
        .first_value("SELECT hash FROM ballots ORDER BY seq DESC LIMIT 1");
    assert_eq!(
        (
            head.ballots,
            i64::try_from(head.last_seq).unwrap(),
            head.hash
        ),
        (2, last, hash),
        "both ballots, up to the log's last entry and its hash"
    );
}

#[tokio::test]
async fn a_written_opinion_closes_at_its_deadline_without_anyone_closing_it() {
    let v = voting().await;
    let mut poll = written_opinion(v.a.committee.id, BallotSecrecy::Secret);
    let deadline = now() + chrono::Duration::seconds(60);
    poll.closes_at = Some(deadline);
    v.open(&poll).await;
    assert!(
        v.hub.poll_seen_by(&v.outsider, poll.id).await.is_none(),
        "another committee is not asked"
    );
    let view = v.hub.poll_view(&v.observer, poll.id).await;
    assert_eq!(
        view.eligible,
        vec![v.chair.member.id, v.member.member.id],
        "the committee's voting members answer a written opinion"
    );
    v.cast(&v.member, poll.id, "agree").await;

    // The deadline passes on the hub's clock.
    v.hub.clock.advance(chrono::Duration::seconds(61));
    let view = until_seen(&v, poll.id, |view| view.tally.is_some()).await;
    assert!(
        matches!(view.state, PollState::Closed { closed_at, .. } if closed_at == deadline),
        "it closed at its deadline: {view:?}"
    );
    assert_eq!(
        counts(tally_of(&view))[0],
        ("agree", 1),
        "and its results were published"
    );
    let too_late = v.chair.ballot_for(
        poll.id,
        v.chair.member.id,
        "disagree",
        None,
        deadline + chrono::Duration::seconds(1),
    );
    assert_eq!(
        v.hub.push_one(&v.chair, too_late).await,
        Outcome::rejected(InvalidOperation::CastAfterClose),
        "an answer after the deadline does not count"
    );
    let close = v.chair.op(OperationPayload::ClosePoll { poll_id: poll.id });
    assert_eq!(
        v.hub.push_one(&v.chair, close).await,
        Outcome::rejected(InvalidOperation::PollNotOpen),
        "there is nothing left to close"
    );
}

#[tokio::test]
async fn a_member_invited_after_the_meeting_began_receives_its_polls_attendance_and_floor() {
    let invited = |a: &common::Committee4| vec![a.chair.0.id, a.member.0.id];
    let common::votes::Published {
        hub,
        a,
        secretary,
        meeting,
        ..
    } = common::votes::with_published_meeting(invited, 1_000, "the meeting is published").await;
    let chair = hub.device(&a.chair.1).await;
    let member = hub.device(&a.member.1).await;
    let observer = hub.device(&a.observer.1).await;
    let poll = poll_on(&meeting, BallotSecrecy::Named, 0);
    let item = meeting.agenda[0].id;
    let conduct = [
        (
            &secretary,
            OperationPayload::CreatePoll { poll: poll.clone() },
        ),
        (&chair, OperationPayload::OpenPoll { poll_id: poll.id }),
        (
            &member,
            OperationPayload::CheckIn {
                meeting_id: meeting.id,
            },
        ),
        (
            &member,
            OperationPayload::RequestToSpeak {
                meeting_id: meeting.id,
                agenda_item_id: item,
                speech: quorum_core::SpeechKind::Speak,
            },
        ),
    ];
    for (device, payload) in conduct {
        assert_eq!(
            hub.push_one(device, device.op(payload)).await,
            Outcome::Applied
        );
    }
    assert_eq!(
        hub.push_one(&member, member.vote(poll.id, "agree")).await,
        Outcome::Applied
    );

    // The observer's laptop has read the whole feed, none of it about this meeting.
    let page = |since: u64| {
        let hub = &hub;
        let token = observer.token.clone();
        async move {
            let response = hub.get(&token, &format!("/changes?since={since}")).await;
            response
                .json::<quorum_core::protocol::ChangesPage>()
                .await
                .unwrap()
        }
    };
    let before = page(0).await;
    assert!(
        before
            .changes
            .iter()
            .all(|change| change.record.conduct_of().is_none()),
        "nothing of a meeting the observer is not invited to"
    );

    // Invited now: the next pull brings the meeting and its conduct as it stands.
    let mut now_inviting = meeting.clone();
    now_inviting.invitees.push(a.observer.0.id);
    let response = hub.put_meeting(&secretary.token, &now_inviting).await;
    common::assert_status(
        &response,
        reqwest::StatusCode::OK,
        "the observer is invited",
    );
    let after = page(before.next_cursor).await;
    let records: Vec<&Record> = after.changes.iter().map(|change| &change.record).collect();
    assert!(
        records.iter().any(
            |r| matches!(r, Record::Meeting { meeting: m } if m.invitees.contains(&a.observer.0.id))
        ),
        "the meeting: {records:?}"
    );
    let poll_view = records.iter().find_map(|r| match r {
        Record::Poll { poll: view } if view.poll.id == poll.id => Some(view),
        _ => None,
    });
    assert!(
        poll_view
            .is_some_and(|view| matches!(view.state, PollState::Open { .. }) && view.answered == 1),
        "the open poll, with the ballot already cast: {records:?}"
    );
    assert!(
        records.iter().any(|r| matches!(r,
            Record::Attendance { member_id, .. } if *member_id == a.member.0.id)),
        "the member's check-in: {records:?}"
    );
    assert!(
        records.iter().any(|r| matches!(r,
            Record::Floor { queue, .. } if queue.iter().any(|q| q.member_id == a.member.0.id))),
        "the member's request to speak: {records:?}"
    );

    // Nothing is in the feed twice: each record moved, not copied.
    let whole = page(0).await;
    let polls = whole
        .changes
        .iter()
        .filter(|change| matches!(&change.record, Record::Poll { poll: view } if view.poll.id == poll.id))
        .count();
    assert_eq!(polls, 1, "the poll once in the whole feed");
}

#[tokio::test]
async fn a_ballot_taken_wakes_the_live_channels_at_once() {
    let (v, poll) = voting_on_poll(BallotSecrecy::Named, 600).await;
    let mut notices = v.hub.hub.subscribe();
    assert_eq!(
        v.hub
            .push_one(&v.member, v.member.vote(poll.id, "agree"))
            .await,
        Outcome::Applied
    );
    let latest = v.hub.latest_seq(v.a.committee.id).await;
    // Told before the push was answered, not by the once-a-second sweep afterwards.
    let heard = notices
        .try_recv()
        .map(|(committee, notice)| (committee, notice.latest_seq));
    assert_eq!(
        heard.ok(),
        Some((v.a.committee.id, latest)),
        "the committee's laptops hear that the feed moved to the ballot's poll state"
    );
    // Every notice makes each of the committee's laptops pull: the hub's once-a-second
    // check for changes made elsewhere does not announce this one again.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let committee = v.a.committee.id;
    let mut again = Vec::new();
    while let Ok((told, notice)) = notices.try_recv() {
        if told == committee {
            again.push(notice.latest_seq);
        }
    }
    assert_eq!(again, [0u64; 0], "the laptops were told once, not twice");

    // A push that applies nothing (the same ballot again) wakes nobody.
    let again = v.hub.push(&v.member, &[]).await;
    assert!(again.is_empty());
    assert!(notices.try_recv().is_err(), "nothing moved, nothing told");
}

#[tokio::test(flavor = "multi_thread")]
async fn ballots_pushed_at_once_by_many_laptops_apply_once_each_even_when_sent_twice() {
    let (v, poll) = voting_on_poll(BallotSecrecy::Named, 600).await;
    // Each voting member on two laptops, all four pushing at the same moment.
    let second_chair = v.hub.device(&v.hub.new_code(v.chair.member.id).await).await;
    let second_member = v
        .hub
        .device(&v.hub.new_code(v.member.member.id).await)
        .await;
    let laptops = [&v.chair, &v.member, &second_chair, &second_member];
    const EACH: usize = 25;
    let queued: Vec<Vec<quorum_core::Operation>> = laptops
        .iter()
        .map(|laptop| {
            (0..EACH)
                .map(|n| laptop.vote(poll.id, ["agree", "disagree"][n % 2]))
                .collect()
        })
        .collect();
    // Every push is sent twice at once, as a laptop retrying a request it thinks lost.
    let pushing = laptops.iter().zip(&queued).map(|(laptop, operations)| {
        let hub = &v.hub;
        async move {
            let mut outcomes = Vec::new();
            for operation in operations {
                let (first, second) = tokio::join!(
                    hub.push_one(laptop, operation.clone()),
                    hub.push_one(laptop, operation.clone())
                );
                outcomes.push((first, second));
            }
            outcomes
        }
    });
    let outcomes = futures_util::future::join_all(pushing).await;
    for (laptop, outcomes) in laptops.iter().zip(outcomes) {
        for pair in outcomes {
            assert!(
                matches!(
                    pair,
                    (Outcome::Applied, Outcome::Duplicate) | (Outcome::Duplicate, Outcome::Applied)
                ),
                "{}: each ballot applied once, its twin a duplicate: {pair:?}",
                laptop.member.full_name
            );
        }
    }
    let ballots = laptops.len() * EACH;
    v.hub.assert_rows(
        "ballots",
        i64::try_from(ballots).unwrap(),
        "every ballot version logged once",
    );
    assert_eq!(
        v.hub.audit_verify(),
        quorum_hub::AuditOutcome::Intact {
            ballots: u64::try_from(ballots).unwrap(),
            delegations: 0
        },
        "the hash chain is one order of all of them"
    );
    let view = v.hub.poll_view(&v.chair, poll.id).await;
    assert_eq!(
        view.answered, 2,
        "two members answered, whatever their laptops"
    );
}

#[tokio::test]
async fn a_pull_before_the_close_leaves_a_late_ballot_in_time_and_one_after_it_refuses_it() {
    let (v, poll) = voting_on_poll(BallotSecrecy::Named, 60).await;
    // Both laptops pull while the poll is open (the hub need not note those pulls), and
    // both members vote offline before the close.
    v.hub.feed(&v.chair).await;
    v.hub.feed(&v.member).await;
    let before_close = common::votes::now();
    let seen = v.member.vote(poll.id, "disagree");
    v.close(poll.id).await;
    // Signed on the chair's laptop before the close, queued after its closing.
    let unseen = v
        .chair
        .ballot_for(poll.id, v.chair.member.id, "agree", None, before_close);

    // The member's laptop pulls once more and is handed the closed poll and its tally.
    let view = v.hub.poll_seen_by(&v.member, poll.id).await.unwrap();
    assert!(view.tally.is_some(), "the member saw the result: {view:?}");
    assert_eq!(
        v.hub.push_one(&v.member, seen).await,
        Outcome::rejected(InvalidOperation::SeenSinceClose),
        "a ballot sent after seeing the result does not count"
    );
    assert_eq!(
        v.hub.push_one(&v.chair, unseen).await,
        Outcome::Applied,
        "the chair's laptop pulled only before the close: its late ballot counts"
    );
    let view = v.hub.poll_view(&v.observer, poll.id).await;
    assert_eq!(view.answered, 1, "one late ballot counted: {view:?}");
}

#[tokio::test]
async fn ballots_uploaded_together_count_as_if_the_hub_took_them_one_by_one() {
    let (v, poll) = voting_on_poll(BallotSecrecy::Named, 600).await;
    let (me, start) = (v.member.member.id, now());
    let after = chrono::Duration::milliseconds;
    // Offline all meeting, the member changed their mind a hundred times (more ballots
    // than one statement writes), then their laptop's clock was set back; the upload
    // carries one ballot twice, as a retried request would.
    let mut upload: Vec<_> = (0..100)
        .map(|n| {
            let option = if n == 99 { "agree" } else { "disagree" };
            v.member
                .ballot_for(poll.id, me, option, None, start + after(n))
        })
        .collect();
    upload.push(v.member.ballot_for(
        poll.id,
        me,
        "other",
        Some("Ý kiến cũ"),
        start - after(1_000),
    ));
    upload.push(upload[99].clone());
    let mut expected = vec![Outcome::Applied; 101];
    expected.push(Outcome::Duplicate);
    assert_eq!(
        v.hub.push(&v.member, &upload).await,
        expected,
        "each ballot is taken once, and the copy is answered as a duplicate"
    );
    // The chair votes and closes in one upload: the close counts the ballot before it.
    let votes = v.chair.vote(poll.id, "disagree");
    let closes = v.chair.op(OperationPayload::ClosePoll { poll_id: poll.id });
    assert_eq!(
        v.hub.push(&v.chair, &[votes, closes]).await,
        [Outcome::Applied, Outcome::Applied]
    );
    let view = v.hub.poll_view(&v.observer, poll.id).await;
    assert_eq!(
        (counts(tally_of(&view)), view.answered),
        (vec![("agree", 1), ("disagree", 1), ("other", 0)], 2),
        "the member's newest ballot counts, not the one from the clock set back, and the chair's"
    );

    // Offline since before another poll closed, the member's laptop sends two ballots
    // cast while it was open, in one upload: the first counts late, and the second may
    // not replace it after the close.
    let later = poll_on(&v.meeting, BallotSecrecy::Named, 600);
    v.open(&later).await;
    let first = v.member.ballot_for(later.id, me, "disagree", None, now());
    let second = v
        .member
        .ballot_for(later.id, me, "agree", None, now() + after(1));
    v.close(later.id).await;
    assert_eq!(
        v.hub.push(&v.member, &[first, second]).await,
        [
            Outcome::Applied,
            Outcome::rejected(InvalidOperation::LateBallotReplaces)
        ],
        "a late ballot counts once; the member cannot change it after the close"
    );
    let view = v.hub.poll_view(&v.observer, later.id).await;
    let tally = tally_of(&view);
    assert_eq!(
        (counts(tally), tally.answered, tally.late),
        (vec![("agree", 0), ("disagree", 1), ("other", 0)], 1, 1),
        "the late ballot counts, shown as late"
    );
    assert_eq!(
        v.hub.audit_verify(),
        quorum_hub::AuditOutcome::Intact {
            ballots: 103,
            delegations: 0
        },
        "every ballot taken is in the audit log once, in one chain"
    );
    let member_device = v.member.device_id;
    assert_eq!(
        v.hub.count(&format!(
            "SELECT COUNT(*) FROM operations WHERE device_id = '{member_device}'"
        )),
        103,
        "each of the member's operations is stored once, the refused one included"
    );
}
