"""The ID commitment: proof that a credential belongs to an ID number, without the number.

A credential never carries any digit of the holder's ID number. It carries 24 bytes: a 12-byte
random salt and the first 12 bytes of Argon2id over the normalised number. A verifier who holds the
candidate's ID card recomputes it and compares.

Parameters (fixed; part of the format): Argon2id v1.3, 1 lane, t = 1 pass, m = 4 MiB (4096 KiB),
16-byte output of which the first 12 bytes are kept; salt = the 12 salt bytes followed by the ASCII
bytes ``skc1`` (Argon2 salts here are 16 bytes); password = UTF-8 of
``"skillcert-id-v1:" + id type + ":" + normalised number``.
Normalised: Unicode NFKC, spaces removed, upper case (a resident ID's final ``x`` becomes ``X``).

Cost (measured by ``bench/commitment_bench.py``): about 1.7 ms and 4 MiB per guess on one core,
1,100 guesses a second on two. It confirms an ID number the holder shows; it does not hide it from
a targeted guess (county and birth year known: 366,000 candidates, about 6 minutes on two cores).
``site/spec.md`` states this threat model. t = 1 keeps issuing at hundreds of certificates per
second on two cores; memory, not passes, is what slows GPUs.
"""

from __future__ import annotations

import hmac
import unicodedata

from credentials.credential.claims import IdType
from credentials.keys import memory_hard_hash, random_bytes

OPSLIMIT = 1
MEMLIMIT = 4 * 1024 * 1024
_SALT_SIZE = 12
_HASH_SIZE = 12
_SALT_SUFFIX = b"skc1"
_CONTEXT = "skillcert-id-v1"
_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_ID_CHECK = "10X98765432"


def normalise(id_number: str) -> str:
    """NFKC, no whitespace, upper case."""
    text = unicodedata.normalize("NFKC", id_number)
    return "".join(text.split()).upper()


def check_digit(body: str) -> str:
    """The GB 11643 check digit (``0``–``9`` or ``X``) of a resident ID's first 17 digits."""
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise ValueError("GB 11643: the body is 17 digits")
    total = sum(int(d) * w for d, w in zip(body, _RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK[total % 11]


def resident_id_problem(id_number: str) -> str | None:
    """Why an 18-character 居民身份证 number is invalid (GB 11643 check digit), or None."""
    n = normalise(id_number)
    if len(n) != 18 or not n[:17].isascii() or not n[:17].isdigit() or n[17] not in "0123456789X":
        return "a resident ID number has 17 digits and a check digit (0-9 or X)"
    expected = check_digit(n[:17])
    if expected != n[17]:
        return f"check digit {n[17]} is wrong (expected {expected})"
    return None


def _hash(id_type: IdType, id_number: str, salt: bytes) -> bytes:
    password = f"{_CONTEXT}:{int(id_type)}:{normalise(id_number)}".encode()
    full = memory_hard_hash(password, salt + _SALT_SUFFIX, opslimit=OPSLIMIT, memlimit=MEMLIMIT)
    return full[:_HASH_SIZE]


def commit(id_type: IdType, id_number: str, *, salt: bytes | None = None) -> bytes:
    """The 24-byte commitment (random salt unless one is given, e.g. for test vectors)."""
    salt = random_bytes(_SALT_SIZE) if salt is None else salt
    if len(salt) != _SALT_SIZE:
        raise ValueError(f"salt must be {_SALT_SIZE} bytes")
    return salt + _hash(id_type, id_number, salt)


def matches(commitment: bytes, id_type: IdType, id_number: str) -> bool:
    """Whether ``id_number`` is the number committed to (constant-time comparison)."""
    if len(commitment) != _SALT_SIZE + _HASH_SIZE:
        return False
    salt, expected = commitment[:_SALT_SIZE], commitment[_SALT_SIZE:]
    return hmac.compare_digest(_hash(id_type, id_number, salt), expected)
