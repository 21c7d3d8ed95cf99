//! What the admin CLI and the demo do to a hub's data folder: committees, members,
//! enrollment codes, devices, and loading the sample meeting. Each command is one
//! transaction and appends to the change feed exactly as the API would.

use std::path::Path;

use quorum_core::committee_time::committee_zone;
use quorum_core::{Clock, Committee, CommitteeId, DeviceId, Meeting, Member, MemberId, Role};

use crate::HubError;
use crate::secrets::{enrollment_code_hash, new_enrollment_code};
use crate::store::{self, Backends, DeviceRow, HubStore};

/// How long a one-time code enrolls a device unless the admin says otherwise.
pub const DEFAULT_CODE_VALIDITY: chrono::Duration = chrono::Duration::hours(72);

/// A member and the one-time code that enrolls their device, shown once.
#[derive(Debug, Clone)]
pub struct MemberCode {
    pub member: Member,
    pub code: String,
}

/// Opens a data folder for an admin command, creating it if needed.
pub fn open_for_admin(data_dir: &Path, backends: &Backends) -> Result<HubStore, HubError> {
    HubStore::open_with(data_dir, backends)
}

impl HubStore {
    /// Makes a committee whose times are read in `time_zone` (an IANA name).
    pub fn add_committee(
        &mut self,
        name: &str,
        time_zone: &str,
        clock: &dyn Clock,
    ) -> Result<Committee, HubError> {
        committee_zone(time_zone)?;
        let committee = Committee {
            id: CommitteeId::new_v7(),
            name: name.to_string(),
            time_zone: time_zone.to_string(),
        };
        let tx = self.conn.transaction()?;
        store::put_committee(&tx, &committee, clock.now())?;
        tx.commit()?;
        Ok(committee)
    }

    /// Moves a committee to another time zone; its laptops hear of it at their next sync.
    pub fn set_time_zone(
        &mut self,
        committee_id: CommitteeId,
        time_zone: &str,
        clock: &dyn Clock,
    ) -> Result<Committee, HubError> {
        committee_zone(time_zone)?;
        let tx = self.conn.transaction()?;
        let mut committee = store::committee(&tx, committee_id)?
            .ok_or(HubError::CommitteeNotFound(committee_id))?;
        committee.time_zone = time_zone.to_string();
        store::put_committee(&tx, &committee, clock.now())?;
        tx.commit()?;
        Ok(committee)
    }

    pub fn add_member(
        &mut self,
        committee_id: CommitteeId,
        full_name: &str,
        role: Role,
        position: &str,
        valid_for: chrono::Duration,
        clock: &dyn Clock,
    ) -> Result<MemberCode, HubError> {
        let member = Member {
            id: MemberId::new_v7(),
            committee_id,
            full_name: full_name.to_string(),
            position: position.to_string(),
            role,
        };
        let code = new_enrollment_code()?;
        let now = clock.now();
        let tx = self.conn.transaction()?;
        store::put_member(&tx, &member, now)?;
        store::replace_code(
            &tx,
            member.id,
            &enrollment_code_hash(&code),
            now,
            now + valid_for,
        )?;
        tx.commit()?;
        Ok(MemberCode { member, code })
    }

    /// A fresh code for `member_id`, enrolling for `valid_for`; the member's earlier
    /// unused codes stop working.
    pub fn new_code(
        &mut self,
        member_id: MemberId,
        valid_for: chrono::Duration,
        clock: &dyn Clock,
    ) -> Result<String, HubError> {
        let code = new_enrollment_code()?;
        let tx = self.conn.transaction()?;
        if store::member(&tx, member_id)?.is_none() {
            return Err(HubError::MemberNotFound(member_id));
        }
        let now = clock.now();
        store::replace_code(
            &tx,
            member_id,
            &enrollment_code_hash(&code),
            now,
            now + valid_for,
        )?;
        tx.commit()?;
        Ok(code)
    }

    /// A member and their committee, for the sheet that carries their code.
    pub fn member_of_committee(
        &self,
        member_id: MemberId,
    ) -> Result<(Member, Committee), HubError> {
        let member =
            store::member(&self.conn, member_id)?.ok_or(HubError::MemberNotFound(member_id))?;
        let committee = store::committee(&self.conn, member.committee_id)?
            .ok_or(HubError::CommitteeNotFound(member.committee_id))?;
        Ok((member, committee))
    }

    pub fn list_members(&self) -> Result<Vec<Member>, HubError> {
        store::members(&self.conn)
    }

    pub fn list_devices(&self) -> Result<Vec<DeviceRow>, HubError> {
        store::devices(&self.conn)
    }

    pub fn revoke_device(
        &mut self,
        device_id: DeviceId,
        clock: &dyn Clock,
    ) -> Result<(), HubError> {
        store::revoke_device(&self.conn, device_id, clock.now())
    }

    /// The newest number in `committee_id`'s feed, 0 before its first change.
    pub fn latest_seq(&self, committee_id: CommitteeId) -> Result<u64, HubError> {
        store::latest_seq(&self.conn, committee_id)
    }
}

/// Loads the sample in `sample_dir` into the hub: its committee, members, documents and
/// meeting, then issues a fresh code per member. Running it again only reissues codes
/// (and republishes the meeting if the sample changed, e.g. its date moved on).
pub fn demo(
    store: &mut HubStore,
    sample_dir: &Path,
    clock: &dyn Clock,
) -> Result<Vec<MemberCode>, HubError> {
    let sample = quorum_sample::load(sample_dir, clock)?;
    sample.meeting.validate()?;
    // Blobs first and outside the transaction: copying is slow, and a blob without a
    // meeting is harmless while a meeting without its blobs is not.
    let mut sizes = Vec::with_capacity(sample.files.len());
    for (sha256, path) in &sample.files {
        sizes.push((sha256, store.blobs().copy_verified(path, sha256)?));
    }
    let now = clock.now();
    let tx = store.conn.transaction()?;
    store::put_committee(&tx, &sample.committee, now)?;
    for (sha256, size) in sizes {
        store::record_blob(&tx, sample.committee.id, sha256, size)?;
    }
    for member in &sample.members {
        store::put_member(&tx, member, now)?;
    }
    let unchanged = store::meeting(&tx, sample.meeting.id)?.is_some_and(|stored: Meeting| {
        Meeting {
            version: sample.meeting.version,
            ..stored
        } == sample.meeting
    });
    if !unchanged {
        store::publish_meeting(&tx, &sample.meeting, now)?;
    }
    let mut codes = Vec::with_capacity(sample.members.len());
    for member in sample.members {
        let code = new_enrollment_code()?;
        let expires_at = now + DEFAULT_CODE_VALIDITY;
        store::replace_code(
            &tx,
            member.id,
            &enrollment_code_hash(&code),
            now,
            expires_at,
        )?;
        codes.push(MemberCode { member, code });
    }
    tx.commit()?;
    Ok(codes)
}
