"""A one-page PDF written from its parts: the page's drawing, its fonts and its images.

``certificate_pdf`` draws a certificate with reportlab and hands the parts here (``OnePage``);
this module writes the file. reportlab's own writer builds every object of every document as a
tree of Python objects and formats it item by item: measured, 1.6 ms of a certificate's 3.1 ms.
Here each object is one formatted string, and the objects every certificate of an institution
shares (the template's font subset: its program, widths and character map) are formatted once
per process (``_shared_subset_objects``), so a certificate pays only for its own drawing, its
holder's few characters and its photo.

The file is what ``pdf_book`` binds and what PDF readers expect of a classic PDF 1.4 file: a
cross-reference table, one page, every stream with a direct length, deflated (``deflate``; the
levels measured: ``_OWN``, ``_SHARED``). No third-party import.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class StandardFont:
    """One of the PDF standard fonts (Times-Roman, Helvetica), which readers supply."""

    resource: str  # the page's name for it: F1
    base_font: str  # Times-Roman
    encoding: str = "WinAnsiEncoding"


@dataclass(frozen=True, slots=True)
class FontMetrics:
    """A TrueType font's descriptor values (font units scaled to 1000 per em)."""

    ascent: float
    cap_height: float
    descent: float
    flags: int
    bbox: tuple[float, float, float, float]
    italic_angle: float
    stem_v: float
    missing_width: float


@dataclass(frozen=True, slots=True)
class Subset:
    """An embedded subset of a TrueType font: up to 256 characters under one-byte codes."""

    resource: str  # F2+0
    base_font: str  # AAAAAA+UKaiCN-0 (a subset tag, then the font's name)
    widths: tuple[float, ...]  # of codes 0, 1, ...
    to_unicode: bytes  # the CMap from codes to characters (copying, searching)
    program: bytes  # the TrueType subset itself
    metrics: FontMetrics
    shared: bool = False  # the same in every certificate of an institution (the template's)


@dataclass(frozen=True, slots=True)
class Image:
    """An image XObject as its stream is stored: ``data`` already encoded by ``filters``."""

    resource: str  # FormXob.8a4c...
    width: int
    height: int
    bits: int
    color_space: str  # DeviceRGB, DeviceGray, DeviceCMYK
    filters: tuple[str, ...]  # DCTDecode, FlateDecode
    data: bytes
    decode: tuple[float, ...] | None = None
    soft_mask: Image | None = None  # an alpha channel, an image of its own


@dataclass(frozen=True, slots=True)
class OnePage:
    """Everything a one-page PDF holds."""

    width: float
    height: float
    content: bytes  # the page's drawing operators, not compressed
    fonts: Sequence[StandardFont | Subset]
    images: Sequence[Image]
    title: str


def deflate(data: bytes, level: int = 3) -> bytes:
    """``data`` compressed with zlib at ``level``, its window no larger than the data (the same
    compression): zlib's default state (a 32 KB window, 256 KB in all) costs 65 µs to set up,
    more than compressing a holder's character map; a PDF has a few such small streams."""
    bits = max(9, min(15, (len(data) - 1).bit_length()))
    packer = zlib.compressobj(level, zlib.DEFLATED, bits, min(8, max(1, bits - 7)))
    return packer.compress(data) + packer.flush()


# Measured on a certificate: a page's own streams (its drawing, 19 KB, most of it the QR code's
# rectangles; its holder's font subset, 7 KB) at level 1 take half the time of level 3 for 3 %
# more bytes; the template's subset (64 KB), compressed once per process, at level 9 is 4 %
# smaller than at level 3 (1.5 KB less in every certificate's file) for 2 ms once.
_OWN, _SHARED = 1, 9


def number(value: float) -> str:
    """A number as reportlab writes it (``fp_str``): six decimal places at most, fewer the
    larger it is (seven significant digits), no trailing zeros, never an exponent."""
    size = abs(value)
    if size <= 1e-7:
        return "0"
    places = 6 if size <= 1 else min(max(0, 6 - int(math.log10(size))), 6)
    text = f"{value:.{places}f}"
    if places:
        text = text.rstrip("0").rstrip(".")
    return text[1:] if text[0] == "0" and len(text) > 1 else text


def _numbers(values: Sequence[float]) -> str:
    return " ".join(number(v) for v in values)


def _text_string(text: str) -> str:
    """A PDF text string in UTF-16 (big-endian, with its byte order mark), as hex."""
    return "<" + ("\ufeff" + text).encode("utf-16-be").hex().upper() + ">"


# The file's first line, and the numbers of the document's catalog, page tree and information:
# the same in a certificate's PDF and in the batch PDF (``pdf_book``).
HEADER = b"%PDF-1.4\n%\x93\x8c\x8b\x9e skillcert\n"
CATALOG, PAGES, INFO = 1, 2, 3


def document_objects(pages: Sequence[int], title: str) -> tuple[bytes, bytes, bytes]:
    """The catalog, the page tree of the page objects ``pages`` and the document information."""
    kids = " ".join(f"{n} 0 R" for n in pages)
    return (
        _object(CATALOG, f"<< /Pages {PAGES} 0 R /Type /Catalog >>"),
        _object(PAGES, f"<< /Count {len(pages)} /Kids [ {kids} ] /Type /Pages >>"),
        _object(INFO, f"<< /Creator (skillcert) /Title {_text_string(title)} >>"),
    )


def cross_reference(offsets: Sequence[int], at: int) -> bytes:
    """The cross-reference table of objects 1, 2, ... at ``offsets`` in the file, written at
    ``at``, with the trailer and the end of the file."""
    rows = b"".join(b"%010d 00000 n \n" % o for o in offsets)
    count = len(offsets) + 1
    return (b"xref\n0 %d\n0000000000 65535 f \n%strailer\n<< /Info %d 0 R /Root %d 0 R "
            b"/Size %d >>\nstartxref\n%d\n%%%%EOF\n") % (count, rows, INFO, CATALOG, count, at)  # fmt: skip


def _stream(number_: int, data: bytes, before: str, after: str = "") -> bytes:
    """A stream object; its dictionary's entries in order, ``before`` and ``after`` its length."""
    entries = f"{before} /Length {len(data)} {after}".strip().encode("ascii")
    return b"%d 0 obj\n<< %s >>\nstream\n%s\nendstream\nendobj\n" % (number_, entries, data)


def _object(number_: int, value: str) -> bytes:
    return f"{number_} 0 obj\n{value}\nendobj\n".encode()


_FLATE = "/Filter [ /FlateDecode ]"


def _subset_objects(subset: Subset, first: int) -> tuple[bytes, bytes, bytes, bytes]:
    """A subset's four objects from number ``first`` on: its character map, its program, its
    descriptor and the font itself."""
    m = subset.metrics
    level = _SHARED if subset.shared else _OWN
    cmap = _stream(first, deflate(subset.to_unicode, level), _FLATE)
    program = _stream(first + 1, deflate(subset.program, level), _FLATE,
                      f"/Length1 {len(subset.program)}")  # fmt: skip
    descriptor = _object(first + 2, (
        f"<< /Ascent {number(m.ascent)} /CapHeight {number(m.cap_height)} "
        f"/Descent {number(m.descent)} /Flags {m.flags} /FontBBox [ {_numbers(m.bbox)} ] "
        f"/FontFile2 {first + 1} 0 R /FontName /{subset.base_font} "
        f"/ItalicAngle {number(m.italic_angle)} /MissingWidth {number(m.missing_width)} "
        f"/StemV {number(m.stem_v)} /Type /FontDescriptor >>"
    ))  # fmt: skip
    font = _object(first + 3, (
        f"<< /BaseFont /{subset.base_font} /FirstChar 0 /FontDescriptor {first + 2} 0 R "
        f"/LastChar {len(subset.widths) - 1} /Name /{subset.resource} /Subtype /TrueType "
        f"/ToUnicode {first} 0 R /Type /Font /Widths [ {_numbers(subset.widths)} ] >>"
    ))  # fmt: skip
    return cmap, program, descriptor, font


# the template's subsets: the same in every certificate of an institution, at the same numbers
_shared_subset_objects = lru_cache(maxsize=16)(_subset_objects)


def _image_objects(image: Image, first: int) -> list[bytes]:
    """An image (and its soft mask, first) as objects from number ``first`` on."""
    objects: list[bytes] = []
    before = [f"/BitsPerComponent {image.bits}", f"/ColorSpace /{image.color_space}"]
    if image.decode is not None:
        before.append(f"/Decode [ {_numbers(image.decode)} ]")
    before.append(f"/Filter [ {' '.join('/' + f for f in image.filters)} ]")
    before.append(f"/Height {image.height}")
    after = []
    if image.soft_mask is not None:
        objects = _image_objects(image.soft_mask, first)
        after.append(f"/SMask {first + len(objects) - 1} 0 R")
    after += ["/Subtype /Image /Type /XObject", f"/Width {image.width}"]
    objects.append(_stream(first + len(objects), image.data, " ".join(before), " ".join(after)))
    return objects


_PAGE, _CONTENT = 4, 5


def write(page: OnePage) -> bytes:
    """``page`` as a PDF file."""
    objects: list[bytes] = [
        *document_objects([_PAGE], page.title),
        b"",  # the page, once its resources have numbers
        _stream(_CONTENT, deflate(page.content, _OWN), _FLATE),
    ]
    fonts: list[str] = []
    for font in page.fonts:  # in the page's order: the template's subset at the same numbers
        if isinstance(font, StandardFont):
            objects.append(_object(len(objects) + 1, (
                f"<< /BaseFont /{font.base_font} /Encoding /{font.encoding} "
                f"/Name /{font.resource} /Subtype /Type1 /Type /Font >>"
            )))  # fmt: skip
        else:
            made = _shared_subset_objects if font.shared else _subset_objects
            objects += made(font, len(objects) + 1)
        fonts.append(f"/{font.resource} {len(objects)} 0 R")
    images: list[str] = []
    for image in page.images:
        objects += _image_objects(image, len(objects) + 1)
        images.append(f"/{image.resource} {len(objects)} 0 R")
    resources = f"/Font << {' '.join(fonts)} >> /ProcSet [ /PDF /Text /ImageB /ImageC /ImageI ]"
    if images:
        resources += f" /XObject << {' '.join(images)} >>"
    objects[_PAGE - 1] = _object(_PAGE, (
        f"<< /Contents {_CONTENT} 0 R /MediaBox [ 0 0 {number(page.width)} "
        f"{number(page.height)} ] /Parent {PAGES} 0 R /Resources << {resources} >> "
        "/Type /Page >>"
    ))  # fmt: skip
    offsets, at = [], len(HEADER)
    for data in objects:
        offsets.append(at)
        at += len(data)
    return HEADER + b"".join(objects) + cross_reference(offsets, at)
