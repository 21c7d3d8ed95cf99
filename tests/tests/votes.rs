//! Votes end to end: the real hub and `quorum` processes on loopback, one profile per
//! member, ballots signed on each laptop and uploaded whenever it reaches the hub.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use quorum_e2e::processes::{
    DemoHub, DemoMember, HubProcess, Laptop, add_voting_member, audit_verify, code_for,
    demo_committee, demo_hub_and_laptops, enrolled_laptop, enrolled_laptops, hub_admin_output,
    new_code,
};
use quorum_e2e::proxy::{Faults, FaultyProxy};
use serde_json::Value;
use tempfile::TempDir;

/// The demo hub (its data folder, its sample members, the running hub) and a folder
/// for the members' laptops.
fn demo_and_laptops() -> (TempDir, Vec<DemoMember>, HubProcess, TempDir) {
    let (DemoHub { data, members, hub }, laptops) = demo_hub_and_laptops();
    (data, members, hub, laptops)
}

/// The strings of a JSON array, as the client prints lists of ids.
fn strings(list: &Value) -> Vec<&str> {
    let items = list.as_array().unwrap();
    items.iter().map(|item| item.as_str().unwrap()).collect()
}

/// The written-opinion request the laptop knows, as `quorum polls` prints it.
fn the_poll(laptop: &Laptop) -> Value {
    let polls = laptop.run(&["polls"]);
    assert_eq!(polls.as_array().unwrap().len(), 1, "one request: {polls}");
    polls[0].clone()
}

/// `laptop` asks the committee `question` in writing, answered within two hours, and
/// opens it at once (with `more` options for `create-poll`); returns the poll's id.
fn open_written_opinion(laptop: &Laptop, question: &str, more: &[&str]) -> String {
    let poll_id = laptop.create_written_opinion(question, more);
    laptop.run(&["open-poll", &poll_id]);
    laptop.run(&["sync"]);
    poll_id
}

#[test]
fn twenty_members_half_of_them_offline_when_voting_give_an_exact_tally() {
    let (data, demo, hub, laptops) = demo_and_laptops();

    // The chair, the two demo members and 17 more: 20 voting members.
    let mut codes = vec![code_for(&demo, "chair")];
    codes.extend(
        demo.iter()
            .filter(|m| m.role == "member")
            .map(|m| m.code.clone()),
    );
    let committee = demo_committee(data.path());
    while codes.len() < 20 {
        let name = format!("Thành viên {}", codes.len());
        codes.push(add_voting_member(data.path(), &committee, &name));
    }
    let members = enrolled_laptops(&hub, laptops.path(), "member", &codes);
    let chair = &members[0];

    let poll_id = open_written_opinion(chair, "Thông qua dự toán ngân sách năm 2027", &[]);
    for laptop in &members {
        laptop.run(&["sync"]);
        assert_eq!(
            the_poll(laptop)["view"]["state"]["kind"],
            "open",
            "every member's laptop has the open request"
        );
    }

    // 12 agree, 5 disagree, 3 give another opinion in their own words.
    let choice = |n: usize| match n {
        0..12 => ("agree", None),
        12..17 => ("disagree", None),
        _ => ("other", Some(format!("Đề nghị làm rõ khoản chi số {n}"))),
    };
    let vote = |n: usize| {
        let (option, comment) = choice(n);
        let mut args = vec!["vote", &poll_id, option];
        if let Some(comment) = &comment {
            args.extend(["--comment", comment.as_str()]);
            members[n].run(&args)
        } else {
            members[n].run(&args)
        }
    };

    // The even-numbered half votes with no connection: the hub is down.
    let address = hub.address.clone();
    hub.kill();
    for n in (0..20).step_by(2) {
        vote(n);
        let mine = &the_poll(&members[n])["myBallots"][0];
        assert_eq!(
            mine["status"]["kind"], "waiting",
            "shown as waiting to upload"
        );
        let (ok, _) = members[n].try_run(&["sync"]);
        assert!(!ok, "no hub to reach");
    }
    let hub = HubProcess::start(data.path(), &address);
    for n in (1..20).step_by(2) {
        vote(n);
        members[n].run(&["sync"]);
    }
    // The offline half reconnects; and everyone syncs once more: nothing counts twice.
    for laptop in members.iter().step_by(2).chain(members.iter()) {
        laptop.run(&["sync"]);
    }
    for laptop in &members {
        let mine = &the_poll(laptop)["myBallots"][0];
        assert_eq!(
            mine["status"]["kind"], "counted",
            "every ballot is counted: {mine}"
        );
    }

    chair.run(&["close-poll", &poll_id]);
    chair.run(&["sync"]);
    let view = the_poll(chair)["view"].clone();
    let counts: Vec<(String, u64)> = view["tally"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("agree".to_string(), 12),
            ("disagree".to_string(), 5),
            ("other".to_string(), 3)
        ],
        "the tally is exact"
    );
    assert_eq!(view["state"]["kind"], "closed");
    assert_eq!(view["answered"], 20, "twenty members answered, once each");
    assert_eq!(view["tally"]["late"], 0, "all arrived before the close");
    assert_eq!(view["tally"]["passed"], true, "12 of 20 is more than half");
    // A laptop that has not heard of the close yet still lets its member change their
    // vote; the hub refuses it, and the member is told why.
    let late = &members[5];
    late.run(&["vote", &poll_id, "disagree"]);
    late.run(&["sync"]);
    let mine = &the_poll(late)["myBallots"][0];
    assert_eq!(
        (&mine["status"]["kind"], &mine["status"]["refusal"]),
        (&Value::from("refused"), &Value::from("castAfterClose")),
        "the ballot cast after the close is refused with its reason: {mine}"
    );
    chair.run(&["sync"]);
    assert_eq!(
        the_poll(chair)["view"]["tally"]["counts"][0]["count"],
        12,
        "and the tally stands"
    );

    let results = hub_admin_output(data.path(), &["results", "--poll", &poll_id]);
    let csv = String::from_utf8(results.stdout).unwrap();
    assert!(
        csv.contains("Đề nghị làm rõ khoản chi số 19"),
        "the hub's results list the other opinions in the members' words: {csv}"
    );
    drop(hub);
}

/// The member's one ballot on the written-opinion request, as their laptop shows it.
fn my_ballot(laptop: &Laptop) -> Value {
    the_poll(laptop)["myBallots"][0].clone()
}

#[test]
fn a_late_ballot_counts_from_a_laptop_offline_at_the_close_but_not_once_the_member_saw_the_result()
{
    let (data, demo, hub, laptops) = demo_and_laptops();
    let chair = enrolled_laptop(&hub, laptops.path(), "chair", &code_for(&demo, "chair"));
    let members: Vec<_> = demo.iter().filter(|m| m.role == "member").collect();
    let offline = enrolled_laptop(&hub, laptops.path(), "offline", &members[0].code);
    let watcher = Laptop::new(laptops.path().join("watcher"));
    let enrolled = watcher.enroll(&hub, &members[1].code);
    // The second member also has a tablet, enrolled with a fresh code.
    let member_id = enrolled["member"]["id"].as_str().unwrap();
    let tablet_code = new_code(data.path(), member_id);
    let tablet = enrolled_laptop(&hub, laptops.path(), "watcher-tablet", &tablet_code);

    let poll_id = open_written_opinion(&chair, "Thông qua kế hoạch chỉnh trang đô thị", &[]);
    for laptop in [&offline, &watcher, &tablet] {
        laptop.run(&["sync"]);
    }
    // Both vote with no connection before the close.
    offline.run(&["vote", &poll_id, "agree"]);
    watcher.run(&["vote", &poll_id, "disagree"]);
    chair.run(&["close-poll", &poll_id]);
    chair.run(&["sync"]);
    // The second member's tablet syncs after the close and shows them the result.
    tablet.run(&["sync"]);
    assert_eq!(
        the_poll(&tablet)["view"]["state"]["kind"],
        "closed",
        "the tablet learnt of the close"
    );

    offline.run(&["sync"]);
    assert_eq!(
        my_ballot(&offline)["status"]["kind"],
        "counted",
        "the laptop that was offline at the close gets its ballot counted, late"
    );
    watcher.run(&["sync"]);
    let refused = my_ballot(&watcher);
    assert_eq!(
        (&refused["status"]["kind"], &refused["status"]["refusal"]),
        (&Value::from("refused"), &Value::from("seenSinceClose")),
        "a member whose other device pulled the result cannot vote late; told why: {refused}"
    );
    chair.run(&["sync"]);
    let view = the_poll(&chair)["view"].clone();
    assert_eq!(
        (&view["answered"], &view["tally"]["late"]),
        (&Value::from(1), &Value::from(1)),
        "one ballot counts, marked late: {view}"
    );
}

#[test]
fn ballots_the_hub_acknowledged_survive_it_being_killed_at_once() {
    let (data, demo, hub, laptops) = demo_and_laptops();
    let committee = demo_committee(data.path());
    let mut codes = vec![code_for(&demo, "chair")];
    while codes.len() < 8 {
        codes.push(add_voting_member(
            data.path(),
            &committee,
            &format!("Ủy viên {}", codes.len()),
        ));
    }
    let members = enrolled_laptops(&hub, laptops.path(), "member", &codes);
    let poll_id = open_written_opinion(&members[0], "Thông qua?", &[]);
    for laptop in &members {
        laptop.run(&["sync"]);
        laptop.run(&["vote", &poll_id, "agree"]);
        laptop.run(&["sync"]);
        assert_eq!(
            my_ballot(laptop)["status"]["kind"],
            "counted",
            "acknowledged"
        );
    }
    // Killed the moment the last answer left: no shutdown, no flush.
    let address = hub.address.clone();
    hub.kill();
    assert_eq!(
        audit_verify(data.path()),
        (
            true,
            "audit log intact: 8 ballots and 0 delegations, chains and signatures verified\n"
                .to_string()
        ),
        "every acknowledged ballot is in the audit log"
    );
    let _hub = HubProcess::start(data.path(), &address);
    members[0].run(&["sync"]);
    assert_eq!(
        the_poll(&members[0])["view"]["answered"],
        8,
        "and counts after the restart"
    );
}

#[test]
fn a_ballot_the_hub_committed_but_died_before_answering_is_counted_once_when_sent_again() {
    let (data, demo, hub, laptops) = demo_and_laptops();
    let proxy = FaultyProxy::start(&hub);
    let chair = enrolled_laptop(&hub, laptops.path(), "chair", &code_for(&demo, "chair"));
    let member = Laptop::new(laptops.path().join("member"));
    member.run(&["enroll", &proxy.url, &code_for(&demo, "member")]);
    let poll_id = open_written_opinion(&chair, "Thông qua?", &[]);
    member.run(&["sync"]);
    member.run(&["vote", &poll_id, "agree"]);

    // The hub commits the ballot, and is killed before its answer leaves the proxy.
    proxy.set(Faults::killing_after_push(hub.pid()));
    let (synced, said) = member.try_run(&["sync"]);
    assert!(!synced, "no answer reached the laptop: {said}");
    assert_eq!(
        member.run(&["status"])["status"]["pendingOperations"],
        1,
        "unanswered, the ballot waits on the laptop"
    );
    let address = hub.address.clone();
    hub.kill();
    let restarted = HubProcess::start(data.path(), &address);
    proxy.forward_to(&restarted);

    member.run(&["sync"]);
    assert_eq!(
        member.run(&["status"])["status"]["pendingOperations"],
        0,
        "sent again, the hub knows it and acknowledges it"
    );
    assert_eq!(my_ballot(&member)["status"]["kind"], "counted");
    chair.run(&["sync"]);
    assert_eq!(
        the_poll(&chair)["view"]["answered"],
        1,
        "the ballot counts once"
    );
    assert_eq!(
        audit_verify(data.path()),
        (
            true,
            "audit log intact: 1 ballots and 0 delegations, chains and signatures verified\n"
                .to_string()
        ),
        "the ballot is in the audit log once"
    );
}

#[test]
fn a_secret_written_opinion_counts_every_answer_and_shows_nobody_who_chose_what() {
    let (_data, demo, hub, laptops) = demo_and_laptops();
    let chair = enrolled_laptop(&hub, laptops.path(), "chair", &code_for(&demo, "chair"));
    let members: Vec<_> = demo.iter().filter(|m| m.role == "member").collect();
    let first = enrolled_laptop(&hub, laptops.path(), "first", &members[0].code);
    let second = enrolled_laptop(&hub, laptops.path(), "second", &members[1].code);

    let poll_id = open_written_opinion(&chair, "Góp ý dự thảo quy chế làm việc", &["--secret"]);
    first.run(&["sync"]);
    second.run(&["sync"]);
    first.run(&["vote", &poll_id, "agree"]);
    second.run(&["vote", &poll_id, "disagree"]);
    first.run(&["sync"]);
    second.run(&["sync"]);
    chair.run(&["sync"]);

    let view = the_poll(&chair)["view"].clone();
    assert_eq!(
        (&view["answered"], &view["tally"], &view["voters"]),
        (&Value::from(2), &Value::Null, &serde_json::json!([])),
        "the chair sees that two answered, while open no counts, and never who: {view}"
    );
    let first_id = first.run(&["status"])["member"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut of_second = the_poll(&second);
    let mine = of_second["myBallots"].as_array().unwrap().clone();
    assert!(
        mine.len() == 1 && mine[0]["ballot"]["optionKey"] == "disagree",
        "the second member's laptop holds its own ballot: {mine:?}"
    );
    // Being asked is public; anything else about the first member would give them away.
    of_second["view"]["eligible"] = Value::Null;
    assert!(
        !of_second.to_string().contains(&first_id),
        "nothing on another member's laptop names the first member's answer: {of_second}"
    );
}

#[test]
fn a_member_delegates_through_the_client_and_the_delegate_votes_for_them_and_no_one_else() {
    let (_data, demo, hub, laptops) = demo_and_laptops();
    let laptop = |name: &str, code: &str| {
        let laptop = Laptop::new(laptops.path().join(name));
        let enrolled = laptop.enroll(&hub, code);
        let id = enrolled["member"]["id"].as_str().unwrap().to_string();
        laptop.run(&["sync"]);
        (laptop, id)
    };
    let (chair, chair_id) = laptop("chair", &code_for(&demo, "chair"));
    let members: Vec<_> = demo.iter().filter(|m| m.role == "member").collect();
    let (away, away_id) = laptop("away", &members[0].code);
    let (delegate, delegate_id) = laptop("delegate", &members[1].code);
    let meeting = chair.run(&["meetings"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let item = chair.run(&["show", &meeting])["meeting"]["agenda"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();

    away.run(&["delegate", &meeting, "--to", &delegate_id]);
    away.run(&["sync"]);
    let poll = chair.run(&[
        "create-poll",
        "--question",
        "Thông qua báo cáo kinh tế - xã hội",
        "--meeting",
        &meeting,
        "--item",
        &item,
    ]);
    let poll_id = poll["id"].as_str().unwrap().to_string();
    chair.run(&["open-poll", &poll_id]);
    chair.run(&["sync"]);
    delegate.run(&["sync"]);
    delegate.run(&["vote", &poll_id, "disagree"]);
    delegate.run(&["vote", &poll_id, "agree", "--for", &away_id]);
    let (ok, refused) = delegate.try_run(&["vote", &poll_id, "agree", "--for", &chair_id]);
    assert!(
        !ok && refused["error"].as_str().unwrap().contains("does not vote"),
        "a ballot for the chair, who delegated to nobody, is refused at once: {refused}"
    );
    delegate.run(&["sync"]);
    let status = delegate.run(&["status"]);
    assert_eq!(
        (
            status["status"]["pendingOperations"].as_u64(),
            status["rejected"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0)),
        "both ballots reached the hub and counted; nothing else was queued: {status}"
    );
    chair.run(&["sync"]);
    let view = chair.run(&["polls", "--meeting", &meeting])[0]["view"].clone();
    let voters = strings(&view["voters"]);
    assert_eq!(
        (
            view["answered"].as_u64(),
            view["tally"]["delegated"].as_u64()
        ),
        (Some(2), Some(1)),
        "the delegate's own vote and the one cast for the absent member: {view}"
    );
    assert!(
        voters.contains(&away_id.as_str())
            && voters.contains(&delegate_id.as_str())
            && !voters.contains(&chair_id.as_str()),
        "the absent member voted through their delegate; the chair did not vote: {voters:?}"
    );
}
