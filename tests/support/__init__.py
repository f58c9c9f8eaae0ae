"""Helpers only tests use: rendering a PDF page as a scanner would, and segno as a reference
QR encoder for our own (``credentials.credential.qrsymbol``)."""

from __future__ import annotations

import io
from typing import Any

from credentials.credential import qr, qrsymbol

_MODE_BYTE = 4
_MODE_NUMERIC = 1


def pdf_page_png(pdf: bytes, *, page: int = 0, dpi: int = 200, mode: str = "L") -> bytes:
    """One page of a PDF rendered to a PNG with PDFium (grey, or ``mode="RGB"``)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[page].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    buf = io.BytesIO()
    image.convert(mode).save(buf, format="PNG")
    return buf.getvalue()


def pdf_text(pdf: bytes) -> str:
    """The text of every page of a PDF, as PDFium extracts it (one string)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def segno_modules(site_url: str, data: bytes, *, level: str, mask: int) -> bytes:
    """The symbol of ``data`` built by segno (a general encoder), as modules 0/1."""
    import segno

    segments: Any = [(qr.prefix(site_url), _MODE_BYTE), (qr.digits(data), _MODE_NUMERIC)]
    code = segno.make_qr(
        segments, version=qr.VERSION, error=level.lower(), boost_error=False, mask=mask
    )
    return bytes(v & 1 for row in code.matrix for v in row)


def designator(code: qrsymbol.Symbol) -> str:
    """e.g. ``11-M``: version and error-correction level."""
    return code.designator
