"""The credential: what an institution signs, as a value and as the CBOR claims map.

Pure: no CBOR here (``cose`` encodes), no clock. The claims map uses small integer keys in the
spirit of CWT (RFC 8392); the table below is the whole format (format 2, ``site/spec.md``)::

    1  number        array  [letters, route, rest]: the 22-character certificate number as its
                            leading letter(s), positions 2-5 (the filing route) and positions 6-22,
                            each an unsigned integer below 2^64 for every valid number:
                            "Y000041019001253000001" -> ["Y", 0, 41019001253000001]
    2  version       uint   1, then 2, 3 … for each re-issue (补发) under the same number
    3  holder        text   the holder's name as printed (1-64 characters, nothing hidden)
    4  id type       uint   see IdType
    5  id commitment bytes  24 bytes: 12-byte random salt || 12-byte Argon2id hash (``commitment``)
    6  occupation    uint   the occupation code without dashes: 6-18-01-01 -> 6180101
    7  job           text / null   the job (工种/职业方向), null when the scope row has none
    8  level         uint   1–5 (must equal position 16 of the number)
    9  issue date    uint   days since 1970-01-01
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from credentials import visible
from credentials.errors import InvalidNumber, MalformedCredential
from credentials.labels import ID_TYPES
from credentials.levels import Level
from credentials.numbers import CertificateNumber, parse_number

_EPOCH = dt.date(1970, 1, 1)
_OCCUPATION_RE = re.compile(r"([1-8])-(\d{2})-(\d{2})-(\d{2})")
_COMMITMENT_SIZE = 24


class Claim(IntEnum):
    """Claim keys of the payload map."""

    NUMBER = 1
    VERSION = 2
    HOLDER = 3
    ID_TYPE = 4
    ID_COMMITMENT = 5
    OCCUPATION = 6
    JOB = 7
    LEVEL = 8
    ISSUED = 9


_CLAIM_KEYS = frozenset(int(c) for c in Claim)
_LAST_DAY = (dt.date(9999, 12, 31) - dt.date(1970, 1, 1)).days


class IdType(IntEnum):
    """证件类型: the holder's identity document."""

    RESIDENT_ID = 1  # 居民身份证
    PASSPORT = 2  # 护照
    HK_MACAO_PERMIT = 3  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = 4  # 台湾居民来往大陆通行证
    FOREIGNER_PERMANENT_ID = 5  # 外国人永久居留身份证
    HMT_RESIDENCE_PERMIT = 6  # 港澳台居民居住证
    OTHER = 9  # 其他

    @property
    def zh(self) -> str:
        """As printed on a certificate, e.g. ``居民身份证``."""
        return ID_TYPES[self.value][0]

    @property
    def en(self) -> str:
        """In English."""
        return ID_TYPES[self.value][1]


_ID_TYPE_CODES = frozenset(int(t) for t in IdType)


def occupation_to_int(code: str) -> int:
    """``6-18-01-01`` -> ``6180101``."""
    if not _OCCUPATION_RE.fullmatch(code):
        raise ValueError(f"occupation code {code!r} is not N-NN-NN-NN")
    return int(code.replace("-", ""))


def occupation_from_int(value: int) -> str:
    """``6180101`` -> ``6-18-01-01``."""
    if not 1_000_000 <= value <= 8_999_999:
        raise ValueError(f"occupation {value} is not a 7-digit code")
    s = str(value)
    return f"{s[0]}-{s[1:3]}-{s[3:5]}-{s[5:7]}"


_LETTERS_RE = re.compile(r"[A-Z]{1,2}")
_ROUTE_DIGITS = 4
_REST_DIGITS = 17  # positions 6-22: province, sequence, year, level, serial
_BLANK = re.compile("[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*")
MAX_TEXT = 64


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be a name or job on a certificate (None when it can)."""
    if visible.hidden(value):
        return "text-controls"
    if _BLANK.fullmatch(value) or len(value) > MAX_TEXT:
        return "length"
    return None


def number_to_claim(number: str) -> list[object]:
    """``Y000041019001253000001`` -> ``["Y", 0, 41019001253000001]``: the letters, the filing
    route (positions 2-5) and positions 6-22, each integer below 2^64 for every valid number."""
    letters = "".join(ch for ch in number[:2] if ch.isalpha())
    digits = number[len(letters) :]
    return [letters, int(digits[:_ROUTE_DIGITS]), int(digits[_ROUTE_DIGITS:])]


def number_from_claim(value: Any) -> str:
    """The inverse of ``number_to_claim``; a malformed claim is ``MalformedCredential``."""
    if not isinstance(value, list) or len(value) != 3:
        raise MalformedCredential.because("claim-number")
    letters, route, rest = value
    if not isinstance(letters, str) or not _LETTERS_RE.fullmatch(letters):
        raise MalformedCredential.because("claim-number")
    rest_width = 22 - len(letters) - _ROUTE_DIGITS
    for part, width in ((route, _ROUTE_DIGITS), (rest, rest_width)):
        if isinstance(part, bool) or not isinstance(part, int) or not 0 <= part < 10**width:
            raise MalformedCredential.because("claim-number")
    return f"{letters}{route:0{_ROUTE_DIGITS}d}{rest:0{rest_width}d}"


@dataclass(frozen=True, slots=True)
class Credential:
    """A certificate's signed content. Constructing one checks that it is well-formed."""

    number: CertificateNumber
    version: int
    holder: str
    id_type: IdType
    id_commitment: bytes
    occupation: str
    job: str | None
    level: Level
    issued: dt.date

    def __post_init__(self) -> None:
        if not isinstance(self.number, CertificateNumber):
            raise TypeError("number must be a CertificateNumber (parse_number parses text)")
        if not 1 <= self.version <= 999:
            raise ValueError(f"version {self.version} is outside 1-999")
        if text_problem(self.holder):
            raise ValueError("holder name must be 1-64 visible characters, nothing hidden")
        if len(self.id_commitment) != _COMMITMENT_SIZE:
            raise ValueError(f"id commitment must be {_COMMITMENT_SIZE} bytes")
        occupation_to_int(self.occupation)
        if self.job is not None and text_problem(self.job):
            raise ValueError("job must be 1-64 visible characters, nothing hidden, or None")
        if not isinstance(self.level, Level):
            raise TypeError("level must be a Level")
        if self.issued < _EPOCH:
            raise ValueError("issue date is before 1970")

    def to_claims(self) -> dict[int, Any]:
        """The payload map (encode it with ``cose.encode``)."""
        return {
            Claim.NUMBER: number_to_claim(str(self.number)),
            Claim.VERSION: self.version,
            Claim.HOLDER: self.holder,
            Claim.ID_TYPE: int(self.id_type),
            Claim.ID_COMMITMENT: self.id_commitment,
            Claim.OCCUPATION: occupation_to_int(self.occupation),
            Claim.JOB: self.job,
            Claim.LEVEL: int(self.level),
            Claim.ISSUED: (self.issued - _EPOCH).days,
        }

    @classmethod
    def from_claims(cls, claims: Any) -> Credential:
        """Parse a decoded payload map strictly, claim by claim in key order (the page checks in
        the same order); any problem is ``MalformedCredential`` with its code."""
        if not isinstance(claims, dict):
            raise MalformedCredential.because("claims-not-map")
        if set(claims) != _CLAIM_KEYS:
            raise MalformedCredential.because("claims-keys")
        number_text = number_from_claim(claims[Claim.NUMBER])
        try:
            number = parse_number(number_text)
        except InvalidNumber as err:
            raise MalformedCredential.because("number-invalid") from err
        version = _uint(claims[Claim.VERSION], "claim-version", 1, 999)
        holder = _text(claims[Claim.HOLDER], "claim-holder")
        id_type = _uint(claims[Claim.ID_TYPE], "claim-id-type", 0, 2**64)
        if id_type not in _ID_TYPE_CODES:
            raise MalformedCredential.because("claim-id-type")
        commitment = claims[Claim.ID_COMMITMENT]
        if not isinstance(commitment, bytes) or len(commitment) != _COMMITMENT_SIZE:
            raise MalformedCredential.because("claim-commitment")
        occupation = _uint(claims[Claim.OCCUPATION], "claim-occupation", 1_000_000, 8_999_999)
        job = None if claims[Claim.JOB] is None else _text(claims[Claim.JOB], "claim-job")
        level = _uint(claims[Claim.LEVEL], "claim-level", 1, 5)
        days = _uint(claims[Claim.ISSUED], "claim-issued", 0, _LAST_DAY)
        return cls(
            number=number,
            version=version,
            holder=holder,
            id_type=IdType(id_type),
            id_commitment=commitment,
            occupation=occupation_from_int(occupation),
            job=job,
            level=Level(level),
            issued=_EPOCH + dt.timedelta(days=days),
        )


def _uint(value: Any, problem: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise MalformedCredential.because(problem)
    return value


def _text(value: Any, problem: str) -> str:
    if not isinstance(value, str):
        raise MalformedCredential.because(problem)
    why = text_problem(value)
    if why is not None:
        raise MalformedCredential.because("text-controls" if why == "text-controls" else problem)
    return value
