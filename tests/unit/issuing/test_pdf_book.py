"""The batch PDF bound from the certificates' own PDFs: the same pages, shared objects once."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from credentials.errors import CredentialsError
from credentials.issuing import certificate_pdf
from credentials.issuing.pdf_book import PdfBook
from tests.support import pdf_page_png, pdf_text
from tests.unit.issuing.test_certificate_pdf import _font_files, _page

_PHOTOS = Path(__file__).resolve().parents[3] / "samples" / "photos"


def _pages() -> list[certificate_pdf.CertificatePage]:
    photos = sorted(_PHOTOS.glob("*.jpg"))[:1]
    holders = ["王伟芳", "周𠮷", "李䶮", "鑫淼焱"]  # 𠮷 and 䶮: HanaMin subsets of their own
    return [
        replace(_page(h), number=f"Y00004101900126300000{i}", photo=photos[0] if i == 0 else None)
        for i, h in enumerate(holders)
    ]  # fmt: skip


def test_the_book_prints_each_certificate_as_its_own_pdf_in_number_order(tmp_path: Path) -> None:
    pages = _pages()
    pdfs = [certificate_pdf.render([p]) for p in pages]
    book = PdfBook(tmp_path / "batch-1.pdf", title="职业技能等级证书 batch-1")
    for p, pdf in reversed(list(zip(pages, pdfs, strict=True))):  # as workers finish: any order
        book.add((p.number, p.version), pdf)
    assert book.close() == len(pages)
    bound = (tmp_path / "batch-1.pdf").read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["batch-1.pdf"]  # no temporary file left
    for i, pdf in enumerate(pdfs):
        assert pdf_page_png(bound, page=i, dpi=60) == pdf_page_png(pdf, dpi=60)
    assert pdf_text(bound) == "\n".join(pdf_text(pdf) for pdf in pdfs)


def test_what_every_certificate_prints_alike_is_stored_once(tmp_path: Path) -> None:
    pdfs = [certificate_pdf.render([_page(h)]) for h in ("王伟芳", "鑫淼焱", "李娜", "张三丰")]
    book = PdfBook(tmp_path / "b.pdf", title="b")
    for i, pdf in enumerate(pdfs):
        book.add((f"{i}", 1), pdf)
    book.close()
    bound = (tmp_path / "b.pdf").read_bytes()
    fonts = _font_files(bound)
    assert len(fonts) == 1 + len(pdfs)  # the template's subset once, each holder's own
    assert fonts.count(_font_files(pdfs[0])[0]) == 1
    assert len(bound) < sum(map(len, pdfs)) / 2
    tags = re.findall(rb"/BaseFont /([A-Z]{6})\+UKai", bound)
    assert len(set(tags)) == len(tags) == 1 + len(pdfs)  # one subset tag per font program


def test_anything_but_a_one_page_certificate_is_refused_and_nothing_is_left(
    tmp_path: Path,
) -> None:
    two = certificate_pdf.render([_page("王伟芳"), _page("李娜")])
    for bad in (b"", b"%PDF-1.4\n garbage", two, certificate_pdf.render([_page("李娜")])[:-40]):
        book = PdfBook(tmp_path / "b.pdf", title="b")
        with pytest.raises(CredentialsError, match="cannot bind"):
            book.add(("Y000041019001263000001", 1), bad)
        book.abort()
    assert list(tmp_path.iterdir()) == []


def test_a_book_without_pages_is_not_written(tmp_path: Path) -> None:
    book = PdfBook(tmp_path / "b.pdf", title="b")
    with pytest.raises(ValueError, match="at least one page"):
        book.close()
    assert list(tmp_path.iterdir()) == []


def test_an_object_met_again_is_reused_only_where_what_it_refers_to_is_the_same(
    tmp_path: Path,
) -> None:
    """A font descriptor with the very bytes, at the very place, of one bound twice before is
    still a new object when the font program it names differs (same length, other bytes)."""
    from credentials.issuing import pdf_writer

    metrics = pdf_writer.FontMetrics(880, 880, -120, 4, (-500, -130, 1130, 974), 0, 87, 500)

    def pdf(program: bytes) -> bytes:
        subset = pdf_writer.Subset("F2+0", "AAAAAA+Test", (500,) * 3, b"cmap", program, metrics)
        return pdf_writer.write(pdf_writer.OnePage(595, 842, b"", [subset], [], "t"))

    first, other = pdf(b"A" * 400), pdf(b"B" * 400)
    assert len(first) == len(other)  # every object at the same place; only the program differs
    book = PdfBook(tmp_path / "batch.pdf", title="t")
    for i, data in enumerate((first, first, other, first)):
        book.add((str(i), 1), data)
    book.close()
    bound = (tmp_path / "batch.pdf").read_bytes()
    descriptors = re.findall(rb"/FontFile2 (\d+) 0 R", bound)
    assert len(descriptors) == 2  # one for each program
    assert len(set(descriptors)) == 2
    assert bound.count(b"/Length1 400") == 2
