//! What a member pastes to join: the one-time code, with the hub's certificate
//! fingerprint after it as `quorum-hub admin new-code` prints them (`CODE<TAB>SHA256`).

/// The code, and the fingerprint when one follows it. Anything after a first word that
/// is not a fingerprint stays part of the code, for the hub to judge.
pub fn split_join_code(pasted: &str) -> (&str, Option<&str>) {
    let pasted = pasted.trim();
    if let Some((code, rest)) = pasted.rsplit_once(char::is_whitespace) {
        let rest = rest.trim();
        let hex = rest.chars().filter(|c| *c != ':').collect::<String>();
        if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return (code.trim(), Some(rest));
        }
    }
    (pasted, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_pasted_with_its_fingerprint_is_split_and_a_code_alone_is_kept_whole() {
        let fingerprint = "ab".repeat(32);
        let line = format!("ABCD-EFGH-JKLM\t{fingerprint}\n");
        assert_eq!(
            split_join_code(&line),
            ("ABCD-EFGH-JKLM", Some(fingerprint.as_str()))
        );
        assert_eq!(
            split_join_code("  ABCD-EFGH-JKLM "),
            ("ABCD-EFGH-JKLM", None)
        );
        assert_eq!(
            split_join_code("ABCD EFGH JKLM"),
            ("ABCD EFGH JKLM", None),
            "a code read aloud with spaces is one code"
        );
        let short = "ab".repeat(31);
        assert_eq!(
            split_join_code(&format!("ABCD-EFGH-JKLM {short}")).1,
            None,
            "62 hex digits are not a fingerprint"
        );
    }
}
