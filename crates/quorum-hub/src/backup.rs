//! A hub's data folder in one file, taken while it serves, and back.
//!
//! The archive is a tar of the database (a snapshot through SQLite's online backup
//! API), the documents that snapshot names, and the hub's TLS certificate and key (so
//! laptops that pinned it keep syncing), closed by `manifest.json`: every file's size
//! and SHA-256. A restore checks every byte against the manifest, and every document
//! against its own name, before anything reaches the new folder.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Component, Path};

use chrono::{DateTime, Utc};
use quorum_core::Sha256Hex;
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tracing::info;

use crate::HubError;
use crate::store::{SCHEMA_VERSION, blob_path};

const DATABASE: &str = "hub.sqlite3";
const MANIFEST: &str = "manifest.json";
const TLS_FILES: [&str; 2] = ["tls/hub.crt", "tls/hub.key"];
/// Raised when the archive's layout changes; a restore refuses a format it does not know.
const FORMAT: u32 = 1;

/// The last entry of an archive: what it must hold, byte for byte.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    format: u32,
    taken_at: DateTime<Utc>,
    /// Path in the archive → size and SHA-256 of the file.
    files: BTreeMap<String, FileDigest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileDigest {
    size: u64,
    sha256: String,
}

/// What a backup or a restore carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    pub documents: u64,
    pub bytes: u64,
}

/// Why an archive was not restored.
#[derive(Debug, thiserror::Error)]
pub enum BadArchive {
    #[error("it ends early or is not a hub backup: {0}")]
    Unreadable(std::io::Error),
    #[error("it has no manifest: it was cut short")]
    NoManifest,
    #[error("its manifest cannot be read: {0}")]
    BadManifest(serde_json::Error),
    #[error("it is of format {0}, which this build does not know")]
    UnknownFormat(u32),
    #[error("it holds {0}, which a hub backup never holds")]
    Unexpected(String),
    #[error("{0} does not match the manifest")]
    Altered(String),
    #[error("{0} is in the manifest but not in the archive")]
    Missing(String),
    #[error("its database is refused: {0}")]
    Database(quorum_sqlite::Untouched),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> HubError + '_ {
    move |source| HubError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a backup of the data folder `data` to `to`, while the hub may be serving:
/// the database as it stood at one instant, and every document it names.
pub fn backup(data: &Path, to: &Path, now: DateTime<Utc>) -> Result<BackupSummary, HubError> {
    let work = tempfile::tempdir_in(folder_of(to)).map_err(io_error(to))?;
    let snapshot = work.path().join(DATABASE);
    snapshot_database(&data.join(DATABASE), &snapshot)?;
    let documents: Vec<Sha256Hex> = {
        let conn = Connection::open_with_flags(&snapshot, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let mut statement = conn.prepare("SELECT sha256 FROM blobs ORDER BY sha256")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        rows.map(|row| {
            let text = row?;
            Sha256Hex::try_from(text.clone()).map_err(|_| HubError::BadBackupSource(text))
        })
        .collect::<Result<_, _>>()?
    };

    let partial = work.path().join("backup.tar");
    let file = File::create(&partial).map_err(io_error(&partial))?;
    let mut archive = tar::Builder::new(BufWriter::new(file));
    let mut files = BTreeMap::new();
    // Each file is read once: hashed for the manifest as it goes into the archive.
    let mut add = |name: String, source: &Path| -> Result<FileDigest, HubError> {
        let size = std::fs::metadata(source).map_err(io_error(source))?.len();
        let mut reader = Hashing::new(BufReader::new(
            File::open(source).map_err(io_error(source))?,
        ));
        archive
            .append_data(&mut entry_header(size, now), &name, &mut reader)
            .map_err(io_error(to))?;
        let digest = reader.digest();
        files.insert(name, digest.clone());
        Ok(digest)
    };
    add(DATABASE.into(), &snapshot)?;
    for name in TLS_FILES {
        let path = data.join(name);
        if path.exists() {
            add(name.into(), &path)?;
        }
    }
    let blobs = data.join("blobs");
    let mut bytes = 0;
    for sha256 in &documents {
        let path = blob_path(&blobs, sha256);
        let name = archive_name(&path, data);
        let digest = add(name.clone(), &path)?;
        // Documents never change once stored: one that no longer hashes to its name was
        // damaged on this disk, and a backup must say so rather than carry it.
        if digest.sha256 != sha256.as_str() {
            return Err(HubError::BadBackupSource(name));
        }
        bytes += digest.size;
    }
    let manifest = Manifest {
        format: FORMAT,
        taken_at: now,
        files,
    };
    let manifest = serde_json::to_vec_pretty(&manifest)?;
    let mut header = entry_header(manifest.len() as u64, now);
    archive
        .append_data(&mut header, MANIFEST, manifest.as_slice())
        .map_err(io_error(to))?;
    let file = archive
        .into_inner()
        .and_then(|writer| writer.into_inner().map_err(|e| e.into_error()))
        .map_err(io_error(to))?;
    file.sync_all().map_err(io_error(to))?;
    // Only a whole archive ever carries the name asked for.
    std::fs::rename(&partial, to).map_err(io_error(to))?;
    let summary = BackupSummary {
        documents: documents.len() as u64,
        bytes,
    };
    info!(documents = summary.documents, bytes, "backup written");
    Ok(summary)
}

/// The database as it stands at one instant, whoever else writes it meanwhile.
fn snapshot_database(source: &Path, target: &Path) -> Result<(), HubError> {
    let source = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut copy = Connection::open(target)?;
    let backup = Backup::new(&source, &mut copy)?;
    // All pages in one step: a read transaction, so the copy is of one moment.
    backup.step(-1)?;
    Ok(())
}

/// The folder `path` is in: work files go there, on the same disk, so that a rename
/// puts the finished file in place at once.
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn archive_name(path: &Path, data: &Path) -> String {
    let relative = path.strip_prefix(data).unwrap_or(path);
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The header of an archive entry: a file of `size` bytes, private to its owner.
fn entry_header(size: u64, now: DateTime<Utc>) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(u64::try_from(now.timestamp()).unwrap_or(0));
    header
}

/// Whether `name` is a path a hub backup may hold: the database, the TLS files, or a
/// document under blobs/ named by its hash.
fn expected_name(name: &str) -> bool {
    if name == DATABASE || TLS_FILES.contains(&name) {
        return true;
    }
    let parts: Vec<&str> = name.split('/').collect();
    matches!(parts.as_slice(), ["blobs", fan, hex]
        if Sha256Hex::try_from(hex.to_string()).is_ok() && hex.starts_with(fan) && fan.len() == 2)
}

/// Restores the archive `from` into the new data folder `data`, which must not exist
/// yet or be empty. Nothing reaches `data` unless every file verifies.
pub fn restore(from: &Path, data: &Path) -> Result<BackupSummary, HubError> {
    let empty = match std::fs::read_dir(data) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(source) => return Err(io_error(data)(source)),
    };
    if !empty {
        return Err(HubError::RestoreTargetInUse(data.to_path_buf()));
    }
    let parent = folder_of(data);
    std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    let work = tempfile::tempdir_in(parent).map_err(io_error(parent))?;
    let unpacked = work.path().join("data");
    let summary = unpack_verified(from, &unpacked).map_err(|reason| match reason {
        Unpacked::Bad(reason) => HubError::BadBackup {
            path: from.to_path_buf(),
            reason,
        },
        Unpacked::Failed(error) => error,
    })?;
    if data.exists() {
        std::fs::remove_dir(data).map_err(io_error(data))?;
    }
    std::fs::rename(&unpacked, data).map_err(io_error(data))?;
    info!(documents = summary.documents, "backup restored");
    Ok(summary)
}

enum Unpacked {
    Bad(BadArchive),
    Failed(HubError),
}

impl From<HubError> for Unpacked {
    fn from(error: HubError) -> Self {
        Self::Failed(error)
    }
}

fn unpack_verified(from: &Path, into: &Path) -> Result<BackupSummary, Unpacked> {
    let file = File::open(from).map_err(io_error(from))?;
    let mut archive = tar::Archive::new(BufReader::new(file));
    let entries = archive
        .entries()
        .map_err(|e| Unpacked::Bad(BadArchive::Unreadable(e)))?;
    quorum_sqlite::private::create_dir(into).map_err(io_error(into))?;
    let mut found: BTreeMap<String, FileDigest> = BTreeMap::new();
    let mut manifest = None;
    for entry in entries {
        let mut entry = entry.map_err(|e| Unpacked::Bad(BadArchive::Unreadable(e)))?;
        let name = entry
            .path()
            .map_err(|e| Unpacked::Bad(BadArchive::Unreadable(e)))?
            .to_string_lossy()
            .into_owned();
        if name == MANIFEST {
            let mut text = Vec::new();
            entry
                .read_to_end(&mut text)
                .map_err(|e| Unpacked::Bad(BadArchive::Unreadable(e)))?;
            let read: Manifest = serde_json::from_slice(&text)
                .map_err(|e| Unpacked::Bad(BadArchive::BadManifest(e)))?;
            manifest = Some(read);
            continue;
        }
        let plain = Path::new(&name)
            .components()
            .all(|part| matches!(part, Component::Normal(_)));
        if !plain || !expected_name(&name) || found.contains_key(&name) {
            return Err(Unpacked::Bad(BadArchive::Unexpected(name)));
        }
        let target = into.join(&name);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        let mut writer = Hashing::new(File::create(&target).map_err(io_error(&target))?);
        std::io::copy(&mut entry, &mut writer)
            .map_err(|e| Unpacked::Bad(BadArchive::Unreadable(e)))?;
        writer.inner.sync_all().map_err(io_error(&target))?;
        found.insert(name, writer.digest());
    }
    let manifest = manifest.ok_or(Unpacked::Bad(BadArchive::NoManifest))?;
    if manifest.format != FORMAT {
        return Err(Unpacked::Bad(BadArchive::UnknownFormat(manifest.format)));
    }
    for (name, expected) in &manifest.files {
        match found.get(name) {
            None => return Err(Unpacked::Bad(BadArchive::Missing(name.clone()))),
            Some(digest) if digest != expected => {
                return Err(Unpacked::Bad(BadArchive::Altered(name.clone())));
            }
            Some(_) => {}
        }
    }
    let mut summary = BackupSummary {
        documents: 0,
        bytes: 0,
    };
    for (name, digest) in &found {
        if !manifest.files.contains_key(name) {
            return Err(Unpacked::Bad(BadArchive::Unexpected(name.clone())));
        }
        if let Some(hex) = name.strip_prefix("blobs/").and_then(|rest| rest.get(3..)) {
            if digest.sha256 != hex {
                return Err(Unpacked::Bad(BadArchive::Altered(name.clone())));
            }
            summary.documents += 1;
            summary.bytes += digest.size;
        }
    }
    if !found.contains_key(DATABASE) {
        return Err(Unpacked::Bad(BadArchive::Missing(DATABASE.into())));
    }
    quorum_sqlite::check_before_writing(&into.join(DATABASE), SCHEMA_VERSION)
        .map_err(|reason| Unpacked::Bad(BadArchive::Database(reason)))?;
    quorum_sqlite::private::create_dir(&into.join("blobs")).map_err(io_error(into))?;
    Ok(summary)
}

/// Reads or writes through to `inner`, hashing the bytes that pass.
struct Hashing<T> {
    inner: T,
    hasher: Sha256,
    size: u64,
}

impl<T> Hashing<T> {
    fn new(inner: T) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    fn count(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
    }

    /// The size and SHA-256 of what passed so far.
    fn digest(&self) -> FileDigest {
        FileDigest {
            size: self.size,
            sha256: hex::encode(self.hasher.clone().finalize()),
        }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.count(&buffer[..read]);
        Ok(read)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.count(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_database_the_tls_files_and_documents_named_by_their_hash_belong() {
        let hex = "ab".to_string() + &"0".repeat(62);
        assert!(expected_name("hub.sqlite3"));
        assert!(expected_name("tls/hub.key"));
        assert!(expected_name(&format!("blobs/ab/{hex}")));
        assert!(
            !expected_name(&format!("blobs/cd/{hex}")),
            "in the wrong fan-out folder"
        );
        assert!(!expected_name("blobs/ab/not-a-hash"));
        assert!(!expected_name("../etc/passwd"));
        assert!(!expected_name("tls/other.pem"));
    }
}
