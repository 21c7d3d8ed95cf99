//! One-time enrollment codes and bearer tokens. The hub stores only their SHA-256, so
//! a copy of its database enrolls nothing and impersonates nobody.

use sha2::{Digest, Sha256};

use crate::HubError;

/// No 0/O or 1/I, so a code read aloud or copied from paper is not mistyped.
const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LENGTH: usize = 12;
const CODE_GROUP: usize = 4;

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn random_bytes<const N: usize>() -> Result<[u8; N], HubError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| HubError::Randomness(e.to_string()))?;
    Ok(bytes)
}

/// A fresh code shown grouped for reading, e.g. `ABCD-EFGH-JKLM`.
pub fn new_enrollment_code() -> Result<String, HubError> {
    let bytes = random_bytes::<CODE_LENGTH>()?;
    let mut code = String::with_capacity(CODE_LENGTH + CODE_LENGTH / CODE_GROUP);
    for (index, byte) in bytes.iter().enumerate() {
        if index > 0 && index % CODE_GROUP == 0 {
            code.push('-');
        }
        // 32 symbols divide 256 evenly, so every symbol is equally likely.
        code.push(char::from(
            CODE_ALPHABET[usize::from(*byte) % CODE_ALPHABET.len()],
        ));
    }
    Ok(code)
}

/// The key a code is stored under: case, dashes and spaces do not matter to a person
/// typing it, so they do not matter here either.
pub fn enrollment_code_hash(code: &str) -> String {
    let canonical: String = code
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    sha256_hex(canonical.as_bytes())
}

/// A fresh bearer token (32 random bytes as hex) and the hash the hub keeps of it.
pub fn new_token() -> Result<(String, String), HubError> {
    let token = hex::encode(random_bytes::<32>()?);
    let hash = sha256_hex(token.as_bytes());
    Ok((token, hash))
}

pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_three_groups_of_four_unambiguous_symbols() {
        let code = new_enrollment_code().expect("the OS has randomness");
        let groups: Vec<&str> = code.split('-').collect();
        assert_eq!(groups.len(), 3, "{code} is read out in three groups");
        for group in groups {
            assert_eq!(group.len(), 4, "{code}: every group has four symbols");
            assert!(
                group.bytes().all(|b| CODE_ALPHABET.contains(&b)),
                "{code} must avoid 0, O, 1 and I"
            );
        }
    }

    #[test]
    fn codes_match_whatever_the_case_and_dashes() {
        assert_eq!(
            enrollment_code_hash("ABCD-EFGH-JKLM"),
            enrollment_code_hash("abcdefgh jklm"),
            "a member may type the code in lower case without dashes"
        );
        assert_ne!(
            enrollment_code_hash("ABCD-EFGH-JKLM"),
            enrollment_code_hash("ABCD-EFGH-JKLN"),
            "different codes must not collide"
        );
    }
}
