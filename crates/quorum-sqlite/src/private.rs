//! Files only their owner may read: the hub's data folder and a laptop's profile hold
//! bearer tokens, signing keys, ballots and unpublished documents.
//!
//! Every Quorum process calls [`restrict_new_files`] first, so whatever it creates
//! (SQLite files and their journals, blobs, keys) is 0600 and folders 0700; folders made
//! by an older build are tightened by [`create_dir`].

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Makes every file and folder this process creates from now on private to its user.
pub fn restrict_new_files() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Creates `dir` (and its parents) if needed, and makes it 0700.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// Writes `bytes` to a new file at `path`, 0600 from its first byte, and forces it to disk.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes `path` a file only its owner may read: an empty one, 0600, if there is none yet,
/// so SQLite (which gives its journals the database file's mode) starts private; an
/// existing one (made by an older build, say) is tightened.
pub fn prepare_database(path: &Path) -> std::io::Result<()> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => restrict(path),
        Err(e) => Err(e),
    }
}

/// Makes an existing file 0600 (a database made by an older build, say).
pub fn restrict(path: &Path) -> std::io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}
