"""The printable certificate (职业技能等级证书) in the reference style, as PDF.

A4 landscape, the two pages of the reference style side by side. Left: the title, the statement
with the institution's name (Chinese and English), the issuing institution, the seal area, the
issue date and the query URLs. Right: the photo (when given), the QR code at 30 mm, and 姓名, 证件
类型, 证件号码, 职业名称, 工种/职业方向, 职业技能等级 and 证书编号, each with its English label.

Chinese text uses AR PL UKai (楷体, as the style asks), embedded as a subset, when the font is
installed (Debian: ``fonts-arphic-ukai``); otherwise the standard PDF CJK font STSong-Light, which
every PDF reader supplies. The only module that imports ``reportlab``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

PAGE = landscape(A4)
QR_SIZE_MM = 30.0
_KAI_PATHS = (
    Path("/usr/share/fonts/truetype/arphic/ukai.ttc"),
    Path("/usr/share/fonts/truetype/arphic-ukai/ukai.ttc"),
)
_NO_LINE_START = frozenset("，。、；：？！）》」』”’,.;:?!)")
_LATIN = "Times-Roman"
_DARK_RUN = re.compile(b"\x01+")
_LATIN_BOLD = "Times-Bold"


@dataclass(frozen=True, slots=True)
class CertificatePage:
    """Everything printed on one certificate."""

    holder: str
    id_type_zh: str
    id_number: str
    occupation_name: str
    job: str | None
    level_zh: str
    level_en: str
    number: str
    version: int
    issued: dt.date
    institution_name: str
    institution_name_en: str | None
    qr_matrix: Sequence[bytes] | Sequence[Sequence[int]]
    certificate_query_url: str | None = None  # 证书信息查询网址 (national)
    institution_query_url: str | None = None  # 机构信息查询网址 (national)
    verify_url: str | None = None  # the bureau's own verification page
    no_job_text: str = "--"  # Liaoning: ——
    seal: Path | None = None  # the seal image, printed over the institution's name
    photo: Path | None = None


@cache
def cjk_font() -> str:
    """Register and return the Chinese font's name (embedded UKai, else STSong-Light)."""
    for path in _KAI_PATHS:
        if path.is_file():
            pdfmetrics.registerFont(TTFont("UKai", str(path), subfontIndex=0))
            return "UKai"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def font_is_embedded() -> bool:
    """Whether certificates embed their Chinese font (UKai installed)."""
    return cjk_font() == "UKai"


def _wrap(c: Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (CJK: any character; Latin: words)."""
    lines: list[str] = []
    current = ""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ch.isascii() and not ch.isspace():
            word += ch
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(ch)
    if word:
        tokens.append(word)
    for token in tokens:
        trial = current + token
        # no line starts with closing punctuation (禁则): it stays at the end of the line
        if c.stringWidth(trial, font, size) > width and current and token not in _NO_LINE_START:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current = trial
    if current:
        lines.append(current.rstrip())
    return lines


def _draw_qr(
    c: Canvas, matrix: Sequence[bytes] | Sequence[Sequence[int]], x: float, y: float, size: float
) -> None:
    """The QR symbol as vector runs, ``size`` wide, lower-left corner at (x, y).

    Drawn in module units (translate + scale) with one path of integer rectangles written
    directly, which is several times faster than a rectangle call per run.
    """
    n = len(matrix)
    ops = []
    for r, row in enumerate(matrix):
        line = bytes(v & 1 for v in row)
        top = n - 1 - r
        for m in _DARK_RUN.finditer(line):
            ops.append(f"{m.start()} {top} {m.end() - m.start()} 1 re")
    c.saveState()
    c.translate(x, y)
    c.scale(size / n, size / n)
    c.setFillGray(0)
    content: list[str] = c.__dict__["_code"]  # the page's content stream (reportlab internals)
    content.append(" ".join(ops) + " f")  # one fill of integer rectangles (PDF "re" and "f")
    c.restoreState()


def _page(c: Canvas, p: CertificatePage) -> None:
    kai = cjk_font()
    width, height = PAGE
    half = width / 2
    c.setStrokeColorRGB(0.55, 0.1, 0.1)
    c.setLineWidth(1.2)
    c.rect(8 * mm, 8 * mm, width - 16 * mm, height - 16 * mm)
    c.setLineWidth(0.4)
    c.line(half, 14 * mm, half, height - 14 * mm)

    # --- left page ---
    cx = half / 2
    c.setFillColorRGB(0.55, 0.1, 0.1)
    c.setFont(kai, 30)
    c.drawCentredString(cx, height - 45 * mm, "职业技能等级证书")
    c.setFont(_LATIN, 15)
    c.drawCentredString(cx, height - 54 * mm, "Certificate of Occupational Skill Level")
    c.setFillGray(0)
    text_w = half - 40 * mm
    y = height - 75 * mm
    statement = (
        f"本证书由{p.institution_name}颁发，表明持证人通过本机构组织的职业技能等级认定，"
        "具备该职业（工种）相应技能等级水平。"
    )
    for line in _wrap(c, statement, kai, 13, text_w):
        c.setFont(kai, 13)
        c.drawString(20 * mm, y, line)
        y -= 7 * mm
    y -= 2 * mm
    english = (  # the reference style's sentence, word for word
        "This is to certify that the bearer has demonstrated corresponding competency in this "
        "occupation(job) for successful completion of the occupational skill level assessment "
        f"organized by {p.institution_name_en or p.institution_name}."
    )
    for line in _wrap(c, english, _LATIN, 10.5, text_w):
        c.setFont(_LATIN, 10.5)
        c.drawString(20 * mm, y, line)
        y -= 5 * mm
    # issuing institution, seal area, date
    y = 62 * mm
    c.setFont(kai, 12)
    c.drawString(20 * mm, y, "发证机构：")
    for i, line in enumerate(_wrap(c, p.institution_name, kai, 12, text_w - 25 * mm)):
        c.drawString(43 * mm, y - i * 6 * mm, line)
    c.setFont(_LATIN, 9)
    c.drawString(20 * mm, y - 5 * mm, "Issued by")
    if p.seal is not None and p.seal.is_file():  # stamped over the institution's name
        size = 40 * mm
        c.drawImage(ImageReader(str(p.seal)), 43 * mm, y - size / 2 - 2 * mm, size, size,
                    mask="auto", preserveAspectRatio=True, anchor="c")  # fmt: skip
    else:  # room for the wet stamp
        c.setDash(2, 2)
        c.setStrokeGray(0.6)
        c.circle(half - 45 * mm, 55 * mm, 19 * mm)
        c.setDash()
        c.setFillGray(0.6)
        c.setFont(kai, 9)
        c.drawCentredString(half - 45 * mm, 54 * mm, "（印章 Seal）")
        c.setFillGray(0)
    c.setFont(kai, 12)
    c.drawString(20 * mm, 42 * mm, f"发证日期：{p.issued.year}年{p.issued.month}月{p.issued.day}日")
    c.setFont(_LATIN, 9)
    c.drawString(20 * mm, 37 * mm, f"Issue date: {p.issued.isoformat()}")
    for y_mm, label, url in (
        (28, "证书信息查询网址（Certificate Information）：", p.certificate_query_url),
        (22, "机构信息查询网址（Assessment Information）：", p.institution_query_url),
        (16, "本证书核验网址（Verification）：", p.verify_url),
    ):
        if url:
            _mixed(c, 20 * mm, y_mm * mm, label + url, kai, 9)

    # --- right page ---
    left = half + 22 * mm
    photo_w, photo_h = 25 * mm, 35 * mm
    top = height - 25 * mm
    c.setStrokeGray(0.5)
    c.setLineWidth(0.5)
    c.rect(left, top - photo_h, photo_w, photo_h)
    if p.photo is not None and p.photo.is_file():
        c.drawImage(
            ImageReader(str(p.photo)),
            left,
            top - photo_h,
            photo_w,
            photo_h,
            preserveAspectRatio=True,
            anchor="c",
        )
    else:
        c.setFillGray(0.6)
        c.setFont(kai, 9)
        c.drawCentredString(left + photo_w / 2, top - photo_h / 2, "照片 Photo")
        c.setFillGray(0)
    qr_size = QR_SIZE_MM * mm
    qr_x = width - 22 * mm - qr_size
    _draw_qr(c, p.qr_matrix, qr_x, top - qr_size, qr_size)
    c.setFont(kai, 8)
    c.drawCentredString(qr_x + qr_size / 2, top - qr_size - 5 * mm, "扫码核验 Scan to verify")
    fields = [
        ("姓名", "Name", p.holder),
        ("证件类型", "ID Type", p.id_type_zh),
        ("证件号码", "ID No.", p.id_number),
        ("职业名称", "Occupation", p.occupation_name),
        ("工种/职业方向", "Job", p.job or p.no_job_text),
        ("职业技能等级", "Skill Level", p.level_zh),
        ("证书编号", "Certificate No.", p.number),
    ]
    y = top - photo_h - 22 * mm
    for zh, en, value in fields:
        c.setFont(kai, 12)
        c.drawString(left, y, f"{zh}：")
        c.setFont(_LATIN, 8.5)
        c.drawString(left, y - 4.2 * mm, en)
        value_font = _LATIN if value.isascii() else kai
        c.setFont(value_font, 13)
        c.drawString(left + 36 * mm, y, value)
        if en == "Skill Level":
            c.setFont(_LATIN, 9)
            c.drawString(left + 39 * mm + c.stringWidth(value, kai, 13), y, p.level_en)
        c.setStrokeGray(0.75)
        c.line(left + 35 * mm, y - 1.5 * mm, width - 22 * mm, y - 1.5 * mm)
        y -= 13 * mm
    if p.version > 1:  # a re-issue says so apart from the number, which stays as issued
        _mixed(
            c,
            left + 36 * mm,
            y + 6 * mm,
            f"补发（第 {p.version} 版）Re-issued, version {p.version}",
            kai,
            9,
        )


def _mixed(c: Canvas, x: float, y: float, text: str, kai: str, size: float) -> None:
    """A line of Chinese and Latin text, each run in its font."""
    for run in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text):
        font = _LATIN if run.isascii() else kai
        c.setFont(font, size)
        c.drawString(x, y, run)
        x += c.stringWidth(run, font, size)


def render(pages: Iterable[CertificatePage], *, title: str = "职业技能等级证书") -> bytes:
    """A PDF with one A4 landscape page per certificate."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=PAGE, pageCompression=1)
    c.setTitle(title)
    c.setCreator("skillcert")
    count = 0
    for page in pages:
        _page(c, page)
        c.showPage()
        count += 1
    if count == 0:
        raise ValueError("a certificate PDF needs at least one page")
    c.save()
    return buf.getvalue()
