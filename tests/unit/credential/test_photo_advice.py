"""Advice on certificate photos (never a refusal): portrait 1- or 2-inch proportions, enough
pixels, a white background, as the reference style asks (彩色（白底）)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from credentials.credential.images import photo_warnings
from tests.conftest import ROOT


def test_the_sample_photos_need_no_advice() -> None:
    for photo in sorted((ROOT / "samples" / "photos").glob("*.jpg"))[:5]:
        assert photo_warnings(photo) == []


def test_landscape_small_and_coloured_photos_get_advice(tmp_path: Path) -> None:
    path = tmp_path / "p.jpg"
    Image.new("RGB", (400, 300), (30, 90, 200)).save(path)
    advice = [zh for _, zh in photo_warnings(path)]
    assert any("竖版比例" in a for a in advice)
    assert any("打印模糊" in a for a in advice)
    assert any("不是白底" in a for a in advice)
    Image.new("RGB", (354, 496), "white").save(path)  # 2 inch at 250 dpi, white
    assert photo_warnings(path) == []
