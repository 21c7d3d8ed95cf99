//! The certificates a committee trusts, and a signer's path to one of them (checked by
//! rustls-webpki at the signing time).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use der::asn1::ObjectIdentifier as Oid;
use der::{Decode, Encode, Tagged};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, ExtendedKeyUsageValidator,
    KeyPurposeIdIter, RevocationCheckDepth, RevocationOptions, RevocationOptionsBuilder,
    UnknownStatusPolicy,
};
use x509_cert::Certificate;
use x509_cert::name::Name;

use crate::revocation::Lists;
use crate::{Party, Problem, cms};

const COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
const ORGANIZATION: Oid = Oid::new_unwrap("2.5.4.10");

/// Why a trust anchor was not taken.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("the file holds no PEM certificate")]
    NoCertificate,
    #[error("a certificate in the file cannot be read: {0}")]
    Unreadable(String),
}

/// The certificates a committee trusts, roots or intermediates alike: a signer's path
/// may end at any of them.
#[derive(Clone, Debug, Default)]
pub struct Anchors {
    certificates: Vec<CertificateDer<'static>>,
    revocation_lists: Arc<Lists>,
}

/// A trusted certificate as an admin lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSummary {
    /// SHA-256 of the DER, in hexadecimal: how the admin names it to remove it.
    pub fingerprint: String,
    pub subject: Party,
    pub issuer: Party,
    #[ts(type = "string")]
    pub not_after: DateTime<Utc>,
}

impl Anchors {
    /// Anchors from DER certificates, as the hub stores them.
    pub fn from_der(certificates: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Self {
            certificates: certificates.into_iter().map(CertificateDer::from).collect(),
            revocation_lists: Arc::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty()
    }

    /// These anchors with the revocation lists the hub fetched (DER), newest first
    /// where two come from one issuer.
    pub fn with_revocation_lists(self, lists: &[Vec<u8>]) -> Self {
        Self {
            revocation_lists: Arc::new(Lists::read(lists)),
            ..self
        }
    }

    pub(crate) fn revocation_lists(&self) -> &Lists {
        &self.revocation_lists
    }

    /// Each certificate of a PEM file, as DER, checked readable.
    pub fn read_pem(pem: &[u8]) -> Result<Vec<Vec<u8>>, TrustError> {
        let certificates: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(pem)
            .map(|certificate| {
                certificate
                    .map(|der| der.to_vec())
                    .map_err(|error| TrustError::Unreadable(error.to_string()))
            })
            .collect::<Result<_, _>>()?;
        if certificates.is_empty() {
            return Err(TrustError::NoCertificate);
        }
        for der in &certificates {
            Certificate::from_der(der)
                .map_err(|error| TrustError::Unreadable(error.to_string()))?;
            webpki::anchor_from_trusted_cert(&CertificateDer::from(der.as_slice()))
                .map_err(|error| TrustError::Unreadable(format!("{error:?}")))?;
        }
        Ok(certificates)
    }
}

/// How a certificate is named to the admin and in the feed: the SHA-256 of its DER, in
/// hexadecimal.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, der))
}

/// What a trusted certificate says, for `trust list`.
pub fn summarize(der: &[u8]) -> Result<CertificateSummary, TrustError> {
    let certificate =
        Certificate::from_der(der).map_err(|error| TrustError::Unreadable(error.to_string()))?;
    let not_after = certificate
        .tbs_certificate
        .validity
        .not_after
        .to_unix_duration();
    Ok(CertificateSummary {
        fingerprint: fingerprint(der),
        subject: subject(&certificate),
        issuer: issuer(&certificate),
        not_after: crate::utc(not_after).unwrap_or_default(),
    })
}

pub(crate) fn subject(certificate: &Certificate) -> Party {
    party(&certificate.tbs_certificate.subject)
}

pub(crate) fn issuer(certificate: &Certificate) -> Party {
    party(&certificate.tbs_certificate.issuer)
}

fn party(name: &Name) -> Party {
    let value = |oid: Oid| {
        name.0
            .iter()
            .flat_map(|rdn| rdn.0.iter())
            .find(|attribute| attribute.oid == oid)
            .and_then(|attribute| directory_string(&attribute.value))
    };
    Party {
        common_name: value(COMMON_NAME),
        organization: value(ORGANIZATION),
    }
}

/// A name's text in whichever string type the CA chose (Vietnamese CAs use UTF8String;
/// older ones BMPString).
fn directory_string(value: &der::Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        der::Tag::Utf8String
        | der::Tag::PrintableString
        | der::Tag::Ia5String
        | der::Tag::TeletexString => Some(String::from_utf8_lossy(bytes).into_owned()),
        der::Tag::BmpString => Some(crate::syntax::utf16_be(bytes)),
        _ => None,
    }
}

/// The purpose a certificate must allow when it names purposes at all.
#[derive(Clone, Copy)]
pub(crate) enum Purpose {
    Signing,
    Timestamping,
}

impl ExtendedKeyUsageValidator for Purpose {
    fn validate(&self, purposes: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let accepted: &[&[usize]] = match self {
            // Any purpose, e-mail protection (which token certificates for officials
            // carry), document signing, Microsoft's and Adobe's document signing.
            Self::Signing => &[
                &[2, 5, 29, 37, 0],
                &[1, 3, 6, 1, 5, 5, 7, 3, 4],
                &[1, 3, 6, 1, 5, 5, 7, 3, 36],
                &[1, 3, 6, 1, 4, 1, 311, 10, 3, 12],
                &[1, 2, 840, 113583, 1, 1, 5],
            ],
            Self::Timestamping => &[&[1, 3, 6, 1, 5, 5, 7, 3, 8]],
        };
        let mut named_any = false;
        for purpose in purposes {
            named_any = true;
            if accepted.contains(&purpose?.to_decoded_oid().as_slice()) {
                return Ok(());
            }
        }
        if named_any {
            // The error with context names one required purpose; here any of several do.
            #[allow(deprecated)]
            Err(webpki::Error::RequiredEkuNotFound)
        } else {
            Ok(())
        }
    }
}

/// Checks that `certificate` chains to an anchor at `time`, through the certificates
/// the signature carries.
pub(crate) fn check_path(
    certificate: &Certificate,
    carried: &[Certificate],
    anchors: &Anchors,
    time: DateTime<Utc>,
    purpose: Purpose,
) -> Result<(), Problem> {
    let rejected = |reason: String| Problem::CertificateRejected { reason };
    let (end, intermediates) = as_der(certificate, carried).map_err(|e| rejected(e.to_string()))?;
    verify(&end, &intermediates, anchors, time, purpose, None)
        .map(|_| ())
        .map_err(|error| match error {
            // An anchor with the issuer's name but another key does not vouch for it.
            webpki::Error::UnknownIssuer
            | webpki::Error::InvalidSignatureForPublicKey
            | webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
                Problem::UntrustedIssuer
            }
            webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } => {
                Problem::CertificateOutsideValidity
            }
            other => rejected(format!("{other:?}")),
        })
}

/// The signer's path to an anchor at `time`, as DER: the signer's certificate first,
/// then the intermediates; the anchor is left out.
pub(crate) fn verified_path(
    certificate: &Certificate,
    carried: &[Certificate],
    anchors: &Anchors,
    time: DateTime<Utc>,
) -> Result<Vec<Vec<u8>>, webpki::Error> {
    let (end, intermediates) = as_der(certificate, carried).map_err(|_| webpki::Error::BadDer)?;
    verify(&end, &intermediates, anchors, time, Purpose::Signing, None)
}

/// The signer's certificate and the ones the signature carries, as DER for webpki; a
/// carried certificate that does not encode is left out.
pub(crate) fn as_der(
    certificate: &Certificate,
    carried: &[Certificate],
) -> Result<(Vec<u8>, Vec<Vec<u8>>), der::Error> {
    let end = certificate.to_der()?;
    Ok((
        end,
        carried.iter().filter_map(|c| c.to_der().ok()).collect(),
    ))
}

/// Checks the signer's path at `time` and every certificate on it against `lists`;
/// `policy` says whether a certificate no list covers fails the check.
pub(crate) fn verify_with_lists(
    signer: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &Anchors,
    time: DateTime<Utc>,
    lists: &[CertRevocationList<'_>],
    policy: UnknownStatusPolicy,
) -> Result<(), webpki::Error> {
    let lists: Vec<&CertRevocationList<'_>> = lists.iter().collect();
    let options = RevocationOptionsBuilder::new(&lists)
        .map_err(|_| webpki::Error::UnknownRevocationStatus)?
        .with_depth(RevocationCheckDepth::Chain)
        .with_status_policy(policy)
        // A list past its next update still says what it said; the reader shows its date.
        .with_expiration_policy(ExpirationPolicy::Ignore)
        .build();
    verify(
        signer,
        intermediates,
        anchors,
        time,
        Purpose::Signing,
        Some(options),
    )
    .map(|_| ())
}

fn verify(
    end: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &Anchors,
    time: DateTime<Utc>,
    purpose: Purpose,
    revocation: Option<RevocationOptions<'_>>,
) -> Result<Vec<Vec<u8>>, webpki::Error> {
    let end_der = CertificateDer::from(end);
    let end_entity = EndEntityCert::try_from(&end_der)?;
    let intermediates: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|der| CertificateDer::from(der.as_slice()))
        .collect();
    let trust: Vec<_> = anchors
        .certificates
        .iter()
        .filter_map(|der| webpki::anchor_from_trusted_cert(der).ok())
        .collect();
    let seconds = time.timestamp().max(0) as u64;
    let at = UnixTime::since_unix_epoch(Duration::from_secs(seconds));
    let path = end_entity.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &trust,
        &intermediates,
        at,
        purpose,
        revocation,
        None,
    )?;
    Ok(std::iter::once(end.to_vec())
        .chain(
            path.intermediate_certificates()
                .map(|certificate| certificate.der().to_vec()),
        )
        .collect())
}

/// Checks an RFC 3161 timestamp token over `imprinted` (a signature's value, or a
/// document timestamp's byte range): its imprint, its own signature, and its
/// authority's path to an anchor; gives the time it states and who stated it.
pub(crate) fn timestamp(
    token: &[u8],
    imprinted: &[&[u8]],
    anchors: &Anchors,
) -> Result<(DateTime<Utc>, Party), Problem> {
    let signed = cms::read(token)?;
    let content = signed
        .data
        .encap_content_info
        .econtent
        .as_ref()
        .and_then(|any| any.decode_as::<der::asn1::OctetString>().ok())
        .ok_or(Problem::TimestampInvalid)?;
    let info =
        x509_tsp::TstInfo::from_der(content.as_bytes()).map_err(|_| Problem::TimestampInvalid)?;
    let algorithm = cms::digest_of(&info.message_imprint.hash_algorithm.oid)?;
    let mut context = ring::digest::Context::new(algorithm);
    for part in imprinted {
        context.update(part);
    }
    if context.finish().as_ref() != info.message_imprint.hashed_message.as_bytes() {
        return Err(Problem::DigestMismatch);
    }
    let authority = signed
        .signer_certificate()
        .ok_or(Problem::TimestampInvalid)?;
    signed.verify(&[content.as_bytes()], &authority)?;
    let stated = info.gen_time.to_unix_duration();
    let time = crate::utc(stated).ok_or(Problem::TimestampInvalid)?;
    check_path(
        &authority,
        &signed.certificates(),
        anchors,
        time,
        Purpose::Timestamping,
    )?;
    Ok((time, subject(&authority)))
}
