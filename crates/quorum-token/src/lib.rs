//! The USB token an official signs with (SafeNet, Bit4ID… through their PKCS#11 module):
//! the certificates it holds, listed without a PIN, and a key on it that signs a PDF once
//! the member typed the PIN. The PIN is used for the one login and never kept. A key in
//! a PKCS#12 file serves those without a token.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as Pkcs11Error, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use quorum_signatures::{CertificateSummary, KeyAlgorithm, SigningError, SigningKey, summarize};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use x509_cert::ext::pkix::BasicConstraints;

mod file;

pub use file::FileKey;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token's module {0} cannot be loaded: {1}")]
    Module(String, String),
    /// The token's PIN, or the key file's password.
    #[error("the PIN or password is wrong")]
    WrongPin,
    #[error("the token is locked after too many wrong PINs")]
    Locked,
    #[error("the certificate is no longer on a token here")]
    CertificateGone,
    #[error("the token holds no private key for this certificate")]
    NoKey,
    #[error("the key on the token is neither RSA nor ECDSA P-256")]
    UnsupportedKey,
    #[error("the token refused: {0}")]
    Token(String),
    #[error("the key file cannot be read: {0}")]
    Unreadable(String),
}

impl From<Pkcs11Error> for TokenError {
    fn from(error: Pkcs11Error) -> Self {
        match error {
            Pkcs11Error::Pkcs11(RvError::PinIncorrect, _) => Self::WrongPin,
            Pkcs11Error::Pkcs11(RvError::PinLocked, _) => Self::Locked,
            other => Self::Token(other.to_string()),
        }
    }
}

/// A certificate on a token, as the member picks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenCertificate {
    /// The PKCS#11 module the token is reached through.
    pub module: String,
    /// The token's label, as its maker printed it.
    pub token: String,
    pub token_serial: String,
    /// The PKCS#11 id the certificate shares with its key, in hexadecimal.
    pub id: String,
    pub summary: CertificateSummary,
}

/// A PKCS#11 module, loaded.
pub struct Module {
    path: PathBuf,
    pkcs11: Pkcs11,
}

impl Module {
    /// The module at `path`, loaded and initialized once for the whole process: PKCS#11
    /// keeps one state per process, which a second load would share and its unloading
    /// end.
    pub fn load(path: &Path) -> Result<Arc<Self>, TokenError> {
        static LOADED: Mutex<BTreeMap<PathBuf, Arc<Module>>> = Mutex::new(BTreeMap::new());
        let mut loaded = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(module) = loaded.get(path) {
            return Ok(module.clone());
        }
        let module_error =
            |error: Pkcs11Error| TokenError::Module(path.display().to_string(), error.to_string());
        let pkcs11 = Pkcs11::new(path).map_err(module_error)?;
        pkcs11
            .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(module_error)?;
        let module = Arc::new(Self {
            path: path.to_path_buf(),
            pkcs11,
        });
        loaded.insert(path.to_path_buf(), module.clone());
        Ok(module)
    }

    /// Every certificate on every token present, with the id its key would share.
    pub fn certificates(&self) -> Result<Vec<TokenCertificate>, TokenError> {
        let mut found = Vec::new();
        for slot in self.pkcs11.get_slots_with_token()? {
            let info = self.pkcs11.get_token_info(slot)?;
            // A blank token (a new card, SoftHSM's free slot) holds nothing yet.
            if !info.token_initialized() {
                continue;
            }
            let session = self.pkcs11.open_ro_session(slot)?;
            for OnToken { id, der } in certificates_on(&session)? {
                // A CA's certificate on the token signs nobody's documents.
                let (Ok(summary), false) = (summarize(&der), is_authority(&der)) else {
                    continue;
                };
                found.push(TokenCertificate {
                    module: self.path.display().to_string(),
                    token: info.label().trim().to_string(),
                    token_serial: info.serial_number().trim().to_string(),
                    id: hex::encode(id),
                    summary,
                });
            }
        }
        Ok(found)
    }

    /// The key of `certificate`, logged in with `pin`; the other certificates on its
    /// token are carried as the chain.
    pub fn key(&self, certificate: &TokenCertificate, pin: &str) -> Result<TokenKey, TokenError> {
        let slot = self.slot_of(certificate)?;
        let session = self.pkcs11.open_ro_session(slot)?;
        let on_token = certificates_on(&session)?;
        let signer = on_token
            .iter()
            .find(|on| quorum_signatures::fingerprint(&on.der) == certificate.summary.fingerprint)
            .ok_or(TokenError::CertificateGone)?;
        let chain = on_token
            .iter()
            .filter(|other| other.der != signer.der)
            .map(|other| other.der.clone())
            .collect();
        let pin = AuthPin::new(pin.into());
        match session.login(UserType::User, Some(&pin)) {
            // A token's login is shared by its sessions: the PIN typed now is checked
            // anyway, so a signer still open elsewhere never signs for a wrong one.
            Err(Pkcs11Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {
                session.logout()?;
                session.login(UserType::User, Some(&pin))?;
            }
            logged_in => logged_in?,
        }
        let key = *session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Id(signer.id.clone()),
            ])?
            .first()
            .ok_or(TokenError::NoKey)?;
        let algorithm = match session
            .get_attributes(key, &[AttributeType::KeyType])?
            .first()
        {
            Some(Attribute::KeyType(kind)) if *kind == KeyType::RSA => KeyAlgorithm::RsaSha256,
            Some(Attribute::KeyType(kind)) if *kind == KeyType::EC => KeyAlgorithm::EcdsaSha256,
            _ => return Err(TokenError::UnsupportedKey),
        };
        Ok(TokenKey {
            session,
            key,
            certificate: signer.der.clone(),
            chain,
            algorithm,
        })
    }

    fn slot_of(&self, certificate: &TokenCertificate) -> Result<Slot, TokenError> {
        for slot in self.pkcs11.get_slots_with_token()? {
            let info = self.pkcs11.get_token_info(slot)?;
            if info.token_initialized() && info.serial_number().trim() == certificate.token_serial {
                return Ok(slot);
            }
        }
        Err(TokenError::CertificateGone)
    }
}

/// Whether the certificate is a CA's (basic constraints say so).
fn is_authority(der: &[u8]) -> bool {
    use x509_cert::der::Decode;
    let Ok(certificate) = x509_cert::Certificate::from_der(der) else {
        return false;
    };
    certificate
        .tbs_certificate
        .get::<BasicConstraints>()
        .ok()
        .flatten()
        .is_some_and(|(_, constraints)| constraints.ca)
}

/// A certificate on a token: the id it shares with its key, and its DER.
struct OnToken {
    id: Vec<u8>,
    der: Vec<u8>,
}

/// Each certificate on the token of `session`.
fn certificates_on(session: &Session) -> Result<Vec<OnToken>, TokenError> {
    let mut found = Vec::new();
    for object in session.find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])? {
        let attributes =
            session.get_attributes(object, &[AttributeType::Id, AttributeType::Value])?;
        let (mut id, mut der) = (Vec::new(), Vec::new());
        for attribute in attributes {
            match attribute {
                Attribute::Id(value) => id = value,
                Attribute::Value(value) => der = value,
                _ => {}
            }
        }
        if !der.is_empty() {
            found.push(OnToken { id, der });
        }
    }
    Ok(found)
}

/// A key on a token, logged in: it signs until dropped (the session then closes).
pub struct TokenKey {
    session: Session,
    key: ObjectHandle,
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    algorithm: KeyAlgorithm,
}

impl SigningKey for TokenKey {
    fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningError> {
        let refused = |error: Pkcs11Error| SigningError::Key(error.to_string());
        match self.algorithm {
            KeyAlgorithm::RsaSha256 => self
                .session
                .sign(&Mechanism::Sha256RsaPkcs, self.key, message)
                .map_err(refused),
            KeyAlgorithm::EcdsaSha256 => {
                // Tokens take the hash, and give r and s side by side; CMS wants DER.
                let hash = ring::digest::digest(&ring::digest::SHA256, message);
                let raw = self
                    .session
                    .sign(&Mechanism::Ecdsa, self.key, hash.as_ref())
                    .map_err(refused)?;
                Ok(ecdsa_der(&raw))
            }
        }
    }
}

/// `r || s` as the DER `SEQUENCE { INTEGER r, INTEGER s }`.
fn ecdsa_der(raw: &[u8]) -> Vec<u8> {
    let (r, s) = raw.split_at(raw.len() / 2);
    let integer = |half: &[u8]| {
        let trimmed: Vec<u8> = half.iter().copied().skip_while(|&b| b == 0).collect();
        let mut value = if trimmed.first().is_none_or(|&b| b & 0x80 != 0) {
            vec![0]
        } else {
            Vec::new()
        };
        value.extend(trimmed);
        let mut encoded = vec![0x02, value.len() as u8];
        encoded.extend(value);
        encoded
    };
    let body = [integer(r), integer(s)].concat();
    let mut der = vec![0x30, body.len() as u8];
    der.extend(body);
    der
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ecdsa_signature_is_encoded_as_two_positive_integers() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r's top bit set: a zero byte keeps it positive
        raw[63] = 0x01; // s is 1: its leading zeros go
        let der = ecdsa_der(&raw);
        assert_eq!(&der[..4], &[0x30, 38, 0x02, 33]);
        assert_eq!(der[4], 0);
        assert_eq!(&der[der.len() - 3..], &[0x02, 1, 0x01]);
    }
}
