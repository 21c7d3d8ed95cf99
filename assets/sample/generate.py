#!/usr/bin/env python3
"""Writes the sample meeting: multi-page Vietnamese PDFs in documents/ and sample.json.

The output is committed; run this only to change the sample:
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install reportlab==4.4.10
    /tmp/venv/bin/python assets/sample/generate.py
Needs DejaVu Sans (Debian: fonts-dejavu-core) for the Vietnamese glyphs.
Ids are UUIDv5 of fixed names, so they stay the same from run to run.
"""
import json
import uuid
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

HERE = Path(__file__).parent
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
pdfmetrics.registerFont(TTFont("DejaVu", FONT_DIR / "DejaVuSans.ttf"))
pdfmetrics.registerFont(TTFont("DejaVu-Bold", FONT_DIR / "DejaVuSans-Bold.ttf"))
BODY = ParagraphStyle("body", fontName="DejaVu", fontSize=11, leading=16, spaceAfter=8)
HEADING = ParagraphStyle("heading", fontName="DejaVu-Bold", fontSize=14, leading=20, spaceAfter=12)
TITLE = ParagraphStyle("title", fontName="DejaVu-Bold", fontSize=16, leading=22, alignment=1, spaceAfter=16)
NAMESPACE = uuid.UUID("6f1c2a52-8d0e-4c1b-9a57-3b2f0e1d9c40")


def stable_id(name):
    return str(uuid.uuid5(NAMESPACE, name))


# Sentences the documents are made of; each section cycles through them.
SENTENCES = [
    "Trong năm, Ủy ban nhân dân quận đã tập trung chỉ đạo thực hiện đồng bộ các nhiệm vụ, giải pháp phát triển kinh tế – xã hội.",
    "Tổng thu ngân sách nhà nước trên địa bàn ước đạt 104,2% dự toán, tăng 8,6% so với cùng kỳ năm trước.",
    "Công tác cải cách thủ tục hành chính tiếp tục được đẩy mạnh; 96% hồ sơ được giải quyết đúng hạn.",
    "Các phường đã phối hợp chặt chẽ với các phòng, ban chuyên môn trong công tác chỉnh trang đô thị và giữ gìn trật tự vỉa hè.",
    "Tình hình an ninh chính trị, trật tự an toàn xã hội được giữ vững; không để xảy ra các vụ việc phức tạp, kéo dài.",
    "Đời sống vật chất và tinh thần của Nhân dân tiếp tục được cải thiện; tỷ lệ hộ nghèo giảm còn 0,4%.",
    "Bên cạnh kết quả đạt được, vẫn còn một số hạn chế: tiến độ giải ngân vốn đầu tư công ở một số dự án còn chậm.",
    "Đề nghị các phòng, ban rà soát, đánh giá cụ thể nguyên nhân và đề xuất giải pháp khắc phục trong quý I năm 2027.",
    "Việc ứng dụng công nghệ thông tin trong chỉ đạo, điều hành được triển khai rộng rãi, tiến tới phòng họp không giấy.",
    "Quận tiếp tục thực hiện tốt chính sách an sinh xã hội, chăm lo cho người có công và các đối tượng yếu thế.",
]


def section(title, paragraphs, start):
    flow = [Paragraph(title, HEADING)]
    for n in range(paragraphs):
        sentences = [SENTENCES[(start + n + k) % len(SENTENCES)] for k in range(4)]
        flow.append(Paragraph(" ".join(sentences), BODY))
    return flow


def write_pdf(file_name, title, pages, extra_by_page=None):
    """Writes a document of exactly `pages` pages; extra_by_page adds text to a page."""
    extra_by_page = extra_by_page or {}
    flow = [Paragraph("ỦY BAN NHÂN DÂN QUẬN SÔNG HÀN", BODY), Paragraph(title, TITLE)]
    for page in range(1, pages + 1):
        if page > 1:
            flow.append(PageBreak())
        flow += section(f"Phần {page}. {title}", 3, page)
        if page in extra_by_page:
            flow.append(Paragraph(extra_by_page[page], BODY))
    path = HERE / "documents" / file_name
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=2.5 * cm, rightMargin=2 * cm,
                            title=title, author="Văn phòng HĐND và UBND quận Sông Hàn")
    doc.build(flow)
    return {"id": stable_id(file_name), "title": title, "file": f"documents/{file_name}", "pageCount": pages}


def budget_annex(file_name, title, pages):
    flow = [Paragraph(title, TITLE)]
    for page in range(1, pages + 1):
        if page > 1:
            flow.append(PageBreak())
        rows = [["STT", "Nội dung chi", "Dự toán 2026 (triệu đồng)", "Dự toán 2027 (triệu đồng)"]]
        for n in range(1, 21):
            rows.append([str(n + (page - 1) * 20), f"Chi sự nghiệp mục {n + (page - 1) * 20}",
                         f"{1200 + 37 * n * page:,}", f"{1290 + 41 * n * page:,}"])
        table = Table(rows)
        table.setStyle([("FONT", (0, 0), (-1, -1), "DejaVu", 9), ("GRID", (0, 0), (-1, -1), 0.5, "grey")])
        flow += [Paragraph(f"Bảng {page}", HEADING), table, Spacer(1, 12)]
    SimpleDocTemplate(str(HERE / "documents" / file_name), pagesize=A4, title=title).build(flow)
    return {"id": stable_id(file_name), "title": title, "file": f"documents/{file_name}", "pageCount": pages}


def main():
    committee_id = stable_id("committee")
    people = [
        ("Nguyễn Văn An", "Chủ tịch UBND quận", "chair"),
        ("Trần Thị Bích", "Phó Chủ tịch UBND quận", "member"),
        ("Lê Hoàng Cường", "Phó Chủ tịch UBND quận", "member"),
        ("Phạm Thu Dung", "Chánh Văn phòng HĐND và UBND quận", "secretary"),
        ("Võ Minh Đức", "Đại diện Ủy ban MTTQ Việt Nam quận", "observer"),
    ]
    members = [
        {"id": stable_id(name), "committeeId": committee_id, "fullName": name, "position": position, "role": role}
        for name, position, role in people
    ]
    agenda = [
        ("Khai mạc, thông qua chương trình phiên họp", "Chánh Văn phòng HĐND và UBND quận", 10,
         [write_pdf("01-chuong-trinh.pdf", "Chương trình phiên họp thường kỳ tháng 12", 2)]),
        ("Báo cáo tình hình kinh tế – xã hội năm 2026, kế hoạch năm 2027", "Phòng Tài chính – Kế hoạch", 45,
         [write_pdf("02-bao-cao-kinh-te-xa-hoi.pdf", "Báo cáo tình hình kinh tế – xã hội năm 2026", 14,
                    {10: "Đề nghị các thành viên Ủy ban nhân dân quận cho ý kiến và biểu quyết thông qua "
                         "các chỉ tiêu chủ yếu của kế hoạch năm 2027."})]),
        ("Dự toán ngân sách quận năm 2027", "Phòng Tài chính – Kế hoạch", 40,
         [write_pdf("03-to-trinh-du-toan.pdf", "Tờ trình dự toán ngân sách quận năm 2027", 4),
          budget_annex("03-phu-luc-du-toan.pdf", "Phụ lục dự toán chi ngân sách năm 2027", 6)]),
        ("Đề án chỉnh trang đô thị và quản lý vỉa hè", "Phòng Quản lý đô thị", 30,
         [write_pdf("04-de-an-chinh-trang-do-thi.pdf", "Đề án chỉnh trang đô thị giai đoạn 2027–2030", 8)]),
        ("Kế hoạch cải cách hành chính năm 2027", "Phòng Nội vụ", 20,
         [write_pdf("05-ke-hoach-cai-cach-hanh-chinh.pdf", "Kế hoạch cải cách hành chính năm 2027", 5)]),
        ("Kết luận phiên họp", "Chủ tịch UBND quận", 15,
         [write_pdf("06-du-thao-ket-luan.pdf", "Dự thảo thông báo kết luận phiên họp", 3)]),
    ]
    meeting = {
        "id": stable_id("meeting-2026-12"),
        "title": "Phiên họp thường kỳ UBND quận tháng 12",
        "location": "Phòng họp số 1, Trụ sở UBND quận Sông Hàn",
        # The sample is always upcoming: it starts this many days after it is loaded.
        "startsInDays": 3,
        "startsAtLocalTime": "08:00",
        "utcOffsetHours": 7,
        "status": "published",
        "version": 1,
        "invitees": [m["id"] for m in members],
        "agenda": [
            {"id": stable_id(f"item-{n}"), "title": title, "presenter": presenter,
             "plannedMinutes": minutes, "documents": documents}
            for n, (title, presenter, minutes, documents) in enumerate(agenda, start=1)
        ],
    }
    sample = {"committee": {"id": committee_id, "name": "Ủy ban nhân dân quận Sông Hàn"},
              "members": members, "meeting": meeting}
    (HERE / "sample.json").write_text(json.dumps(sample, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
