//! A laptop's library for the search test and the search bench: the page text of real
//! PDFs (the sample pack, the Why3 manual, Ghostscript's guide) extracted by the PDF
//! worker, kept in a real store as the documents of many meetings; and today's search,
//! which reads and folds every page, to compare the indexed search with.

use std::path::{Path, PathBuf};

use quorum_core::search::{find_folded, snippet};
use quorum_core::{AgendaItemId, Clock, DocumentId, Meeting, MeetingId, Sha256Hex, SystemClock};
use quorum_pdf::{PdfService, locate_library};
use quorum_sample::Sample;
use quorum_store::{MAX_HITS, SNIPPET_CONTEXT, SearchHit, Store};
use rusqlite::params;

/// Extracted text of one document: its title and its pages.
#[derive(Clone)]
pub struct DocumentText {
    pub title: String,
    pub pages: Vec<String>,
}

/// The real PDFs' text, as the app extracts it: the sample pack's Vietnamese documents
/// (in agenda order) and the two English manuals.
pub struct RealTexts {
    pub sample: Vec<DocumentText>,
    pub manuals: Vec<DocumentText>,
    /// The sample as loaded: its committee, members and meeting.
    loaded: Sample,
}

/// The folder of real PDFs from other projects, which `scripts/test.sh` fills.
pub fn real_pdfs_dir() -> PathBuf {
    std::env::var_os("QUORUM_TEST_PDFS")
        .expect("QUORUM_TEST_PDFS names the folder of real PDFs (scripts/test.sh sets it)")
        .into()
}

/// Extracts the text of every real PDF through the PDF worker.
pub fn real_texts() -> RealTexts {
    let pdf = PdfService::new(
        crate::workspace_binary("quorum-pdf-worker", "QUORUM_PDF_WORKER"),
        locate_library().expect("libpdfium is installed (QUORUM_PDFIUM)"),
    );
    let extract = |title: &str, path: &Path| DocumentText {
        title: title.into(),
        pages: pdf.pages_text(path).expect("a real PDF's text reads"),
    };
    let sample = quorum_sample::load(&quorum_sample::source_tree_sample_dir(), &SystemClock)
        .expect("the sample loads");
    let sample_texts = sample
        .meeting
        .agenda
        .iter()
        .flat_map(|item| &item.documents)
        .map(|document| {
            let (_, path) = sample
                .files
                .iter()
                .find(|(sha256, _)| *sha256 == document.current.sha256)
                .expect("every sample document has its file");
            extract(&document.title, path)
        })
        .collect();
    let dir = real_pdfs_dir();
    let manuals = [
        ("Why3 manual", "why3-manual.pdf"),
        ("GS colour management", "gs-color-management.pdf"),
    ]
    .map(|(title, file)| extract(title, &dir.join(file)))
    .into();
    RealTexts {
        sample: sample_texts,
        manuals,
        loaded: sample,
    }
}

/// A small deterministic shuffle, so every build of a library is the same.
struct Shuffle(u64);

impl Shuffle {
    fn next(&mut self) -> u64 {
        // xorshift64
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn lines_of(&mut self, page: &str) -> String {
        let mut lines: Vec<&str> = page.split_inclusive('\n').collect();
        for i in (1..lines.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            lines.swap(i, j);
        }
        lines.concat()
    }
}

/// Fills `store` with at least `pages_wanted` pages: the sample meeting, then copies of
/// it whose pages have their lines in another order (Vietnamese text, each page
/// different), the manuals on the first one. Returns the meetings, first to last.
pub fn fill(store: &mut Store, texts: &RealTexts, pages_wanted: usize) -> Vec<MeetingId> {
    let sample = &texts.loaded;
    store
        .save_committee(&sample.committee, &sample.members)
        .expect("the committee is stored");
    let mut shuffle = Shuffle(0x9e37_79b9_7f4a_7c15);
    let mut pages = 0;
    let mut meetings = Vec::new();
    while pages < pages_wanted {
        let copy = meetings.len();
        let mut meeting: Meeting = sample.meeting.clone();
        meeting.id = MeetingId::new_v7();
        meeting.title = format!("{} ({})", sample.meeting.title, copy + 1);
        let mut documents = texts.sample.iter();
        let mut stored = Vec::new();
        for item in &mut meeting.agenda {
            item.id = AgendaItemId::new_v7();
            for document in &mut item.documents {
                let source = documents.next().expect("one text per sample document");
                document.id = DocumentId::new_v7();
                let mut digest = [0u8; 32];
                digest[..8].copy_from_slice(&(copy as u64).to_be_bytes());
                digest[8..16].copy_from_slice(&(stored.len() as u64).to_be_bytes());
                document.current.sha256 = Sha256Hex::from_digest(&digest);
                let text: Vec<String> = if copy == 0 {
                    source.pages.clone()
                } else {
                    source.pages.iter().map(|p| shuffle.lines_of(p)).collect()
                };
                stored.push((document.current.sha256.clone(), text));
            }
        }
        if copy == 0 {
            let item = meeting.agenda.last_mut().expect("the sample has an agenda");
            for manual in &texts.manuals {
                let mut document = item.documents[0].clone();
                document.id = DocumentId::new_v7();
                document.title = manual.title.clone();
                let mut digest = [0xffu8; 32];
                digest[0] = stored.len() as u8;
                document.current.sha256 = Sha256Hex::from_digest(&digest);
                stored.push((document.current.sha256.clone(), manual.pages.clone()));
                item.documents.push(document);
            }
        }
        store.save_meeting(&meeting).expect("the meeting is stored");
        for (sha256, text) in stored {
            pages += text.len();
            store
                .save_page_texts(&sha256, &text, SystemClock.now())
                .expect("the text is stored");
        }
        meetings.push(meeting.id);
    }
    meetings
}

/// A library in a store of its own, in a temporary folder.
pub struct Library {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub store: Store,
    pub meetings: Vec<MeetingId>,
}

impl Library {
    /// A new store filled with at least `pages` pages (see [`fill`]).
    pub fn build(texts: &RealTexts, pages: usize) -> Library {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("store.sqlite3");
        let mut store = Store::open(&path).expect("a new store opens");
        let meetings = fill(&mut store, texts, pages);
        Library {
            dir,
            path,
            store,
            meetings,
        }
    }
}

/// Today's search, as it was before the index: every page of every current document
/// is read and folded again, in agenda and page order. The reference the indexed
/// search must equal, hit for hit.
pub fn search_every_page(
    store_path: &Path,
    query: &str,
    meeting: Option<MeetingId>,
) -> Vec<SearchHit> {
    let conn = rusqlite::Connection::open(store_path).expect("the store opens for reading");
    let mut statement = conn
        .prepare(
            "SELECT a.meeting_id, d.id, d.title, v.sha256, t.page, t.text
             FROM agenda_items a
             JOIN documents d ON d.agenda_item_id = a.id
             JOIN document_versions v ON v.document_id = d.id AND v.number = d.current_version
             JOIN page_texts t ON t.sha256 = v.sha256
             WHERE ?1 IS NULL OR a.meeting_id = ?1
             ORDER BY a.meeting_id, a.position, d.position, t.page",
        )
        .expect("the reference query prepares");
    let mut rows = statement
        .query(params![meeting.map(|m| m.to_string())])
        .expect("the reference query runs");
    let mut hits = Vec::new();
    while let Some(row) = rows.next().expect("a row reads") {
        let text: String = row.get(5).expect("page text");
        let found = find_folded(&text, query);
        let Some(first) = found.first().cloned() else {
            continue;
        };
        let parse = |i: usize| row.get::<_, String>(i).expect("an id column");
        hits.push(SearchHit {
            meeting_id: parse(0).parse().expect("a meeting id"),
            document_id: parse(1).parse().expect("a document id"),
            document_title: parse(2),
            sha256: parse(3).parse().expect("a sha256"),
            page: row.get(4).expect("a page"),
            matches: u32::try_from(found.len()).unwrap_or(u32::MAX),
            snippet: snippet(&text, first, SNIPPET_CONTEXT),
        });
        if hits.len() == MAX_HITS {
            break;
        }
    }
    hits
}
