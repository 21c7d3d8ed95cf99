//! The certificates the hub's admin trusts to vouch for the signers of documents (ký số):
//! `quorum-hub admin trust add | list | remove`. Every change is appended to each
//! committee's feed, so the laptops check signatures against the same certificates,
//! offline.

use chrono::{DateTime, Utc};
use quorum_core::protocol::Record;
use quorum_core::{Clock, CommitteeId};
use quorum_signatures::{Anchors, CertificateSummary, summarize};
use rusqlite::params;

use crate::HubError;
use crate::db::{Db, OptionalRow};
use crate::store::{self, HubStore, parse_column};

impl HubStore {
    /// Trusts every certificate of a PEM file (roots and intermediates alike) and tells
    /// every committee's laptops; returns them as `trust list` shows them. A certificate
    /// trusted already is left as it is. Nothing is trusted unless all can be read.
    pub fn trust_certificates(
        &mut self,
        pem: &[u8],
        clock: &dyn Clock,
    ) -> Result<Vec<CertificateSummary>, HubError> {
        let certificates = Anchors::read_pem(pem)?;
        let summaries = certificates
            .iter()
            .map(|der| summarize(der))
            .collect::<Result<Vec<_>, _>>()?;
        let now = clock.now();
        let tx = self.conn.transaction()?;
        let committees = committee_ids(&tx)?;
        store::take_feeds(&tx, committees.iter().copied())?;
        for (der, summary) in certificates.iter().zip(&summaries) {
            let certificate = hex::encode(der);
            let added = tx.execute(
                "INSERT INTO signature_anchors (fingerprint, certificate, added_at)
                 VALUES (?1, ?2, ?3) ON CONFLICT (fingerprint) DO NOTHING",
                params![summary.fingerprint, certificate, now],
            )?;
            if added == 1 {
                tell_committees(&tx, &committees, now, |committee_id| {
                    Record::SignatureAnchor {
                        committee_id,
                        certificate: certificate.clone(),
                    }
                })?;
            }
        }
        tx.commit()?;
        Ok(summaries)
    }

    /// The certificates trusted now, oldest first.
    pub fn trusted_certificates(&self) -> Result<Vec<CertificateSummary>, HubError> {
        stored_certificates(&self.conn)?
            .iter()
            .map(|certificate| summary_of(certificate))
            .collect()
    }

    /// Stops trusting the certificate of this fingerprint (as `trust list` prints it)
    /// and tells every committee's laptops; returns what it was.
    pub fn distrust(
        &mut self,
        fingerprint: &str,
        clock: &dyn Clock,
    ) -> Result<CertificateSummary, HubError> {
        let fingerprint = fingerprint.trim().to_ascii_lowercase();
        let now = clock.now();
        let tx = self.conn.transaction()?;
        let committees = committee_ids(&tx)?;
        store::take_feeds(&tx, committees.iter().copied())?;
        let removed: Option<String> = tx
            .query_row(
                "DELETE FROM signature_anchors WHERE fingerprint = ?1 RETURNING certificate",
                [&fingerprint],
                |row| row.get(0),
            )
            .optional()?;
        let Some(certificate) = removed else {
            return Err(HubError::NotTrusted(fingerprint));
        };
        tell_committees(&tx, &committees, now, |committee_id| {
            Record::SignatureAnchorRemoved {
                committee_id,
                fingerprint: fingerprint.clone(),
            }
        })?;
        tx.commit()?;
        summary_of(&certificate)
    }
}

/// Appends to each committee's feed its own copy of a record.
pub(crate) fn tell_committees(
    conn: &Db,
    committees: &[CommitteeId],
    now: DateTime<Utc>,
    record: impl Fn(CommitteeId) -> Record,
) -> Result<(), HubError> {
    for &committee_id in committees {
        store::append_change(conn, committee_id, &record(committee_id), now)?;
    }
    Ok(())
}

/// Tells a committee made after certificates were trusted about each of them.
pub(crate) fn send_anchors_to(
    conn: &Db,
    committee_id: CommitteeId,
    now: DateTime<Utc>,
) -> Result<(), HubError> {
    for certificate in stored_certificates(conn)? {
        let record = Record::SignatureAnchor {
            committee_id,
            certificate,
        };
        store::append_change(conn, committee_id, &record, now)?;
    }
    Ok(())
}

/// The trusted certificates as stored and sent (DER in hexadecimal), oldest first.
pub(crate) fn stored_certificates(conn: &Db) -> Result<Vec<String>, HubError> {
    Ok(conn.query_map(
        "SELECT certificate FROM signature_anchors ORDER BY added_at, fingerprint",
        (),
        |row| row.get(0),
    )?)
}

/// The certificates trusted now, with the revocation lists fetched for their signers:
/// what a signature is checked against on the hub.
pub(crate) fn trust(conn: &Db) -> Result<Anchors, HubError> {
    let certificates = stored_certificates(conn)?
        .iter()
        .filter_map(|certificate| hex::decode(certificate).ok())
        .collect::<Vec<_>>();
    let lists: Vec<String> = conn.query_map(
        "SELECT list FROM revocation_lists ORDER BY url",
        (),
        |row| row.get(0),
    )?;
    let lists: Vec<Vec<u8>> = lists
        .iter()
        .filter_map(|list| hex::decode(list).ok())
        .collect();
    Ok(Anchors::from_der(certificates).with_revocation_lists(&lists))
}

/// What a stored certificate says, for `trust list`.
fn summary_of(certificate: &str) -> Result<CertificateSummary, HubError> {
    let der = hex::decode(certificate)
        .map_err(|error| HubError::BadStoredCertificate(error.to_string()))?;
    Ok(summarize(&der)?)
}

pub(crate) fn committee_ids(conn: &Db) -> Result<Vec<CommitteeId>, HubError> {
    Ok(
        conn.query_map("SELECT id FROM committees ORDER BY id", (), |row| {
            Ok(parse_column(0, row.get(0)?)?)
        })?,
    )
}
