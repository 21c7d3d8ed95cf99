//! The certificates the laptop trusts for documents' signatures (ký số), from the feed,
//! and each document's signatures as last checked against them.

use chrono::{DateTime, Utc};
use quorum_core::Sha256Hex;
use quorum_signatures::{DocumentSignatures, fingerprint};
use rusqlite::{OptionalExtension, Transaction, params};
use tracing::warn;

use crate::{Result, Store};

/// The certificates trusted now and the revocation lists the hub fetched, and a name for
/// the set: a check made against another set is not reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCertificates {
    pub der: Vec<Vec<u8>>,
    pub revocation_lists: Vec<Vec<u8>>,
    pub set: String,
}

impl Store {
    pub fn trusted_certificates(&self) -> Result<TrustedCertificates> {
        let mut statement = self
            .conn
            .prepare("SELECT fingerprint, der FROM signature_anchors ORDER BY fingerprint")?;
        let rows: Vec<(String, Vec<u8>)> = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut statement = self
            .conn
            .prepare("SELECT der FROM revocation_lists ORDER BY url")?;
        let revocation_lists: Vec<Vec<u8>> = statement
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut names: String = rows.iter().map(|(name, _)| name.as_str()).collect();
        for list in &revocation_lists {
            names.push_str(&fingerprint(list));
        }
        Ok(TrustedCertificates {
            set: fingerprint(names.as_bytes()),
            der: rows.into_iter().map(|(_, der)| der).collect(),
            revocation_lists,
        })
    }

    /// The document's signatures as checked against `trusted`, if they were.
    pub fn signature_check(
        &self,
        sha256: &Sha256Hex,
        trusted: &TrustedCertificates,
    ) -> Result<Option<DocumentSignatures>> {
        let result: Option<String> = self
            .conn
            .query_row(
                "SELECT result FROM signature_checks WHERE sha256 = ?1 AND anchors = ?2",
                params![sha256.as_str(), trusted.set],
                |row| row.get(0),
            )
            .optional()?;
        Ok(result.map(|json| serde_json::from_str(&json)).transpose()?)
    }

    pub fn save_signature_check(
        &self,
        sha256: &Sha256Hex,
        trusted: &TrustedCertificates,
        checked_at: DateTime<Utc>,
        result: &DocumentSignatures,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO signature_checks (sha256, anchors, checked_at, result)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (sha256) DO UPDATE SET anchors = excluded.anchors,
                 checked_at = excluded.checked_at, result = excluded.result",
            params![
                sha256.as_str(),
                trusted.set,
                checked_at,
                serde_json::to_string(result)?
            ],
        )?;
        Ok(())
    }
}

/// A certificate the hub's admin trusts (DER in hexadecimal, as the feed carries it).
/// One the laptop cannot read is left out rather than stopping the feed.
pub(crate) fn receive_signature_anchor(tx: &Transaction, certificate: &str) -> Result<()> {
    let Ok(der) = hex::decode(certificate) else {
        warn!("a trusted certificate from the hub is not hexadecimal; left out");
        return Ok(());
    };
    tx.execute(
        "INSERT INTO signature_anchors (fingerprint, der) VALUES (?1, ?2)
         ON CONFLICT (fingerprint) DO NOTHING",
        params![fingerprint(&der), der],
    )?;
    forget_checks(tx)
}

pub(crate) fn forget_signature_anchor(tx: &Transaction, fingerprint: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM signature_anchors WHERE fingerprint = ?1",
        [fingerprint],
    )?;
    forget_checks(tx)
}

/// The revocation list the hub last fetched from `url` (DER in hexadecimal); it replaces
/// the one before. One the laptop cannot read is left out rather than stopping the feed.
pub(crate) fn receive_revocation_list(tx: &Transaction, url: &str, list: &str) -> Result<()> {
    let Ok(der) = hex::decode(list) else {
        warn!("a revocation list from the hub is not hexadecimal; left out");
        return Ok(());
    };
    tx.execute(
        "INSERT INTO revocation_lists (url, der) VALUES (?1, ?2)
         ON CONFLICT (url) DO UPDATE SET der = excluded.der",
        params![url, der],
    )?;
    forget_checks(tx)
}

/// Checks made against other certificates are never read again.
fn forget_checks(tx: &Transaction) -> Result<()> {
    tx.execute("DELETE FROM signature_checks", [])?;
    Ok(())
}
