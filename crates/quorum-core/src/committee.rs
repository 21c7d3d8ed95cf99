use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommitteeId, MemberId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Committee {
    pub id: CommitteeId,
    pub name: String,
    /// The IANA zone its times are read and written in (see [`crate::committee_time`]).
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
}

fn default_time_zone() -> String {
    crate::DEFAULT_TIME_ZONE.to_string()
}

/// What a member does in their committee; decides what they may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Prepares meetings, publishes packs, runs votes; does not vote.
    Secretary,
    /// Presides: opens and closes votes; votes as a member.
    Chair,
    /// Reads, annotates, votes, answers written opinions.
    Member,
    /// Reads only.
    Observer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: MemberId,
    pub committee_id: CommitteeId,
    pub full_name: String,
    /// The member's office, e.g. "Phó Chủ tịch UBND quận".
    pub position: String,
    pub role: Role,
}
