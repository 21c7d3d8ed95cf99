//! Plain text reports (poll results, minutes) written as new A4 PDFs, in DejaVu Sans
//! embedded in the file, so every Vietnamese diacritic prints and extracts anywhere.
//!
//! Laying out is kept apart from pdfium: [`lay_out`] places every line from widths it
//! is given, and [`write`] measures with the font's own advance widths, the same ones
//! pdfium places the glyphs with, so a line measured to fit does fit.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use pdfium_render::prelude::*;

use crate::output::{self, cannot_write};
use crate::protocol::{LineStyle, PageSize, Report};
use crate::{PdfError, REPORT_MARGIN};

/// Where fonts-dejavu-core installs the fonts.
const FONT_FOLDER: &str = "/usr/share/fonts/truetype/dejavu";
const REGULAR_FONT: &str = "DejaVuSans.ttf";
const BOLD_FONT: &str = "DejaVuSans-Bold.ttf";

const TITLE_SIZE: f32 = 18.0;
const PAGE_NUMBER_SIZE: f32 = 9.0;
/// Line height in font sizes: room for Vietnamese stacked marks (Ế, Ộ) over capitals.
const LEADING: f32 = 1.4;
/// From the top of a line down to its baseline, in font sizes.
const BASELINE_DROP: f32 = 1.1;
/// Page numbers sit halfway down the bottom margin, clear of the text.
const PAGE_NUMBER_BASELINE: f32 = REPORT_MARGIN / 2.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Face {
    Regular,
    Bold,
}

/// How a line prints.
struct Look {
    face: Face,
    size: f32,
    /// Space above, dropped at the top of a page.
    space_above: f32,
}

fn look(style: LineStyle) -> Look {
    let (face, size, space_above) = match style {
        LineStyle::Heading => (Face::Bold, 14.0, 8.0),
        LineStyle::Bold => (Face::Bold, 11.0, 0.0),
        LineStyle::Normal => (Face::Regular, 11.0, 0.0),
        LineStyle::Small => (Face::Regular, 9.0, 0.0),
    };
    Look {
        face,
        size,
        space_above,
    }
}

/// Text set in one face and size from a point on its baseline: one text object.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    text: String,
    face: Face,
    size: f32,
    x: f32,
    baseline: f32,
}

/// Writes `report` to `output` (through `output.part`) and returns its page count.
pub(crate) fn write(pdfium: &Pdfium, output: &Path, report: &Report) -> Result<u32, PdfError> {
    let (regular_file, bold_file) = fonts_in(Path::new(FONT_FOLDER))?;
    let mut document = pdfium
        .create_new_pdf()
        .map_err(|e| failed("create a document", &e))?;
    // As CID fonts: Vietnamese needs more than a simple font's 256 codes, and pdfium
    // then writes the ToUnicode map that lets readers extract the text.
    let mut load = |file: &Path| {
        document
            .fonts_mut()
            .load_true_type_from_file(file, true)
            .map_err(|e| failed(&format!("load the font {}", file.display()), &e))
    };
    let regular = load(&regular_file)?;
    let bold = load(&bold_file)?;

    let paper = PdfPagePaperSize::a4();
    let a4 = PageSize {
        width: paper.width().value,
        height: paper.height().value,
    };
    let pages = {
        let fonts = document.fonts();
        let (Some(regular), Some(bold)) = (fonts.get(regular), fonts.get(bold)) else {
            return Err(PdfError::Pdfium("pdfium lost the fonts it loaded".into()));
        };
        lay_out(report, a4, &|face, size, text| {
            let font = match face {
                Face::Regular => regular,
                Face::Bold => bold,
            };
            text.chars().map(|c| advance(font, c, size)).sum()
        })
    };

    for runs in &pages {
        let mut page = document
            .pages_mut()
            .create_page_at_end(paper)
            .map_err(|e| failed("add a page", &e))?;
        // One rebuild of the page's content stream, not one per line.
        page.set_content_regeneration_strategy(PdfPageContentRegenerationStrategy::Manual);
        for run in runs {
            let font = match run.face {
                Face::Regular => regular,
                Face::Bold => bold,
            };
            page.objects_mut()
                .create_text_object(
                    PdfPoints::new(run.x),
                    PdfPoints::new(run.baseline),
                    &run.text,
                    font,
                    PdfPoints::new(run.size),
                )
                .map_err(|e| failed("add a line of text", &e))?;
        }
        page.regenerate_content()
            .map_err(|e| failed("lay out a page", &e))?;
    }

    output::write_whole(output, |part| {
        let file = File::create(part).map_err(|e| cannot_write(output, &e))?;
        let mut writer = BufWriter::new(file);
        document
            .save_to_writer(&mut writer)
            .map_err(|e| failed("save the report", &e))?;
        let file = writer
            .into_inner()
            .map_err(|e| cannot_write(output, e.error()))?;
        file.sync_all().map_err(|e| cannot_write(output, &e))
    })?;
    Ok(u32::try_from(pages.len()).unwrap_or(u32::MAX))
}

/// The regular and bold font files in `folder`.
fn fonts_in(folder: &Path) -> Result<(PathBuf, PathBuf), PdfError> {
    let regular = folder.join(REGULAR_FONT);
    let bold = folder.join(BOLD_FONT);
    if regular.is_file() && bold.is_file() {
        Ok((regular, bold))
    } else {
        // PdfError has no variant of its own for this yet: the app's error codes match
        // on every variant, in a crate outside this one.
        Err(PdfError::Pdfium(format!(
            "the DejaVu fonts are missing from {}: install fonts-dejavu-core",
            folder.display()
        )))
    }
}

/// How far `c` moves the pen at `size`. pdfium-render calls the argument a glyph
/// index, but pdfium's `FPDFFont_GetGlyphWidth` takes a Unicode code point.
fn advance(font: &PdfFont, c: char, size: f32) -> f32 {
    u16::try_from(u32::from(c))
        .ok()
        .and_then(|code| font.glyphs().get(code).ok())
        // Past the 16-bit range pdfium-render can ask about: a full em, to be safe.
        .map_or(size, |glyph| {
            glyph.width_at_font_size(PdfPoints::new(size)).value
        })
}

fn failed(what: &str, error: &PdfiumError) -> PdfError {
    PdfError::Pdfium(format!("pdfium could not {what}: {error:?}"))
}

/// Places the title and the lines on pages of `paper`, wrapped within the margins,
/// and numbers the pages. `width_of` measures text in a face and size, in points.
fn lay_out(
    report: &Report,
    paper: PageSize,
    width_of: &dyn Fn(Face, f32, &str) -> f32,
) -> Vec<Vec<Run>> {
    let mut layout = Layout {
        paper,
        width_of,
        pages: vec![Vec::new()],
        top: paper.height - REPORT_MARGIN,
    };
    let title = Look {
        face: Face::Bold,
        size: TITLE_SIZE,
        space_above: 0.0,
    };
    layout.paragraph(&report.title, &title, 0.0);
    layout.top -= TITLE_SIZE / 2.0;
    for line in &report.lines {
        // A heading is kept with the first line under it.
        let keep_with = match line.style {
            LineStyle::Heading => look(LineStyle::Normal).size * LEADING,
            _ => 0.0,
        };
        layout.paragraph(&line.text, &look(line.style), keep_with);
    }
    layout.number_pages();
    layout.pages
}

struct Layout<'a> {
    paper: PageSize,
    width_of: &'a dyn Fn(Face, f32, &str) -> f32,
    pages: Vec<Vec<Run>>,
    /// Top of the next line on the last page.
    top: f32,
}

impl Layout<'_> {
    fn page_top(&self) -> f32 {
        self.paper.height - REPORT_MARGIN
    }

    fn at_page_top(&self) -> bool {
        self.top >= self.page_top()
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.top = self.page_top();
    }

    /// Sets `text` wrapped at the right margin, starting a new page when the next
    /// line would reach the bottom margin, or when the whole paragraph and `keep_with`
    /// more points below it would not fit but would on a fresh page.
    fn paragraph(&mut self, text: &str, look: &Look, keep_with: f32) {
        let width = self.paper.width - 2.0 * REPORT_MARGIN;
        let lines = wrap(text, width, &|t| (self.width_of)(look.face, look.size, t));
        let line_height = look.size * LEADING;
        if !self.at_page_top() {
            self.top -= look.space_above;
        }
        let block = lines.len() as f32 * line_height + keep_with;
        if self.top - block < REPORT_MARGIN && block <= self.page_top() - REPORT_MARGIN {
            self.new_page();
        }
        for line in lines {
            if self.top - line_height < REPORT_MARGIN && !self.at_page_top() {
                self.new_page();
            }
            if !line.is_empty() {
                let run = Run {
                    text: line,
                    face: look.face,
                    size: look.size,
                    x: REPORT_MARGIN,
                    baseline: self.top - look.size * BASELINE_DROP,
                };
                if let Some(page) = self.pages.last_mut() {
                    page.push(run);
                }
            }
            self.top -= line_height;
        }
    }

    /// "n / N", centred under each page.
    fn number_pages(&mut self) {
        let count = self.pages.len();
        for (index, page) in self.pages.iter_mut().enumerate() {
            let text = format!("{} / {count}", index + 1);
            let width = (self.width_of)(Face::Regular, PAGE_NUMBER_SIZE, &text);
            page.push(Run {
                text,
                face: Face::Regular,
                size: PAGE_NUMBER_SIZE,
                x: (self.paper.width - width) / 2.0,
                baseline: PAGE_NUMBER_BASELINE,
            });
        }
    }
}

/// Breaks `text` into lines no wider than `width`: between words where it can, inside
/// a word wider than a whole line where it must. Each `\n` starts a new line; other
/// runs of whitespace become one space. Empty lines are kept: they print as space.
fn wrap(text: &str, width: f32, width_of: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let longer = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if width_of(&longer) <= width {
                line = longer;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut rest = word;
            while width_of(rest) > width {
                let cut = longest_fitting(rest, width, width_of);
                lines.push(rest[..cut].to_owned());
                rest = &rest[cut..];
            }
            line = rest.to_owned();
        }
        lines.push(line);
    }
    lines
}

/// Bytes of the longest start of `word` that fits in `width`, and at least one
/// character so wrapping always moves on.
fn longest_fitting(word: &str, width: f32, width_of: &dyn Fn(&str) -> f32) -> usize {
    // Never before a combining mark: it belongs with the letter before it (Vietnamese
    // typed decomposed, as some keyboards do).
    let mut cuts = word
        .char_indices()
        .skip(1)
        .filter(|&(_, c)| !('\u{300}'..='\u{36f}').contains(&c))
        .map(|(at, _)| at)
        .chain([word.len()]);
    let first = cuts.next().unwrap_or(word.len());
    cuts.take_while(|&cut| width_of(&word[..cut]) <= width)
        .last()
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ReportLine;

    const A4: PageSize = PageSize {
        width: 595.0,
        height: 842.0,
    };

    fn is_mark(c: char) -> bool {
        ('\u{300}'..='\u{36f}').contains(&c)
    }

    /// One point a character, combining marks taking no room, as in a real font.
    fn one_each(text: &str) -> f32 {
        text.chars().filter(|&c| !is_mark(c)).count() as f32
    }

    /// Every character half as wide as the font is high: a narrow sans serif.
    fn half_em(_: Face, size: f32, text: &str) -> f32 {
        one_each(text) * size / 2.0
    }

    fn report(lines: impl IntoIterator<Item = (String, LineStyle)>) -> Report {
        Report {
            title: "Biên bản kỳ họp thứ 12".into(),
            lines: lines
                .into_iter()
                .map(|(text, style)| ReportLine { text, style })
                .collect(),
        }
    }

    #[test]
    fn lines_break_between_words_and_inside_a_word_only_when_it_is_wider_than_a_line() {
        assert_eq!(
            wrap("một hai ba bốn", 7.0, &one_each),
            ["một hai", "ba bốn"],
            "as many words as fit, then the next line"
        );
        assert_eq!(
            wrap("abcdefghij x", 4.0, &one_each),
            ["abcd", "efgh", "ij x"],
            "a word wider than the line is cut, and the line goes on after it"
        );
        assert_eq!(
            wrap("a   b\tc\n\nd", 80.0, &one_each),
            ["a b c", "", "d"],
            "whitespace runs print as one space; a line break starts a line, even an empty one"
        );
        assert_eq!(wrap("", 80.0, &one_each), [""], "an empty line is kept");
    }

    #[test]
    fn a_word_is_never_cut_between_a_letter_and_its_combining_marks() {
        let decomposed = "e\u{323}\u{302}e\u{323}\u{302}"; // "ệệ" as some keyboards type it
        assert_eq!(
            wrap(decomposed, 1.0, &one_each),
            ["e\u{323}\u{302}", "e\u{323}\u{302}"],
            "each ệ keeps its dot below and its circumflex"
        );
    }

    #[test]
    fn a_long_report_runs_onto_numbered_pages_in_order_within_the_margins() {
        let lines: Vec<_> = (1..=120)
            .map(|n| {
                (
                    format!("Dòng {n}: {}", "ý kiến ".repeat(n % 30)),
                    LineStyle::Normal,
                )
            })
            .collect();
        let pages = lay_out(&report(lines), A4, &half_em);

        assert!(pages.len() >= 2, "120 lines need more than one page");
        let count = pages.len();
        for (index, page) in pages.iter().enumerate() {
            let (number, body) = page.split_last().expect("every page has its number");
            assert_eq!(
                number.text,
                format!("{} / {count}", index + 1),
                "the page number comes last, as n / N"
            );
            let number_width = half_em(number.face, number.size, &number.text);
            assert!(
                (number.x + number_width / 2.0 - A4.width / 2.0).abs() < 0.01,
                "the page number is centred: {number:?}"
            );
            assert!(
                number.baseline < REPORT_MARGIN,
                "the page number is in the bottom margin"
            );
            for run in body {
                assert!(
                    run.x >= REPORT_MARGIN
                        && run.x + half_em(run.face, run.size, &run.text)
                            <= A4.width - REPORT_MARGIN,
                    "{run:?} is within the side margins"
                );
                assert!(
                    run.baseline - run.size * (LEADING - BASELINE_DROP) >= REPORT_MARGIN
                        && run.baseline + run.size <= A4.height - REPORT_MARGIN,
                    "{run:?} is within the top and bottom margins"
                );
            }
        }
        let body: Vec<&Run> = pages
            .iter()
            .flat_map(|page| &page[..page.len() - 1])
            .collect();
        assert_eq!(
            body[0].text, "Biên bản kỳ họp thứ 12",
            "the title comes first"
        );
        assert_eq!(
            (body[0].face, body[0].size),
            (Face::Bold, TITLE_SIZE),
            "in the large bold"
        );
        let printed = body[1..]
            .iter()
            .map(|run| run.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let written = (1..=120)
            .map(|n| format!("Dòng {n}: {}", "ý kiến ".repeat(n % 30)))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            printed.split_whitespace().collect::<Vec<_>>(),
            written.split_whitespace().collect::<Vec<_>>(),
            "every word is printed once, in order"
        );
    }

    #[test]
    fn a_heading_is_never_left_alone_at_the_bottom_of_a_page() {
        // Push the heading down line by line until it has met the bottom of page 1.
        for before in 40..70 {
            let mut lines: Vec<_> = (0..before)
                .map(|n| (format!("Dòng {n}"), LineStyle::Normal))
                .collect();
            lines.push(("Phần hai".into(), LineStyle::Heading));
            lines.push(("Nội dung phần hai".into(), LineStyle::Normal));
            let pages = lay_out(&report(lines), A4, &half_em);
            let page_of = |text: &str| {
                pages
                    .iter()
                    .position(|page| page.iter().any(|run| run.text == text))
            };
            assert_eq!(
                page_of("Phần hai"),
                page_of("Nội dung phần hai"),
                "after {before} lines the heading is on the page of its first line"
            );
        }
    }

    #[test]
    fn blank_lines_take_room_but_print_nothing() {
        let blank = report([
            ("trước".to_owned(), LineStyle::Normal),
            (String::new(), LineStyle::Normal),
            ("sau".to_owned(), LineStyle::Normal),
        ]);
        let pages = lay_out(&blank, A4, &half_em);
        let baseline_of = |text: &str| {
            pages[0]
                .iter()
                .find(|run| run.text == text)
                .map(|run| run.baseline)
        };
        assert_eq!(pages[0].len(), 4, "title, two lines and the page number");
        let (Some(before), Some(after)) = (baseline_of("trước"), baseline_of("sau")) else {
            unreachable!("both lines are printed")
        };
        assert!(
            (before - after - 2.0 * 11.0 * LEADING).abs() < 0.01,
            "the blank line is one line high"
        );
    }

    #[test]
    fn missing_fonts_are_reported_with_the_package_that_brings_them() {
        let empty = tempfile::tempdir().expect("a temporary folder");
        let Err(PdfError::Pdfium(message)) = fonts_in(empty.path()) else {
            unreachable!("no fonts in an empty folder")
        };
        assert!(
            message.contains("DejaVu") && message.contains("install fonts-dejavu-core"),
            "says what is missing and what to install: {message}"
        );
    }
}
