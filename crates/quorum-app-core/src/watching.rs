//! Watched folders: the secretary ties a folder on disk to a meeting. A PDF put in it
//! becomes a document of the agenda item its sub-folder (or its file name) starts with
//! the number of, e.g. `2/Bao cao.pdf` or `2 - Bao cao.pdf` for item 2; a changed file
//! becomes a new version; the meeting is then published again. A file is taken only
//! once its size has stopped changing and it ends like a PDF, so a copy in progress is
//! never imported half-way.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use quorum_core::{MeetingId, Sha256Hex};
use tracing::{info, warn};

use crate::{AppError, Laptop, Result};

/// How long the folder must be quiet before it is read, and between the two size checks.
const SETTLE: Duration = Duration::from_millis(800);

const SETTING_PREFIX: &str = "watch.";

/// Folders watched in this run, so one is never watched twice.
static WATCHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

impl Laptop {
    /// Starts watching every folder tied to a meeting on this laptop.
    pub fn watch_saved_folders(&self) {
        let saved = self.with_store(|store| store.settings_with_prefix(SETTING_PREFIX));
        for (key, folder) in saved.unwrap_or_default() {
            if let Ok(meeting_id) = key[SETTING_PREFIX.len()..].parse() {
                self.start_watching(meeting_id, PathBuf::from(folder));
            }
        }
    }

    /// Ties `folder` to a meeting, now and at every start.
    pub fn watch_folder(&self, meeting_id: MeetingId, folder: PathBuf) -> Result<()> {
        if !folder.is_dir() {
            return Err(AppError::NotAFolder(folder));
        }
        let key = format!("{SETTING_PREFIX}{meeting_id}");
        self.with_store(|store| store.set_setting(&key, &folder.display().to_string()))?;
        self.start_watching(meeting_id, folder);
        Ok(())
    }

    fn start_watching(&self, meeting_id: MeetingId, folder: PathBuf) {
        {
            let Ok(mut watched) = WATCHED.lock() else {
                return;
            };
            if watched.contains(&folder) {
                return;
            }
            watched.push(folder.clone());
        }
        let laptop = self.clone();
        std::thread::spawn(move || {
            let (events, changes) = std::sync::mpsc::channel();
            let mut watcher = match notify::recommended_watcher(events) {
                Ok(watcher) => watcher,
                Err(error) => return warn!(%error, "cannot watch folders on this laptop"),
            };
            if let Err(error) = watcher.watch(&folder, RecursiveMode::Recursive) {
                return warn!(%error, folder = %folder.display(), "cannot watch the folder");
            }
            info!(folder = %folder.display(), %meeting_id, "watching the folder");
            // What is already there counts too.
            laptop.import_logged(meeting_id, &folder);
            while changes.recv().is_ok() {
                // Let a burst of events (a copy writes many times) settle first.
                while changes.recv_timeout(SETTLE).is_ok() {}
                laptop.import_logged(meeting_id, &folder);
            }
        });
    }

    fn import_logged(&self, meeting_id: MeetingId, folder: &Path) {
        if let Err(error) = self.import_folder(meeting_id, folder) {
            warn!(?error, folder = %folder.display(), "the watched folder could not be imported");
        }
    }

    fn import_folder(&self, meeting_id: MeetingId, folder: &Path) -> Result<()> {
        let (meeting, draft_before) = self.with_store(|store| {
            let draft = store.draft(meeting_id)?;
            let meeting = match &draft {
                Some(draft) => draft.meeting.clone(),
                None => store.meeting(meeting_id)?,
            };
            Ok((meeting, draft))
        })?;
        let mut changed = false;
        for (path, number) in pdfs(folder) {
            let Some(item) = meeting.agenda.get(number.wrapping_sub(1)) else {
                continue;
            };
            // Nobody may still be writing it: settled first, then read whole.
            if !settled(&path) {
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            if !ends_like_a_pdf(&bytes) {
                continue;
            }
            let Ok((sha256, _)) = Sha256Hex::of_reader(&mut bytes.as_slice()) else {
                continue;
            };
            // Each file is imported when its content changes, once: a file left in the
            // folder never undoes what the secretary did by hand since.
            let seen_key = format!("watch-file.{meeting_id}.{}", path.display());
            let last = self.with_store(|store| store.setting(&seen_key))?;
            if last.as_deref() == Some(sha256.as_str()) {
                continue;
            }
            let current = meeting.documents().any(|d| d.current.sha256 == sha256);
            if !current {
                let file_name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                // A file that cannot be taken waits for its next change.
                let (file, warning) = match self.import_pdf(&file_name, &bytes) {
                    Ok(imported) => imported,
                    Err(error) => {
                        warn!(path = %path.display(), %error, "not imported from the watched folder");
                        continue;
                    }
                };
                if let Some(warning) = warning {
                    warn!(path = %path.display(), ?warning, "imported; members will not see all of it");
                }
                let now = self.now();
                self.with_store(|store| {
                    store.edit_meeting(meeting_id)?;
                    store.attach_document(meeting_id, item.id, file, now)
                })?;
                changed = true;
                info!(path = %path.display(), "document imported from the watched folder");
            }
            self.with_store(|store| store.set_setting(&seen_key, sha256.as_str()))?;
        }
        // Published again by itself only when the folder alone made the draft (or it was
        // already on its way): a draft the secretary is still editing waits for them.
        let publish = draft_before.is_none_or(|draft| draft.queued);
        if changed && publish {
            self.publish(meeting_id)?;
        }
        Ok(())
    }
}

/// The PDFs in the folder and its sub-folders, with the agenda item number each names.
fn pdfs(folder: &Path) -> Vec<(PathBuf, usize)> {
    let leading_number = |name: &str| {
        let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
        digits.parse::<usize>().ok()
    };
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(folder) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            if let (Some(item), Ok(inner)) = (leading_number(&name), std::fs::read_dir(&path)) {
                found.extend(
                    inner
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| is_pdf(p))
                        .map(|p| (p, item)),
                );
            }
        } else if is_pdf(&path)
            && let Some(item) = leading_number(&name)
        {
            found.push((path, item));
        }
    }
    found
}

fn is_pdf(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("pdf"))
}

/// A file whose size holds still over [`SETTLE`]: nobody is writing it any more.
fn settled(path: &Path) -> bool {
    let size = || std::fs::metadata(path).map(|m| m.len()).ok();
    let before = size();
    std::thread::sleep(SETTLE);
    before.is_some() && before == size()
}

/// Whether `bytes` end like a whole PDF: a copy cut short usually lacks its end marker.
/// A file saved with incremental updates has one marker per save, so a copy cut inside
/// a later save still holds an earlier marker: what follows the last marker may be a
/// comment or padding, never the objects, table or trailer of a save.
fn ends_like_a_pdf(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let Some(last) = tail.windows(5).rposition(|w| w == b"%%EOF") else {
        return false;
    };
    let after = &tail[last + 5..];
    let holds = |word: &[u8]| after.windows(word.len()).any(|w| w == word);
    !(holds(b" obj") || holds(b"endobj") || holds(b"xref") || holds(b"trailer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_cut_short_by_a_copy_in_progress_is_not_taken() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/sample/documents/02-bao-cao-kinh-te-xa-hoi.pdf");
        let whole = std::fs::read(sample).expect("the sample report");
        assert!(ends_like_a_pdf(&whole), "a whole PDF is taken");
        assert!(
            !ends_like_a_pdf(&whole[..whole.len() / 2]),
            "half of it, as a copy in progress leaves it, is not"
        );
        let mut commented = whole.clone();
        commented.extend_from_slice(b"\n% corrected\n\0\0");
        assert!(
            ends_like_a_pdf(&commented),
            "a comment or padding after the end marker is harmless"
        );
        // The same file saved once more as an incremental update, then cut inside it.
        let mut updated = whole.clone();
        updated.extend_from_slice(
            b"\n15 0 obj\n<< /Title (B\xe1o c\xe1o, b\xe1n 2) >>\nendobj\nxref\n15 1\n0000000000 00000 n \ntrailer\n<< /Size 16 >>\nstartxref\n0\n%%EOF\n",
        );
        assert!(ends_like_a_pdf(&updated), "the updated file whole is taken");
        let cut = &updated[..whole.len() + 40];
        assert!(
            !ends_like_a_pdf(cut),
            "cut inside its update, after the first save's end marker, it is not"
        );
    }

    #[test]
    fn files_name_their_item_by_folder_or_by_their_own_leading_number() {
        let folder = tempfile::tempdir().expect("a folder");
        std::fs::create_dir(folder.path().join("2 - Báo cáo")).expect("a sub-folder");
        std::fs::create_dir(folder.path().join("Lưu trữ")).expect("a sub-folder");
        for file in [
            "2 - Báo cáo/Báo cáo.pdf",
            "Lưu trữ/cũ.pdf",
            "3 - Tờ trình.pdf",
            "ghi chú.pdf",
            "4 - bảng.xlsx",
        ] {
            std::fs::write(folder.path().join(file), b"%PDF").expect("a file");
        }
        let mut found: Vec<(String, usize)> = pdfs(folder.path())
            .into_iter()
            .map(|(path, item)| {
                (
                    path.file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .to_string(),
                    item,
                )
            })
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("3 - Tờ trình.pdf".to_string(), 3),
                ("Báo cáo.pdf".to_string(), 2)
            ],
            "a numbered folder or file names its item; the rest is left alone"
        );
    }
}
