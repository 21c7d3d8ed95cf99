//! The rows a group of pushes appends to the operations log and the ballot log, kept in
//! memory and written a few statements at a time before the group commits. Written one
//! statement per row, a ballot cost five round trips to PostgreSQL (and as many
//! statements on SQLite); now a group of 5,000 costs a few dozen.
//!
//! What reads those tables while the group runs must see these rows: the group writes
//! them before it applies anything but a ballot ([`crate::intake`]), and before the
//! late-ballot rule reads who has voted ([`crate::votes`]).

use std::collections::{BTreeMap, HashSet};

use quorum_core::OperationId;
use rusqlite::types::Value;

use crate::HubError;
use crate::db::{Db, batches, value_rows};

/// A table rows are appended to, in one statement of several rows.
struct Table {
    /// `INSERT INTO table (columns…)`.
    insert: &'static str,
    columns: usize,
    /// What follows the rows: a conflict clause, or nothing.
    then: &'static str,
}

const OPERATIONS: Table = Table {
    insert: "INSERT INTO operations (id, device_id, device_seq, member_id, payload, outcome,
             received_at)",
    columns: 7,
    then: "",
};

const BALLOTS: Table = Table {
    insert: "INSERT INTO ballots (seq, poll_id, member_id, cast_by, device_id, ballot, timing,
             received_at, prev_hash, hash)",
    columns: 10,
    then: "",
};

/// A member's counting ballot moves only to one cast at the same time or later: a ballot
/// cast offline earlier and uploaded late does not replace a newer one.
const COUNTED: Table = Table {
    insert: "INSERT INTO counted_ballots (poll_id, member_id, ballot_seq, cast_at_ms)",
    columns: 4,
    then: "ON CONFLICT (poll_id, member_id) DO UPDATE SET ballot_seq = excluded.ballot_seq,
               cast_at_ms = excluded.cast_at_ms
           WHERE excluded.cast_at_ms >= counted_ballots.cast_at_ms",
};

/// The rows appended and not yet written, in the order they were appended, and every
/// operation the group took (written or not).
#[derive(Default)]
pub(crate) struct Appended {
    operations: Vec<Vec<Value>>,
    ballots: Vec<Vec<Value>>,
    counting: Vec<Counting>,
    taken: Vec<OperationId>,
    /// The same ids, to look up.
    holds: HashSet<OperationId>,
}

/// A ballot that counts for its member in a poll, unless one of theirs cast later does.
pub(crate) struct Counting {
    pub poll_id: String,
    pub member_id: String,
    pub ballot_seq: i64,
    pub cast_at_ms: i64,
}

/// Where an [`Appended`] stood, to take a push back to. A push that may write the rows
/// while it runs (it holds more than ballots) starts with none left unwritten, so what
/// it wrote goes back with its savepoint.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    operations: usize,
    ballots: usize,
    counting: usize,
    taken: usize,
}

impl Appended {
    /// An operation's row: `id` and the other six columns of `operations`, in order.
    pub(crate) fn operation(&mut self, id: OperationId, row: [Value; 6]) {
        let mut values = Vec::with_capacity(OPERATIONS.columns);
        values.push(Value::Text(id.to_string()));
        values.extend(row);
        self.operations.push(values);
        self.taken.push(id);
        self.holds.insert(id);
    }

    /// Whether operation `id` was taken by this group.
    pub(crate) fn holds_operation(&self, id: OperationId) -> bool {
        self.holds.contains(&id)
    }

    /// A ballot log row: the ten columns of `ballots`, in order.
    pub(crate) fn ballot(&mut self, row: [Value; 10]) {
        self.ballots.push(row.into());
    }

    pub(crate) fn counting(&mut self, counting: Counting) {
        self.counting.push(counting);
    }

    /// Whether a ballot of `member_id` in `poll_id` waits to be written as counting.
    pub(crate) fn holds_counting(&self, poll_id: &str, member_id: &str) -> bool {
        self.counting
            .iter()
            .any(|c| c.poll_id == poll_id && c.member_id == member_id)
    }

    pub(crate) fn mark(&self) -> Mark {
        Mark {
            operations: self.operations.len(),
            ballots: self.ballots.len(),
            counting: self.counting.len(),
            taken: self.taken.len(),
        }
    }

    /// Forgets what was appended since `mark`, as a push taken back leaves nothing.
    pub(crate) fn take_back(&mut self, mark: Mark) {
        for id in self.taken.drain(mark.taken..) {
            self.holds.remove(&id);
        }
        self.operations.truncate(mark.operations);
        self.ballots.truncate(mark.ballots);
        self.counting.truncate(mark.counting);
    }

    /// Writes every row appended so far, ballots before what refers to them.
    pub(crate) fn write(&mut self, conn: &Db) -> Result<(), HubError> {
        insert_rows(conn, &BALLOTS, std::mem::take(&mut self.ballots))?;
        insert_rows(
            conn,
            &COUNTED,
            counting_rows(std::mem::take(&mut self.counting)),
        )?;
        insert_rows(conn, &OPERATIONS, std::mem::take(&mut self.operations))
    }
}

/// One row per member and poll, their latest by (cast time, log order), as writing each
/// in turn would leave: one statement may not change a row twice (PostgreSQL).
fn counting_rows(counting: Vec<Counting>) -> Vec<Vec<Value>> {
    let mut latest: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for c in counting {
        let candidate = (c.cast_at_ms, c.ballot_seq);
        latest
            .entry((c.poll_id, c.member_id))
            .and_modify(|kept| *kept = (*kept).max(candidate))
            .or_insert(candidate);
    }
    latest
        .into_iter()
        .map(|((poll_id, member_id), (cast_at_ms, ballot_seq))| {
            vec![
                Value::Text(poll_id),
                Value::Text(member_id),
                Value::Integer(ballot_seq),
                Value::Integer(cast_at_ms),
            ]
        })
        .collect()
}

fn insert_rows(conn: &Db, table: &Table, rows: Vec<Vec<Value>>) -> Result<(), HubError> {
    for batch in batches(rows) {
        let sql = format!(
            "{} VALUES {} {}",
            table.insert,
            value_rows(batch.len(), table.columns),
            table.then
        );
        let values: Vec<Value> = batch.into_iter().flatten().collect();
        conn.execute(&sql, values)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counting(member_id: &str, ballot_seq: i64, cast_at_ms: i64) -> Counting {
        Counting {
            poll_id: "poll".into(),
            member_id: member_id.into(),
            ballot_seq,
            cast_at_ms,
        }
    }

    #[test]
    fn each_member_keeps_their_latest_cast_and_of_two_cast_alike_the_later_logged() {
        let rows = counting_rows(vec![
            counting("an", 1, 2_000),
            counting("binh", 2, 1_000),
            counting("an", 3, 1_500),
            counting("binh", 4, 1_000),
        ]);
        let kept: Vec<(String, i64)> = rows
            .iter()
            .map(|row| match (&row[1], &row[2]) {
                (Value::Text(member), Value::Integer(seq)) => (member.clone(), *seq),
                other => panic!("not a counting row: {other:?}"),
            })
            .collect();
        assert_eq!(kept, [("an".to_string(), 1), ("binh".to_string(), 4)]);
    }

    #[test]
    fn a_push_taken_back_leaves_what_came_before_it() {
        let mut appended = Appended::default();
        let (kept, dropped) = (OperationId::new_v7(), OperationId::new_v7());
        let row = || [const { Value::Null }; 6];
        appended.operation(kept, row());
        let mark = appended.mark();
        appended.operation(dropped, row());
        appended.counting(counting("an", 1, 1));
        appended.take_back(mark);
        assert!(appended.holds_operation(kept));
        assert!(!appended.holds_operation(dropped));
        assert!(!appended.holds_counting("poll", "an"));
        assert_eq!(appended.operations.len(), 1);
    }
}
