//! Belonging to a committee: a laptop not joined yet, the demo it may try meanwhile,
//! joining with the one-time code the secretary handed out, and leaving.

use std::path::Path;
use std::sync::{Arc, PoisonError};

use quorum_sync::{Enrollment, SyncEngine, enroll_into};
use serde::{Deserialize, Serialize};
use tracing::warn;
use ts_rs::TS;

use crate::meetings::LANGUAGE_KEY;
use crate::{Laptop, Result};

/// Where the laptop stands: what the window opens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Membership {
    /// Never enrolled and holding nothing: the window asks to join (or to try the demo).
    NotJoined,
    /// Never enrolled, holding the sample meeting the member chose to try.
    Demo,
    /// Bound to a member at a hub.
    Joined,
}

/// What the member typed or pasted to join.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequest {
    /// The hub's address, `https://HOST:PORT`.
    pub hub_url: String,
    /// The one-time code; pasted as `quorum-hub admin new-code` prints it, the hub's
    /// certificate fingerprint follows it.
    pub code: String,
    /// The fingerprint, when it was not pasted with the code.
    pub fingerprint: Option<String>,
    /// How the secretary's device list will name this laptop.
    pub device_name: String,
}

impl Laptop {
    pub fn membership(&self) -> Result<Membership> {
        self.with_store(|store| {
            Ok(if store.enrollment()?.is_some() {
                Membership::Joined
            } else if store.has_meetings()? {
                Membership::Demo
            } else {
                Membership::NotJoined
            })
        })
    }

    /// Fills a laptop not joined yet with the sample meeting in `sample_dir`.
    pub fn try_demo(&self, sample_dir: &Path) -> Result<Membership> {
        if self.membership()? == Membership::NotJoined {
            self.load_sample(sample_dir)?;
        }
        self.membership()
    }

    /// Binds the laptop to the member whose code it is. Once the hub takes the code, the
    /// demo's meeting and documents are forgotten: a real committee's meetings never
    /// stand beside the sample. A code the hub refuses changes nothing. Returns the sync
    /// engine, for the caller to run.
    pub async fn join(&self, request: &JoinRequest) -> Result<Arc<SyncEngine>> {
        let (code, pasted) = quorum_core::split_join_code(&request.code);
        let fingerprint = pasted.or(request.fingerprint.as_deref().map(str::trim));
        let enrollment = Enrollment {
            hub_url: request.hub_url.trim(),
            code,
            fingerprint: fingerprint.filter(|text| !text.is_empty()),
            device_name: request.device_name.trim(),
        };
        let blobs = self.profile.blobs_dir();
        enroll_into(&self.store, &enrollment, self.clock.as_ref(), |store| {
            store.forget_everything(&[LANGUAGE_KEY])
        })
        .await?;
        remove_files_in(&blobs);
        Ok(self.make_engine()?)
    }

    /// Forgets the committee: the enrollment and its secrets, every meeting, document,
    /// ballot and note, as if the laptop were new (its language stays). The caller stops
    /// the sync engine's loop first.
    pub fn leave(&self) -> Result<Membership> {
        self.engine
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.with_store(|store| store.forget_everything(&[LANGUAGE_KEY]))?;
        remove_files_in(&self.profile.blobs_dir());
        self.membership()
    }
}

/// Removes the files of a folder; one that stays is logged, as it holds nothing the
/// store still names.
fn remove_files_in(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if let Err(error) = std::fs::remove_file(entry.path()) {
            warn!(%error, file = %entry.path().display(), "a document file stays behind");
        }
    }
}
