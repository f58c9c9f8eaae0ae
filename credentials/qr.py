"""The QR code of a credential: its text, and its rendering at a physical size.

Text: the verification page's URL ending in ``/v#``, then the COSE_Sign1 bytes (with a leading 0x01
byte, so that leading zero bytes survive) written as one decimal integer. The URL goes in a byte-mode
segment and the digits in a numeric-mode segment (3.33 bits per digit, close to raw binary). A phone
camera opens the URL; the fragment after ``#`` never reaches a server.

Every code has the same version (11) so certificates print alike; the error-correction level is the
highest that fits (``boost_error``), at least M. The only module that imports ``segno``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import segno

from credentials.errors import MalformedCredential

VERSION = 11
_MIN_ERROR = "m"
_MODE_BYTE = 4
_MODE_NUMERIC = 1
_MM_PER_INCH = 25.4


def prefix(site_url: str) -> str:
    """``https://<site>/v#`` for a bureau's site URL."""
    return site_url.rstrip("/") + "/v#"


def digits(data: bytes) -> str:
    """The credential bytes as the decimal integer of ``0x01 || data``."""
    return str(int.from_bytes(b"\x01" + data, "big"))


def payload_text(site_url: str, data: bytes) -> str:
    """The whole text the QR code holds."""
    return prefix(site_url) + digits(data)


def decode_text(text: str) -> bytes:
    """The credential bytes from QR text (a URL with a ``#digits`` fragment, or the digits)."""
    fragment = text.strip().rpartition("#")[2]
    if not fragment.isascii() or not fragment.isdigit():
        raise MalformedCredential("QR text has no credential (expected …/v#<digits>)")
    if len(fragment) > 12_000:
        raise MalformedCredential("QR text is too long for a credential")
    value = int(fragment)
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    if not raw or raw[0] != 1:
        raise MalformedCredential("QR digits do not start with the 0x01 marker byte")
    return raw[1:]


def make(site_url: str, data: bytes, *, version: int | None = VERSION) -> segno.QRCode:
    """The QR code: a byte segment for the URL, a numeric one for the digits."""
    # segno takes a list of (text, mode) pairs as manual segmentation (its stubs say otherwise)
    segments: Any = [(prefix(site_url), _MODE_BYTE), (digits(data), _MODE_NUMERIC)]
    try:
        return segno.make_qr(segments, version=version, error=_MIN_ERROR, boost_error=True)
    except segno.DataOverflowError as err:
        raise ValueError(
            f"credential of {len(data)} bytes does not fit QR version {version}"
        ) from err


def designator(code: segno.QRCode) -> str:
    """e.g. ``11-Q``: version and error-correction level."""
    return str(code.designator)


def render_svg(code: segno.QRCode, *, size_mm: float = 30.0, path: Path | None = None) -> bytes:
    """SVG whose symbol (without the quiet zone) measures ``size_mm``."""
    buf = io.BytesIO()
    scale = size_mm / code.symbol_size(border=0)[0]
    code.save(buf, kind="svg", scale=scale, unit="mm", border=4, dark="black", light="white")
    out = buf.getvalue()
    if path is not None:
        path.write_bytes(out)
    return out


def render_png(
    code: segno.QRCode, *, size_mm: float = 30.0, dpi: int = 300, path: Path | None = None
) -> bytes:
    """PNG at ``dpi`` whose symbol measures about ``size_mm`` (whole pixels per module)."""
    modules = code.symbol_size(border=0)[0]
    scale = max(1, round(size_mm / _MM_PER_INCH * dpi / modules))
    buf = io.BytesIO()
    code.save(buf, kind="png", scale=scale, border=4, dpi=dpi)
    out = buf.getvalue()
    if path is not None:
        path.write_bytes(out)
    return out
