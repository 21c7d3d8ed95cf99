//! The signatures a PDF carries, found from its bytes: each signature dictionary's byte
//! range, the CMS blob in the gap it leaves, and what the signer's software declared.

use crate::syntax::{Dictionary, Lexer, decode_hex, find_all, is_space, rfind};

/// How far back from `/ByteRange` the start of its object is looked for: a signature
/// dictionary holds a CMS blob of at most a few tens of kilobytes in hexadecimal.
const DICTIONARY_REACH: usize = 1 << 20;

/// One signature dictionary as the file holds it.
#[derive(Debug)]
pub(crate) struct Embedded {
    /// Offset and length of the two signed parts.
    pub byte_range: [usize; 4],
    /// The CMS blob, or why the gap between the signed parts does not hold one.
    pub contents: Result<Vec<u8>, GapProblem>,
    pub sub_filter: Option<String>,
    /// `/M`, the time the signer's computer declared.
    pub declared_time: Option<Vec<u8>>,
    pub name: Option<Vec<u8>>,
    pub reason: Option<Vec<u8>>,
    pub location: Option<Vec<u8>>,
}

impl Embedded {
    /// Where the signed revision ends.
    pub(crate) fn end(&self) -> usize {
        self.byte_range[2] + self.byte_range[3]
    }
}

/// Why the bytes a signature leaves out are not its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GapProblem {
    /// The range does not start at the file's first byte, overlaps or runs past the end.
    RangeOutsideFile,
    /// The gap holds something other than one hexadecimal string.
    NotOnlyTheSignature,
}

/// Every signature dictionary in the file, in the order of the revisions they sign.
pub(crate) fn signatures(pdf: &[u8]) -> Vec<Embedded> {
    let mut found: Vec<Embedded> = find_all(pdf, b"/ByteRange")
        .filter_map(|at| signature_at(pdf, at))
        .collect();
    found.sort_by_key(|signature| (signature.end(), signature.byte_range));
    // A dictionary written again in a later revision is still one signature.
    found.dedup_by_key(|signature| signature.byte_range);
    found
}

fn signature_at(pdf: &[u8], key_at: usize) -> Option<Embedded> {
    let mut lexer = Lexer::new(pdf, key_at + b"/ByteRange".len());
    let mut byte_range = [0usize; 4];
    let tokens = lexer.value()?;
    let numbers: Vec<usize> = tokens
        .get(1..tokens.len().checked_sub(1)?)?
        .iter()
        .map(|token| match token {
            crate::syntax::Token::Word(word) => std::str::from_utf8(word).ok()?.parse().ok(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let dictionary = enclosing_dictionary(pdf, key_at).unwrap_or_default();
    let contents = if numbers.len() == 4 {
        byte_range.copy_from_slice(&numbers);
        gap_contents(pdf, byte_range)
    } else {
        // Not two parts around one gap: the signature covers something else.
        Err(GapProblem::RangeOutsideFile)
    };
    let owned = |key: &[u8]| dictionary.string(key).map(<[u8]>::to_vec);
    Some(Embedded {
        byte_range,
        contents,
        sub_filter: dictionary
            .name(b"SubFilter")
            .map(|name| String::from_utf8_lossy(name).into_owned()),
        declared_time: owned(b"M"),
        name: owned(b"Name"),
        reason: owned(b"Reason"),
        location: owned(b"Location"),
    })
}

/// The dictionary `/ByteRange` at `key_at` belongs to: the innermost `<<` before it
/// whose dictionary reaches past it.
fn enclosing_dictionary(pdf: &[u8], key_at: usize) -> Option<Dictionary> {
    let floor = key_at.saturating_sub(DICTIONARY_REACH);
    let object_start = rfind(&pdf[floor..key_at], b"obj").map_or(floor, |at| floor + at + 3);
    let mut search_end = key_at;
    while let Some(open) = rfind(&pdf[object_start..search_end], b"<<") {
        let open = object_start + open;
        let mut lexer = Lexer::new(pdf, open);
        if let Some(dictionary) = lexer.dictionary()
            && lexer.at > key_at
            && dictionary.has(b"ByteRange")
        {
            return Some(dictionary);
        }
        search_end = open;
    }
    None
}

/// The CMS blob in the gap between a byte range's two parts: exactly one hexadecimal
/// string, `<` and `>` included, as ISO 32000-1 12.8.1 requires.
fn gap_contents(
    pdf: &[u8],
    [start, first, second, second_len]: [usize; 4],
) -> Result<Vec<u8>, GapProblem> {
    let end = second.checked_add(second_len);
    if start != 0 || first > second || end.is_none_or(|end| end > pdf.len()) {
        return Err(GapProblem::RangeOutsideFile);
    }
    let gap = &pdf[first..second];
    let inner = gap
        .strip_prefix(b"<")
        .and_then(|rest| rest.strip_suffix(b">"))
        .ok_or(GapProblem::NotOnlyTheSignature)?;
    if inner.iter().all(|&b| is_space(b)) {
        return Err(GapProblem::NotOnlyTheSignature);
    }
    decode_hex(inner).ok_or(GapProblem::NotOnlyTheSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file with one signature dictionary whose gap is `contents`, the range computed
    /// from where the gap lands.
    fn signed_file(contents: &str, sub_filter: &str) -> Vec<u8> {
        let head = "%PDF-1.7\n5 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /";
        let placeholder = "[0 0000000000 0000000000 0000000000]";
        let mut text = format!(
            "{head}{sub_filter} /M (D:20240102030405+07'00') /Name (Nguyen Van A) /ByteRange {placeholder} /Contents {contents} >>\nendobj\ntrailer\n%%EOF\n"
        );
        let gap_start = text.find("/Contents ").unwrap() + "/Contents ".len();
        let gap_end = gap_start + contents.len();
        let range = format!(
            "[0 {gap_start:010} {gap_end:010} {:010}]",
            text.len() - gap_end
        );
        text = text.replace(placeholder, &range);
        text.into_bytes()
    }

    #[test]
    fn a_signature_dictionary_gives_its_range_blob_and_declared_fields() {
        let pdf = signed_file("<3082ABCD0000>", "ETSI.CAdES.detached");
        let found = signatures(&pdf);
        assert_eq!(found.len(), 1);
        let signature = &found[0];
        assert_eq!(signature.contents, Ok(vec![0x30, 0x82, 0xab, 0xcd, 0, 0]));
        assert_eq!(signature.sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
        assert_eq!(signature.name.as_deref(), Some(&b"Nguyen Van A"[..]));
        assert_eq!(
            signature.declared_time.as_deref(),
            Some(&b"D:20240102030405+07'00'"[..])
        );
        assert_eq!(signature.end(), pdf.len());
    }

    #[test]
    fn a_gap_holding_more_than_the_signature_is_reported() {
        let mut pdf = signed_file("<3082ABCD0000>", "adbe.pkcs7.detached");
        let at = pdf.windows(5).position(|w| w == b"<3082").unwrap();
        pdf[at] = b'(';
        assert_eq!(
            signatures(&pdf)[0].contents,
            Err(GapProblem::NotOnlyTheSignature)
        );
    }

    #[test]
    fn a_range_past_the_end_is_reported_not_read() {
        let mut pdf = signed_file("<3082>", "adbe.pkcs7.detached");
        pdf.truncate(pdf.len() - 3);
        assert_eq!(
            signatures(&pdf)[0].contents,
            Err(GapProblem::RangeOutsideFile)
        );
    }

    #[test]
    fn a_byte_range_of_other_than_four_numbers_signs_something_else() {
        let found = signatures(b"<< /ByteRange [0 1 2] >>");
        assert_eq!(found[0].contents, Err(GapProblem::RangeOutsideFile));
        assert!(signatures(b"<< /ByteRange 7 0 R >>").is_empty());
        assert!(signatures(b"/ByteRange").is_empty());
    }
}
