"""Advice on certificate photos (never a refusal): portrait 1- or 2-inch proportions, enough
pixels, a white background, as the reference style asks (彩色（白底）)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PIL import Image

from credentials.credential import images
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


@pytest.mark.parametrize("size", [(1, 1), (2, 1), (1, 3), (4, 4), (7, 5), (40, 60), (295, 413)])
@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_the_border_is_sampled_as_getpixel_samples_it(
    tmp_path: Path, size: tuple[int, int], fmt: str
) -> None:
    """The white-background count reads the picture's bytes once; it samples the very pixels
    Pillow's getpixel() gives (negative coordinates from the end, on pictures of one pixel)."""
    rnd = random.Random(f"{size}{fmt}")
    path = tmp_path / f"p.{fmt.lower()}"
    picture = Image.new("RGB", size, "white")
    for _ in range(size[0] * size[1] // 3):
        xy = (rnd.randrange(size[0]), rnd.randrange(size[1]))
        picture.putpixel(xy, (rnd.randrange(256), rnd.randrange(256), 230))
    picture.save(path, fmt)
    with Image.open(path) as img:
        width, height = img.size
        img.draft("RGB", (max(1, width // 4), max(1, height // 4)))
        rgb = img.convert("RGB")
    w, h = rgb.size
    sx, sy = w / width, h / height
    spots = [
        (int(x * sx), y) for x in range(0, width, max(1, width // 40)) for y in (0, 1, h - 2, h - 1)
    ]
    spots += [
        (x, int(y * sy))
        for y in range(0, height, max(1, height // 40))
        for x in (0, 1, w - 2, w - 1)
    ]
    expected: tuple[str | None, int, int] = ("damaged", 0, 0)
    try:
        pixels = [rgb.getpixel(spot) for spot in spots]
    except IndexError:  # a picture one pixel wide or high has no second row or column
        pass
    else:
        whites = [
            p for p in pixels if isinstance(p, tuple) and min(p) >= 215 and max(p) - min(p) <= 25
        ]
        expected = (None, len(spots), len(whites))
    photo = images._read_photo(path)
    assert (photo.problem, photo.border, photo.white) == expected
