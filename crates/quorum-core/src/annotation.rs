use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AnnotationId, DocumentId, MemberId, Sha256Hex};

/// A point in PDF page coordinates (points, origin bottom-left), so zoom and screen
/// size never move an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct PagePoint {
    pub x: f32,
    pub y: f32,
}

/// A rectangle in PDF page coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PageRect {
    pub left: f32,
    pub bottom: f32,
    pub right: f32,
    pub top: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InkStroke {
    pub points: Vec<PagePoint>,
    /// Pen width in points.
    pub width: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Color {
    Yellow,
    Green,
    Blue,
    Red,
    Black,
}

/// What an annotation looks like on the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AnnotationShape {
    /// Text markup keeps the marked text, so it can be found again in a new version.
    Highlight {
        rects: Vec<PageRect>,
        text: String,
    },
    Underline {
        rects: Vec<PageRect>,
        text: String,
    },
    StrikeOut {
        rects: Vec<PageRect>,
        text: String,
    },
    Ink {
        strokes: Vec<InkStroke>,
    },
    Note {
        at: PagePoint,
        text: String,
    },
    Rectangle {
        rect: PageRect,
    },
}

/// Who sees an annotation: only its author's devices, or everyone in the meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Visibility {
    #[default]
    Private,
    Shared,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    pub id: AnnotationId,
    pub document_id: DocumentId,
    /// The document version the geometry refers to.
    pub document_sha256: Sha256Hex,
    /// Zero-based page index.
    pub page: u32,
    pub author: MemberId,
    pub visibility: Visibility,
    pub color: Color,
    pub shape: AnnotationShape,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Deletion is a tombstone, so it reaches the author's other devices.
    pub deleted: bool,
}

impl Annotation {
    /// A new private annotation of the given colour and shape on a page.
    pub fn private(
        document_id: DocumentId,
        document_sha256: Sha256Hex,
        page: u32,
        author: MemberId,
        color: Color,
        shape: AnnotationShape,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: AnnotationId::new_v7(),
            document_id,
            document_sha256,
            page,
            author,
            visibility: Visibility::Private,
            color,
            shape,
            created_at: now,
            updated_at: now,
            deleted: false,
        }
    }
}

/// Snaps a dragged selection to whole words: the characters whose centre lies across
/// the drag and whose box it crosses vertically (so a flat drag along a line catches
/// that line), widened to the words they belong to; one box per line, and the text.
/// `chars` are a page's characters in reading order with their boxes.
pub fn snap_to_words(
    chars: &[(char, PageRect)],
    selection: PageRect,
) -> Option<(Vec<PageRect>, String)> {
    let inside = |r: &PageRect| {
        let x = (r.left + r.right) / 2.0;
        let across = x >= selection.left && x <= selection.right;
        across && r.bottom <= selection.top && r.top >= selection.bottom
    };
    let first = chars
        .iter()
        .position(|(c, r)| !c.is_whitespace() && inside(r))?;
    let last = chars
        .iter()
        .rposition(|(c, r)| !c.is_whitespace() && inside(r))?;
    let mut start = first;
    while start > 0 && !chars[start - 1].0.is_whitespace() {
        start -= 1;
    }
    let mut end = last;
    while end + 1 < chars.len() && !chars[end + 1].0.is_whitespace() {
        end += 1;
    }
    let mut lines: Vec<PageRect> = Vec::new();
    for (c, r) in &chars[start..=end] {
        if c.is_whitespace() {
            continue;
        }
        match lines.last_mut() {
            // Same line: the baselines are closer than half a character's height.
            Some(line) if (line.bottom - r.bottom).abs() < (r.top - r.bottom) / 2.0 => {
                line.left = line.left.min(r.left);
                line.right = line.right.max(r.right);
                line.top = line.top.max(r.top);
                line.bottom = line.bottom.min(r.bottom);
            }
            _ => lines.push(*r),
        }
    }
    let text: String = chars[start..=end].iter().map(|(c, _)| *c).collect();
    Some((lines, text.split_whitespace().collect::<Vec<_>>().join(" ")))
}

/// Smooths a hand-drawn stroke: each inner point moves to the mean of itself and its
/// neighbours (the ends stay put), which takes out the jitter of a mouse or a pen.
pub fn smooth_stroke(points: &[PagePoint]) -> Vec<PagePoint> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut smoothed = Vec::with_capacity(points.len());
    smoothed.push(points[0]);
    for window in points.windows(3) {
        smoothed.push(PagePoint {
            x: (window[0].x + window[1].x + window[2].x) / 3.0,
            y: (window[0].y + window[1].y + window[2].y) / 3.0,
        });
    }
    smoothed.push(points[points.len() - 1]);
    smoothed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "bieu quyet" on one line, "thong qua" on the next; each char 10 pt wide.
    fn two_lines() -> Vec<(char, PageRect)> {
        let line = |text: &str, bottom: f32| {
            text.chars()
                .enumerate()
                .map(move |(i, c)| {
                    let left = 100.0 + 10.0 * i as f32;
                    (
                        c,
                        PageRect {
                            left,
                            bottom,
                            right: left + 10.0,
                            top: bottom + 12.0,
                        },
                    )
                })
                .collect::<Vec<_>>()
        };
        let mut chars = line("bieu quyet", 700.0);
        chars.push((
            '\n',
            PageRect {
                left: 200.0,
                bottom: 700.0,
                right: 200.0,
                top: 712.0,
            },
        ));
        chars.extend(line("thong qua", 680.0));
        chars
    }

    #[test]
    fn a_drag_over_part_of_a_word_takes_the_whole_word() {
        // From inside "bieu" to inside "quyet", on the first line only.
        let selection = PageRect {
            left: 118.0,
            bottom: 702.0,
            right: 162.0,
            top: 710.0,
        };
        let (lines, text) = snap_to_words(&two_lines(), selection).unwrap();
        assert_eq!(text, "bieu quyet", "both words whole");
        assert_eq!(lines.len(), 1, "one line, one box");
        assert_eq!(
            (lines[0].left, lines[0].right),
            (100.0, 200.0),
            "from the first letter to the last"
        );
    }

    #[test]
    fn a_drag_over_two_lines_gives_a_box_per_line() {
        let selection = PageRect {
            left: 150.0,
            bottom: 684.0,
            right: 175.0,
            top: 708.0,
        };
        let (lines, text) = snap_to_words(&two_lines(), selection).unwrap();
        assert_eq!(
            text, "quyet thong qua",
            "the words under the drag, across the line break"
        );
        assert_eq!(lines.len(), 2, "a box for each line");
        assert!(lines[0].bottom > lines[1].bottom, "in reading order");
    }

    #[test]
    fn a_flat_drag_along_a_line_takes_that_line_only() {
        let selection = PageRect {
            left: 105.0,
            bottom: 685.0,
            right: 125.0,
            top: 685.0,
        };
        let (lines, text) = snap_to_words(&two_lines(), selection).unwrap();
        assert_eq!(
            (text.as_str(), lines.len()),
            ("thong", 1),
            "the word on the line crossed"
        );
    }

    #[test]
    fn smoothing_keeps_the_ends_and_evens_out_a_zigzag() {
        let zigzag: Vec<PagePoint> = (0..6)
            .map(|i| PagePoint {
                x: i as f32 * 10.0,
                y: if i % 2 == 0 { 0.0 } else { 6.0 },
            })
            .collect();
        let smooth = smooth_stroke(&zigzag);
        assert_eq!(smooth.len(), zigzag.len(), "one point for each point drawn");
        assert_eq!(
            (smooth[0], smooth[5]),
            (zigzag[0], zigzag[5]),
            "the stroke starts and ends where drawn"
        );
        let swing = |s: &[PagePoint]| {
            s[1..5].iter().map(|p| p.y).fold(f32::MIN, f32::max)
                - s[1..5].iter().map(|p| p.y).fold(f32::MAX, f32::min)
        };
        assert!(
            swing(&smooth) < swing(&zigzag) / 2.0,
            "the jitter is at least halved"
        );
        assert_eq!(
            smooth_stroke(&zigzag[..2]),
            zigzag[..2].to_vec(),
            "too short to smooth"
        );
    }

    #[test]
    fn a_drag_over_blank_paper_selects_nothing() {
        let selection = PageRect {
            left: 300.0,
            bottom: 100.0,
            right: 400.0,
            top: 200.0,
        };
        assert_eq!(
            snap_to_words(&two_lines(), selection),
            None,
            "nothing to highlight"
        );
    }
}
