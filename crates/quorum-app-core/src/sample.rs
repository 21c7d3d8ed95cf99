//! The sample meeting, so a first start on a laptop never enrolled shows something.

use std::path::Path;

use tracing::{info, warn};

use crate::{AppError, Laptop, Result};

impl Laptop {
    /// Fills an empty store that was never enrolled with the sample meeting in `dir`.
    /// An enrolled laptop gets its meetings from the hub, never from the sample. A
    /// sample that cannot be loaded is logged, not fatal: the list is then empty.
    pub fn load_sample_if_new(&self, dir: &Path) -> Result<()> {
        let new =
            self.with_store(|store| Ok(!store.has_meetings()? && store.enrollment()?.is_none()))?;
        if !new {
            return Ok(());
        }
        match self.load_sample(dir) {
            Ok(()) => info!(dir = %dir.display(), "sample meeting loaded into the empty store"),
            Err(problem) => warn!(%problem, "the sample meeting could not be loaded"),
        }
        Ok(())
    }

    fn load_sample(&self, dir: &Path) -> Result<()> {
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
