"""The certificate-number and filing-number codec."""

from __future__ import annotations

import re

import pytest

from credentials import CertificateNumber, FilingNumber, InvalidNumber, Level, format_number
from credentials.numbers import SCHEMES, NationalScheme, parse_number


def test_henan_example_parses_into_named_parts() -> None:
    number = parse_number("Y000041019001221000001")
    assert str(number.filing) == "Y000041019001"
    assert number.filing.category == "Y"
    assert number.filing.route == "0000"
    assert number.filing.province == "41"
    assert number.filing.sequence == "019001"
    assert number.year == 22
    assert number.full_year == 2022
    assert number.level is Level.SENIOR_TECHNICIAN
    assert number.serial == 1
    assert number.belongs_to("Y000041019001")
    assert not number.belongs_to("Y000041019002")
    assert str(number) == "Y000041019001221000001"


def test_spaces_as_printed_are_accepted() -> None:
    assert str(parse_number("Y 0000 41 01 9001 22 1 000001")) == "Y000041019001221000001"


def test_format_round_trips() -> None:
    text = format_number("S000021025001", year=2024, level=3, serial=42)
    assert text == "S000021025001243000042"
    assert str(parse_number(text)) == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Y00004101900122100000", "one capital letter and 21 digits"),
        ("Y0000410190012210000011", "one capital letter and 21 digits"),
        ("y000041019001221000001", "one capital letter and 21 digits"),
        ("X000041019001221000001", "must be Y or S"),
        ("Y000099019001221000001", "unknown province"),
        ("Y000041019001226000001", "level digit 6"),
        ("Y000041019001220000001", "level digit 0"),
        ("Y000041019001221000000", "serial 000000"),
        ("Y000041019001181000001", "before 2019"),
    ],
)
def test_invalid_numbers_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidNumber, match=re.escape(reason)):
        parse_number(text)


def test_filing_number_parts_and_route() -> None:
    filing = FilingNumber.parse("S001741000021")
    assert filing.ministry_route
    assert not FilingNumber.parse("Y000041019001").ministry_route
    with pytest.raises(InvalidNumber):
        FilingNumber.parse("Y00004101900")


def test_serial_bounds() -> None:
    filing = FilingNumber.parse("Y000041019001")
    CertificateNumber(filing, 22, Level.SENIOR_WORKER, 999_999)
    with pytest.raises(InvalidNumber):
        CertificateNumber(filing, 22, Level.SENIOR_WORKER, 1_000_000)


class _TwoLetterScheme:
    """A later national format (e.g. 特级技师): two letters + 20 digits, plugged in by a caller."""

    name = "two-letter"

    def matches(self, text: str) -> bool:
        return bool(re.fullmatch(r"[A-Z]{2}\d{20}", text))

    def parse(self, text: str) -> CertificateNumber:
        filing = FilingNumber.parse("Y" + text[2:14])
        return CertificateNumber(
            filing, int(text[14:16]), Level(int(text[16])), int(text[17:]), self.name
        )


def test_schemes_are_pluggable() -> None:
    schemes = [*SCHEMES, _TwoLetterScheme()]
    number = parse_number("TJ00004101900122100001", schemes)
    assert number.scheme == "two-letter"
    assert parse_number("Y000041019001221000001", schemes).scheme == NationalScheme.name
    with pytest.raises(InvalidNumber, match="no known format"):
        parse_number("TJ00004101900122100001")
