//! Just enough PDF syntax to read signature dictionaries and the objects of a later
//! revision, from the file's bytes: no object is resolved and nothing is decompressed,
//! so a hostile file costs one bounded scan.

use std::collections::BTreeMap;

/// PDF whitespace (ISO 32000-1, 7.2.2).
pub(crate) fn is_space(byte: u8) -> bool {
    matches!(byte, 0 | 9 | 10 | 12 | 13 | 32)
}

/// PDF delimiters (ISO 32000-1, 7.2.2).
fn is_delimiter(byte: u8) -> bool {
    matches!(
        byte,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(byte: u8) -> bool {
    !is_space(byte) && !is_delimiter(byte)
}

/// Every offset where `needle` starts in `haystack`.
pub(crate) fn find_all<'a>(
    haystack: &'a [u8],
    needle: &'a [u8],
) -> impl Iterator<Item = usize> + 'a {
    let first = needle[0];
    haystack
        .iter()
        .enumerate()
        .filter(move |&(at, &byte)| byte == first && haystack[at..].starts_with(needle))
        .map(|(at, _)| at)
}

/// The last offset where `needle` starts in `haystack`.
pub(crate) fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|window| window == needle)
}

/// One token of PDF syntax, as far as dictionaries need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    DictStart,
    DictEnd,
    ArrayStart,
    ArrayEnd,
    Name(Vec<u8>),
    /// A string's bytes, decoded from its literal or hexadecimal form.
    String(Vec<u8>),
    /// A number, `R`, `true`, `obj`, `stream`…
    Word(Vec<u8>),
}

/// Reads tokens from a position; stops (returns `None`) at the end or at bytes it does
/// not understand.
pub(crate) struct Lexer<'a> {
    bytes: &'a [u8],
    pub(crate) at: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(bytes: &'a [u8], at: usize) -> Self {
        Self { bytes, at }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(byte) = self.peek() {
            if is_space(byte) {
                self.at += 1;
            } else if byte == b'%' {
                while self.peek().is_some_and(|b| b != b'\n' && b != b'\r') {
                    self.at += 1;
                }
            } else {
                break;
            }
        }
    }

    pub(crate) fn next_token(&mut self) -> Option<Token> {
        self.skip_space();
        let byte = self.peek()?;
        let rest = &self.bytes[self.at..];
        if rest.starts_with(b"<<") {
            self.at += 2;
            return Some(Token::DictStart);
        }
        if rest.starts_with(b">>") {
            self.at += 2;
            return Some(Token::DictEnd);
        }
        match byte {
            b'[' => {
                self.at += 1;
                Some(Token::ArrayStart)
            }
            b']' => {
                self.at += 1;
                Some(Token::ArrayEnd)
            }
            b'/' => {
                self.at += 1;
                Some(Token::Name(self.regular_run().to_vec()))
            }
            b'(' => self.literal_string().map(Token::String),
            b'<' => self.hex_string().map(Token::String),
            _ if is_regular(byte) => Some(Token::Word(self.regular_run().to_vec())),
            _ => None,
        }
    }

    fn regular_run(&mut self) -> &'a [u8] {
        let start = self.at;
        while self.peek().is_some_and(is_regular) {
            self.at += 1;
        }
        &self.bytes[start..self.at]
    }

    fn literal_string(&mut self) -> Option<Vec<u8>> {
        self.at += 1;
        let (mut out, mut depth) = (Vec::new(), 1usize);
        loop {
            let byte = self.peek()?;
            self.at += 1;
            match byte {
                b'(' => {
                    depth += 1;
                    out.push(byte);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(out);
                    }
                    out.push(byte);
                }
                b'\\' => {
                    let escaped = self.peek()?;
                    self.at += 1;
                    match escaped {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' | b'\n' => {
                            if escaped == b'\r' && self.peek() == Some(b'\n') {
                                self.at += 1;
                            }
                        }
                        b'0'..=b'7' => {
                            let mut value = u32::from(escaped - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(digit @ b'0'..=b'7') => {
                                        value = value * 8 + u32::from(digit - b'0');
                                        self.at += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((value & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(byte),
            }
        }
    }

    fn hex_string(&mut self) -> Option<Vec<u8>> {
        let end = self.bytes[self.at..].iter().position(|&b| b == b'>')? + self.at;
        let decoded = decode_hex(&self.bytes[self.at + 1..end])?;
        self.at = end + 1;
        Some(decoded)
    }

    /// Reads one whole value (a dictionary or array with everything inside) as tokens.
    pub(crate) fn value(&mut self) -> Option<Vec<Token>> {
        let first = self.next_token()?;
        let mut depth = match first {
            Token::DictStart | Token::ArrayStart => 1usize,
            Token::DictEnd | Token::ArrayEnd => return None,
            _ => return Some(vec![first]),
        };
        let mut tokens = vec![first];
        while depth > 0 {
            let token = self.next_token()?;
            match token {
                Token::DictStart | Token::ArrayStart => depth += 1,
                Token::DictEnd | Token::ArrayEnd => depth -= 1,
                _ => {}
            }
            tokens.push(token);
        }
        Some(tokens)
    }

    /// Reads a dictionary's top-level entries; an indirect reference (`3 0 R`) is kept
    /// as its three words.
    pub(crate) fn dictionary(&mut self) -> Option<Dictionary> {
        if self.next_token()? != Token::DictStart {
            return None;
        }
        let mut entries = BTreeMap::new();
        loop {
            match self.next_token()? {
                Token::DictEnd => return Some(Dictionary(entries)),
                Token::Name(key) => {
                    let mut value = self.value()?;
                    if matches!(value.as_slice(), [Token::Word(_)]) {
                        let mark = self.at;
                        match (self.next_token(), self.next_token()) {
                            (Some(generation @ Token::Word(_)), Some(Token::Word(r)))
                                if r == b"R" =>
                            {
                                value.push(generation);
                                value.push(Token::Word(r));
                            }
                            _ => self.at = mark,
                        }
                    }
                    entries.insert(key, value);
                }
                _ => return None,
            }
        }
    }
}

/// A dictionary's top-level entries, each value as its tokens.
#[derive(Debug, PartialEq, Eq, Default)]
pub(crate) struct Dictionary(pub(crate) BTreeMap<Vec<u8>, Vec<Token>>);

impl Dictionary {
    pub(crate) fn name(&self, key: &[u8]) -> Option<&[u8]> {
        match self.0.get(key)?.as_slice() {
            [Token::Name(name)] => Some(name),
            _ => None,
        }
    }

    pub(crate) fn string(&self, key: &[u8]) -> Option<&[u8]> {
        match self.0.get(key)?.as_slice() {
            [Token::String(bytes)] => Some(bytes),
            _ => None,
        }
    }

    pub(crate) fn has(&self, key: &[u8]) -> bool {
        self.0.contains_key(key)
    }

    /// The same dictionary without some keys, to compare what else changed.
    pub(crate) fn without(&self, keys: &[&[u8]]) -> Self {
        let mut entries = self.0.clone();
        for key in keys {
            entries.remove(*key);
        }
        Self(entries)
    }
}

/// Hexadecimal digits (whitespace allowed, an odd last digit read as followed by 0).
pub(crate) fn decode_hex(digits: &[u8]) -> Option<Vec<u8>> {
    let nibbles: Vec<u8> = digits
        .iter()
        .filter(|&&b| !is_space(b))
        .map(|&b| (b as char).to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    Some(
        nibbles
            .chunks(2)
            .map(|pair| pair[0] << 4 | pair.get(1).copied().unwrap_or(0))
            .collect(),
    )
}

/// UTF-16 big-endian text (an odd last byte read as followed by 0).
pub(crate) fn utf16_be(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair.get(1).copied().unwrap_or(0)]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// A PDF text string as text: UTF-16BE or UTF-8 after their byte-order marks, else
/// PDFDocEncoding, read as Latin-1 (they agree on the letters a name or reason uses).
pub(crate) fn text_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return utf16_be(utf16);
    }
    if let Some(utf8) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(utf8).into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

/// An indirect object's header (`12 0 obj`) that ends just before `at`'s `obj`.
pub(crate) fn object_number_before(bytes: &[u8], obj_at: usize) -> Option<u64> {
    let mut at = obj_at;
    let mut words = Vec::new();
    for _ in 0..2 {
        while at > 0 && is_space(bytes[at - 1]) {
            at -= 1;
        }
        let end = at;
        while at > 0 && bytes[at - 1].is_ascii_digit() {
            at -= 1;
        }
        if at == end || end == obj_at {
            return None;
        }
        words.push(
            std::str::from_utf8(&bytes[at..end])
                .ok()?
                .parse::<u64>()
                .ok()?,
        );
    }
    if at > 0 && is_regular(bytes[at - 1]) {
        return None;
    }
    Some(words[1])
}

/// Every indirect object defined in plain text in `bytes`: its number and the offset
/// just after its `obj` keyword, in file order.
pub(crate) fn objects(bytes: &[u8]) -> Vec<(u64, usize)> {
    find_all(bytes, b"obj")
        .filter(|&at| {
            let after = bytes.get(at + 3).copied();
            after.is_none_or(|b| !is_regular(b)) && !bytes[..at].ends_with(b"end")
        })
        .filter_map(|at| Some((object_number_before(bytes, at)?, at + 3)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dictionary_keeps_references_nested_values_and_decoded_strings() {
        let text = b"<< /Type /Sig /M (D:2024\\(x\\)) /Name <FEFF0041> /P 3 0 R /Kids [1 0 R << /A 1 >>] /N 7 >>";
        let dict = Lexer::new(text, 0).dictionary().unwrap();
        assert_eq!(dict.name(b"Type"), Some(&b"Sig"[..]));
        assert_eq!(dict.string(b"M"), Some(&b"D:2024(x)"[..]));
        assert_eq!(text_string(dict.string(b"Name").unwrap()), "A");
        assert_eq!(dict.0[&b"P"[..]].len(), 3);
        assert_eq!(dict.0[&b"Kids"[..]].len(), 9);
    }

    #[test]
    fn object_headers_are_found_but_not_endobj() {
        let text = b"%PDF\n1 0 obj\n<<>>\nendobj\n12 3 obj<<>>endobj x obj";
        assert_eq!(objects(text), vec![(1, 12), (12, 33)]);
    }

    #[test]
    fn an_unterminated_dictionary_is_not_read() {
        assert_eq!(Lexer::new(b"<< /A (open", 0).dictionary(), None);
        assert_eq!(Lexer::new(b"<< /A [1 2", 0).dictionary(), None);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// An indirect reference, `N G R`.
pub(crate) struct Reference {
    pub(crate) number: u64,
    pub(crate) generation: u64,
}

impl Reference {
    /// The reference a value's tokens are, if they are one.
    pub(crate) fn of(tokens: Option<&Vec<Token>>) -> Option<Self> {
        let [Token::Word(number), Token::Word(generation), Token::Word(r)] = tokens?.as_slice()
        else {
            return None;
        };
        let parse = |word: &[u8]| std::str::from_utf8(word).ok()?.parse().ok();
        if r != b"R" {
            return None;
        }
        Some(Self {
            number: parse(number)?,
            generation: parse(generation)?,
        })
    }

    pub(crate) fn tokens(self) -> Vec<Token> {
        vec![
            Token::Word(self.number.to_string().into_bytes()),
            Token::Word(self.generation.to_string().into_bytes()),
            Token::Word(b"R".to_vec()),
        ]
    }
}
