//! One CMS signer checked: the digest of what it signs, its signature by the signer's
//! certificate, and the attributes a PDF signature reads (signing time, timestamp).

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier as Oid, OctetString};
use der::{Decode, Encode, SliceReader};
use ring::digest;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use x509_cert::Certificate;

use crate::Problem;

const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
pub(crate) const TIMESTAMP_TOKEN: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");
const RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const RSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
const P384: Oid = Oid::new_unwrap("1.3.132.0.34");

/// A SignedData blob read far enough to check, with its one signer.
pub(crate) struct Signed {
    pub data: SignedData,
    pub signer: SignerInfo,
}

/// Reads a CMS SignedData; a PDF signature's blob is zero-padded after its end.
pub(crate) fn read(blob: &[u8]) -> Result<Signed, Problem> {
    let unreadable = |_| Problem::Unreadable;
    let mut reader = SliceReader::new(blob).map_err(unreadable)?;
    let info = ContentInfo::decode(&mut reader).map_err(unreadable)?;
    if info.content_type != SIGNED_DATA {
        return Err(Problem::Unreadable);
    }
    let data: SignedData = info.content.decode_as().map_err(unreadable)?;
    let signer = data
        .signer_infos
        .0
        .iter()
        .next()
        .cloned()
        .ok_or(Problem::Unreadable)?;
    Ok(Signed { data, signer })
}

impl Signed {
    /// Every certificate the blob carries.
    pub(crate) fn certificates(&self) -> Vec<Certificate> {
        self.data
            .certificates
            .iter()
            .flat_map(|set| set.0.iter())
            .filter_map(|choice| match choice {
                CertificateChoices::Certificate(certificate) => Some(certificate.clone()),
                CertificateChoices::Other(_) => None,
            })
            .collect()
    }

    /// The certificate the signer names.
    pub(crate) fn signer_certificate(&self) -> Option<Certificate> {
        self.certificates().into_iter().find(|certificate| {
            let tbs = &certificate.tbs_certificate;
            match &self.signer.sid {
                SignerIdentifier::IssuerAndSerialNumber(id) => {
                    tbs.issuer == id.issuer && tbs.serial_number == id.serial_number
                }
                SignerIdentifier::SubjectKeyIdentifier(id) => {
                    tbs.extensions.iter().flatten().any(|extension| {
                        extension.extn_id == Oid::new_unwrap("2.5.29.14")
                            && OctetString::from_der(extension.extn_value.as_bytes())
                                .is_ok_and(|value| value == id.0)
                    })
                }
            }
        })
    }

    /// The digest algorithm the signer used, as ring names it.
    fn digest_algorithm(&self) -> Result<&'static digest::Algorithm, Problem> {
        digest_of(&self.signer.digest_alg.oid)
    }

    /// Checks that `content` is what the signer signed and that `certificate`'s key made
    /// the signature; returns the algorithm's name for the reader.
    pub(crate) fn verify(
        &self,
        content: &[&[u8]],
        certificate: &Certificate,
    ) -> Result<String, Problem> {
        let algorithm = self.digest_algorithm()?;
        let mut context = digest::Context::new(algorithm);
        for part in content {
            context.update(part);
        }
        let content_digest = context.finish();
        let signed_bytes = match &self.signer.signed_attrs {
            Some(attributes) => {
                let declared = attribute(attributes.iter(), MESSAGE_DIGEST)
                    .and_then(|value| value.decode_as::<OctetString>().ok())
                    .ok_or(Problem::Unreadable)?;
                if declared.as_bytes() != content_digest.as_ref() {
                    return Err(Problem::DigestMismatch);
                }
                attributes.to_der().map_err(|_| Problem::Unreadable)?
            }
            None => content.concat(),
        };
        let key = &certificate.tbs_certificate.subject_public_key_info;
        let key_bits = key.subject_public_key.raw_bytes();
        let (verifier, name) = verifier(
            &self.signer.signature_algorithm.oid,
            &key.algorithm.oid,
            key.algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<Oid>().ok()),
            algorithm,
            key_bits,
        )?;
        UnparsedPublicKey::new(verifier, key_bits)
            .verify(&signed_bytes, self.signer.signature.as_bytes())
            .map_err(|_| Problem::SignatureMismatch)?;
        Ok(name)
    }

    /// The signing time the signer's computer put among the signed attributes.
    pub(crate) fn declared_signing_time(&self) -> Option<der::DateTime> {
        let value = attribute(
            self.signer.signed_attrs.iter().flat_map(|set| set.iter()),
            SIGNING_TIME,
        )?;
        let time = x509_cert::time::Time::from_der(&value.to_der().ok()?).ok()?;
        Some(time.to_date_time())
    }

    /// The timestamp token over the signature, when one was added.
    pub(crate) fn timestamp_token(&self) -> Option<Vec<u8>> {
        let value = attribute(
            self.signer.unsigned_attrs.iter().flat_map(|set| set.iter()),
            TIMESTAMP_TOKEN,
        )?;
        value.to_der().ok()
    }
}

fn attribute<'a>(
    mut attributes: impl Iterator<Item = &'a x509_cert::attr::Attribute>,
    oid: Oid,
) -> Option<&'a der::Any> {
    attributes
        .find(|attribute| attribute.oid == oid)
        .and_then(|attribute| attribute.values.iter().next())
}

pub(crate) fn digest_of(oid: &Oid) -> Result<&'static digest::Algorithm, Problem> {
    Ok(match oid.to_string().as_str() {
        "1.3.14.3.2.26" => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        "2.16.840.1.101.3.4.2.1" => &digest::SHA256,
        "2.16.840.1.101.3.4.2.2" => &digest::SHA384,
        "2.16.840.1.101.3.4.2.3" => &digest::SHA512,
        other => {
            return Err(Problem::UnsupportedAlgorithm {
                oid: other.to_string(),
            });
        }
    })
}

/// The signature check for a signer's algorithm and key, and its name for the reader.
fn verifier(
    signature_oid: &Oid,
    key_oid: &Oid,
    curve: Option<Oid>,
    digest: &'static digest::Algorithm,
    key_bits: &[u8],
) -> Result<(&'static dyn VerificationAlgorithm, String), Problem> {
    let unsupported = || Problem::UnsupportedAlgorithm {
        oid: signature_oid.to_string(),
    };
    let hash = if digest == &digest::SHA256 {
        256
    } else if digest == &digest::SHA384 {
        384
    } else if digest == &digest::SHA512 {
        512
    } else {
        1
    };
    let oid = signature_oid.to_string();
    // The signature algorithm may name the hash itself (sha256WithRSAEncryption) or
    // only the key's kind, leaving the hash to the digest algorithm.
    let hash = match oid.as_str() {
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" => 1,
        "1.2.840.113549.1.1.11" | "1.2.840.10045.4.3.2" => 256,
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => 384,
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => 512,
        _ => hash,
    };
    if *key_oid == RSA {
        let bits = rsa_modulus_bits(key_bits).unwrap_or(0);
        let pss = *signature_oid == RSA_PSS;
        let algorithm: &'static dyn VerificationAlgorithm = match (pss, hash) {
            (false, 1) => &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            (false, 256) => &signature::RSA_PKCS1_2048_8192_SHA256,
            (false, 384) => &signature::RSA_PKCS1_2048_8192_SHA384,
            (false, 512) => &signature::RSA_PKCS1_2048_8192_SHA512,
            (true, 256) => &signature::RSA_PSS_2048_8192_SHA256,
            (true, 384) => &signature::RSA_PSS_2048_8192_SHA384,
            (true, 512) => &signature::RSA_PSS_2048_8192_SHA512,
            _ => return Err(unsupported()),
        };
        let scheme = if pss { "RSA-PSS" } else { "RSA" };
        return Ok((algorithm, format!("{scheme} {bits} bit, SHA-{hash}")));
    }
    if *key_oid == EC_PUBLIC_KEY {
        let (algorithm, curve_name): (&'static dyn VerificationAlgorithm, _) = match (curve, hash) {
            (Some(c), 256) if c == P256 => (&signature::ECDSA_P256_SHA256_ASN1, "P-256"),
            (Some(c), 384) if c == P256 => (&signature::ECDSA_P256_SHA384_ASN1, "P-256"),
            (Some(c), 256) if c == P384 => (&signature::ECDSA_P384_SHA256_ASN1, "P-384"),
            (Some(c), 384) if c == P384 => (&signature::ECDSA_P384_SHA384_ASN1, "P-384"),
            _ => return Err(unsupported()),
        };
        return Ok((algorithm, format!("ECDSA {curve_name}, SHA-{hash}")));
    }
    Err(unsupported())
}

/// The size of an RSA key, from its `RSAPublicKey` encoding.
fn rsa_modulus_bits(key: &[u8]) -> Option<usize> {
    let mut reader = SliceReader::new(key).ok()?;
    der::Header::decode(&mut reader).ok()?;
    let modulus = der::asn1::UintRef::decode(&mut reader).ok()?;
    let bytes = modulus.as_bytes();
    Some(bytes.len() * 8 - bytes.first().map_or(0, |b| b.leading_zeros() as usize))
}
