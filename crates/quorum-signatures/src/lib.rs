//! Ký số: the PDF signatures of a document, verified offline against the certificates
//! the committee trusts.
//!
//! For each signature dictionary: the byte range must start at the file's first byte
//! and leave out exactly the signature; the CMS digest must match those bytes; the
//! signer's certificate must have made the signature and chain to a trust anchor at the
//! signing time (an RFC 3161 timestamp's when one verifies, else the time the signer's
//! computer declared, and the reader says which); what later revisions added is judged.
//!
//! Invariants:
//! - Pure over bytes: no network, no clock, no file; a hostile file costs bounded scans.
//! - A signature is [`Verdict::Valid`] only when every check passed; a check that
//!   could not be made gives [`Verdict::Undetermined`], never `Valid`.
//! - Revocation is judged only from the lists the hub fetched and checked
//!   ([`check_revocation_list`]); a path no list covers is [`Revocation::NotChecked`].

mod chain;
mod changes;
mod cms;
mod embedded;
mod revocation;
mod signing;
mod syntax;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use chain::{Anchors, CertificateSummary, TrustError, fingerprint, summarize};
pub use revocation::{
    MAX_REVOCATION_LIST_BYTES, Revocation, RevocationListError, RevocationListSummary,
    RevocationSource, check_revocation_list, revocation_sources,
};
pub use signing::{KeyAlgorithm, Signing, SigningError, SigningKey, sign_pdf};

/// What a reader concludes about one signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    /// hợp lệ: every check passed.
    Valid,
    /// chưa xác định: a check could not be made (unknown issuer, unsupported algorithm,
    /// later changes that cannot be judged).
    Undetermined,
    /// không hợp lệ: the document or the signature is not what was signed.
    Invalid,
}

/// Why a signature is not plainly valid, one entry per failed or impossible check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum Problem {
    /// The signed range does not start at the first byte or runs past the file.
    RangeOutsideFile,
    /// The bytes the signature leaves out hold more than the signature.
    GapNotOnlySignature,
    /// The signature's CMS data cannot be read.
    Unreadable,
    /// The document's bytes are not the ones signed.
    DigestMismatch,
    /// The signature was not made by the certificate's key over these bytes.
    SignatureMismatch,
    /// The signature uses an algorithm Quorum does not check.
    UnsupportedAlgorithm { oid: String },
    /// The signer's certificate is not in the signature.
    SignerCertificateMissing,
    /// The signer's certificate does not chain to a certificate the committee trusts.
    UntrustedIssuer,
    /// The signer's certificate was expired or not yet valid at the signing time.
    CertificateOutsideValidity,
    /// The certificate path was refused for another reason (webpki's, in English).
    CertificateRejected { reason: String },
    /// A later revision changed the signed content.
    ContentChangedAfterSigning,
    /// Later revisions exist whose changes cannot be judged.
    ChangesUndetermined,
    /// The timestamp token does not verify; the declared time is shown instead.
    TimestampInvalid,
    /// The issuer revoked the signer's certificate, and no timestamp authority dates the
    /// signature before that.
    #[serde(rename_all = "camelCase")]
    CertificateRevoked {
        #[ts(type = "string")]
        revoked_at: DateTime<Utc>,
    },
}

impl Problem {
    fn verdict(&self) -> Verdict {
        match self {
            Self::RangeOutsideFile
            | Self::GapNotOnlySignature
            | Self::Unreadable
            | Self::DigestMismatch
            | Self::SignatureMismatch
            | Self::CertificateOutsideValidity
            | Self::ContentChangedAfterSigning
            | Self::CertificateRevoked { .. } => Verdict::Invalid,
            Self::UnsupportedAlgorithm { .. }
            | Self::SignerCertificateMissing
            | Self::UntrustedIssuer
            | Self::CertificateRejected { .. }
            | Self::ChangesUndetermined
            | Self::TimestampInvalid => Verdict::Undetermined,
        }
    }
}

/// A certificate's holder as a reader names it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub common_name: Option<String>,
    pub organization: Option<String>,
}

/// Where the signing time comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TimeSource {
    /// An RFC 3161 timestamp that verified, from this authority.
    Timestamp { authority: Party },
    /// Declared by the signer's computer, whose clock nobody vouches for.
    Declared,
    /// No time is stated.
    Unknown,
}

/// What revisions added after the one a signature signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LaterChanges {
    /// The signature covers the whole file.
    None,
    /// Only annotations, form filling, further signatures or validation data.
    AnnotationsOrForms { revisions: usize },
    /// The signed content was changed.
    Content { revisions: usize },
    /// Changes exist that cannot be judged.
    Undetermined { revisions: usize },
}

/// One signature of a document, checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignatureCheck {
    /// 1 for the first signature in revision order.
    pub number: u32,
    pub verdict: Verdict,
    pub problems: Vec<Problem>,
    pub signer: Option<Party>,
    pub issuer: Option<Party>,
    #[ts(type = "string | null")]
    pub signed_at: Option<DateTime<Utc>>,
    pub time_source: TimeSource,
    /// `adbe.pkcs7.detached`, `ETSI.CAdES.detached`…
    pub sub_filter: Option<String>,
    /// "RSA 2048 bit, SHA-256", "ECDSA P-256, SHA-256".
    pub algorithm: Option<String>,
    pub later_changes: LaterChanges,
    pub revocation: Revocation,
    /// The name, reason and place the signer's software wrote, unchecked.
    pub declared_name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
}

/// Every signature of a document, with the verdict its badge shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocumentSignatures {
    /// The worst signature's verdict; none when the document is not signed.
    pub verdict: Option<Verdict>,
    pub signatures: Vec<SignatureCheck>,
}

/// The sub-filter of a document timestamp (PAdES B-LTA), whose blob is a bare RFC 3161
/// token over the byte range.
const DOCUMENT_TIMESTAMP: &str = "ETSI.RFC3161";

/// The `/Keywords` of the document information in the revision signature `number` (from
/// 1, as [`SignatureCheck::number`]) signs: read from the signed bytes alone, so a later
/// revision cannot change what this returns. `None` when that revision states none.
pub fn signed_keywords(pdf: &[u8], number: u32) -> Option<String> {
    let index = usize::try_from(number.checked_sub(1)?).ok()?;
    let signature = embedded::signatures(pdf).into_iter().nth(index)?;
    let signed = pdf.get(..signature.end())?;
    let trailer_at = syntax::rfind(signed, b"trailer")?;
    let trailer = syntax::Lexer::new(signed, trailer_at + b"trailer".len()).dictionary()?;
    let info = syntax::Reference::of(trailer.0.get(&b"Info"[..]))?;
    let (_, at) = syntax::objects(signed)
        .into_iter()
        .rev()
        .find(|(object, _)| *object == info.number)?;
    let dictionary = syntax::Lexer::new(signed, at).dictionary()?;
    dictionary.string(b"Keywords").map(syntax::text_string)
}

/// The last signature among `checked` (the checks of `pdf`) whose signed revision
/// states, in its `/Keywords`, something `read` understands; with what it states.
pub fn last_signed_statement<'a, T>(
    pdf: &[u8],
    checked: &'a DocumentSignatures,
    read: impl Fn(&str) -> Option<T>,
) -> Option<(&'a SignatureCheck, T)> {
    checked.signatures.iter().rev().find_map(|signature| {
        let keywords = signed_keywords(pdf, signature.number)?;
        Some((signature, read(&keywords)?))
    })
}

/// Checks every signature of a PDF against the committee's trust anchors; `now` is the
/// time a signature that states none is checked at.
pub fn verify_document(pdf: &[u8], anchors: &Anchors, now: DateTime<Utc>) -> DocumentSignatures {
    let signatures: Vec<SignatureCheck> = embedded::signatures(pdf)
        .into_iter()
        .zip(1..)
        .map(|(signature, number)| check(pdf, &signature, number, anchors, now))
        .collect();
    DocumentSignatures {
        verdict: signatures.iter().map(|check| check.verdict).max(),
        signatures,
    }
}

fn check(
    pdf: &[u8],
    signature: &embedded::Embedded,
    number: u32,
    anchors: &Anchors,
    now: DateTime<Utc>,
) -> SignatureCheck {
    let text = |bytes: &Option<Vec<u8>>| bytes.as_deref().map(syntax::text_string);
    let declared_in_dictionary = signature.declared_time.as_deref().and_then(pdf_date);
    let mut check = SignatureCheck {
        number,
        verdict: Verdict::Valid,
        problems: Vec::new(),
        signer: None,
        issuer: None,
        signed_at: declared_in_dictionary,
        time_source: if declared_in_dictionary.is_some() {
            TimeSource::Declared
        } else {
            TimeSource::Unknown
        },
        sub_filter: signature.sub_filter.clone(),
        algorithm: None,
        later_changes: LaterChanges::None,
        revocation: Revocation::NotChecked,
        declared_name: text(&signature.name),
        reason: text(&signature.reason),
        location: text(&signature.location),
    };
    if let Err(problem) = check_signed(pdf, signature, anchors, now, &mut check) {
        check.problems.push(problem);
    }
    check.verdict = check
        .problems
        .iter()
        .map(Problem::verdict)
        .max()
        .unwrap_or(Verdict::Valid);
    check
}

/// The checks in order; the first that fails ends them, its problem returned.
fn check_signed(
    pdf: &[u8],
    signature: &embedded::Embedded,
    anchors: &Anchors,
    now: DateTime<Utc>,
    check: &mut SignatureCheck,
) -> Result<(), Problem> {
    let blob = signature.contents.as_ref().map_err(|gap| match gap {
        embedded::GapProblem::RangeOutsideFile => Problem::RangeOutsideFile,
        embedded::GapProblem::NotOnlyTheSignature => Problem::GapNotOnlySignature,
    })?;
    let [_, first_len, second, second_len] = signature.byte_range;
    let parts = [&pdf[..first_len], &pdf[second..second + second_len]];
    check.later_changes = changes::later_changes(pdf, signature.end());
    match check.later_changes {
        LaterChanges::Content { .. } => check.problems.push(Problem::ContentChangedAfterSigning),
        LaterChanges::Undetermined { .. } => check.problems.push(Problem::ChangesUndetermined),
        LaterChanges::None | LaterChanges::AnnotationsOrForms { .. } => {}
    }
    if signature.sub_filter.as_deref() == Some(DOCUMENT_TIMESTAMP) {
        let (time, authority) = chain::timestamp(blob, &parts, anchors)?;
        check.signer = Some(authority.clone());
        check.signed_at = Some(time);
        check.time_source = TimeSource::Timestamp { authority };
        return Ok(());
    }
    let signed = cms::read(blob)?;
    let certificate = signed
        .signer_certificate()
        .ok_or(Problem::SignerCertificateMissing)?;
    check.signer = Some(chain::subject(&certificate));
    check.issuer = Some(chain::issuer(&certificate));
    check.algorithm = Some(signed.verify(&parts, &certificate)?);
    if check.signed_at.is_none()
        && let Some(time) = signed.declared_signing_time()
    {
        check.signed_at = utc(time.unix_duration());
        check.time_source = TimeSource::Declared;
    }
    if let Some(token) = signed.timestamp_token() {
        match chain::timestamp(&token, &[signed.signer.signature.as_bytes()], anchors) {
            Ok((time, authority)) => {
                check.signed_at = Some(time);
                check.time_source = TimeSource::Timestamp { authority };
            }
            Err(_) => check.problems.push(Problem::TimestampInvalid),
        }
    }
    let carried = signed.certificates();
    let at = check.signed_at.unwrap_or(now);
    chain::check_path(&certificate, &carried, anchors, at, chain::Purpose::Signing)?;
    check.revocation = revocation::status(&certificate, &carried, anchors, at);
    if let Revocation::Revoked { revoked_at } = check.revocation {
        let dated_before = matches!(check.time_source, TimeSource::Timestamp { .. })
            && check
                .signed_at
                .is_some_and(|signed_at| signed_at < revoked_at);
        if !dated_before {
            return Err(Problem::CertificateRevoked { revoked_at });
        }
    }
    Ok(())
}

/// An ASN.1 time, given as time since the Unix epoch, as a date.
fn utc(since_epoch: std::time::Duration) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(i64::try_from(since_epoch.as_secs()).ok()?, 0)
}

/// A PDF date (`D:YYYYMMDDHHmmSS+07'00'`, ISO 32000-1 7.9.4); missing parts default.
fn pdf_date(bytes: &[u8]) -> Option<DateTime<Utc>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix("D:").unwrap_or(text);
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let padded = format!("{digits:0<14}");
    let defaults = ["", "01", "01", "00", "00", "00"];
    let mut stamp = padded[..4].to_string();
    for (at, default) in (4..14).step_by(2).zip(&defaults[1..]) {
        let part = &padded[at..at + 2];
        stamp.push_str(if at >= digits.len() { default } else { part });
    }
    let local = NaiveDateTime::parse_from_str(&stamp, "%Y%m%d%H%M%S").ok()?;
    let zone = &text[digits.len()..];
    let offset = match zone.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let numbers: Vec<i32> = zone[1..]
                .split('\'')
                .filter(|part| !part.is_empty())
                .filter_map(|part| part.parse().ok())
                .collect();
            let seconds = numbers.first().copied().unwrap_or(0) * 3600
                + numbers.get(1).copied().unwrap_or(0) * 60;
            FixedOffset::east_opt(if sign == '-' { -seconds } else { seconds })?
        }
        _ => FixedOffset::east_opt(0)?,
    };
    Some(
        offset
            .from_local_datetime(&local)
            .single()?
            .with_timezone(&Utc),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_read_with_their_offset_or_as_utc() {
        let hanoi = pdf_date(b"D:20240102030405+07'00'").unwrap();
        assert_eq!(hanoi.to_rfc3339(), "2024-01-01T20:04:05+00:00");
        assert_eq!(
            pdf_date(b"D:20240102030405Z").unwrap().to_rfc3339(),
            "2024-01-02T03:04:05+00:00"
        );
        assert_eq!(
            pdf_date(b"D:2024").unwrap().to_rfc3339(),
            "2024-01-01T00:00:00+00:00"
        );
        assert_eq!(pdf_date(b"yesterday"), None);
    }

    #[test]
    fn the_worst_check_decides_a_signature() {
        assert_eq!(Problem::TimestampInvalid.verdict(), Verdict::Undetermined);
        assert!(Verdict::Invalid > Verdict::Undetermined && Verdict::Undetermined > Verdict::Valid);
    }
}
