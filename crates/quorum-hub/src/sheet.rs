//! The enrollment sheet the secretary hands a member: one A4 page, in Vietnamese, with
//! the member's name and committee, the hub's address, the one-time code as text and as
//! a QR code (the line the join screen takes: code, then the certificate fingerprint),
//! and when the code stops working.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use printpdf::{Color, IndirectFontRef, Mm, PdfDocument, PdfLayerReference, Rect, Rgb};
use qrcode::QrCode;
use quorum_core::committee_time::committee_zone;
use quorum_core::{Committee, DEFAULT_TIME_ZONE, Member};

use crate::HubError;

/// Where Debian's fonts-dejavu-core puts the font: it has every Vietnamese letter.
const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
const FONT_BOLD: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

/// What one sheet says.
pub struct EnrollmentSheet<'a> {
    pub member: &'a Member,
    pub committee: &'a Committee,
    pub hub_url: &'a str,
    pub code: &'a str,
    pub fingerprint: &'a str,
    pub expires_at: DateTime<Utc>,
}

impl EnrollmentSheet<'_> {
    /// The line the join screen takes whole: the code, a tab, the fingerprint.
    pub fn join_line(&self) -> String {
        format!("{}\t{}", self.code, self.fingerprint)
    }

    /// Writes the sheet as a PDF at `to`.
    pub fn write(&self, to: &Path) -> Result<(), HubError> {
        let failed = |detail: String| HubError::Sheet {
            path: to.to_path_buf(),
            detail,
        };
        let (doc, page, layer) =
            PdfDocument::new("Phiếu tham gia Quorum", Mm(210.0), Mm(297.0), "phiếu");
        let font = |path: &str| -> Result<IndirectFontRef, HubError> {
            let file = File::open(path).map_err(|error| {
                failed(format!(
                    "the font {path} cannot be read ({error}): install fonts-dejavu-core"
                ))
            })?;
            doc.add_external_font(file)
                .map_err(|error| failed(error.to_string()))
        };
        let (regular, bold) = (font(FONT)?, font(FONT_BOLD)?);
        let layer = doc.get_page(page).get_layer(layer);
        // On the committee's clock, named as its members know it.
        let zone = &self.committee.time_zone;
        let expires = self.expires_at.with_timezone(&committee_zone(zone)?);
        let clock = if zone == DEFAULT_TIME_ZONE {
            "giờ Việt Nam".to_string()
        } else {
            format!("giờ {zone}")
        };
        let lines: [(&IndirectFontRef, f32, String); 8] = [
            (&bold, 20.0, "Phiếu tham gia phòng họp Quorum".into()),
            (&regular, 12.0, format!("Ủy ban: {}", self.committee.name)),
            (&regular, 12.0, format!("Thành viên: {}", self.member.full_name)),
            (&regular, 12.0, format!("Địa chỉ máy chủ: {}", self.hub_url)),
            (&bold, 18.0, format!("Mã tham gia: {}", self.code)),
            (
                &regular,
                12.0,
                format!(
                    "Mã dùng được một lần, đến {} ({clock}).",
                    expires.format("%H:%M ngày %d/%m/%Y")
                ),
            ),
            (
                &regular,
                9.0,
                format!("Dấu vân tay chứng chỉ (SHA-256): {}", self.fingerprint),
            ),
            (
                &regular,
                10.0,
                "Mở Quorum, chọn \"Tham gia ủy ban của bạn\", nhập địa chỉ và mã (hoặc dán dòng mã dưới mã QR)."
                    .into(),
            ),
        ];
        let mut y = 270.0;
        for (font, size, text) in &lines {
            layer.use_text(text.as_str(), *size, Mm(20.0), Mm(y), font);
            y -= if *size > 14.0 { 14.0 } else { 9.0 };
        }
        draw_qr(&layer, &self.join_line(), Mm(20.0), Mm(y - 75.0), 70.0)
            .map_err(|error| failed(error.to_string()))?;
        let file = File::create(to).map_err(|source| HubError::Io {
            path: PathBuf::from(to),
            source,
        })?;
        doc.save(&mut BufWriter::new(file))
            .map_err(|error| failed(error.to_string()))
    }
}

/// Draws `text` as a QR code whose lower-left corner is at (`left`, `bottom`), `size_mm`
/// wide, with the quiet zone around it that readers need.
fn draw_qr(
    layer: &PdfLayerReference,
    text: &str,
    left: Mm,
    bottom: Mm,
    size_mm: f32,
) -> Result<(), qrcode::types::QrError> {
    let code = QrCode::new(text.as_bytes())?;
    let width = code.width();
    let quiet = 4;
    let module = size_mm / (width + 2 * quiet) as f32;
    layer.set_fill_color(Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)));
    for y in 0..width {
        for x in 0..width {
            if code[(x, y)] == qrcode::Color::Dark {
                let x0 = left.0 + module * (x + quiet) as f32;
                let y0 = bottom.0 + module * (width - 1 - y + quiet) as f32;
                layer.add_rect(Rect::new(Mm(x0), Mm(y0), Mm(x0 + module), Mm(y0 + module)));
            }
        }
    }
    Ok(())
}
