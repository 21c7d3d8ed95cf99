//! Moving an annotation to a document's new version. Text markup goes to the same
//! words; pen strokes, notes and boxes go with the text nearest to them on the old page.
//! Where that text is no longer in the new version, the annotation has no place there.

use std::collections::HashSet;
use std::ops::Range;

use crate::annotation::{AnnotationShape, PagePoint, PageRect, line_boxes};
use crate::search::find_folded;

/// A page's characters with their boxes, in reading order.
pub type PageChars = Vec<(char, PageRect)>;

/// Characters taken on each side of the one nearest a pen stroke, note or box: enough
/// for the phrase to be found once, not so many that a small edit loses it.
const CONTEXT_CHARS: usize = 24;

/// Where an annotation on page `old_page` of the old version goes in the new one: its
/// page and shape there, or `None` when its text is gone. `old_chars` is the old page's
/// text: with it, the words around the annotation pick the right place when the same
/// words occur more than once; without it only text markup (which carries its words)
/// can be placed.
pub fn reanchor(
    shape: &AnnotationShape,
    old_page: u32,
    old_chars: Option<&[(char, PageRect)]>,
    new_pages: &[PageChars],
) -> Option<(u32, AnnotationShape)> {
    let old_lines = old_chars.map_or_else(HashSet::new, |old| {
        lines(&old.iter().map(|(c, _)| *c).collect::<String>())
    });
    let context = old_chars.and_then(|old| Context::around(old, shape));
    let found = context.as_ref().and_then(|context| {
        let (page, range) = nearest_occurrence(
            &context.phrase,
            old_page,
            new_pages,
            Some(context.first),
            &old_lines,
        )?;
        Some((page, range, context))
    });
    let Some(text) = shape.marked_text() else {
        // A stroke, note or box moves as far as the words beside it moved.
        let (page, range, context) = found?;
        let was = context.first.1;
        let now = new_pages[page as usize][range.start].1;
        let mut moved = shape.clone();
        moved
            .translate(now.left - was.left, now.bottom - was.bottom)
            .ok()?;
        return Some((page, moved));
    };
    let (page, chars) = match found {
        // The marked words inside their context, nearest where the context puts them.
        Some((page, range, context)) => {
            let page_text: String = new_pages[page as usize].iter().map(|(c, _)| *c).collect();
            let expected = range.start + context.offset;
            let chars = find_folded(&page_text, text)
                .into_iter()
                .min_by_key(|found| found.start.abs_diff(expected))?;
            (page, chars)
        }
        None => nearest_occurrence(text, old_page, new_pages, None, &old_lines)?,
    };
    let rects = line_boxes(&new_pages[page as usize][chars]);
    let moved = match shape {
        AnnotationShape::Highlight { .. } => AnnotationShape::Highlight {
            rects,
            text: text.to_string(),
        },
        AnnotationShape::Underline { .. } => AnnotationShape::Underline {
            rects,
            text: text.to_string(),
        },
        _ => AnnotationShape::StrikeOut {
            rects,
            text: text.to_string(),
        },
    };
    Some((page, moved))
}

/// The words around an annotation on the old page.
struct Context {
    /// Whitespace runs as single spaces, as a search query.
    phrase: String,
    /// The phrase's first character, with its box on the old page.
    first: (char, PageRect),
    /// How many characters into the phrase the annotation's own words start.
    offset: usize,
}

impl Context {
    fn around(chars: &[(char, PageRect)], shape: &AnnotationShape) -> Option<Self> {
        let (start, end) = match shape.marked_text() {
            Some(text) => {
                let near = first_box(shape)?;
                let page_text: String = chars.iter().map(|(c, _)| *c).collect();
                let found = find_folded(&page_text, text).into_iter().min_by(|a, b| {
                    distance(&chars[a.start].1, near).total_cmp(&distance(&chars[b.start].1, near))
                })?;
                (found.start, found.end)
            }
            None => {
                let at = corner(shape)?;
                let nearest = chars
                    .iter()
                    .enumerate()
                    .filter(|(_, (c, _))| !c.is_whitespace())
                    .min_by(|(_, (_, a)), (_, (_, b))| distance(a, at).total_cmp(&distance(b, at)))?
                    .0;
                (nearest, nearest + 1)
            }
        };
        let window = start.saturating_sub(CONTEXT_CHARS)..(end + CONTEXT_CHARS).min(chars.len());
        let skipped = chars[window.clone()]
            .iter()
            .take_while(|(c, _)| c.is_whitespace())
            .count();
        let first = chars[window.start + skipped];
        let before: String = chars[window.start + skipped..start]
            .iter()
            .map(|(c, _)| *c)
            .collect();
        let text: String = chars[window].iter().map(|(c, _)| *c).collect();
        Some(Self {
            phrase: text.split_whitespace().collect::<Vec<_>>().join(" "),
            first,
            offset: before.chars().count(),
        })
    }
}

/// How far a point is from a box, squared; zero inside it.
fn distance(r: &PageRect, at: PagePoint) -> f32 {
    let x = at.x.clamp(r.left, r.right) - at.x;
    let y = at.y.clamp(r.bottom, r.top) - at.y;
    x * x + y * y
}

/// The bottom-left of text markup's first box.
fn first_box(shape: &AnnotationShape) -> Option<PagePoint> {
    match shape {
        AnnotationShape::Highlight { rects, .. }
        | AnnotationShape::Underline { rects, .. }
        | AnnotationShape::StrikeOut { rects, .. } => rects.first().map(|r| PagePoint {
            x: r.left,
            y: r.bottom,
        }),
        _ => None,
    }
}

/// A point of a pen stroke, note or box to find the nearest text from.
fn corner(shape: &AnnotationShape) -> Option<PagePoint> {
    match shape {
        AnnotationShape::Note { at, .. } => Some(*at),
        AnnotationShape::Rectangle { rect } => Some(PagePoint {
            x: rect.left,
            y: rect.top,
        }),
        AnnotationShape::Ink { strokes } => strokes.first()?.points.first().copied(),
        _ => None,
    }
}

/// The occurrence of `text` in the new version closest to where it was: on the page
/// most like the old one (most of its lines found there, when `old_lines` are known),
/// then fewest pages away, then (given the old first character's box) nearest on the
/// page. Documents often repeat a paragraph on several pages; their other lines differ.
fn nearest_occurrence(
    text: &str,
    old_page: u32,
    new_pages: &[PageChars],
    was: Option<(char, PageRect)>,
    old_lines: &HashSet<String>,
) -> Option<(u32, Range<usize>)> {
    /// Lines of the old page missing here, pages away, distance on the page.
    type Cost = (usize, u32, f32);
    let mut best: Option<(Cost, u32, Range<usize>)> = None;
    for (page, chars) in new_pages.iter().enumerate() {
        let page = u32::try_from(page).ok()?;
        let page_text: String = chars.iter().map(|(c, _)| *c).collect();
        let found_here = find_folded(&page_text, text);
        if found_here.is_empty() {
            continue;
        }
        let unlike = old_lines.len() - lines(&page_text).intersection(old_lines).count();
        for found in found_here {
            let on_page = was.map_or(0.0, |(_, old)| {
                let new = chars[found.start].1;
                (new.left - old.left).abs() + (new.bottom - old.bottom).abs()
            });
            let cost = (unlike, page.abs_diff(old_page), on_page);
            let better = best.as_ref().is_none_or(|(lowest, ..)| {
                (cost.0, cost.1)
                    .cmp(&(lowest.0, lowest.1))
                    .then(cost.2.total_cmp(&lowest.2))
                    .is_lt()
            });
            if better {
                best = Some((cost, page, found));
            }
        }
    }
    best.map(|(_, page, found)| (page, found))
}

/// A page's lines of text, trimmed, without the empty ones.
fn lines(page_text: &str) -> HashSet<String> {
    page_text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::snap_to_words;
    use crate::annotation::tests::ink;

    /// A drag across the title line's words in the pages of `versions`.
    const TITLE_DRAG: PageRect = PageRect {
        left: 80.0,
        bottom: 689.0,
        right: 200.0,
        top: 690.0,
    };

    /// Lines of text from the top of a page down, each char 6 pt wide and 10 pt high.
    fn page(lines: &[&str], top: f32) -> PageChars {
        let mut chars = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            let bottom = top - 14.0 * n as f32;
            for (i, c) in line.chars().enumerate() {
                let left = 72.0 + 6.0 * i as f32;
                chars.push((
                    c,
                    PageRect {
                        left,
                        bottom,
                        right: left + 6.0,
                        top: bottom + 10.0,
                    },
                ));
            }
            chars.push((
                '\n',
                PageRect {
                    left: 72.0,
                    bottom,
                    right: 72.0,
                    top: bottom + 10.0,
                },
            ));
        }
        chars
    }

    const REPORT: [&str; 3] = [
        "Tong thu ngan sach nha nuoc dat 104,2% du toan.",
        "Cong tac cai cach thu tuc hanh chinh duoc day manh.",
        "Doi song vat chat cua Nhan dan duoc cai thien.",
    ];

    /// The old version: the report on page 0. The new one: a cover page inserted before
    /// it, and the report's text set 50 pt lower.
    fn versions() -> (PageChars, Vec<PageChars>) {
        let old = page(&REPORT, 700.0);
        let new = vec![
            page(&["Trang bia", "Ban du thao lan 2"], 700.0),
            page(&REPORT, 650.0),
        ];
        (old, new)
    }

    #[test]
    fn a_highlight_lands_on_the_same_words_after_a_page_is_inserted_before_them() {
        let (old, new) = versions();
        let (rects, text) = snap_to_words(&old, TITLE_DRAG).unwrap();
        let highlight = AnnotationShape::Highlight {
            rects: rects.clone(),
            text: text.clone(),
        };
        let (page, moved) = reanchor(&highlight, 0, None, &new).unwrap();
        assert_eq!(page, 1, "the report is now the second page");
        let AnnotationShape::Highlight {
            rects: moved_rects,
            text: moved_text,
        } = moved
        else {
            panic!("still a highlight");
        };
        assert_eq!(moved_text, text, "the same words");
        assert_eq!(moved_rects.len(), rects.len());
        for (was, now) in rects.iter().zip(&moved_rects) {
            assert_eq!(
                (now.left, now.right, now.bottom),
                (was.left, was.right, was.bottom - 50.0),
                "the box follows the words 50 pt down"
            );
        }
    }

    #[test]
    fn a_pen_stroke_a_note_and_a_box_move_with_the_text_beside_them() {
        let (old, new) = versions();
        let stroke = ink(&[(90.0, 670.0), (200.0, 668.0)]);
        let (page, moved) = reanchor(&stroke, 0, Some(&old), &new).unwrap();
        let AnnotationShape::Ink { strokes } = moved else {
            panic!("still a stroke");
        };
        assert_eq!(
            (page, strokes[0].points[0], strokes[0].points[1]),
            (
                1,
                PagePoint { x: 90.0, y: 620.0 },
                PagePoint { x: 200.0, y: 618.0 }
            ),
            "the stroke moved with its line, to the new page"
        );
        let note = AnnotationShape::Note {
            at: PagePoint { x: 300.0, y: 700.0 },
            text: "Xem lai".into(),
        };
        assert_eq!(
            reanchor(&note, 0, Some(&old), &new),
            Some((
                1,
                AnnotationShape::Note {
                    at: PagePoint { x: 300.0, y: 650.0 },
                    text: "Xem lai".into(),
                }
            )),
            "the note moved with the line beside it, its words unchanged"
        );
        // A box around the second line.
        let boxed = |bottom: f32| AnnotationShape::Rectangle {
            rect: PageRect {
                left: 70.0,
                bottom,
                right: 380.0,
                top: bottom + 14.0,
            },
        };
        assert_eq!(
            reanchor(&boxed(684.0), 0, Some(&old), &new),
            Some((1, boxed(634.0))),
            "the box moved with the line it frames"
        );
        assert_eq!(
            reanchor(&note, 0, None, &new),
            None,
            "without the old page's text there is nothing to follow"
        );
    }

    #[test]
    fn words_that_occur_twice_are_told_apart_by_the_words_around_them() {
        // The report under its title; the new cover page repeats its sentences word for
        // word, in the same places, under a title of its own.
        let titled = |title| {
            let mut lines = vec![title];
            lines.extend(REPORT);
            page(&lines, 714.0)
        };
        let old = titled("Bao cao kinh te");
        let new = vec![titled("Trang bia"), titled("Bao cao kinh te")];
        let (rects, text) = snap_to_words(&old, TITLE_DRAG).unwrap();
        let highlight = AnnotationShape::Highlight { rects, text };
        let (page, moved) = reanchor(&highlight, 0, Some(&old), &new).unwrap();
        assert_eq!(page, 1, "the report's page, not the cover that quotes it");
        assert_eq!(moved, highlight, "the same words in the same place");
    }

    #[test]
    fn an_annotation_whose_text_is_gone_has_no_place() {
        let (old, _) = versions();
        let rewritten = vec![page(&["Noi dung da duoc viet lai hoan toan."], 700.0)];
        let underline = AnnotationShape::Underline {
            rects: vec![],
            text: "cai cach thu tuc hanh chinh".into(),
        };
        assert_eq!(
            reanchor(&underline, 0, None, &rewritten),
            None,
            "the words are gone"
        );
        let rectangle = AnnotationShape::Rectangle {
            rect: PageRect {
                left: 70.0,
                bottom: 660.0,
                right: 300.0,
                top: 712.0,
            },
        };
        assert_eq!(
            reanchor(&rectangle, 0, Some(&old), &rewritten),
            None,
            "the text beside the box is gone"
        );
    }
}
