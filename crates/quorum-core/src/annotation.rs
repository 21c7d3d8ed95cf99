use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AgendaItemId, AnnotationId, DocumentId, MemberId, Sha256Hex};

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

/// The three ways of marking text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MarkupKind {
    Highlight,
    Underline,
    StrikeOut,
}

impl AnnotationShape {
    pub fn markup(kind: MarkupKind, rects: Vec<PageRect>, text: String) -> Self {
        match kind {
            MarkupKind::Highlight => Self::Highlight { rects, text },
            MarkupKind::Underline => Self::Underline { rects, text },
            MarkupKind::StrikeOut => Self::StrikeOut { rects, text },
        }
    }

    /// The marked text, for text markup.
    pub fn marked_text(&self) -> Option<&str> {
        match self {
            Self::Highlight { text, .. }
            | Self::Underline { text, .. }
            | Self::StrikeOut { text, .. } => Some(text),
            Self::Ink { .. } | Self::Note { .. } | Self::Rectangle { .. } => None,
        }
    }
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

/// An annotation as the viewer shows it: whose it is, and whether it could be placed
/// on the document's current version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShownAnnotation {
    pub annotation: Annotation,
    pub author_name: String,
    pub mine: bool,
    /// The secretary replaced the document and this annotation's place was not found
    /// in the new version: it is kept on the old one and listed.
    pub unanchored: bool,
}

/// One of the member's annotations in their list of notes for a meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NoteEntry {
    pub document_id: DocumentId,
    pub document_title: String,
    pub annotation: Annotation,
}

/// The member's annotations on the documents of one agenda item, in agenda order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgendaNotes {
    pub agenda_item_id: AgendaItemId,
    /// 1 for the first item of the agenda.
    pub number: u32,
    pub title: String,
    pub entries: Vec<NoteEntry>,
}

/// A change the author makes to an annotation already on the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AnnotationEdit {
    /// Moves it by an offset in PDF points (pen, notes and rectangles: text markup
    /// stays on its words).
    Move {
        dx: f32,
        dy: f32,
    },
    Recolor {
        color: Color,
    },
    /// The pen width of every stroke, in points.
    Width {
        width: f32,
    },
    /// The text of a sticky note.
    Text {
        text: String,
    },
    Share {
        visibility: Visibility,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("text markup stays on its words and cannot be moved")]
    MarkupCannotMove,
    #[error("only pen strokes have a width")]
    NoWidth,
    #[error("a pen width must be between {MIN_PEN_WIDTH} and {MAX_PEN_WIDTH} points")]
    WidthOutOfRange,
    #[error("only a sticky note has text to edit")]
    NoText,
    #[error("the annotation has been deleted")]
    Deleted,
}

pub const MIN_PEN_WIDTH: f32 = 0.5;
pub const MAX_PEN_WIDTH: f32 = 12.0;

impl Annotation {
    /// Applies the author's edit, stamping the time; nothing changes if it is refused.
    pub fn edit(&mut self, edit: AnnotationEdit, now: DateTime<Utc>) -> Result<(), EditError> {
        if self.deleted {
            return Err(EditError::Deleted);
        }
        match (edit, &mut self.shape) {
            (AnnotationEdit::Move { dx, dy }, shape) => shape.translate(dx, dy)?,
            (AnnotationEdit::Recolor { color }, _) => self.color = color,
            (AnnotationEdit::Width { width }, AnnotationShape::Ink { strokes }) => {
                if !(MIN_PEN_WIDTH..=MAX_PEN_WIDTH).contains(&width) {
                    return Err(EditError::WidthOutOfRange);
                }
                strokes.iter_mut().for_each(|stroke| stroke.width = width);
            }
            (AnnotationEdit::Width { .. }, _) => return Err(EditError::NoWidth),
            (AnnotationEdit::Text { text }, AnnotationShape::Note { text: note, .. }) => {
                *note = text;
            }
            (AnnotationEdit::Text { .. }, _) => return Err(EditError::NoText),
            (AnnotationEdit::Share { visibility }, _) => self.visibility = visibility,
        }
        self.updated_at = now;
        Ok(())
    }
}

impl PageRect {
    fn translated(self, dx: f32, dy: f32) -> Self {
        Self {
            left: self.left + dx,
            bottom: self.bottom + dy,
            right: self.right + dx,
            top: self.top + dy,
        }
    }
}

impl AnnotationShape {
    /// Shifts the geometry by an offset in PDF points.
    pub(crate) fn translate(&mut self, dx: f32, dy: f32) -> Result<(), EditError> {
        let shift = |p: &mut PagePoint| {
            p.x += dx;
            p.y += dy;
        };
        match self {
            Self::Highlight { .. } | Self::Underline { .. } | Self::StrikeOut { .. } => {
                return Err(EditError::MarkupCannotMove);
            }
            Self::Ink { strokes } => strokes
                .iter_mut()
                .flat_map(|stroke| stroke.points.iter_mut())
                .for_each(shift),
            Self::Note { at, .. } => shift(at),
            Self::Rectangle { rect } => *rect = rect.translated(dx, dy),
        }
        Ok(())
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
    let text: String = chars[start..=end].iter().map(|(c, _)| *c).collect();
    Some((
        line_boxes(&chars[start..=end]),
        text.split_whitespace().collect::<Vec<_>>().join(" "),
    ))
}

/// One box per line around a run of characters, in reading order.
pub(crate) fn line_boxes(chars: &[(char, PageRect)]) -> Vec<PageRect> {
    let mut lines: Vec<PageRect> = Vec::new();
    for (c, r) in chars {
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
    lines
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
pub(crate) mod tests {
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

    /// One pen stroke, 2 pt wide, through `points`.
    pub(crate) fn ink(points: &[(f32, f32)]) -> AnnotationShape {
        AnnotationShape::Ink {
            strokes: vec![InkStroke {
                points: points.iter().map(|&(x, y)| PagePoint { x, y }).collect(),
                width: 2.0,
            }],
        }
    }

    fn pen_stroke() -> Annotation {
        let shape = ink(&[(10.0, 20.0), (30.0, 40.0)]);
        Annotation::private(
            DocumentId::new_v7(),
            Sha256Hex::try_from("ab".repeat(32)).expect("64 hex characters"),
            0,
            MemberId::new_v7(),
            Color::Red,
            shape,
            DateTime::UNIX_EPOCH,
        )
    }

    #[test]
    fn an_edit_moves_recolours_widens_and_shares_a_stroke() {
        let mut stroke = pen_stroke();
        let later = DateTime::UNIX_EPOCH + chrono::Duration::seconds(60);
        stroke
            .edit(AnnotationEdit::Move { dx: 5.0, dy: -10.0 }, later)
            .unwrap();
        stroke
            .edit(AnnotationEdit::Recolor { color: Color::Blue }, later)
            .unwrap();
        stroke
            .edit(AnnotationEdit::Width { width: 4.0 }, later)
            .unwrap();
        stroke
            .edit(
                AnnotationEdit::Share {
                    visibility: Visibility::Shared,
                },
                later,
            )
            .unwrap();
        let AnnotationShape::Ink { strokes } = &stroke.shape else {
            panic!("still a pen stroke");
        };
        assert_eq!(
            strokes[0].points,
            vec![
                PagePoint { x: 15.0, y: 10.0 },
                PagePoint { x: 35.0, y: 30.0 }
            ],
            "every point moved by the same offset"
        );
        assert_eq!(
            (
                strokes[0].width,
                stroke.color,
                stroke.visibility,
                stroke.updated_at
            ),
            (4.0, Color::Blue, Visibility::Shared, later),
            "wider, blue, shared, stamped with the edit time"
        );
    }

    #[test]
    fn an_edit_that_does_not_fit_the_kind_is_refused_and_changes_nothing() {
        let mut stroke = pen_stroke();
        let before = stroke.clone();
        let now = DateTime::UNIX_EPOCH;
        assert_eq!(
            stroke.edit(AnnotationEdit::Text { text: "x".into() }, now),
            Err(EditError::NoText)
        );
        assert_eq!(
            stroke.edit(AnnotationEdit::Width { width: 40.0 }, now),
            Err(EditError::WidthOutOfRange)
        );
        assert_eq!(stroke, before, "a refused edit leaves the stroke as it was");
        let (rects, text) = snap_to_words(
            &two_lines(),
            PageRect {
                left: 100.0,
                bottom: 702.0,
                right: 140.0,
                top: 710.0,
            },
        )
        .unwrap();
        let mut highlight = Annotation {
            shape: AnnotationShape::Highlight { rects, text },
            ..before
        };
        assert_eq!(
            highlight.edit(AnnotationEdit::Move { dx: 1.0, dy: 1.0 }, now),
            Err(EditError::MarkupCannotMove),
            "a highlight stays on its words"
        );
        highlight.deleted = true;
        assert_eq!(
            highlight.edit(
                AnnotationEdit::Recolor {
                    color: Color::Green
                },
                now
            ),
            Err(EditError::Deleted)
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
