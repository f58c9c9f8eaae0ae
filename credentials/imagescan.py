"""Reading QR codes from images (photos, scans, screenshots, rendered pages).

The only module that imports ``zxingcpp`` (ZXing-C++, an independent decoder) and ``PIL``.
"""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image, UnidentifiedImageError

from credentials.errors import MalformedCredential


def qr_texts(image: bytes) -> list[str]:
    """The text of every QR code found in an image file's bytes (PNG, JPEG, …)."""
    try:
        with Image.open(io.BytesIO(image)) as img:
            img.load()
            if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
                background = Image.new("RGBA", img.size, "white")
                gray = Image.alpha_composite(background, img.convert("RGBA")).convert("L")
            else:
                gray = img.convert("L")
    except (UnidentifiedImageError, OSError) as err:
        raise MalformedCredential("not an image file that can be read") from err
    results = zxingcpp.read_barcodes(
        gray, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    return [r.text for r in results if r.valid]


def looks_like_image(data: bytes) -> bool:
    """PNG, JPEG, GIF, BMP, WebP or TIFF by the file's magic bytes."""
    return data.startswith(
        (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
    ) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
