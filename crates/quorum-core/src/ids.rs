use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

macro_rules! uuid_id {
    ($($(#[$doc:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id (UUIDv7), so ids made on a device sort by creation.
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )+};
}

uuid_id!(
    /// A committee: the body whose members meet and vote.
    CommitteeId,
    /// A person in a committee.
    MemberId,
    /// One meeting.
    MeetingId,
    /// One item of a meeting's agenda.
    AgendaItemId,
    /// A document; its versions share this id.
    DocumentId,
    /// One annotation, kept across edits and deletion.
    AnnotationId,
    /// A vote or a written-opinion request.
    PollId,
    /// A member's enrolled laptop.
    DeviceId,
    /// An operation in a device's outbox; the hub's idempotency key.
    OperationId,
);

/// A SHA-256 digest as 64 lowercase hex characters: the address of a document blob.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(try_from = "String", into = "String")]
#[ts(type = "string")]
pub struct Sha256Hex(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a SHA-256 digest (64 hex characters): {0:?}")]
pub struct Sha256ParseError(pub String);

impl Sha256Hex {
    pub fn from_digest(bytes: &[u8; 32]) -> Self {
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Hashes everything `reader` yields, in fixed-size chunks so a large document is
    /// never held in memory. Returns the digest and the number of bytes read.
    pub fn of_reader(reader: &mut impl std::io::Read) -> std::io::Result<(Self, u64)> {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = reader.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            size += n as u64;
        }
        Ok((Self::from_digest(&hasher.finalize().into()), size))
    }
}

impl TryFrom<String> for Sha256Hex {
    type Error = Sha256ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let lower = value.to_ascii_lowercase();
        if lower.len() == 64 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(lower))
        } else {
            Err(Sha256ParseError(value))
        }
    }
}

impl std::str::FromStr for Sha256Hex {
    type Err = Sha256ParseError;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::try_from(value.to_string())
    }
}

impl From<Sha256Hex> for String {
    fn from(value: Sha256Hex) -> Self {
        value.0
    }
}

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_accepts_hex_in_either_case_and_stores_lowercase() {
        let upper = "A".repeat(64);
        let parsed = Sha256Hex::try_from(upper).expect("64 hex characters are a digest");
        assert_eq!(
            parsed.as_str(),
            "a".repeat(64),
            "digests compare in one canonical case"
        );
    }

    #[test]
    fn sha256_rejects_wrong_length_and_non_hex() {
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(65)] {
            assert!(
                Sha256Hex::try_from(bad.to_string()).is_err(),
                "{bad:?} must not be taken for a blob address"
            );
        }
    }

    #[test]
    fn sha256_from_digest_renders_every_byte_as_two_digits() {
        let mut digest = [0u8; 32];
        digest[0] = 0x0f;
        let hex = Sha256Hex::from_digest(&digest);
        assert!(
            hex.as_str().starts_with("0f00"),
            "leading zeros must be kept: {hex}"
        );
        assert_eq!(hex.as_str().len(), 64, "a digest is always 64 characters");
    }

    #[test]
    fn of_reader_matches_the_known_digest_of_abc() {
        let (digest, size) = Sha256Hex::of_reader(&mut &b"abc"[..]).unwrap();
        assert_eq!(
            digest.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "SHA-256 of \"abc\" from FIPS 180-2"
        );
        assert_eq!(size, 3, "every byte is counted");
    }

    #[test]
    fn ids_serialize_as_plain_uuid_strings() {
        let id = MeetingId::new_v7();
        let json = serde_json::to_string(&id).expect("ids serialize");
        assert_eq!(
            json,
            format!("\"{id}\""),
            "ids travel as bare strings in JSON"
        );
    }

    #[test]
    fn v7_ids_made_later_sort_later() {
        let first = OperationId::new_v7();
        let second = OperationId::new_v7();
        assert!(first < second, "outbox ids must sort in creation order");
    }
}
