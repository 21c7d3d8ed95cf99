//! Whether the signers of documents (ký số) still hold their certificates: the hub
//! fetches the revocation lists (CRLs) the signers' certificates name, passes on only a
//! list signed by the issuer on a trusted path, and appends it to every committee's
//! feed; the laptops then judge revocation offline. `quorum-hub admin check-revocation`
//! runs one round; `serve` runs one every few hours.
//!
//! A round reads documents and fetches lists without holding the store's writer; only
//! keeping what was fetched is a transaction.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use quorum_core::protocol::Record;
use quorum_core::{Clock, Sha256Hex};
use quorum_signatures::{
    Anchors, MAX_REVOCATION_LIST_BYTES, RevocationSource, check_revocation_list, revocation_sources,
};
use rusqlite::params;

use crate::HubError;
use crate::anchors::{committee_ids, tell_committees};
use crate::blobs::{BlobStore, on_own_runtime};
use crate::db::{Db, OptionalRow};
use crate::store::{self, HubStore};

/// Documents larger than this are not read for their signers: a signed PDF from an
/// office is a few megabytes, and a round must not hold a gigabyte in memory.
const LARGEST_DOCUMENT_READ: u64 = 256 * 1024 * 1024;

/// How long one list's address may take to answer in full.
const FETCH_TIMEOUT: Duration = Duration::from_secs(20);

/// What became of one list's address in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOutcome {
    pub url: String,
    pub fetched: Fetched,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// A new list, passed on to the laptops.
    Updated {
        issued_at: DateTime<Utc>,
        revoked_certificates: usize,
    },
    /// The same list as last time; nothing was told.
    Unchanged,
    /// Not reached, or refused; the list kept before (if any) stays.
    Failed { reason: String },
}

impl HubStore {
    /// One round, for the admin command: read the documents, fetch, keep.
    pub fn check_revocation(&mut self, clock: &dyn Clock) -> Result<Vec<ListOutcome>, HubError> {
        let (anchors, sources) = revocation_sources_of(&self.conn, self.blobs(), clock.now())?;
        let fetched = on_own_runtime(async { Ok(fetch_lists(&sources).await) })?;
        keep_lists(&mut self.conn, &anchors, &sources, fetched, clock.now())
    }
}

/// The trusted certificates, and the lists the signers of every meeting's documents
/// name.
pub(crate) fn revocation_sources_of(
    conn: &Db,
    blobs: &BlobStore,
    now: DateTime<Utc>,
) -> Result<(Anchors, Vec<RevocationSource>), HubError> {
    let anchors = crate::anchors::trust(conn)?;
    let mut sources: Vec<RevocationSource> = Vec::new();
    if anchors.is_empty() {
        return Ok((anchors, sources));
    }
    let documents: Vec<(String, i64)> = conn.query_map(
        "SELECT DISTINCT b.sha256, b.size FROM blobs b
         JOIN meeting_blobs m ON m.sha256 = b.sha256 ORDER BY b.sha256",
        (),
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    for (sha256, size) in documents {
        let Ok(sha256) = sha256.parse::<Sha256Hex>() else {
            continue;
        };
        if u64::try_from(size).unwrap_or(u64::MAX) > LARGEST_DOCUMENT_READ {
            continue;
        }
        let Some(bytes) = blobs.read(&sha256)? else {
            continue;
        };
        for source in revocation_sources(&bytes, &anchors, now) {
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
    }
    Ok((anchors, sources))
}

/// Fetches each address once, in order; what each answered or why it did not.
pub(crate) async fn fetch_lists(
    sources: &[RevocationSource],
) -> Vec<(String, Result<Vec<u8>, String>)> {
    let mut urls: Vec<&str> = sources.iter().map(|source| source.url.as_str()).collect();
    let mut seen = std::collections::BTreeSet::new();
    urls.retain(|url| seen.insert(*url));
    // Lists come over plain HTTP as a rule; HTTPS uses ring, as everywhere in Quorum.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            return urls
                .into_iter()
                .map(|url| (url.to_string(), Err(error.to_string())))
                .collect();
        }
    };
    let mut fetched = Vec::new();
    for url in urls {
        let result = fetch_one(&client, url).await;
        if let Err(reason) = &result {
            tracing::warn!(url, reason, "a revocation list was not fetched");
        }
        fetched.push((url.to_string(), result));
    }
    fetched
}

async fn fetch_one(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, String> {
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|error| error.to_string())?;
    if !response.status().is_success() {
        return Err(format!("the server answered {}", response.status()));
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| error.to_string())?;
        if body.len() + chunk.len() > MAX_REVOCATION_LIST_BYTES {
            return Err(format!(
                "the answer is larger than {MAX_REVOCATION_LIST_BYTES} bytes"
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Keeps each fetched list that its issuer signed, and tells every committee of a new
/// one, in one transaction.
pub(crate) fn keep_lists(
    conn: &mut Db,
    anchors: &Anchors,
    sources: &[RevocationSource],
    fetched: Vec<(String, Result<Vec<u8>, String>)>,
    now: DateTime<Utc>,
) -> Result<Vec<ListOutcome>, HubError> {
    let tx = conn.transaction()?;
    let committees = committee_ids(&tx)?;
    store::take_feeds(&tx, committees.iter().copied())?;
    let mut outcomes = Vec::new();
    for (url, answer) in fetched {
        let checked = answer.and_then(|list| {
            let mut refusal = String::new();
            for source in sources.iter().filter(|source| source.url == url) {
                match check_revocation_list(&list, source, anchors, now) {
                    Ok(summary) => return Ok((list, summary)),
                    Err(error) => refusal = error.to_string(),
                }
            }
            Err(refusal)
        });
        let fetched = match checked {
            Err(reason) => Fetched::Failed { reason },
            Ok((list, summary)) => {
                let list = hex::encode(list);
                let kept: Option<String> = tx
                    .query_row(
                        "SELECT list FROM revocation_lists WHERE url = ?1",
                        [&url],
                        |row| row.get(0),
                    )
                    .optional()?;
                tx.execute(
                    "INSERT INTO revocation_lists (url, list, issued_at, fetched_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (url) DO UPDATE SET list = excluded.list,
                       issued_at = excluded.issued_at, fetched_at = excluded.fetched_at",
                    params![url, list, summary.issued_at, now],
                )?;
                if kept.as_deref() == Some(list.as_str()) {
                    Fetched::Unchanged
                } else {
                    tell_committees(&tx, &committees, now, |committee_id| {
                        Record::RevocationList {
                            committee_id,
                            url: url.clone(),
                            list: list.clone(),
                        }
                    })?;
                    Fetched::Updated {
                        issued_at: summary.issued_at,
                        revoked_certificates: summary.revoked_certificates,
                    }
                }
            }
        };
        outcomes.push(ListOutcome { url, fetched });
    }
    tx.commit()?;
    Ok(outcomes)
}

/// Tells a committee made after lists were fetched about each of them.
pub(crate) fn send_lists_to(
    conn: &Db,
    committee_id: quorum_core::CommitteeId,
    now: DateTime<Utc>,
) -> Result<(), HubError> {
    let lists: Vec<(String, String)> = conn.query_map(
        "SELECT url, list FROM revocation_lists ORDER BY url",
        (),
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    for (url, list) in lists {
        let record = Record::RevocationList {
            committee_id,
            url,
            list,
        };
        store::append_change(conn, committee_id, &record, now)?;
    }
    Ok(())
}
