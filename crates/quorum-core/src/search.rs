//! Search that forgives missing Vietnamese diacritics: "bieu quyet" finds "biểu quyết",
//! "D" matches "Đ". Folding maps each character to exactly one character, so a match
//! found in folded text sits at the same character positions in the original.

use std::ops::Range;

use serde::Serialize;
use ts_rs::TS;

use unicode_normalization::char::decompose_canonical;

/// The searchable form of one character: base letter without marks, lower case.
pub fn fold_char(c: char) -> char {
    // Most letters of Vietnamese text are plain ASCII: no table to look up.
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut base = c;
    decompose_canonical(c, |part| {
        // The first part of a canonical decomposition is the base letter.
        if base == c {
            base = part;
        }
    });
    let base = match base {
        'Đ' | 'đ' => 'd',
        other => other,
    };
    base.to_lowercase().next().unwrap_or(base)
}

/// The searchable form of a text, with as many characters as the text.
pub fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// A query as [`find_folded`] looks for it: folded, its words one space apart.
pub fn searchable_query(query: &str) -> String {
    fold(query).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A page's text in the form a search index holds: folded, every run of whitespace one
/// space. [`searchable_query`] of a query occurs in it exactly when [`find_folded`]
/// finds the query in the text, so an index over this form misses no page.
pub fn searchable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_space = false;
    for c in text.chars().map(fold_char) {
        let space = c.is_whitespace();
        if !space {
            out.push(c);
        } else if !after_space {
            out.push(' ');
        }
        after_space = space;
    }
    out
}

/// Character ranges (not bytes) where `query` occurs in `text`, both folded. A space in
/// the query matches any run of whitespace, so words split by a line break are found.
pub fn find_folded(text: &str, query: &str) -> Vec<Range<usize>> {
    let query: Vec<char> = searchable_query(query).chars().collect();
    if query.is_empty() {
        return Vec::new();
    }
    let text: Vec<char> = text.chars().map(fold_char).collect();
    let mut found = Vec::new();
    let mut start = 0;
    while start < text.len() {
        match match_at(&text, start, &query) {
            Some(end) => {
                found.push(start..end);
                start = end;
            }
            None => start += 1,
        }
    }
    found
}

/// Where a match of `query` starting at `start` ends, if there is one.
fn match_at(text: &[char], start: usize, query: &[char]) -> Option<usize> {
    let mut at = start;
    for &wanted in query {
        if wanted == ' ' {
            let run = text[at..].iter().take_while(|c| c.is_whitespace()).count();
            if run == 0 {
                return None;
            }
            at += run;
        } else if text.get(at) == Some(&wanted) {
            at += 1;
        } else {
            return None;
        }
    }
    Some(at)
}

/// A few words around a match, in three parts so the match itself can be shown apart
/// without searching for it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Snippet {
    pub before: String,
    pub matched: String,
    pub after: String,
}

impl Snippet {
    /// The snippet as one line of text.
    pub fn text(&self) -> String {
        format!("{}{}{}", self.before, self.matched, self.after)
    }
}

/// The match at character range `found` with `context` characters on each side;
/// whitespace runs become single spaces, and `…` marks text cut off at either end.
pub fn snippet(text: &str, found: Range<usize>, context: usize) -> Snippet {
    let chars: Vec<char> = text.chars().collect();
    let start = found.start.saturating_sub(context);
    let end = (found.end + context).min(chars.len());
    let tidy = |part: &[char]| {
        let mut out = String::new();
        for &c in part {
            if !c.is_whitespace() {
                out.push(c);
            } else if !out.ends_with(' ') {
                out.push(' ');
            }
        }
        out
    };
    let mut before = tidy(&chars[start..found.start]).trim_start().to_string();
    let mut after = tidy(&chars[found.end..end]).trim_end().to_string();
    if start > 0 {
        before.insert(0, '…');
    }
    if end < chars.len() {
        after.push('…');
    }
    Snippet {
        before,
        matched: tidy(&chars[found]),
        after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_letters_fold_to_their_base() {
        let table = [
            ('ế', 'e'),
            ('Ệ', 'e'),
            ('ư', 'u'),
            ('Ữ', 'u'),
            ('ơ', 'o'),
            ('ộ', 'o'),
            ('ă', 'a'),
            ('Ẵ', 'a'),
            ('â', 'a'),
            ('đ', 'd'),
            ('Đ', 'd'),
            ('ỳ', 'y'),
            ('A', 'a'),
            ('7', '7'),
        ];
        for (letter, base) in table {
            assert_eq!(fold_char(letter), base, "{letter} is searched as {base}");
        }
    }

    #[test]
    fn folding_keeps_the_number_of_characters() {
        let text = "Đề nghị các thành viên biểu quyết thông qua";
        assert_eq!(
            fold(text).chars().count(),
            text.chars().count(),
            "positions map back 1:1"
        );
        assert_eq!(fold(text), "de nghi cac thanh vien bieu quyet thong qua");
    }

    #[test]
    fn a_query_without_diacritics_finds_the_words_with_them() {
        let text = "Đề nghị biểu quyết. BIỂU QUYẾT lần hai; Dự toán";
        assert_eq!(
            find_folded(text, "bieu quyet"),
            vec![8..18, 20..30],
            "both spellings, as character ranges"
        );
        assert_eq!(
            find_folded(text, "du toan"),
            vec![40..47],
            "Đ/D and case do not matter"
        );
        assert_eq!(
            find_folded(text, "biểu quyết"),
            vec![8..18, 20..30],
            "a query with diacritics works too"
        );
        assert!(
            find_folded(text, "   ").is_empty(),
            "an empty query finds nothing"
        );
    }

    #[test]
    fn words_split_by_a_line_break_are_still_found() {
        let text = "biểu quyết thông qua\r\ncác chỉ tiêu";
        assert_eq!(
            find_folded(text, "thong qua  cac chi"),
            vec![11..29],
            "a space in the query spans the line break, however the query is spaced"
        );
    }

    #[test]
    fn a_snippet_shows_the_words_around_a_match() {
        let text = "Một  hai ba bốn năm sáu bảy tám chín mười";
        let at = find_folded(text, "nam")[0].clone();
        let around = snippet(text, at, 8);
        assert_eq!(
            around.text(),
            "…ba bốn năm sáu bảy…",
            "context on both sides, spaces tidied"
        );
        assert_eq!(around.matched, "năm", "the match stands apart, as written");
        assert_eq!(
            snippet(text, 0..3, 5).text(),
            "Một hai…",
            "no ellipsis before the start"
        );
        let across = snippet(
            "thông qua\r\ncác chỉ",
            find_folded("thông qua\r\ncác chỉ", "qua cac")[0].clone(),
            2,
        );
        assert_eq!(
            across.matched, "qua các",
            "a match across a line break reads as one line"
        );
    }

    #[test]
    fn the_indexed_form_holds_a_query_exactly_where_the_search_finds_it() {
        let text = "Đề nghị  biểu\tquyết\r\n\r\nthông qua  DỰ TOÁN\u{a0}2025 ";
        assert_eq!(
            searchable(text),
            "de nghi bieu quyet thong qua du toan 2025 ",
            "folded, whitespace runs of any kind one space"
        );
        for query in [
            "bieu quyet",
            "quyet   thong",
            "QUA du",
            "toan 2025",
            "nghi bieu quyet thong qua du toan",
            "e n",
            "quyet thong qua du toan 2026",
            "bieuquyet",
            "2025 x",
        ] {
            assert_eq!(
                searchable(text).contains(&searchable_query(query)),
                !find_folded(text, query).is_empty(),
                "{query:?}: the index and the search agree"
            );
        }
    }
}
