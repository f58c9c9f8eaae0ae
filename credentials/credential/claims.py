"""The credential: what an institution signs, as a value and as the CBOR claims map.

Pure: no CBOR library here (``cose`` encodes), no clock. The claims map uses small integer keys in
the spirit of CWT (RFC 8392); the table below is the whole format::

    1  number        array  [letters, digits]: the 22-character certificate number as its leading
                            letter(s) (text) and the rest as one unsigned integer, zero-padded
                            back to 22 characters: "Y000041019001253000001" -> ["Y", 41019001253000001]
    2  version       uint   1, then 2, 3 … for each re-issue (补发) under the same number
    3  holder        text   the holder's name as printed
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

from credentials.errors import MalformedCredential
from credentials.labels import ID_TYPES
from credentials.levels import Level
from credentials.numbers import CertificateNumber, parse_number

_EPOCH = dt.date(1970, 1, 1)
_OCCUPATION_RE = re.compile(r"([1-8])-(\d{2})-(\d{2})-(\d{2})")
_COMMITMENT_SIZE = 24
_MAX_TEXT = 64


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


_NUMBER_LENGTH = 22
_LETTERS_RE = re.compile(r"[A-Z]{1,2}")


def number_to_claim(number: str) -> list[object]:
    """``Y000041019001253000001`` -> ``["Y", 41019001253000001]`` (11 bytes instead of 23)."""
    letters = "".join(ch for ch in number[:2] if ch.isalpha())
    return [letters, int(number[len(letters) :])]


def number_from_claim(value: Any) -> str:
    """The inverse of ``number_to_claim``; a malformed claim is ``MalformedCredential``."""
    if not isinstance(value, list) or len(value) != 2:
        raise MalformedCredential("claim number must be [letters, digits]")
    letters, digits = value
    if not isinstance(letters, str) or not _LETTERS_RE.fullmatch(letters):
        raise MalformedCredential("claim number must start with one or two capital letters")
    width = _NUMBER_LENGTH - len(letters)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits < 10**width:
        raise MalformedCredential(
            f"claim number digits must be an unsigned integer below 10^{width}"
        )
    return f"{letters}{digits:0{width}d}"


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
        if not self.holder.strip() or len(self.holder) > _MAX_TEXT:
            raise ValueError("holder name must be 1-64 characters")
        if len(self.id_commitment) != _COMMITMENT_SIZE:
            raise ValueError(f"id commitment must be {_COMMITMENT_SIZE} bytes")
        occupation_to_int(self.occupation)
        if self.job is not None and (not self.job.strip() or len(self.job) > _MAX_TEXT):
            raise ValueError("job must be 1-64 characters, or None")
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
        """Parse a decoded payload map strictly; any problem is ``MalformedCredential``."""
        if not isinstance(claims, dict):
            raise MalformedCredential("payload must be a map")
        expected = _CLAIM_KEYS
        keys = set(claims)
        if keys != expected:
            missing = sorted(expected - keys)
            extra = sorted(map(repr, keys - expected))
            raise MalformedCredential(f"payload claims wrong: missing {missing}, unknown {extra}")
        try:
            return cls(
                number=parse_number(number_from_claim(claims[Claim.NUMBER])),
                version=_typed(claims[Claim.VERSION], int, "version"),
                holder=_typed(claims[Claim.HOLDER], str, "holder"),
                id_type=IdType(_typed(claims[Claim.ID_TYPE], int, "id type")),
                id_commitment=_typed(claims[Claim.ID_COMMITMENT], bytes, "id commitment"),
                occupation=occupation_from_int(_typed(claims[Claim.OCCUPATION], int, "occupation")),
                job=None if claims[Claim.JOB] is None else _typed(claims[Claim.JOB], str, "job"),
                level=Level(_typed(claims[Claim.LEVEL], int, "level")),
                issued=_EPOCH + dt.timedelta(days=_typed(claims[Claim.ISSUED], int, "issue date")),
            )
        except (ValueError, TypeError, OverflowError) as err:
            if isinstance(err, MalformedCredential):
                raise
            raise MalformedCredential(f"payload claims are invalid: {err}") from err


def _typed(value: Any, kind: type, name: str) -> Any:
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise MalformedCredential(f"claim {name} must be an unsigned integer")
    if kind is int and value < 0:
        raise MalformedCredential(f"claim {name} must not be negative")
    if not isinstance(value, kind):
        raise MalformedCredential(f"claim {name} must be of type {kind.__name__}")
    return value
