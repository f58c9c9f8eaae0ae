"""Raster images: reading QR codes from photos and scans, and checking holders' photos.

The only module that imports ``zxingcpp`` (ZXing-C++, an independent QR decoder) and ``PIL``.
"""

from __future__ import annotations

import io
import operator
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import zxingcpp
from PIL import Image, UnidentifiedImageError

from credentials.errors import MalformedCredential

MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo; checked before any pixel is decoded
_DECODE_SIDE = 4000  # larger pictures are scaled down first (a QR code stays > 4 px a module)


def _too_large() -> MalformedCredential:
    return MalformedCredential(
        f"the picture has more than {MAX_PIXELS:,} pixels", zh=f"图片超过 {MAX_PIXELS:,} 像素"
    )


def qr_texts(image: bytes) -> list[str]:
    """The text of every QR code found in an image file's bytes (PNG, JPEG, …).

    The picture's size is checked from its header before anything is decoded (a small file can
    claim gigapixels), and large pictures are scaled down before the QR codes are searched.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(image))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise _too_large() from err
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as err:
        raise MalformedCredential(
            "not an image file that can be read", zh="无法读取的图片文件"
        ) from err
    try:
        with img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise _too_large()
            img.draft("L", (_DECODE_SIDE, _DECODE_SIDE))  # JPEG: decode at a smaller scale
            if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
                background = Image.new("RGBA", img.size, "white")
                gray = Image.alpha_composite(background, img.convert("RGBA")).convert("L")
            else:
                gray = img.convert("L")
    except MalformedCredential:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as err:
        raise MalformedCredential(
            "not an image file that can be read", zh="无法读取的图片文件"
        ) from err
    if max(gray.size) > _DECODE_SIDE:
        gray.thumbnail((_DECODE_SIDE, _DECODE_SIDE))
    formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    results = zxingcpp.read_barcodes(gray, formats=formats)
    return [r.text for r in results if r.valid]


MAX_PHOTO_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class _Photo:
    """What the checks need of a photo file, read once: its format and size, or why it cannot be
    read, and the pixels along its border."""

    problem: str | None  # "pixels" or "damaged", or None
    kind: str | None
    width: int
    height: int
    border: int  # pixels sampled along the border
    white: int  # how many of them are white


def _read_photo(path: Path) -> _Photo:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                kind = img.format
                width, height = img.size
                if width * height > MAX_PIXELS:
                    return _Photo("pixels", kind, width, height, 0, 0)
                # a JPEG decoded at 1/4 scale: every block is still decoded (damage is found),
                # five times faster; the border is sampled from the smaller picture
                img.draft("RGB", (max(1, width // 4), max(1, height // 4)))
                img.load()
                rgb = img.convert("RGB")
                spots = _border(width, height, *rgb.size)
                if spots is None:
                    return _Photo("damaged", None, 0, 0, 0, 0)
                white = _white(rgb.tobytes(), spots)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, IndexError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):  # fmt: skip
        return _Photo("damaged", None, 0, 0, 0, 0)
    return _Photo(None, kind, width, height, len(spots[0]), white)


_Spots = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]


@lru_cache(maxsize=64)
def _border(width: int, height: int, w: int, h: int) -> _Spots | None:
    """Where the border is sampled in RGB pixels of ``w`` × ``h`` decoded from a ``width`` ×
    ``height`` picture: 40 places along each side, on its two outermost lines, as the offsets of
    their red, green and blue bytes (the same for every photo of a size: made once); None when a
    place falls outside the picture. Negative coordinates count from the end, as ``getpixel``."""
    sx, sy = w / width, h / height
    spots = [(int(x * sx), y) for x in range(0, width, max(1, width // 40))
             for y in (0, 1, h - 2, h - 1)]  # fmt: skip
    spots += [(x, int(y * sy)) for y in range(0, height, max(1, height // 40))
              for x in (0, 1, w - 2, w - 1)]  # fmt: skip
    if not all(-w <= x < w and -h <= y < h for x, y in spots):
        return None
    red = tuple(((y % h) * w + x % w) * 3 for x, y in spots)
    return red, tuple(i + 1 for i in red), tuple(i + 2 for i in red)


def _white(pixels: bytes, spots: _Spots) -> int:
    """How many of the sampled places are white: every channel at least 215, and within 25 of
    one another (counted with byte operations: a place is one byte in each step)."""
    red, green, blue = (bytes(map(pixels.__getitem__, offsets)) for offsets in spots)
    low = bytes(map(min, red, green, blue))
    spread = bytes(map(operator.sub, map(max, red, green, blue), low))
    bright = int.from_bytes(low.translate(_AT_LEAST_215), "big")
    even = int.from_bytes(spread.translate(_AT_MOST_25), "big")
    return (bright & even).bit_count()


_AT_LEAST_215 = bytes(int(v >= 215) for v in range(256))
_AT_MOST_25 = bytes(int(v <= 25) for v in range(256))


@lru_cache(maxsize=8192)
def _photo(path: str, _mtime_ns: int, _size: int, _inode: int) -> _Photo:
    """A photo read once per run however often the roster is checked (the file's modification
    time, size and inode are part of the key: a changed file is read again)."""
    return _read_photo(Path(path))


def photo_problem(path: Path) -> tuple[str, str] | None:
    """Why ``path`` cannot be printed as a holder's photo (English, Chinese), or None: it must be
    a JPEG or PNG file that decodes, of a sane size. Checked before anything is signed."""
    try:
        st = path.stat()
    except OSError:
        return f"photo {path} does not exist", f"照片 {path} 不存在"
    if not path.is_file():
        return f"photo {path} is not a file", f"照片 {path} 不是文件"
    if st.st_size > MAX_PHOTO_BYTES:
        return f"photo {path} is larger than 20 MB", f"照片 {path} 超过 20 MB"
    photo = _photo(str(path), st.st_mtime_ns, st.st_size, st.st_ino)
    if photo.problem == "pixels":
        return f"photo {path} has too many pixels", f"照片 {path} 像素过多"
    if photo.problem is not None:
        return f"photo {path} is damaged or not a picture", f"照片 {path} 已损坏或不是图片"
    if photo.kind not in ("JPEG", "PNG"):
        return (
            f"photo {path} is {photo.kind}: use JPEG or PNG",
            f"照片 {path} 是 {photo.kind} 格式，请用 JPEG 或 PNG",
        )
    return None


def photo_warnings(path: Path) -> list[tuple[str, str]]:
    """What a certificate photo should be and is not (English, Chinese): portrait 1- or 2-inch
    proportions (25 × 35 mm or 35 × 49 mm: width/height about 0.71), at least 295 × 413 pixels
    (1 inch at 300 dpi), on a white background (the reference style: 彩色（白底）). Advice, not
    refusals: an office may still print it."""
    out: list[tuple[str, str]] = []
    try:
        st = path.stat()
    except OSError:
        return out
    photo = _photo(str(path), st.st_mtime_ns, st.st_size, st.st_ino)
    if photo.problem is not None:
        return out
    width, height = photo.width, photo.height
    ratio = width / height if height else 0
    if not 0.64 <= ratio <= 0.78:
        out.append((f"photo {path.name} is {width}x{height}: not the portrait proportions of a 1- or 2-inch photo",
                    f"照片 {path.name} 为 {width}×{height}，不是 1 寸或 2 寸照片的竖版比例"))  # fmt: skip
    if width < 295 or height < 413:
        out.append((f"photo {path.name} is {width}x{height} pixels: under 295x413 it prints blurred",
                    f"照片 {path.name} 只有 {width}×{height} 像素，低于 295×413 会打印模糊"))  # fmt: skip
    if photo.border and photo.white < 0.8 * photo.border:
        out.append(
            (f"photo {path.name} does not have a white background", f"照片 {path.name} 不是白底")
        )
    return out


def looks_like_image(data: bytes) -> bool:
    """PNG, JPEG, GIF, BMP, WebP or TIFF by the file's magic bytes."""
    return data.startswith(
        (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
    ) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
