"""A certificate's own PDF, written by ``pdf_writer`` from reportlab's drawing: the same page,
pixel for pixel and character for character, as reportlab's own writer prints."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.rl_accel import fp_str

from credentials.issuing import certificate_pdf, pdf_writer
from credentials.issuing.pdf_book import PdfBook
from tests.support import pdf_page_png, pdf_text
from tests.unit.issuing.test_certificate_pdf import _page

ROOT = Path(__file__).resolve().parents[3]
PHOTO = ROOT / "samples" / "photos" / "Y000041019001-01.jpg"


def test_numbers_are_written_as_reportlab_writes_them() -> None:
    rng = random.Random(7)
    values = [0, 1, -1, 0.5, -0.5, 1e-7, 2e-7, 1e-9, 999_999.5, 1000.0, 841.8897637795275,
              -129.8828125, 123_456_789.123, 9.9999999, -99.9999996]  # fmt: skip
    values += [rng.uniform(-2000, 2000) for _ in range(3000)]
    values += [10 ** rng.uniform(-8, 8) * rng.choice((1, -1)) for _ in range(3000)]
    for value in values:
        assert pdf_writer.number(value) == fp_str(value), value


def _images(tmp: Path) -> dict[str, Path]:
    """Photos and seals in every kind reportlab stores differently."""
    photo = Image.open(PHOTO)
    out = {"jpeg": PHOTO}
    for kind, image, suffix in (
        ("grey-jpeg", photo.convert("L"), ".jpg"),
        ("cmyk-jpeg", photo.convert("CMYK"), ".jpg"),  # stored inverted (Adobe): a Decode array
        ("png", photo, ".png"),  # decoded, stored deflated
        ("alpha-seal", Image.new("RGBA", (400, 400), (200, 0, 0, 128)), ".png"),  # a soft mask
    ):
        out[kind] = tmp / f"{kind}{suffix}"
        image.save(out[kind])
    keyed = Image.new("P", (300, 300), 0)  # a palette with a transparent colour: a soft mask
    keyed.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    keyed.paste(1, (50, 50, 250, 250))
    keyed.save(tmp / "palette-seal.png", transparency=0)
    out["palette-seal"] = tmp / "palette-seal.png"
    white = Image.new("RGB", (300, 300), (255, 255, 255))  # a transparent colour: printed as is
    white.paste((200, 0, 0), (50, 50, 250, 250))
    white.save(tmp / "keyed-seal.png", transparency=(255, 255, 255))
    out["keyed-seal"] = tmp / "keyed-seal.png"
    return out


@pytest.mark.parametrize(
    "case",
    ["plain", "no photo", "grey-jpeg", "cmyk-jpeg", "png", "alpha-seal", "palette-seal",
     "keyed-seal", "rare",
     "re-issue"],
)  # fmt: skip
def test_the_written_page_prints_as_reportlab_writes_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, case: str
) -> None:
    images = _images(tmp_path)
    page = replace(_page("王伟芳"), photo=PHOTO)
    if case == "no photo":
        page = replace(page, photo=None)
    elif case.endswith("seal"):
        page = replace(page, seal=images[case])
    elif case in images:
        page = replace(page, photo=images[case])
    elif case == "rare":
        if certificate_pdf.undrawable("䶮𠮷"):
            pytest.skip("HanaMin is not installed (Debian: fonts-hanazono)")
        page = replace(page, holder="刘䶮𠮷", institution_name="郑州𠮷青禾技师学院")
    elif case == "re-issue":
        page = replace(page, version=3, job=None)
    written = certificate_pdf.render([page])
    assert b"ReportLab" not in written  # the writer's file, not reportlab's
    kind = {"cmyk-jpeg": b"/Decode [ 1 0 1 0 1 0 1 0 ]", "palette-seal": b"/SMask ",
            "alpha-seal": b"/SMask ", "png": b"/Filter [ /FlateDecode ] /Height 413"}  # fmt: skip
    assert kind.get(case, b"/Type /XObject" if page.photo else b"") in written
    assert (
        certificate_pdf.render([page]) == written
    )  # no clock in it: the same page, the same bytes
    monkeypatch.setattr(certificate_pdf, "_parts", lambda c, title: None)
    reportlab = certificate_pdf.render([page])
    assert b"ReportLab" in reportlab
    for dpi in (72, 150):
        assert pdf_page_png(written, dpi=dpi, mode="RGB") == pdf_page_png(
            reportlab, dpi=dpi, mode="RGB"
        )
    assert pdf_text(written) == pdf_text(reportlab)


def test_written_pages_bind_into_the_batch_pdf_sharing_the_template(tmp_path: Path) -> None:
    pages = [replace(_page(h), photo=PHOTO) for h in ("王伟芳", "鑫淼焱", "李娜")]
    book = PdfBook(tmp_path / "batch.pdf", title="批量")
    for i, page in enumerate(pages):
        book.add((str(i), 1), certificate_pdf.render([page]))
    assert book.close() == 3
    batch = (tmp_path / "batch.pdf").read_bytes()
    assert batch.count(b"/Length1") == 4  # the template's subset once, each holder's own
    for i, page in enumerate(pages):
        alone = certificate_pdf.render([page])
        assert pdf_page_png(batch, page=i, dpi=100) == pdf_page_png(alone, dpi=100)


def test_the_writer_leaves_to_reportlab_what_it_does_not_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page that names a font the writer does not embed (a CID font the reader supplies)
    is written by reportlab, whole."""
    page = _page("王伟芳")
    real = certificate_pdf._standard
    monkeypatch.setattr(certificate_pdf, "_standard", lambda name, resource: None)
    pdf = certificate_pdf.render([page])
    assert b"ReportLab" in pdf
    assert "王伟芳" in pdf_text(pdf)
    monkeypatch.setattr(certificate_pdf, "_standard", real)
    assert pdf_page_png(pdf, dpi=100) == pdf_page_png(certificate_pdf.render([page]), dpi=100)


def test_a_written_file_is_a_classic_pdf_with_its_cross_reference_table() -> None:
    pdf = certificate_pdf.render([replace(_page("王伟芳"), photo=PHOTO)])
    assert pdf.startswith(b"%PDF-1.4\n")
    at = int(pdf[pdf.rindex(b"startxref") + 10 :].split()[0])
    rows = pdf[at:].split(b"\n")
    assert rows[0] == b"xref"
    count = int(rows[1].split()[1])
    for n in range(1, count):  # every offset points at its object
        offset = int(rows[2 + n][:10])
        assert pdf[offset:].startswith(b"%d 0 obj\n" % n)
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in pdf  # A4 landscape
