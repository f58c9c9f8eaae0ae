"""Certificate numbers (证书编号) and filing numbers (机构备案号): parse, format, validate.

The national rule (Liaoning 附件5, Henan 六(一)) is one capital letter and 21 digits::

    Y 0000 41 01 9001 22 1 000001
    | |    |  |-------| |  | |
    | |    |  sequence  |  | serial 000001–999999, per institution, year and level
    | |    province     |  level 1–5
    | route             year of issue (last two digits)
    category Y (employer) / S (social training-and-evaluation organisation)

Positions 1–13 are the institution's filing number. Schemes are pluggable: ``parse_number`` tries each
scheme in ``SCHEMES`` (a later national format, e.g. two letters for 特级技师, is one more entry). This
module checks syntax only; whether a province's sequence rule holds is the registry validator's job.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Protocol

from credentials.errors import InvalidNumber
from credentials.labels import PROVINCES
from credentials.levels import Level

_FILING_RE = re.compile(r"(?P<category>[YS])(?P<route>\d{4})(?P<province>\d{2})(?P<sequence>\d{6})")
# The skill-level certificate system began in 2019 (人社部发〔2019〕… pilots); earlier years are errors.
_FIRST_YEAR = 19


@dataclass(frozen=True, slots=True)
class FilingNumber:
    """The 13-character institution filing number (positions 1–13 of a certificate number)."""

    category: str
    route: str
    province: str
    sequence: str

    def __post_init__(self) -> None:
        text = self.category + self.route + self.province + self.sequence
        if not _FILING_RE.fullmatch(text):
            raise InvalidNumber(f"malformed filing number {text!r}")
        if self.province not in PROVINCES:
            raise InvalidNumber(f"unknown province code {self.province} in filing number {text}")

    @classmethod
    def parse(cls, text: str) -> FilingNumber:
        """Parse ``Y000041019001``; raises ``InvalidNumber``."""
        m = _FILING_RE.fullmatch(text)
        if m is None:
            raise InvalidNumber(
                f"malformed filing number {text!r}: one capital letter Y or S then 12 digits"
            )
        return cls(**m.groupdict())

    @property
    def ministry_route(self) -> bool:
        """True when filed with the Ministry (route 0001–9999), False when with the province."""
        return self.route != "0000"

    def __str__(self) -> str:
        return self.category + self.route + self.province + self.sequence


@dataclass(frozen=True, slots=True)
class CertificateNumber:
    """A certificate number, parsed into its named parts."""

    filing: FilingNumber
    year: int  # two digits, 0–99
    level: Level
    serial: int
    scheme: str = "gb-2020"

    def __post_init__(self) -> None:
        if not 1 <= self.serial <= 999_999:
            raise InvalidNumber(f"serial {self.serial} is outside 000001-999999")
        if not _FIRST_YEAR <= self.year <= 99:
            raise InvalidNumber(f"year {self.year:02d} is before 20{_FIRST_YEAR}")

    @property
    def full_year(self) -> int:
        """The issue year, e.g. 2022."""
        return 2000 + self.year

    def belongs_to(self, filing_number: str) -> bool:
        """Whether positions 1–13 are this filing number."""
        return str(self.filing) == filing_number

    def __str__(self) -> str:
        return f"{self.filing}{self.year:02d}{int(self.level)}{self.serial:06d}"


class NumberScheme(Protocol):
    """A certificate numbering scheme."""

    name: str

    def matches(self, text: str) -> bool:
        """Whether ``text`` has this scheme's shape (it may still be invalid)."""
        ...

    def parse(self, text: str) -> CertificateNumber:
        """Parse or raise ``InvalidNumber`` with a reason for people."""
        ...


class NationalScheme:
    """The 2020 national rule: 1 capital letter + 21 digits."""

    name = "gb-2020"
    _shape = re.compile(r"[A-Z]\d{21}")

    def matches(self, text: str) -> bool:
        """One capital letter and 21 digits."""
        return bool(self._shape.fullmatch(text))

    def parse(self, text: str) -> CertificateNumber:
        """Parse a 22-character number; each failing part gets its own reason."""
        if not self.matches(text):
            raise InvalidNumber(
                f"certificate number {text!r} must be one capital letter and 21 digits"
            )
        if text[0] not in "YS":
            raise InvalidNumber(f"category letter {text[0]} must be Y or S")
        filing = FilingNumber.parse(text[:13])
        level_digit = int(text[15])
        if not 1 <= level_digit <= 5:
            raise InvalidNumber(f"level digit {level_digit} must be 1-5")
        serial = int(text[16:])
        if serial == 0:
            raise InvalidNumber("serial 000000 is not allowed; serials start at 000001")
        return CertificateNumber(
            filing=filing, year=int(text[13:15]), level=Level(level_digit), serial=serial
        )


SCHEMES: list[NumberScheme] = [NationalScheme()]


def parse_number(text: str, schemes: list[NumberScheme] | None = None) -> CertificateNumber:
    """Parse a certificate number with the first scheme whose shape it has."""
    if schemes is None:
        return _parse_default(text)
    return _parse(text, schemes)


@functools.lru_cache(maxsize=4096)
def _parse_default(text: str) -> CertificateNumber:
    # Numbers are parsed again and again while one credential is checked; values are immutable.
    return _parse(text, SCHEMES)


def _parse(text: str, schemes: list[NumberScheme]) -> CertificateNumber:
    text = text.strip().replace(" ", "")
    for scheme in schemes:
        if scheme.matches(text):
            return scheme.parse(text)
    raise InvalidNumber(
        f"certificate number {text!r} has no known format: one capital letter and 21 digits"
    )


def format_number(filing: str, *, year: int, level: int, serial: int) -> str:
    """Compose a number from a filing number, the issue year (4 digits), the level and the serial."""
    number = CertificateNumber(
        filing=FilingNumber.parse(filing), year=year % 100, level=Level(level), serial=serial
    )
    return str(number)
