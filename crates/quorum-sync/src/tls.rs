//! How a laptop knows it talks to its own hub: the hub's certificate is pinned by its
//! SHA-256 fingerprint, handed over with the one-time code at enrollment. No certificate
//! authority is trusted for the hub, so a stranger on the LAN with a certificate of their
//! own — however it was issued — is refused. Plain HTTP is spoken only to this machine.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

use crate::{Result, SyncError};

/// A certificate fingerprint as the hub prints it: 64 hex digits (colons and case are
/// forgiven, as a person may copy it either way).
pub fn parse_fingerprint(text: &str) -> Result<[u8; 32]> {
    let digits: String = text
        .trim()
        .trim_start_matches("sha256:")
        .chars()
        .filter(|c| *c != ':')
        .collect();
    hex::decode(digits.to_ascii_lowercase())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| SyncError::BadFingerprint(text.trim().to_string()))
}

/// The error a pinned connection fails with when the hub shows another certificate.
#[derive(Debug, thiserror::Error)]
#[error("the hub's certificate is not the one this laptop was enrolled with")]
pub struct CertificateMismatch;

#[derive(Debug)]
struct PinnedCertificate {
    /// `None`: nothing is pinned, so no certificate is accepted (plain HTTP only).
    fingerprint: Option<[u8; 32]>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        // The name and dates do not matter: the laptop was told this very certificate.
        let presented: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        if self.fingerprint == Some(presented) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::Other(rustls::OtherError(Arc::new(CertificateMismatch))),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// An HTTP client builder that trusts exactly the certificate with `fingerprint`
/// (`None`: none at all, for plain HTTP on loopback).
pub fn pinned_client(fingerprint: Option<[u8; 32]>) -> Result<reqwest::ClientBuilder> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(PinnedCertificate {
        fingerprint,
        algorithms: provider.signature_verification_algorithms,
    });
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::Protocol(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(reqwest::Client::builder().tls_backend_preconfigured(config))
}

/// A ready HTTP client trusting only the certificate whose fingerprint `fingerprint`
/// reads as, for tools and tests that talk to a hub directly.
pub fn pinned_http_client(fingerprint: &str) -> Result<reqwest::Client> {
    pinned_client(Some(parse_fingerprint(fingerprint)?))?
        .build()
        .map_err(|e| SyncError::Protocol(format!("TLS: {e}")))
}

/// Whether `hub_url` may be used with `fingerprint`: HTTPS needs one; plain HTTP is
/// allowed only to this machine, where nobody on the network can listen.
pub fn check_hub_url(hub_url: &str, fingerprint: Option<&[u8; 32]>) -> Result<()> {
    let url = reqwest::Url::parse(hub_url).map_err(|_| SyncError::BadHubUrl(hub_url.into()))?;
    match url.scheme() {
        "https" if fingerprint.is_some() => Ok(()),
        "https" => Err(SyncError::CertificateRequired),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err(SyncError::PlainHttpRefused(hub_url.into())),
        _ => Err(SyncError::BadHubUrl(hub_url.into())),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

/// Whether `error` (from a request) is the hub showing another certificate.
pub(crate) fn is_certificate_mismatch(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if names_mismatch(current) {
            return true;
        }
        // An I/O error's `source` skips the error it wraps: step into that one instead.
        source = match current.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as _),
            None => current.source(),
        };
    }
    false
}

fn names_mismatch(error: &(dyn std::error::Error + 'static)) -> bool {
    match error.downcast_ref::<rustls::Error>() {
        Some(rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other))) => {
            other.0.downcast_ref::<CertificateMismatch>().is_some()
        }
        _ => error.downcast_ref::<CertificateMismatch>().is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_reads_however_it_was_copied() {
        let plain = "ab".repeat(32);
        let colons = plain
            .as_bytes()
            .chunks(2)
            .map(|pair| std::str::from_utf8(pair).unwrap_or_default().to_uppercase())
            .collect::<Vec<_>>()
            .join(":");
        assert_eq!(
            parse_fingerprint(&plain).ok(),
            parse_fingerprint(&format!("sha256:{colons}")).ok(),
            "with colons, in capitals and with its prefix it is the same fingerprint"
        );
        assert!(parse_fingerprint("abcd").is_err(), "too short");
    }

    #[test]
    fn plain_http_is_only_for_this_machine_and_https_needs_a_pinned_certificate() {
        let pin = [7u8; 32];
        let cases = [
            ("https://192.0.2.10:7878", Some(&pin), true),
            ("https://192.0.2.10:7878", None, false),
            ("http://127.0.0.1:7878", None, true),
            ("http://localhost:7878", None, true),
            ("http://[::1]:7878", None, true),
            ("http://192.0.2.10:7878", None, false),
            ("http://192.0.2.10:7878", Some(&pin), false),
            ("ftp://127.0.0.1", None, false),
        ];
        for (url, pin, allowed) in cases {
            assert_eq!(
                check_hub_url(url, pin).is_ok(),
                allowed,
                "{url} pinned: {}",
                pin.is_some()
            );
        }
    }
}
