//! What was added to a file after a signature: each later revision's objects, judged as
//! the signature's own machinery (annotations, form fields, further signatures,
//! validation data) or as a change to what was signed.

use std::collections::HashMap;

use crate::LaterChanges;
use crate::syntax::{Dictionary, Lexer, Token, find_all, objects, rfind};

/// Keys of a page that annotating changes; any other changed key changes the page.
const PAGE_ANNOTATION_KEYS: &[&[u8]] = &[b"Annots"];
/// Keys of the catalog that adding a field, a signature or validation data changes.
const CATALOG_FORM_KEYS: &[&[u8]] = &[b"AcroForm", b"DSS", b"Extensions", b"Metadata", b"Perms"];
/// Object types that are annotations, signatures, validation data or the file's index.
const ALLOWED_TYPES: &[&[u8]] = &[
    b"Annot",
    b"Sig",
    b"DocTimeStamp",
    b"DSS",
    b"XRef",
    b"Metadata",
];

/// Judges what follows the revision that ends at `signed_end`.
pub(crate) fn later_changes(pdf: &[u8], signed_end: usize) -> LaterChanges {
    let (signed, later) = pdf.split_at(signed_end.min(pdf.len()));
    let revisions = find_all(later, b"%%EOF").count();
    if revisions == 0 {
        // Bytes after the signed revision that are not a revision are simply unsigned.
        return if later.iter().all(|&b| crate::syntax::is_space(b)) {
            LaterChanges::None
        } else {
            LaterChanges::Content { revisions }
        };
    }
    let (signed_objects, later_objects) = (objects(signed), objects(later));
    let previous: HashMap<u64, usize> = signed_objects.iter().copied().collect();
    let signed_size = signed_object_count(signed);
    let mut verdict = LaterChanges::AnnotationsOrForms { revisions };
    for &(number, body_at) in &later_objects {
        let Some(dictionary) = Lexer::new(later, body_at).dictionary() else {
            // A number, an array or a string written again.
            if previous.contains_key(&number) {
                return LaterChanges::Content { revisions };
            }
            continue;
        };
        if dictionary.name(b"Type") == Some(b"ObjStm") {
            // Compressed objects: what they change cannot be seen without inflating them.
            verdict = LaterChanges::Undetermined { revisions };
            continue;
        }
        let is_new = signed_size.is_some_and(|size| number >= size);
        if is_new || is_form_machinery(&dictionary) {
            continue;
        }
        let before = previous
            .get(&number)
            .and_then(|&at| Lexer::new(signed, at).dictionary());
        match (dictionary.name(b"Type"), before) {
            (Some(b"Page"), Some(before)) => {
                if dictionary.without(PAGE_ANNOTATION_KEYS) != before.without(PAGE_ANNOTATION_KEYS)
                {
                    return LaterChanges::Content { revisions };
                }
            }
            (Some(b"Catalog"), Some(before)) => {
                if dictionary.without(CATALOG_FORM_KEYS) != before.without(CATALOG_FORM_KEYS) {
                    return LaterChanges::Content { revisions };
                }
            }
            // An object written again that was compressed in the signed revision.
            (Some(b"Page" | b"Catalog"), None) => {
                verdict = LaterChanges::Undetermined { revisions }
            }
            // An appearance written again: allowed while only annotations show it.
            _ if is_appearance(&dictionary)
                && only_annotations_refer_to(
                    number,
                    [(signed, &signed_objects), (later, &later_objects)],
                ) => {}
            _ => return LaterChanges::Content { revisions },
        }
    }
    verdict
}

/// Annotations, fields, signatures and their appearances, which signing and form
/// filling write.
fn is_form_machinery(dictionary: &Dictionary) -> bool {
    let kind = dictionary.name(b"Type");
    kind.is_some_and(|kind| ALLOWED_TYPES.contains(&kind))
        || dictionary.name(b"Subtype") == Some(b"Widget")
        || dictionary.has(b"FT")
        || dictionary.has(b"Fields")
        // Validation data written without its optional /Type.
        || dictionary.has(b"VRI")
        // The document information dictionary: dates and producer, not content.
        || (kind.is_none() && dictionary.has(b"ModDate") && !dictionary.has(b"Length"))
}

/// A form XObject, which is what an annotation's appearance is.
fn is_appearance(dictionary: &Dictionary) -> bool {
    dictionary.name(b"Subtype") == Some(b"Form") || dictionary.has(b"BBox")
}

/// Some of the file's bytes with the objects defined in them, as [`objects`] finds them.
type Part<'a> = (&'a [u8], &'a [(u64, usize)]);

/// Whether every object in `parts` that refers to object `number` is an annotation or
/// a field: an appearance that a page's resources also use changes the page when
/// rewritten.
fn only_annotations_refer_to(number: u64, parts: [Part<'_>; 2]) -> bool {
    let reference = number.to_string().into_bytes();
    let mut referred = false;
    for (part, objects) in parts {
        for &(_, at) in objects {
            let Some(dictionary) = Lexer::new(part, at).dictionary() else {
                continue;
            };
            let refers = dictionary.0.values().any(|tokens| {
                tokens.windows(3).any(|window| {
                    matches!(window, [Token::Word(n), Token::Word(_), Token::Word(r)] if *n == reference && r == b"R")
                })
            });
            if refers {
                if !is_form_machinery(&dictionary) {
                    return false;
                }
                referred = true;
            }
        }
    }
    referred
}

/// The signed revision's object count (`/Size` of its last trailer or index stream):
/// objects numbered from it on are new.
fn signed_object_count(signed: &[u8]) -> Option<u64> {
    let at = rfind(signed, b"/Size")?;
    let mut lexer = Lexer::new(signed, at + b"/Size".len());
    match lexer.next_token()? {
        Token::Word(word) => std::str::from_utf8(&word).ok()?.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNED: &str = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
        2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n\
        3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R /MediaBox [0 0 612 792] >>\nendobj\n\
        4 0 obj\n<< /Length 8 >>\nstream\nBT ET q\nendstream\nendobj\n\
        trailer\n<< /Size 6 /Root 1 0 R >>\n%%EOF\n";

    fn judged(update: &str) -> LaterChanges {
        let pdf = format!("{SIGNED}{update}");
        later_changes(pdf.as_bytes(), SIGNED.len())
    }

    #[test]
    fn nothing_after_the_signed_revision_is_no_change() {
        assert_eq!(
            later_changes(SIGNED.as_bytes(), SIGNED.len()),
            LaterChanges::None
        );
    }

    #[test]
    fn an_annotation_added_to_a_page_is_allowed() {
        let update = "6 0 obj\n<< /Type /Annot /Subtype /Text /Rect [0 0 9 9] >>\nendobj\n\
            3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R /MediaBox [0 0 612 792] /Annots [6 0 R] >>\nendobj\n\
            trailer\n<< /Size 7 /Root 1 0 R /Prev 9 >>\n%%EOF\n";
        assert_eq!(
            judged(update),
            LaterChanges::AnnotationsOrForms { revisions: 1 }
        );
    }

    #[test]
    fn a_page_pointed_at_new_content_is_a_change_of_content() {
        let update = "6 0 obj\n<< /Length 2 >>\nstream\nq\nendstream\nendobj\n\
            3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 6 0 R /MediaBox [0 0 612 792] >>\nendobj\n\
            trailer\n<< /Size 7 /Root 1 0 R >>\n%%EOF\n";
        assert_eq!(judged(update), LaterChanges::Content { revisions: 1 });
    }

    #[test]
    fn a_content_stream_written_again_is_a_change_of_content() {
        let update = "4 0 obj\n<< /Length 2 >>\nstream\nq\nendstream\nendobj\n\
            trailer\n<< /Size 6 /Root 1 0 R >>\n%%EOF\n";
        assert_eq!(judged(update), LaterChanges::Content { revisions: 1 });
    }

    #[test]
    fn a_form_added_to_the_catalog_over_two_revisions_is_allowed() {
        let update = "6 0 obj\n<< /FT /Sig /T (Sig2) /V 7 0 R >>\nendobj\n\
            1 0 obj\n<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>\nendobj\n\
            trailer\n<< /Size 8 /Root 1 0 R >>\n%%EOF\n\
            8 0 obj\n<< /Type /DSS /Certs [] >>\nendobj\ntrailer\n<< /Size 9 >>\n%%EOF\n";
        assert_eq!(
            judged(update),
            LaterChanges::AnnotationsOrForms { revisions: 2 }
        );
    }

    #[test]
    fn compressed_later_objects_cannot_be_judged() {
        let update = "6 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length 3 >>\nstream\nxyz\nendstream\nendobj\n%%EOF\n";
        assert_eq!(judged(update), LaterChanges::Undetermined { revisions: 1 });
    }
}
