//! Votes end to end: the real hub and `quorum` processes on loopback, one profile per
//! member, ballots signed on each laptop and uploaded whenever it reaches the hub.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use quorum_core::Clock;
use quorum_e2e::processes::{
    HubProcess, Laptop, add_voting_member, code_for, demo_committee, enrolled_laptops,
    hub_admin_output, hub_demo,
};
use serde_json::Value;

/// The written-opinion request the laptop knows, as `quorum polls` prints it.
fn the_poll(laptop: &Laptop) -> Value {
    let polls = laptop.run(&["polls"]);
    assert_eq!(polls.as_array().unwrap().len(), 1, "one request: {polls}");
    polls[0].clone()
}

#[test]
fn twenty_members_half_of_them_offline_when_voting_give_an_exact_tally() {
    let data = tempfile::tempdir().unwrap();
    let demo = hub_demo(data.path());
    let hub = HubProcess::start(data.path(), "127.0.0.1:0");
    let address = hub.address.clone();
    let laptops = tempfile::tempdir().unwrap();

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

    let deadline = (quorum_core::SystemClock.now() + chrono::Duration::hours(2)).to_rfc3339();
    let poll = chair.run(&[
        "create-poll",
        "--question",
        "Thông qua dự toán ngân sách năm 2027",
        "--deadline",
        &deadline,
    ]);
    let poll_id = poll["id"].as_str().unwrap().to_string();
    chair.run(&["open-poll", &poll_id]);
    chair.run(&["sync"]);
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
