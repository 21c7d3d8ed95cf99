//! Files Quorum writes for the member: results, minutes, notes, annotated copies. Each
//! goes to the folder the caller names (the window: Documents/Quorum), under a name
//! made from its title, and the caller is told where it went.

use std::path::{Path, PathBuf};

use quorum_core::{AgendaItemId, MeetingId};
use quorum_pdf::Report;
use serde::Serialize;
use ts_rs::TS;

use crate::{AppError, Laptop, Result};

/// A file Quorum wrote for the member.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportedFile {
    pub path: String,
    /// Annotations written into it.
    pub annotations: u32,
}

impl ExportedFile {
    pub(crate) fn at(path: &Path, annotations: u32) -> Self {
        Self {
            path: path.display().to_string(),
            annotations,
        }
    }
}

/// The two files of a poll's results.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResultFiles {
    pub pdf: String,
    pub csv: String,
}

/// A file name from a document's title: what a file system refuses becomes a dash.
pub(crate) fn file_name(title: &str, suffix: &str) -> String {
    let safe: String = title
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    format!("{} - {suffix}", safe.trim())
}

pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(AppError::writing(path))
}

/// Where exports go: `documents`/Quorum when the member has a Documents folder, else
/// the profile's `exports`; made if missing.
pub fn export_dir(laptop: &Laptop, documents: Option<PathBuf>) -> Result<PathBuf> {
    let dir = match documents {
        Some(documents) if documents.is_dir() => documents.join("Quorum"),
        _ => laptop.profile().dir().join("exports"),
    };
    std::fs::create_dir_all(&dir).map_err(AppError::writing(&dir))?;
    Ok(dir)
}

fn decision_key(meeting_id: MeetingId, item_id: AgendaItemId) -> String {
    format!("minutes.{meeting_id}.{item_id}")
}

impl Laptop {
    /// Saves a poll's results as laid out in the member's language: a PDF report and a
    /// CSV table whose cells no spreadsheet runs as formulas. For a secret poll there
    /// is nothing linking a member to a choice to lay out: the hub never sent it.
    pub fn save_results(
        &self,
        dir: &Path,
        title: &str,
        report: &Report,
        rows: &[Vec<String>],
    ) -> Result<ResultFiles> {
        let pdf_path = dir.join(file_name(title, "kết quả.pdf"));
        let csv_path = dir.join(file_name(title, "kết quả.csv"));
        self.pdf()?.write_report(&pdf_path, report)?;
        let csv: String = rows
            .iter()
            .map(|row| {
                let fields: Vec<&str> = row.iter().map(String::as_str).collect();
                quorum_core::csv::line(&fields) + "\n"
            })
            .collect();
        write_file(&csv_path, csv.as_bytes())?;
        Ok(ResultFiles {
            pdf: pdf_path.display().to_string(),
            csv: csv_path.display().to_string(),
        })
    }

    /// The decision written so far for each item of a meeting, in agenda order.
    pub fn decisions(&self, meeting_id: MeetingId) -> Result<Vec<String>> {
        self.with_store(|store| {
            let meeting = store.meeting(meeting_id)?;
            meeting
                .agenda
                .iter()
                .map(|item| {
                    Ok(store
                        .setting(&decision_key(meeting_id, item.id))?
                        .unwrap_or_default())
                })
                .collect()
        })
    }

    /// Keeps the secretary's decision for an agenda item, on this laptop.
    pub fn save_decision(
        &self,
        meeting_id: MeetingId,
        item_id: AgendaItemId,
        decision: &str,
    ) -> Result<()> {
        self.with_store(|store| store.set_setting(&decision_key(meeting_id, item_id), decision))
    }

    /// Prints the minutes laid out in the member's language.
    pub fn save_minutes(&self, dir: &Path, title: &str, report: &Report) -> Result<ExportedFile> {
        let path = dir.join(file_name(title, "biên bản.pdf"));
        self.pdf()?.write_report(&path, report)?;
        Ok(ExportedFile::at(&path, 0))
    }
}
