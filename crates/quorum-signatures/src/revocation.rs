//! Certificate revocation lists (CRLs, RFC 5280 section 5): which lists a document's
//! signers name, whether a list the hub fetched may be passed on to the laptops, and what
//! the lists say of a signer's certificate (rustls-webpki checks them).
//!
//! The hub fetches; the laptops only read. A list is passed on only when the certificate
//! that issued it is on a trusted path: a list signed by anyone else could otherwise
//! shadow the real one, since a list is matched to certificates by its issuer's name.

use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use webpki::{CertRevocationList, OwnedCertRevocationList, UnknownStatusPolicy};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::CrlDistributionPoints;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};

use crate::chain::{self, Anchors};
use crate::{cms, embedded};

/// The largest list a hub takes: a national CA's full CRL is a few megabytes.
pub const MAX_REVOCATION_LIST_BYTES: usize = 16 * 1024 * 1024;

/// Whether the signer's certificate was checked as not revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Revocation {
    /// chưa kiểm tra thu hồi: no list the hub fetched covers every certificate of the
    /// signer's path.
    NotChecked,
    /// Not on the issuer's revocation list published at `list_issued_at`.
    #[serde(rename_all = "camelCase")]
    NotRevoked {
        #[ts(type = "string")]
        list_issued_at: DateTime<Utc>,
    },
    /// Revoked by its issuer at `revoked_at`. A signature a timestamp authority dates
    /// earlier stands; any other does not.
    #[serde(rename_all = "camelCase")]
    Revoked {
        #[ts(type = "string")]
        revoked_at: DateTime<Utc>,
    },
}

/// Why a fetched list is not passed on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RevocationListError {
    #[error("the answer is not a revocation list rustls-webpki reads: {0}")]
    Unreadable(String),
    #[error("the list is not the one of the certificate's issuer")]
    OtherIssuer,
    #[error("the list's signature does not verify with its issuer's key: {0}")]
    NotFromIssuer(String),
}

/// One list a signer's path names, with the certificate it is to speak of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationSource {
    /// An `http://` or `https://` address from a CRL distribution point.
    pub url: String,
    /// The certificate whose distribution point it is.
    covered: Vec<u8>,
    /// The signer's certificate, whose path the list's signature is checked through,
    /// as a reader checks it.
    signer: Vec<u8>,
    /// The intermediates of that path, the anchor left out.
    path: Vec<Vec<u8>>,
}

/// What a list says of itself, once passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationListSummary {
    pub issued_at: DateTime<Utc>,
    pub revoked_certificates: usize,
}

/// The revocation lists the signers of `pdf` name, for each certificate of each path
/// that ends at a trusted certificate now; one entry per address and certificate.
pub fn revocation_sources(
    pdf: &[u8],
    anchors: &Anchors,
    now: DateTime<Utc>,
) -> Vec<RevocationSource> {
    let mut sources: Vec<RevocationSource> = Vec::new();
    for signature in embedded::signatures(pdf) {
        let Ok(blob) = signature.contents.as_ref() else {
            continue;
        };
        let Ok(signed) = cms::read(blob) else {
            continue;
        };
        let Some(certificate) = signed.signer_certificate() else {
            continue;
        };
        let carried = signed.certificates();
        let Ok(path) = chain::verified_path(&certificate, &carried, anchors, now) else {
            continue;
        };
        let Some(signer) = path.first() else {
            continue;
        };
        for covered in &path {
            let Ok(parsed) = Certificate::from_der(covered) else {
                continue;
            };
            for url in distribution_points(&parsed) {
                let source = RevocationSource {
                    url,
                    covered: covered.clone(),
                    signer: signer.clone(),
                    path: path[1..].to_vec(),
                };
                if !sources.contains(&source) {
                    sources.push(source);
                }
            }
        }
    }
    sources
}

/// The `http(s)://` addresses of a certificate's CRL distribution points.
fn distribution_points(certificate: &Certificate) -> Vec<String> {
    let Some(points) = certificate
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|extension| extension.extn_id == der::oid::db::rfc5280::ID_CE_CRL_DISTRIBUTION_POINTS)
        .and_then(|extension| {
            CrlDistributionPoints::from_der(extension.extn_value.as_bytes()).ok()
        })
    else {
        return Vec::new();
    };
    points
        .0
        .iter()
        .filter_map(|point| match &point.distribution_point {
            Some(DistributionPointName::FullName(names)) => Some(names),
            _ => None,
        })
        .flatten()
        .filter_map(|name| match name {
            GeneralName::UniformResourceIdentifier(uri) => Some(uri.as_str().to_string()),
            _ => None,
        })
        .filter(|url| url.starts_with("http://") || url.starts_with("https://"))
        .collect()
}

/// Checks that `list` is the revocation list of `source`'s certificate's issuer, signed
/// with that issuer's key on the trusted path, before the hub passes it on.
pub fn check_revocation_list(
    list: &[u8],
    source: &RevocationSource,
    anchors: &Anchors,
    now: DateTime<Utc>,
) -> Result<RevocationListSummary, RevocationListError> {
    let parsed = OwnedCertRevocationList::from_der(list)
        .map_err(|error| RevocationListError::Unreadable(format!("{error:?}")))?;
    let decoded = CertificateList::from_der(list)
        .map_err(|error| RevocationListError::Unreadable(error.to_string()))?;
    let lists = [CertRevocationList::from(parsed)];
    if issuer_name(&source.covered).as_deref() != Some(lists[0].issuer()) {
        return Err(RevocationListError::OtherIssuer);
    }
    match chain::verify_with_lists(
        &source.signer,
        &source.path,
        anchors,
        now,
        &lists,
        UnknownStatusPolicy::Allow,
    ) {
        Ok(()) | Err(webpki::Error::CertRevoked) => Ok(RevocationListSummary {
            issued_at: issued_at(&decoded).unwrap_or_default(),
            revoked_certificates: decoded
                .tbs_cert_list
                .revoked_certificates
                .as_ref()
                .map_or(0, Vec::len),
        }),
        Err(error) => Err(RevocationListError::NotFromIssuer(format!("{error:?}"))),
    }
}

/// When the issuer published the list (its thisUpdate).
fn issued_at(list: &CertificateList) -> Option<DateTime<Utc>> {
    crate::utc(list.tbs_cert_list.this_update.to_unix_duration())
}

/// The lists a laptop holds, read once for every signature it checks.
#[derive(Debug, Default)]
pub(crate) struct Lists {
    lists: Vec<CertRevocationList<'static>>,
    issued: Vec<DateTime<Utc>>,
}

impl Lists {
    /// The lists that read (the hub passed on only those that did), newest first, as
    /// webpki takes the first one of an issuer.
    pub(crate) fn read(lists: &[Vec<u8>]) -> Self {
        let mut read: Vec<(DateTime<Utc>, CertRevocationList<'static>)> = lists
            .iter()
            .filter_map(|der| {
                let list = OwnedCertRevocationList::from_der(der).ok()?;
                let decoded = CertificateList::from_der(der).ok()?;
                let issued = issued_at(&decoded)?;
                Some((issued, list.into()))
            })
            .collect();
        read.sort_by_key(|(issued, _)| std::cmp::Reverse(*issued));
        let (issued, lists) = read.into_iter().unzip();
        Self { lists, issued }
    }
}

/// What the lists say of `certificate`, whose path to an anchor at `time` was checked.
pub(crate) fn status(
    certificate: &Certificate,
    carried: &[Certificate],
    anchors: &Anchors,
    time: DateTime<Utc>,
) -> Revocation {
    let lists = anchors.revocation_lists();
    if lists.lists.is_empty() {
        return Revocation::NotChecked;
    }
    let Ok((signer, path)) = chain::as_der(certificate, carried) else {
        return Revocation::NotChecked;
    };
    let verify =
        |policy| chain::verify_with_lists(&signer, &path, anchors, time, &lists.lists, policy);
    match verify(UnknownStatusPolicy::Allow) {
        Err(webpki::Error::CertRevoked) => revoked_at(lists, std::iter::once(&signer).chain(&path))
            .map_or(Revocation::NotChecked, |revoked_at| Revocation::Revoked {
                revoked_at,
            }),
        Ok(()) if verify(UnknownStatusPolicy::Deny).is_ok() => {
            let issuer = issuer_name(&signer);
            let issued = lists
                .lists
                .iter()
                .zip(&lists.issued)
                .find(|(list, _)| Some(list.issuer()) == issuer.as_deref())
                .map(|(_, issued)| *issued);
            issued.map_or(Revocation::NotChecked, |list_issued_at| {
                Revocation::NotRevoked { list_issued_at }
            })
        }
        _ => Revocation::NotChecked,
    }
}

/// A certificate's issuer name as webpki compares it to a list's: the DER without its
/// SEQUENCE header.
fn issuer_name(der: &[u8]) -> Option<Vec<u8>> {
    let certificate = Certificate::from_der(der).ok()?;
    let mut content = Vec::new();
    for rdn in &certificate.tbs_certificate.issuer.0 {
        content.extend(rdn.to_der().ok()?);
    }
    Some(content)
}

/// When the first revoked certificate among `certificates` was revoked.
fn revoked_at<'a>(
    lists: &Lists,
    certificates: impl Iterator<Item = &'a Vec<u8>>,
) -> Option<DateTime<Utc>> {
    for der in certificates {
        let certificate = Certificate::from_der(der).ok()?;
        let issuer = issuer_name(der)?;
        let serial = certificate.tbs_certificate.serial_number.as_bytes();
        for list in lists
            .lists
            .iter()
            .filter(|list| list.issuer() == issuer.as_slice())
        {
            if let Ok(Some(entry)) = list.find_serial(serial) {
                let seconds = entry.revocation_date.as_secs();
                return crate::utc(std::time::Duration::from_secs(seconds));
            }
        }
    }
    None
}
