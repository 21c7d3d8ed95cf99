//! How much a member may send in one field. Every field a device sends has a limit, so
//! one member cannot fill the hub's memory or every colleague's laptop: a note is a note,
//! not a 3.5 MB file. The window enforces the same limits before anything is queued.

use crate::{AnnotationShape, Meeting, OperationPayload, Poll};

/// Characters in a note, a marked passage, a comment on a ballot.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Characters in a title, a place, a presenter, a label, a question.
pub const MAX_TITLE_CHARS: usize = 1_000;
/// Rectangles of one text markup (a passage over several pages' lines).
pub const MAX_RECTS: usize = 2_000;
/// Points of all the strokes of one pen annotation.
pub const MAX_INK_POINTS: usize = 20_000;
/// Options of one poll.
pub const MAX_OPTIONS: usize = 20;
/// Agenda items of one meeting, documents of one item, invitees of one meeting.
pub const MAX_ITEMS: usize = 500;

/// Which field is over its limit, by its JSON name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{field} is longer than Quorum takes (at most {limit})")]
pub struct TooLarge {
    pub field: &'static str,
    pub limit: usize,
}

fn at_most(field: &'static str, len: usize, limit: usize) -> Result<(), TooLarge> {
    if len > limit {
        Err(TooLarge { field, limit })
    } else {
        Ok(())
    }
}

fn text(field: &'static str, value: &str, limit: usize) -> Result<(), TooLarge> {
    // Bytes bound the characters from above: the count is only needed near the limit.
    if value.len() <= limit {
        return Ok(());
    }
    at_most(field, value.chars().count(), limit)
}

pub fn check_annotation_shape(shape: &AnnotationShape) -> Result<(), TooLarge> {
    match shape {
        AnnotationShape::Highlight {
            rects,
            text: marked,
        }
        | AnnotationShape::Underline {
            rects,
            text: marked,
        }
        | AnnotationShape::StrikeOut {
            rects,
            text: marked,
        } => {
            at_most("rects", rects.len(), MAX_RECTS)?;
            text("text", marked, MAX_TEXT_CHARS)
        }
        AnnotationShape::Ink { strokes } => {
            let points: usize = strokes.iter().map(|stroke| stroke.points.len()).sum();
            at_most("points", points, MAX_INK_POINTS)
        }
        AnnotationShape::Note { text: note, .. } => text("text", note, MAX_TEXT_CHARS),
        AnnotationShape::Rectangle { .. } => Ok(()),
    }
}

pub fn check_poll(poll: &Poll) -> Result<(), TooLarge> {
    text("question", &poll.question, MAX_TITLE_CHARS)?;
    at_most("options", poll.options.len(), MAX_OPTIONS)?;
    for option in &poll.options {
        text("key", &option.key, MAX_TITLE_CHARS)?;
        text("label", &option.label, MAX_TITLE_CHARS)?;
    }
    Ok(())
}

pub fn check_meeting(meeting: &Meeting) -> Result<(), TooLarge> {
    text("title", &meeting.title, MAX_TITLE_CHARS)?;
    text("location", &meeting.location, MAX_TITLE_CHARS)?;
    at_most("invitees", meeting.invitees.len(), MAX_ITEMS)?;
    at_most("agenda", meeting.agenda.len(), MAX_ITEMS)?;
    for item in &meeting.agenda {
        text("title", &item.title, MAX_TITLE_CHARS)?;
        text("presenter", &item.presenter, MAX_TITLE_CHARS)?;
        at_most("documents", item.documents.len(), MAX_ITEMS)?;
        for document in &item.documents {
            text("title", &document.title, MAX_TITLE_CHARS)?;
            text("fileName", &document.current.file_name, MAX_TITLE_CHARS)?;
        }
    }
    Ok(())
}

impl OperationPayload {
    /// Whether every field a member wrote fits its limit.
    pub fn check_sizes(&self) -> Result<(), TooLarge> {
        match self {
            Self::CastBallot { ballot } => {
                text("optionKey", &ballot.option_key, MAX_TITLE_CHARS)?;
                text(
                    "comment",
                    ballot.comment.as_deref().unwrap_or(""),
                    MAX_TEXT_CHARS,
                )
            }
            Self::CreatePoll { poll } => check_poll(poll),
            Self::SaveAnnotation { annotation } => check_annotation_shape(&annotation.shape),
            // Two hexadecimal digits a byte.
            Self::SubmitAnswerSheet { sheet, .. } => {
                at_most("sheet", sheet.len(), 2 * crate::MAX_ANSWER_SHEET_BYTES)
            }
            Self::OpenPoll { .. }
            | Self::ClosePoll { .. }
            | Self::Delegate { .. }
            | Self::DeleteAnnotation { .. }
            | Self::CheckIn { .. }
            | Self::MarkAttendance { .. }
            | Self::RequestToSpeak { .. }
            | Self::EndFloor { .. }
            | Self::GiveFloor { .. } => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Annotation, Color, DocumentId, MemberId, PagePoint, Sha256Hex};

    fn note(text: String) -> OperationPayload {
        OperationPayload::SaveAnnotation {
            annotation: Annotation::private(
                DocumentId::new_v7(),
                Sha256Hex::try_from("ab".repeat(32)).expect("64 hex characters"),
                0,
                MemberId::new_v7(),
                Color::Yellow,
                AnnotationShape::Note {
                    at: PagePoint { x: 1.0, y: 1.0 },
                    text,
                },
                chrono::DateTime::UNIX_EPOCH,
            ),
        }
    }

    #[test]
    fn a_note_of_ten_thousand_vietnamese_characters_fits_and_one_more_does_not() {
        let fits = "ệ".repeat(MAX_TEXT_CHARS);
        assert_eq!(
            note(fits.clone()).check_sizes(),
            Ok(()),
            "characters are counted, not bytes: 3 bytes each here"
        );
        assert_eq!(
            note(fits + "a").check_sizes(),
            Err(TooLarge {
                field: "text",
                limit: MAX_TEXT_CHARS
            }),
            "a 3.5 MB 'note' is refused, naming the field"
        );
    }
}
