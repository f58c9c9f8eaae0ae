"""The QR code of a credential: its text, and its rendering at a physical size.

Text: the verification page's URL ending in ``/v#``, then the COSE_Sign1 bytes (with a leading 0x01
byte, so that leading zero bytes survive) written as one decimal integer. The URL goes in a byte-mode
segment and the digits in a numeric-mode segment (3.33 bits per digit, close to raw binary). A phone
camera opens the URL; the fragment after ``#`` never reaches a server.

Every code has the same version (11) so certificates print alike; the error-correction level is the
highest that fits, at least M. Symbols are built by ``qrsymbol`` (a fast encoder for exactly this
layout; the tests compare it module for module with segno, a general encoder).
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from operator import getitem
from pathlib import Path

from credentials.credential import qrsymbol
from credentials.errors import MalformedCredential

VERSION = 11
# The longest QR digits accepted (Python and the page alike): 0x01 and 1,500 bytes, far more than a
# credential (under 200 bytes) and below Python's 4,300-digit integer-conversion limit.
MAX_DIGITS = 3_615
_MM_PER_INCH = 25.4
_QUIET = 4  # modules of light margin around the symbol
_PNG_GREY = bytes.maketrans(b"\x00\x01", b"10")  # PNG grey, 1 bit: 1 is white


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
        raise MalformedCredential.because("qr-no-credential")
    if len(fragment) > MAX_DIGITS:
        raise MalformedCredential.because("qr-too-long")
    value = int(fragment)
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    if not raw or raw[0] != 1:
        raise MalformedCredential.because("qr-no-marker")
    return raw[1:]


def fits(site_url: str, size: int) -> bool:
    """Whether every credential of ``size`` bytes fits the fixed version (11) at level M."""
    worst = digits(b"\xff" * size)  # the most digits ``size`` bytes can need
    return qrsymbol.fits(prefix(site_url).encode("ascii"), worst)


def make(site_url: str, data: bytes) -> qrsymbol.Symbol:
    """The QR symbol: a byte segment for the URL, a numeric one for the digits (version 11)."""
    return qrsymbol.encode(prefix(site_url).encode("ascii"), digits(data))


class DarkRuns:
    """The dark runs of QR symbols written as text in one output's syntax (SVG path data, PDF
    rectangles), one piece per run (``run``: its first column, its row's text, its length).

    Written from tables rather than run by run (a symbol has about 900 runs): each row is cut
    into bytes of 8 modules, the text of every value of every byte of a row is made once per
    process, and a symbol is one table look-up per byte, joined, each row given its own text. A
    run that crosses from one byte to the next is written as two pieces side by side, which
    cover the same modules."""

    def __init__(self, run: Callable[[int, str, int], str], row: Callable[[int, int], str]) -> None:
        self._run = run
        self._row = row  # (row, modules a row) -> the row's text
        self._tables: dict[int, tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]] = {}

    def text(self, modules: bytes, size: int) -> str:
        """The runs of a ``size`` × ``size`` symbol (modules 0/1, row after row)."""
        pieces, rows = self._tables.get(size) or self._build(size)
        pad = b"0" * (-size % 8)
        bits = modules.translate(_ASCII_BITS)
        padded = b"".join([bits[r * size : (r + 1) * size] + pad for r in range(size)])
        texts = list(map(getitem, pieces * size, int(padded, 2).to_bytes(len(padded) // 8, "big")))
        step = len(pieces)
        return "".join([
            "".join(texts[i : i + step]).replace("\0", row)
            for i, row in zip(range(0, len(texts), step), rows, strict=True)
        ])  # fmt: skip

    def _build(self, size: int) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
        """For each byte of a row, the text of each of its values (the row's text left as \\0),
        and each row's text."""
        pieces = []
        for first in range(0, size, 8):
            texts = []
            for value in range(256):
                bits = f"{value:08b}"[: size - first]
                texts.append("".join(self._run(first + m.start(), "\0", len(m[0]))
                                     for m in re.finditer("1+", bits)))  # fmt: skip
            pieces.append(tuple(texts))
        made = self._tables[size] = (tuple(pieces), tuple(self._row(r, size) for r in range(size)))
        return made


_ASCII_BITS = bytes.maketrans(b"\x00\x01", b"01")
_SVG_RUNS = DarkRuns(
    lambda column, row, length: f"M{column + _QUIET} {row}h{length}v1h-{length}z",
    lambda r, size: str(r + _QUIET),
)


def render_svg(code: qrsymbol.Symbol, *, size_mm: float = 30.0, path: Path | None = None) -> bytes:
    """SVG whose symbol (without the 4-module quiet zone) measures ``size_mm``; one path of
    the dark runs, each a rectangle one module high."""
    n, border = qrsymbol.SIZE, _QUIET
    module = size_mm / n
    side = (n + 2 * border) * module
    runs = _SVG_RUNS.text(code.modules, n)
    svg = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side:.3f}mm" height="{side:.3f}mm" '
        f'viewBox="0 0 {n + 2 * border} {n + 2 * border}" shape-rendering="crispEdges">'
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<path fill="#000" d="{runs}"/></svg>\n'
    ).encode()
    if path is not None:
        path.write_bytes(svg)
    return svg


def render_png(
    code: qrsymbol.Symbol, *, size_mm: float = 30.0, dpi: int = 300, path: Path | None = None
) -> bytes:
    """A 1-bit PNG at ``dpi`` whose symbol measures about ``size_mm`` (whole pixels per module),
    with a 4-module quiet zone; written directly (rows of bits, deflated)."""
    n, border = qrsymbol.SIZE, _QUIET
    scale = max(1, round(size_mm / _MM_PER_INCH * dpi / n))
    side = (n + 2 * border) * scale
    pad = -side % 8
    # a module spread to ``scale`` pixels: its bit and ``scale - 1`` zeros, times 0b11…1
    stretch = (1 << scale) - 1
    gap = "0" * (scale - 1)
    quiet = "1" * border
    blank = b"\x00" + bytes([0xFF]) * ((side + pad) // 8)
    lines = [blank * (border * scale)]
    for r in range(n):
        light = quiet + code.modules[r * n : (r + 1) * n].translate(_PNG_GREY).decode() + quiet
        row = (int(gap.join(light), 2) * stretch) << pad
        lines.append((b"\x00" + row.to_bytes((side + pad) // 8, "big")) * scale)
    lines.append(blank * (border * scale))
    per_metre = int(dpi / 0.0254 + 0.5)
    out = b"".join([
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)),
        _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
        _chunk(b"IDAT", zlib.compress(b"".join(lines), 1)),  # level 6: 6x slower, 20 % smaller
        _chunk(b"IEND", b""),
    ])  # fmt: skip
    if path is not None:
        path.write_bytes(out)
    return out


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
