"""The printable certificate (职业技能等级证书) in the reference style, as PDF.

A4 landscape, the two pages of the reference style side by side. Left: the title, the statement
with the institution's name (Chinese and English), the issuing institution, the seal area, the
issue date and the query URLs. Right: the photo (when given), the QR code at 30 mm, and 姓名, 证件
类型, 证件号码, 职业名称, 工种/职业方向, 职业技能等级 and 证书编号, each with its English label.

Chinese text uses AR PL UKai (楷体, as the style asks), embedded as a subset, when the font is
installed (Debian: ``fonts-arphic-ukai``); otherwise the standard PDF CJK font STSong-Light, which
every PDF reader supplies. Characters UKai has no outline for (rare characters in names: 䶮 in
Extension A, 𠮷 in Extension B) are drawn in HanaMin A or B (Debian: ``fonts-hanazono``), each
character in the first font that can draw it; ``undrawable`` names the ones no font here can draw,
so that issuing refuses them before anything is signed. The only module that imports ``reportlab``.

Speed. Each certificate's page is drawn once, as its own PDF, which ``pdf_writer`` writes from
reportlab's drawing (``_parts``: reportlab's own writer took half the time); the batch PDF binds
those pages (``pdf_book``). What every certificate of an institution prints alike (the
template: title, statement, labels) gets the first font subsets of each document, the same in
every document and made once per process; the holder's own characters get a small subset of
their own (``_share_template``). The template's drawing is recorded once per process and
replayed (``_segments``, ``_replay``). All of it leaves the printed page exactly as reportlab
draws and writes it plainly (tests compare the rendered pixels and the extracted text).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from credentials.credential import qr
from credentials.issuing import pdf_writer

PAGE = landscape(A4)
QR_SIZE_MM = 30.0
_KAI_PATHS = (
    Path("/usr/share/fonts/truetype/arphic/ukai.ttc"),
    Path("/usr/share/fonts/truetype/arphic-ukai/ukai.ttc"),
)
_FALLBACK_PATHS = (  # HanaMin: CJK Unified Ideographs with Extension A (A), Extensions B to F (B)
    ("HanaMinA", Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf")),
    ("HanaMinB", Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")),
)
_NO_LINE_START = frozenset("，。、；：？！）》」』”’,.;:?!)")
_LATIN = "Times-Roman"
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


_reportlab_to_unicode = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's ToUnicode map, with characters beyond U+FFFF (Extension B: 𠮷) written as
    UTF-16 surrogate pairs, as PDF needs, instead of five hex digits that readers cut to four (so
    that the holder's name is copied and searched as printed)."""
    lines = _reportlab_to_unicode(fontname, subset).split("\n")
    wide = {f"<{i:02X}> <{v:04X}>": f"<{i:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>"
            for i, v in enumerate(subset) if v > 0xFFFF}  # fmt: skip
    return "\n".join(wide.get(line, line) for line in lines)


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


class _Flate(pdfdoc.PDFStreamFilterZCompress):
    """Flate as ``pdf_writer`` compresses (level 3, the window fit to the data), for the PDFs
    reportlab writes (more than one page, or a Chinese font the reader supplies)."""

    def encode(self, text: str | bytes) -> bytes:
        return pdf_writer.deflate(text.encode("utf8") if isinstance(text, str) else text)


pdfdoc.PDFZCompress = _Flate()
# Streams in binary, not also in ASCII85 (a 2000s habit for 7-bit mail): the page's drawing and the
# photo's JPEG a fifth smaller, and no time spent encoding them.
rl_config.useA85 = 0


_reportlab_array = pdfdoc.PDFArray.format


def _array(self: pdfdoc.PDFArray, document: Any, IND: bytes = b"\n ") -> bytes:  # noqa: N803
    """reportlab's PDFArray.format, the same bytes, with numbers formatted in one call (a font's
    widths: reportlab formats them one by one, a sixth of the time of a one-page certificate)."""
    seq, multiline = self.sequence, self.__dict__.get("multiline", type(self).multiline)
    chunked = multiline != "forced" and not (multiline and rl_config.pdfMultiLine)
    if not chunked or not all(type(e) in (int, float) for e in seq):
        return _reportlab_array(self, document, IND)
    return (
        b"[ "
        + b" \n  ".join([fp_str(*seq[i : i + 10]).encode() for i in range(0, len(seq), 10)])
        + b" ]"
    )


pdfdoc.PDFArray.format = _array  # type: ignore[method-assign]


@dataclass(frozen=True, slots=True)
class _Fonts:
    """The Chinese fonts, first choice first, with their faces to ask which characters they draw
    (no faces: STSong-Light, a font the PDF reader supplies)."""

    names: tuple[str, ...]
    faces: tuple[Any, ...]


def _keep_tables(font: Any) -> None:
    """Every document's font subset is cut from the same tables: read each table of the font
    file once (reportlab copies the whole glyph table out of the file for every document). The
    template's subset, the same in every document, is made once (``_shared_subset``).

    The first subset of a document carries the font's ``name`` table whole: its copyright and
    its licence text (UKai: the Arphic Public License, 20 KB). Later subsets (the holder's own
    characters) carry it without the licence text, which the first one of the same file
    carries: a certificate's PDF and a page of the batch PDF each 8 KB smaller."""
    face = font.face
    table = cache(face.get_table)
    compact = _without_licence_text(table("name"))
    cut = face.makeSubset

    def make(subset: Sequence[int]) -> bytes:
        first = tuple(subset[32:128]) == _ASCII  # reportlab's subset 0 holds ASCII at its codes
        face.get_table = table if first else (lambda tag: compact if tag == "name" else table(tag))
        try:
            return cut(list(subset))  # type: ignore[no-any-return]
        finally:
            face.get_table = table

    face.get_table = table
    face.makeSubset = make


_ASCII = tuple(range(32, 128))
_LICENCE_TEXT = 13  # name ID of the licence description (ID 14, its URL, is kept)


def _without_licence_text(name: bytes) -> bytes:
    """A TrueType ``name`` table (format 0) without its licence description records."""
    count, strings = int.from_bytes(name[2:4], "big"), int.from_bytes(name[4:6], "big")
    records, data = [], bytearray()
    for i in range(count):
        record = name[6 + 12 * i : 18 + 12 * i]
        if int.from_bytes(record[6:8], "big") == _LICENCE_TEXT:
            continue
        length, offset = int.from_bytes(record[8:10], "big"), int.from_bytes(record[10:12], "big")
        records.append(record[:10] + len(data).to_bytes(2, "big"))
        data += name[strings + offset : strings + offset + length]
    head = (0).to_bytes(2, "big") + len(records).to_bytes(2, "big")
    return head + (6 + 12 * len(records)).to_bytes(2, "big") + b"".join(records) + bytes(data)


@cache
def _fonts() -> _Fonts:
    """The first choice: UKai, else STSong-Light (HanaMin: ``_rare_fonts``, loaded when needed)."""
    for path in _KAI_PATHS:
        if path.is_file():
            font = TTFont("UKai", str(path), subfontIndex=0)
            _keep_tables(font)
            pdfmetrics.registerFont(font)
            return _Fonts(("UKai",), (font.face,))
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return _Fonts(("STSong-Light",), ())


@cache
def _rare_fonts() -> _Fonts:
    """HanaMin A and B, for the characters UKai has no outline for: loaded the first time one
    is met (the two files take 0.2 s to read, four times UKai; most rosters never need them)."""
    names: list[str] = []
    faces: list[Any] = []
    for name, path in _FALLBACK_PATHS:
        if path.is_file():
            font = TTFont(name, str(path))
            _keep_tables(font)
            pdfmetrics.registerFont(font)
            names.append(name)
            faces.append(font.face)
    return _Fonts(tuple(names), tuple(faces))


def cjk_font() -> str:
    """Register the Chinese fonts and return the first choice's name (UKai, else STSong-Light)."""
    return _fonts().names[0]


def font_is_embedded() -> bool:
    """Whether certificates embed their Chinese font (UKai installed)."""
    return cjk_font() == "UKai"


@cache
def _font_for(ch: str) -> str | None:
    """The first Chinese font that draws ``ch`` (a glyph with an outline), or None."""
    fonts = _fonts()
    if not fonts.faces:  # STSong-Light: the reader's font covers GBK
        try:
            ch.encode("gbk")
        except UnicodeEncodeError:
            return None
        return fonts.names[0]
    # UKai first; HanaMin read only for what UKai cannot draw
    return _first_drawing(fonts, ch) or _first_drawing(_rare_fonts(), ch)


def _first_drawing(fonts: _Fonts, ch: str) -> str | None:
    """The first of ``fonts`` with an outline for ``ch`` (a space needs none)."""
    for name, face in zip(fonts.names, fonts.faces, strict=True):
        glyph = face.charToGlyph.get(ord(ch))
        if glyph is not None and (ch.isspace() or face.glyphPos[glyph + 1] > face.glyphPos[glyph]):
            return name
    return None


def undrawable(text: str) -> list[str]:
    """The characters of ``text`` that no font here can print, each once, in order."""
    out: list[str] = []
    for ch in text:
        if not ch.isascii() and ch not in out and _font_for(ch) is None:
            out.append(ch)
    return out


@lru_cache(maxsize=4096)
def _runs(text: str) -> tuple[tuple[str, str], ...]:
    """``text`` as runs of one font each: Latin for ASCII, else the first font that draws it."""
    runs: list[tuple[str, str]] = []
    first = cjk_font()
    for ch in text:
        font = _LATIN if ch.isascii() else (_font_for(ch) or first)
        if runs and runs[-1][1] == font:
            runs[-1] = (runs[-1][0] + ch, font)
        else:
            runs.append((ch, font))
    return tuple(runs)


@lru_cache(maxsize=16384)
def _width(text: str, size: float) -> float:
    """The printed width of ``text`` (glyph widths add up: no kerning in these fonts here)."""
    return sum(pdfmetrics.stringWidth(run, font, size) for run, font in _runs(text))


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (CJK: any character; Latin: words)."""
    lines: list[str] = []
    current = ""
    used = 0.0
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
        wide = _width(token, size)
        # no line starts with closing punctuation (禁则): it stays at the end of the line
        if used + wide > width and current and token not in _NO_LINE_START:
            lines.append(current.rstrip())
            current = token.lstrip()
            used = _width(current, size)
        else:
            current += token
            used += wide
    if current:
        lines.append(current.rstrip())
    return lines


def _draw_qr(
    c: Canvas, matrix: Sequence[bytes] | Sequence[Sequence[int]], x: float, y: float, size: float
) -> None:
    """The QR symbol as vector runs, ``size`` wide, lower-left corner at (x, y).

    Drawn in module units (translate + scale) as one path of integer rectangles (``re``), one
    per dark run, filled once (``f``), written from tables (``qr.DarkRuns``).
    """
    n = len(matrix)
    modules = b"".join(
        row if isinstance(row, bytes) else bytes(v & 1 for v in row) for row in matrix
    )
    c.saveState()
    c.translate(x, y)
    c.scale(size / n, size / n)
    c.setFillGray(0)
    content: list[str] = c.__dict__["_code"]  # the page's content stream (reportlab internals)
    content.append(_PDF_RUNS.text(modules, n) + "f")
    c.restoreState()


_PDF_RUNS = qr.DarkRuns(
    lambda column, row, length: f"{column} {row} {length} 1 re ",
    lambda r, size: str(size - 1 - r),  # PDF counts rows from the bottom
)


def _page(c: Canvas, p: CertificatePage) -> None:
    """One certificate, step by step in reading order (``_STEPS``). The steps that draw what
    every certificate of the institution prints are drawn once per process and their drawing
    operators replayed (``_replay``) where the document shares the template's font subsets
    (``_share_template``); the holder's steps are drawn for each page."""
    template = _template_of(p)
    shared = c.__dict__.get("_skillcert_template") == template
    recorded = iter(_segments(template)) if shared else None
    for common, step in _STEPS:
        if not common:
            step(c, p)
        elif recorded is None or not _replay(c, next(recorded)):
            recorded = None  # from here on, draw everything
            step(c, p)


_Step = Callable[[Canvas, CertificatePage], None]
_HALF = PAGE[0] / 2
_TEXT_W = _HALF - 40 * mm
_LEFT = _HALF + 22 * mm  # the right page's left edge
_PHOTO_W, _PHOTO_H = 25 * mm, 35 * mm
_TOP = PAGE[1] - 25 * mm
_QR_X = PAGE[0] - 22 * mm - QR_SIZE_MM * mm
_FIELDS = (
    ("姓名", "Name"),
    ("证件类型", "ID Type"),
    ("证件号码", "ID No."),
    ("职业名称", "Occupation"),
    ("工种/职业方向", "Job"),
    ("职业技能等级", "Skill Level"),
    ("证书编号", "Certificate No."),
)


def _field_y(i: int) -> float:
    return _TOP - _PHOTO_H - 22 * mm - 13 * mm * i


def _title_and_statement(c: Canvas, p: CertificatePage) -> None:
    """The frame, the title, the statement and the issuing institution."""
    kai = cjk_font()
    width, height = PAGE
    c.setStrokeColorRGB(0.55, 0.1, 0.1)
    c.setLineWidth(1.2)
    c.rect(8 * mm, 8 * mm, width - 16 * mm, height - 16 * mm)
    c.setLineWidth(0.4)
    c.line(_HALF, 14 * mm, _HALF, height - 14 * mm)
    cx = _HALF / 2
    c.setFillColorRGB(0.55, 0.1, 0.1)
    c.setFont(kai, 30)
    c.drawCentredString(cx, height - 45 * mm, "职业技能等级证书")
    c.setFont(_LATIN, 15)
    c.drawCentredString(cx, height - 54 * mm, "Certificate of Occupational Skill Level")
    c.setFillGray(0)
    y = height - 75 * mm
    statement = (
        f"本证书由{p.institution_name}颁发，表明持证人通过本机构组织的职业技能等级认定，"
        "具备该职业（工种）相应技能等级水平。"
    )
    for line in _wrap(statement, 13, _TEXT_W):
        _mixed(c, 20 * mm, y, line, 13)
        y -= 7 * mm
    y -= 2 * mm
    english = (  # the reference style's sentence, word for word
        "This is to certify that the bearer has demonstrated corresponding competency in this "
        "occupation(job) for successful completion of the occupational skill level assessment "
        f"organized by {p.institution_name_en or p.institution_name}."
    )
    for line in _wrap(english, 10.5, _TEXT_W):
        _mixed(c, 20 * mm, y, line, 10.5)
        y -= 5 * mm
    y = 62 * mm
    c.setFont(kai, 12)
    c.drawString(20 * mm, y, "发证机构：")
    for i, line in enumerate(_wrap(p.institution_name, 12, _TEXT_W - 25 * mm)):
        _mixed(c, 43 * mm, y - i * 6 * mm, line, 12)
    c.setFont(_LATIN, 9)
    c.drawString(20 * mm, y - 5 * mm, "Issued by")


def _seal(c: Canvas, p: CertificatePage) -> None:
    """The seal stamped over the institution's name, or room for the wet stamp."""
    if p.seal is not None and p.seal.is_file():
        size = 40 * mm
        c.drawImage(str(p.seal), 43 * mm, 62 * mm - size / 2 - 2 * mm, size, size,
                    mask="auto", preserveAspectRatio=True, anchor="c")  # fmt: skip
        return
    c.setDash(2, 2)
    c.setStrokeGray(0.6)
    c.circle(_HALF - 45 * mm, 55 * mm, 19 * mm)
    c.setDash()
    c.setFillGray(0.6)
    c.setFont(cjk_font(), 9)
    c.drawCentredString(_HALF - 45 * mm, 54 * mm, "（印章 Seal）")
    c.setFillGray(0)


def _date(c: Canvas, p: CertificatePage) -> None:
    c.setFont(cjk_font(), 12)
    c.drawString(20 * mm, 42 * mm, f"发证日期：{p.issued.year}年{p.issued.month}月{p.issued.day}日")
    c.setFont(_LATIN, 9)
    c.drawString(20 * mm, 37 * mm, f"Issue date: {p.issued.isoformat()}")


def _urls_and_frame(c: Canvas, p: CertificatePage) -> None:
    """The query URLs, and the photo's frame on the right page."""
    for y_mm, label, url in (
        (28, "证书信息查询网址（Certificate Information）：", p.certificate_query_url),
        (22, "机构信息查询网址（Assessment Information）：", p.institution_query_url),
        (16, "本证书核验网址（Verification）：", p.verify_url),
    ):
        if url:
            _mixed(c, 20 * mm, y_mm * mm, label + url, 9)
    c.setStrokeGray(0.5)
    c.setLineWidth(0.5)
    c.rect(_LEFT, _TOP - _PHOTO_H, _PHOTO_W, _PHOTO_H)


def _photo(c: Canvas, p: CertificatePage) -> None:
    if p.photo is not None and p.photo.is_file():
        c.drawImage(  # a path: a JPEG goes in as it is (DCTDecode), four times faster
            str(p.photo), _LEFT, _TOP - _PHOTO_H, _PHOTO_W, _PHOTO_H,
            preserveAspectRatio=True, anchor="c",
        )  # fmt: skip
    else:
        c.setFillGray(0.6)
        c.setFont(cjk_font(), 9)
        c.drawCentredString(_LEFT + _PHOTO_W / 2, _TOP - _PHOTO_H / 2, "照片 Photo")
        c.setFillGray(0)


def _qr(c: Canvas, p: CertificatePage) -> None:
    qr_size = QR_SIZE_MM * mm
    _draw_qr(c, p.qr_matrix, _QR_X, _TOP - qr_size, qr_size)


def _label(i: int) -> _Step:
    """Field ``i``'s labels, after the line under field ``i - 1`` (the QR code's caption
    before the first field; the last line alone after the last field)."""

    def draw(c: Canvas, p: CertificatePage) -> None:
        if i == 0:
            qr_size = QR_SIZE_MM * mm
            c.setFont(cjk_font(), 8)
            c.drawCentredString(
                _QR_X + qr_size / 2, _TOP - qr_size - 5 * mm, "扫码核验 Scan to verify"
            )
        else:
            y = _field_y(i - 1)
            c.setStrokeGray(0.75)
            c.line(_LEFT + 35 * mm, y - 1.5 * mm, PAGE[0] - 22 * mm, y - 1.5 * mm)
        if i < len(_FIELDS):
            zh, en = _FIELDS[i]
            c.setFont(cjk_font(), 12)
            c.drawString(_LEFT, _field_y(i), f"{zh}：")
            c.setFont(_LATIN, 8.5)
            c.drawString(_LEFT, _field_y(i) - 4.2 * mm, en)

    return draw


def _value(i: int) -> _Step:
    """Field ``i``'s value (the level with its English name)."""

    def draw(c: Canvas, p: CertificatePage) -> None:
        value = (p.holder, p.id_type_zh, p.id_number, p.occupation_name, p.job or p.no_job_text,
                 p.level_zh, p.number)[i]  # fmt: skip
        end = _mixed(c, _LEFT + 36 * mm, _field_y(i), value, 13)
        if i == 5:
            c.setFont(_LATIN, 9)
            c.drawString(end + 3 * mm, _field_y(i), p.level_en)

    return draw


def _version(c: Canvas, p: CertificatePage) -> None:
    if p.version > 1:  # a re-issue says so apart from the number, which stays as issued
        _mixed(c, _LEFT + 36 * mm, _field_y(7) + 6 * mm,
               f"补发（第 {p.version} 版）Re-issued, version {p.version}", 9)  # fmt: skip


# (whether every certificate of the institution prints it alike, the step), in reading order
_STEPS: tuple[tuple[bool, _Step], ...] = (
    (True, _title_and_statement), (False, _seal), (False, _date), (True, _urls_and_frame),
    (False, _photo), (False, _qr),
    *((step, draw(i)) for i in range(len(_FIELDS)) for step, draw in ((True, _label), (False, _value))),
    (True, _label(len(_FIELDS))), (False, _version),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Segment:
    """A common step's drawing operators, recorded once, with the fonts it names: those it
    named first, in order, and the internal name of every font known when it ended."""

    ops: tuple[str, ...]
    new_fonts: tuple[str, ...]
    names: tuple[tuple[str, str], ...]


@lru_cache(maxsize=64)
def _segments(template: CertificatePage) -> tuple[_Segment, ...]:
    """The common steps of ``template`` as drawn in a fresh document sharing its subsets."""
    scratch = Canvas(io.BytesIO(), pagesize=PAGE)
    _share_template(scratch, template)
    doc = scratch.__dict__["_doc"]
    code: list[str] = scratch.__dict__["_code"]
    out = []
    for common, step in _STEPS:
        known, start = list(doc.fontMapping), len(code)
        step(scratch, template)
        if common:
            new = tuple(name for name in doc.fontMapping if name not in known)
            out.append(_Segment(tuple(code[start:]), new, tuple(doc.fontMapping.items())))
    return tuple(out)


def _replay(c: Canvas, segment: _Segment) -> bool:
    """Append ``segment``'s operators to the page when every font it names has the same
    internal name in ``c``'s document as where it was recorded; False (nothing appended): draw
    it instead."""
    doc = c.__dict__["_doc"]
    for name in segment.new_fonts:  # name the fonts in the recorded order
        font: Any = pdfmetrics.getFont(name)
        if font._dynamicFont:
            font.getSubsetInternalName(0, doc)
        else:
            doc.getInternalFontName(name)
    if any(doc.fontMapping.get(name) != internal for name, internal in segment.names):
        return False
    c.__dict__["_code"].extend(segment.ops)
    return True


def _mixed(c: Canvas, x: float, y: float, text: str, size: float) -> float:
    """A line of Chinese and Latin text, each run in its font; returns where it ends."""
    for run, font in _runs(text):
        c.setFont(font, size)
        c.drawString(x, y, run)
        x += c.stringWidth(run, font, size)
    return x


def _template_of(p: CertificatePage) -> CertificatePage:
    """The page with nothing of its holder: what every certificate of the institution prints."""
    return replace(p, holder="", id_type_zh="", id_number="", occupation_name="", job="",
                   level_zh="", level_en="", number="", version=1, qr_matrix=(b"\x00",),
                   issued=dt.date(2000, 1, 1), photo=None)  # fmt: skip


@lru_cache(maxsize=64)
def _template_chars(template: CertificatePage) -> tuple[tuple[str, str], ...]:
    """The characters ``template`` prints in each embedded font (the first one, and HanaMin for
    a rare character in the institution's name), in the order it prints them: drawn on a
    scratch page that is never saved."""
    scratch = Canvas(io.BytesIO(), pagesize=PAGE)
    for _, step in _STEPS:
        step(scratch, template)
    doc = scratch.__dict__["_doc"]
    out = []
    for name in (*_fonts().names, *(name for name, _ in _FALLBACK_PATHS)):
        if name not in doc.fontMapping:
            continue
        font: Any = pdfmetrics.getFont(name)  # a TTFont (reportlab's stubs say Font)
        state = font.state.get(doc)
        if state is not None:
            order = sorted(state.assignments.items(), key=lambda kv: kv[1])
            out.append((name, "".join(chr(code) for code, n in order if code > 127 and n > 0)))
    return tuple(out)


def _share_template(c: Canvas, p: CertificatePage) -> None:
    """Give the characters every certificate of the institution prints the first font subsets
    of ``c``'s document, and the holder's own characters the next ones.

    reportlab cuts one font subset per 256 characters, in the order they are first drawn, so
    each one-page certificate had a subset of its own to make and compress (a third of its
    time). With the template's characters first and the subset closed after them, the first
    subset is the same in every certificate of the institution and is made once per process
    (``_shared_subset``; ``pdf_writer`` writes it once too), and the template's drawing can be
    replayed (``_segments``); the holder's few characters go in a small subset of their own. No
    subset holds another holder's characters.
    """
    if not _fonts().faces:  # STSong-Light: the reader's font, nothing embedded
        return
    template = _template_of(p)
    doc = c.__dict__["_doc"]
    for name, chars in _template_chars(template):
        font: Any = pdfmetrics.getFont(name)
        font.splitString(chars, doc)
        state = font.state[doc]
        if state.nextCode & 0xFF:
            state.nextCode = (state.nextCode | 0xFF) + 1
    c.__dict__["_skillcert_template"] = template


def render(pages: Iterable[CertificatePage], *, title: str = "职业技能等级证书") -> bytes:
    """A PDF with one A4 landscape page per certificate: one page written by ``pdf_writer``
    (a certificate's own PDF, the pages of the batch PDF), more by reportlab."""
    pages = list(pages)
    if not pages:
        raise ValueError("a certificate PDF needs at least one page")
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=PAGE, pageCompression=1)
    c.setTitle(title)
    c.setCreator("skillcert")
    _share_template(c, pages[0])
    for page in pages:
        _page(c, page)
        if len(pages) == 1 and (parts := _parts(c, title)) is not None:
            return pdf_writer.write(parts)
        c.showPage()
    c.save()
    return buf.getvalue()


def _parts(c: Canvas, title: str) -> pdf_writer.OnePage | None:
    """The page drawn on ``c`` (not yet shown) as ``pdf_writer``'s parts; None when it holds
    what the writer does not write: a font other than a standard one or an embedded TrueType
    subset (STSong-Light, the reader's own CJK font), or transparency, colour spaces,
    annotations, which no certificate draws."""
    state: dict[str, Any] = c.__dict__
    if (state["_annotationrefs"] or state["_colorsUsed"] or state["_shadingUsed"]
            or state["_extgstate"]._c or state["_psCommandsBeforePage"]
            or state["_psCommandsAfterPage"] or state["_cropMarks"] or state["_pageRotation"]
            or state["_pageTransition"] or state["_pageDuration"] is not None):  # fmt: skip
        return None
    doc = state["_doc"]
    template = state.get("_skillcert_template")
    # the first subset of each font the template prints is the template's (``_share_template``)
    shared = dict(_template_chars(template)) if template is not None else {}
    fonts: list[pdf_writer.StandardFont | pdf_writer.Subset] = []
    for name, internal in doc.fontMapping.items():
        font: Any = pdfmetrics.getFont(name)
        if isinstance(font, TTFont):
            subsets = font.state[doc].subsets
            fonts += [_subset(name, f"{internal[1:]}+{n}", n, tuple(codes),
                              shared=n == 0 and name in shared)
                      for n, codes in enumerate(subsets)]  # fmt: skip
        elif (standard := _standard(name, internal[1:])) is not None:
            fonts.append(standard)
        else:
            return None
    images = []
    for name in dict.fromkeys(state["_formsinuse"]):
        image = _image(doc, doc.getXObjectName(name))
        if image is None:
            return None
        images.append(image)
    code = "\n".join([state["_preamble"], *state["_code"], " "]) + "\n"
    width, height = state["_pagesize"]
    return pdf_writer.OnePage(width, height, code.encode("utf8"), fonts, images, title)


def _subset(
    font_name: str, resource: str, n: int, codes: tuple[int, ...], *, shared: bool
) -> pdf_writer.Subset:
    """Subset ``n`` of a TrueType font in a document (its characters ``codes``, the page's name
    for it ``resource``), as reportlab embeds it; ``shared``: the template's (the first of a
    document that shares it), the same in every certificate of an institution, made once."""
    made = _shared_subset if shared else _made_subset
    return made(font_name, resource, n, codes, shared=shared)


def _made_subset(
    font_name: str, resource: str, n: int, codes: tuple[int, ...], *, shared: bool
) -> pdf_writer.Subset:
    font: Any = pdfmetrics.getFont(font_name)
    face = font.face
    base = b"".join((ttfonts.SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("latin-1")
    flags = face.flags & ~ttfonts.FF_NONSYMBOLIC | ttfonts.FF_SYMBOLIC
    metrics = pdf_writer.FontMetrics(face.ascent, face.capHeight, face.descent, flags,
                                     tuple(face.bbox), face.italicAngle, face.stemV,
                                     face.defaultWidth)  # fmt: skip
    return pdf_writer.Subset(
        resource=resource,
        base_font=base,
        widths=tuple(map(face.getCharWidth, codes)),
        to_unicode=_to_unicode_cmap(base, codes).encode("utf8"),
        program=face.makeSubset(codes),
        metrics=metrics,
        shared=shared,
    )


# the template subsets kept made (one per institution and font: a few at most)
_shared_subset = lru_cache(maxsize=16)(_made_subset)


@lru_cache(maxsize=64)
def _standard(font_name: str, resource: str) -> pdf_writer.StandardFont | None:
    """A standard font (Times-Roman) in its standard encoding; None: another kind of font."""
    font: Any = pdfmetrics.getFont(font_name)
    standard: Any = pdfmetrics.standardFonts
    if (font.face.name not in standard or standard.__embed__
            or font.encoding.makePDFObject() != "/WinAnsiEncoding"):  # fmt: skip
        return None
    return pdf_writer.StandardFont(resource, font.face.name)


def _image(doc: Any, name: str) -> pdf_writer.Image | None:
    """The image XObject ``name`` of ``doc`` as reportlab would write it; None: not an image,
    or one with a colour-key mask (reportlab makes none for a photo or a seal: it gives a
    transparent PNG a soft mask)."""
    image = doc.idToObject.get(name)
    if not isinstance(image, pdfdoc.PDFImageXObject) or image.mask:
        return None
    data: Any = image.streamContent  # bytes (the stubs say str)
    if not isinstance(data, bytes):
        return None
    decode = getattr(image, "_decode", None)
    if image.colorSpace == "DeviceCMYK" and getattr(image, "_dotrans", False):
        decode = (1, 0, 1, 0, 1, 0, 1, 0)
    soft = getattr(image, "smask", None)
    soft_mask = _image(doc, soft.name) if soft is not None else None
    if soft is not None and soft_mask is None:
        return None
    return pdf_writer.Image(
        resource=name, width=image.width, height=image.height, bits=image.bitsPerComponent,
        color_space=image.colorSpace, filters=tuple(getattr(image, "_filters", ())), data=data,
        decode=tuple(decode) if decode else None, soft_mask=soft_mask,
    )  # fmt: skip
