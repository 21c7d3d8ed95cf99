//! A signing key kept in a PKCS#12 file (.p12, .pfx), for those who sign without a
//! token: opened with its password, which is used once and never kept.

use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
use quorum_signatures::{KeyAlgorithm, SigningError, SigningKey};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RsaKeyPair};

use crate::TokenError;

/// The key of a PKCS#12 file and the certificates it carries.
pub struct FileKey {
    key: Key,
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
}

enum Key {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
}

impl FileKey {
    /// Opens the file's bytes with `password`.
    pub fn open(p12: &[u8], password: &str) -> Result<Self, TokenError> {
        let store =
            KeyStore::from_pkcs12(p12, password, Pkcs12ImportPolicy::Relaxed).map_err(|error| {
                match error {
                    p12_keystore::error::Error::MacError(_) => TokenError::WrongPin,
                    other => TokenError::Unreadable(other.to_string()),
                }
            })?;
        let (_, chain) = store.private_key_chain().ok_or(TokenError::NoKey)?;
        let mut certificates = chain.certs().iter().map(|c| c.as_der().to_vec());
        let certificate = certificates.next().ok_or(TokenError::NoKey)?;
        let pkcs8 = chain.key().as_der();
        let key = if let Ok(rsa) = RsaKeyPair::from_pkcs8(pkcs8) {
            Key::Rsa(rsa)
        } else {
            let ecdsa = EcdsaKeyPair::from_pkcs8(
                &ECDSA_P256_SHA256_ASN1_SIGNING,
                pkcs8,
                &SystemRandom::new(),
            )
            .map_err(|_| TokenError::UnsupportedKey)?;
            Key::Ecdsa(ecdsa)
        };
        Ok(Self {
            key,
            certificate,
            chain: certificates.collect(),
        })
    }
}

impl SigningKey for FileKey {
    fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn algorithm(&self) -> KeyAlgorithm {
        match self.key {
            Key::Rsa(_) => KeyAlgorithm::RsaSha256,
            Key::Ecdsa(_) => KeyAlgorithm::EcdsaSha256,
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningError> {
        let random = SystemRandom::new();
        let refused = |_| SigningError::Key("the key in the file did not sign".into());
        match &self.key {
            Key::Rsa(rsa) => {
                let mut signature = vec![0; rsa.public().modulus_len()];
                rsa.sign(&RSA_PKCS1_SHA256, &random, message, &mut signature)
                    .map_err(refused)?;
                Ok(signature)
            }
            Key::Ecdsa(ecdsa) => Ok(ecdsa
                .sign(&random, message)
                .map_err(refused)?
                .as_ref()
                .to_vec()),
        }
    }
}
