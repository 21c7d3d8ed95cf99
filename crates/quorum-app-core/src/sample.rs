//! The sample meeting, which a laptop not joined yet may try (see `Laptop::try_demo`).

use std::path::Path;

use crate::{AppError, Laptop, Result};

impl Laptop {
    /// Loads the sample meeting in `dir` into the store, its documents beside it.
    pub(crate) fn load_sample(&self, dir: &Path) -> Result<()> {
        let now = self.now();
        let sample = quorum_sample::load(dir, self.clock.as_ref())?;
        // The sample's documents join the profile's blobs like downloaded ones; their
        // hashes were just computed from the files themselves.
        for (sha256, file) in &sample.files {
            let blob = self.profile.blob_path(sha256);
            let size = std::fs::copy(file, &blob).map_err(AppError::writing(&blob))?;
            self.with_store(|store| store.mark_blob_verified(sha256, size, now))?;
        }
        self.with_store(|store| {
            store.save_committee(&sample.committee, &sample.members)?;
            store.save_meeting(&sample.meeting)
        })
    }
}
