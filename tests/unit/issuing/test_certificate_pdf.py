"""The printed certificate's font subsets: the template's characters in one subset that every
certificate of an institution shares, the holder's own in a second one, the page unchanged."""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from credentials.credential import qr
from credentials.issuing import certificate_pdf
from tests.support import pdf_page_png, pdf_text

_FONT_FILE = re.compile(rb"/Length (\d+) /Length1 \d+\s*>>\s*stream\r?\n")


def _page(holder: str) -> certificate_pdf.CertificatePage:
    return certificate_pdf.CertificatePage(
        holder=holder, id_type_zh="居民身份证", id_number="990001197501010001",
        occupation_name="车工", job="数控车床", level_zh="三级/高级工", level_en="Level 3",
        number="Y000041019001263000001", version=1, issued=dt.date(2026, 10, 20),
        institution_name="郑州青禾技师学院", institution_name_en="Zhengzhou Qinghe Technician College",
        qr_matrix=qr.make("https://skillcert.example.org", b"\x01" * 120).matrix,
        certificate_query_url="http://zscx.osta.org.cn/", verify_url="https://skillcert.example.org/v/",
    )  # fmt: skip


def _font_files(pdf: bytes) -> list[bytes]:
    """The embedded TrueType subsets (FontFile2 streams carry /Length1), decompressed."""
    return [zlib.decompress(pdf[m.end() : m.end() + int(m[1])]) for m in _FONT_FILE.finditer(pdf)]


@pytest.fixture(autouse=True)
def _ukai() -> None:
    if not certificate_pdf.font_is_embedded():
        pytest.skip("AR PL UKai is not installed (Debian: fonts-arphic-ukai)")


def test_certificates_share_the_template_subset_and_keep_their_holders_apart() -> None:
    one = certificate_pdf.render([_page("王伟芳")])
    two = certificate_pdf.render([_page("鑫淼焱")])
    first, second = _font_files(one), _font_files(two)
    assert len(first) == len(second) == 2
    assert first[0] == second[0]  # the template's subset, byte for byte
    assert first[1] != second[1]  # each holder's own characters
    assert len(first[1]) < len(first[0])
    fonts = certificate_pdf._template_chars(certificate_pdf._template_of(_page("鑫淼焱")))
    template = "".join(chars for _, chars in fonts)
    assert "职业技能等级证书" in template
    assert not set("王伟芳鑫淼焱") & set(template)
    assert "鑫淼焱" in pdf_text(two)
    assert "王伟芳" not in pdf_text(two)


@pytest.mark.parametrize(
    ("holder", "institution"),
    [
        ("欧阳娜娜", "郑州青禾技师学院"),
        ("周𠮷", "郑州青禾技师学院"),
        ("刘䶮", "郑州𠮷青禾技师学院"),
    ],
)
def test_a_shared_subset_and_replayed_template_print_the_very_same_page(
    monkeypatch: pytest.MonkeyPatch, holder: str, institution: str
) -> None:
    """Rare characters (HanaMin A and B) in the name or the institution's name name fonts in
    another order: what cannot be replayed is drawn, and the page is the same either way."""
    if certificate_pdf.undrawable("䶮𠮷"):
        pytest.skip("HanaMin is not installed (Debian: fonts-hanazono)")
    page = replace(_page(holder), institution_name=institution, job=None, version=2)
    replayed = []
    real = certificate_pdf._replay
    monkeypatch.setattr(
        certificate_pdf, "_replay", lambda c, s: replayed.append(real(c, s)) or replayed[-1]
    )
    shared = certificate_pdf.render([page])
    batch = certificate_pdf.render([page, replace(page, holder="王伟芳"), page])
    assert replayed[0]  # the title and statement, at least, are replayed
    monkeypatch.setattr(certificate_pdf, "_share_template", lambda c, p: None)
    alone = certificate_pdf.render([page])
    assert len(_font_files(alone)) < len(_font_files(shared))
    assert pdf_page_png(shared, dpi=150) == pdf_page_png(alone, dpi=150)
    assert pdf_text(shared) == pdf_text(alone)
    for i in (0, 2):
        assert pdf_page_png(batch, page=i, dpi=150) == pdf_page_png(alone, dpi=150)


def test_a_template_is_not_replayed_where_its_fonts_have_other_names() -> None:
    """Operators name fonts by the document's internal names (/F2, /F3): a document that named
    Times-Roman before the Chinese font gets the template drawn, not replayed."""
    page = _page("王伟芳")
    first = certificate_pdf._segments(certificate_pdf._template_of(page))[0]
    c = certificate_pdf.Canvas(io.BytesIO(), pagesize=certificate_pdf.PAGE)
    certificate_pdf._share_template(c, page)
    c.setFont("Times-Roman", 9)  # named first here, third where the template was recorded
    assert not certificate_pdf._replay(c, first)
    fresh = certificate_pdf.Canvas(io.BytesIO(), pagesize=certificate_pdf.PAGE)
    certificate_pdf._share_template(fresh, page)
    assert certificate_pdf._replay(fresh, first)


def _name_ids(font_file: bytes) -> set[int]:
    """The name IDs of a TrueType file's ``name`` table (read from its table directory)."""
    tables = int.from_bytes(font_file[4:6], "big")
    for i in range(tables):
        entry = font_file[12 + 16 * i : 28 + 16 * i]
        if entry[:4] == b"name":
            start = int.from_bytes(entry[8:12], "big")
            name = font_file[start : start + int.from_bytes(entry[12:16], "big")]
            count = int.from_bytes(name[2:4], "big")
            return {int.from_bytes(name[12 + 12 * k : 14 + 12 * k], "big") for k in range(count)}
    raise AssertionError("no name table")


def test_the_licence_text_travels_once_per_file_and_the_copyright_in_every_subset() -> None:
    template, holder = _font_files(certificate_pdf.render([_page("王伟芳")]))
    assert {0, 13} <= _name_ids(template)  # copyright and the licence text
    assert 0 in _name_ids(holder)
    assert 13 not in _name_ids(holder)
    assert len(holder) < 10_000  # the licence text alone is 20 KB


def test_number_arrays_are_written_as_reportlab_writes_them() -> None:
    """The faster PDFArray.format (a font's widths) gives reportlab's own bytes: numbers, whole
    and not, any length (a line break every ten), and arrays of anything else left to it."""
    import random

    pdfdoc = certificate_pdf.pdfdoc
    rng = random.Random(4)
    for size in (0, 1, 9, 10, 11, 20, 21, 170, 256):
        seq = [rng.choice([0, 500, 1000, 1000.0, 333.5, -121.0938, 878.90625, 1e-7, 2**40])
               for _ in range(size)]  # fmt: skip
        array = pdfdoc.PDFArray(seq)
        assert certificate_pdf._array(array, None) == certificate_pdf._reportlab_array(array, None)
    names = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode"), 1])
    assert certificate_pdf._array(names, None) == b"[ /FlateDecode 1 ]"


def test_hanamin_is_read_only_when_a_character_needs_it() -> None:
    """UKai draws almost every name: HanaMin A and B (0.2 s to read) wait for a character UKai
    has no outline for, and are read then (in a fresh process: other tests have read them)."""
    import subprocess
    import sys

    script = (
        "from tests.unit.issuing.test_certificate_pdf import _page\n"
        "from credentials.issuing import certificate_pdf as c\n"
        "assert not c.undrawable('王伟芳') and c.render([_page('王伟芳')])\n"
        "print(c._rare_fonts.cache_info().currsize)\n"
        "print(c.undrawable('刘䶮'), c._rare_fonts.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[3]).stdout  # fmt: skip
    first, second = out.splitlines()
    assert first == "0"
    loaded = certificate_pdf.undrawable("䶮") == []  # HanaMin installed here
    assert second == ("[] 1" if loaded else "['䶮'] 1")
