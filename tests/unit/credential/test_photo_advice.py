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


def test_damaged_jpegs_are_refused_and_a_changed_file_is_read_again(tmp_path: Path) -> None:
    """Photos are decoded at a quarter of their size (and read once per run): damage anywhere in
    the picture is still found, and a file replaced between two checks is checked again."""
    from credentials.credential.images import photo_problem

    sample = sorted((ROOT / "samples" / "photos").glob("*.jpg"))[0].read_bytes()
    path = tmp_path / "photo.jpg"
    path.write_bytes(sample)
    assert photo_problem(path) is None
    path.write_bytes(sample[: len(sample) * 2 // 3])  # cut short, as a failed copy leaves it
    problem = photo_problem(path)
    assert problem is not None
    assert "已损坏" in problem[1]
    path.write_bytes(sample[:-400] + bytes(range(256)) + sample[-144:])  # garbled near the end
    assert photo_problem(path) is not None
    path.write_bytes(sample)
    assert photo_problem(path) is None
