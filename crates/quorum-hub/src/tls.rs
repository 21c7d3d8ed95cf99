//! The hub's TLS identity: a certificate and key kept in the data folder (made on first
//! start, or given by the operator), and the SHA-256 fingerprint laptops pin at
//! enrollment. Laptops never trust a certificate authority for the hub: they compare the
//! fingerprint, so a self-made certificate is as good as a bought one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

use quorum_sqlite::private as private_files;

use crate::HubError;

/// A certificate chain (leaf first) and its key, with the leaf's fingerprint.
pub struct HubCertificate {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    fingerprint: String,
}

fn certificate_path(data_dir: &Path) -> PathBuf {
    data_dir.join("tls").join("hub.crt")
}

fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("tls").join("hub.key")
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> HubError + '_ {
    move |source| HubError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn invalid(path: &Path, what: impl std::fmt::Display) -> HubError {
    HubError::Tls(format!("{}: {what}", path.display()))
}

/// The lowercase hex SHA-256 of a certificate's DER bytes: what a laptop pins.
pub fn fingerprint_of(certificate: &CertificateDer<'_>) -> String {
    hex::encode(Sha256::digest(certificate.as_ref()))
}

impl HubCertificate {
    /// The certificate the operator gave (`cert` and `key` PEM files), or else the one in
    /// the data folder, made there on first use.
    pub fn load_or_create(
        data_dir: &Path,
        given: Option<(&Path, &Path)>,
    ) -> Result<Self, HubError> {
        match given {
            Some((cert, key)) => Self::load(cert, key),
            None => {
                let (cert, key) = (certificate_path(data_dir), key_path(data_dir));
                if !cert.exists() {
                    Self::create(&cert, &key)?;
                }
                Self::load(&cert, &key)
            }
        }
    }

    fn create(cert: &Path, key: &Path) -> Result<(), HubError> {
        let names = vec!["localhost".to_string(), "quorum-hub".to_string()];
        let made = rcgen::generate_simple_self_signed(names)
            .map_err(|e| HubError::Tls(format!("cannot make a certificate: {e}")))?;
        if let Some(dir) = cert.parent() {
            private_files::create_dir(dir).map_err(io_error(dir))?;
        }
        // The key first: a certificate without its key would be taken as complete.
        private_files::write(key, made.signing_key.serialize_pem().as_bytes())
            .map_err(io_error(key))?;
        private_files::write(cert, made.cert.pem().as_bytes()).map_err(io_error(cert))?;
        tracing::info!(path = %cert.display(), "made the hub's TLS certificate");
        Ok(())
    }

    fn load(cert: &Path, key: &Path) -> Result<Self, HubError> {
        let chain = CertificateDer::pem_file_iter(cert)
            .map_err(|e| invalid(cert, e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(cert, e))?;
        let leaf = chain
            .first()
            .ok_or_else(|| invalid(cert, "holds no certificate"))?;
        let fingerprint = fingerprint_of(leaf);
        let key = PrivateKeyDer::from_pem_file(key).map_err(|e| invalid(key, e))?;
        Ok(Self {
            chain,
            key,
            fingerprint,
        })
    }

    /// The leaf certificate's SHA-256, lowercase hex.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// A server configuration speaking HTTP/1.1 over TLS 1.2 or 1.3.
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, HubError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|builder| {
                builder
                    .with_no_client_auth()
                    .with_single_cert(self.chain.clone(), self.key.clone_key())
            })
            .map_err(|e| HubError::Tls(format!("the certificate and key do not fit: {e}")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_certificate_is_kept_and_its_fingerprint_stays_the_same() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let first = HubCertificate::load_or_create(dir.path(), None).expect("made");
        let again = HubCertificate::load_or_create(dir.path(), None).expect("read back");
        assert_eq!(
            first.fingerprint(),
            again.fingerprint(),
            "a restarted hub must show the certificate its laptops pinned"
        );
        assert_eq!(first.fingerprint().len(), 64, "SHA-256 as hex");
        first.server_config().expect("the key fits the certificate");
    }
}
