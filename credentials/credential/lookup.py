"""Lookup without the QR code (证书信息查询): a typed certificate number and ID number.

Every entry of a published record carries ``lookup = Argon2id(ID number, salt from the number)``.
An employer types the number printed on the paper and the holder's ID number; the same hash is
computed (here, or on the page) and compared with the entries of that number. The records list
numbers, never holders: to find whose certificate a number is, one must guess the ID number, and
each guess costs this hash.

Parameters (fixed; part of the format, ``argon2id-v1`` in a record): Argon2id v1.3, 1 lane,
t = 1 pass, m = 64 MiB (65536 KiB), 16-byte output; password = UTF-8 of
``"skillcert-lookup-v1:" + normalised ID number`` (as the commitment normalises it, with no ID
type: the page asks for the number only); salt = the first 16 bytes of SHA-256 of
``"skillcert-lookup-v1:" + certificate number``. About 50 ms and 64 MiB a guess on one core
(``bench/lookup_bench.py``): a targeted guess from county and birth year (366,000 candidates)
takes hours on two cores, not minutes; ``site/spec.md`` states the figure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, replace

from credentials.credential import policy, publication
from credentials.credential.commitment import normalise
from credentials.errors import InvalidNumber
from credentials.keys import memory_hard_hash
from credentials.numbers import parse_number
from credentials.registry.model import Institution
from credentials.registry.records import RecordEntry
from credentials.registry.registry import Registry

OPSLIMIT = 1
MEMLIMIT = 64 * 1024 * 1024
CONTEXT = "skillcert-lookup-v1"


def lookup_hash(number: str, id_number: str) -> bytes:
    """The 16-byte lookup hash of a (certificate number, ID number) pair."""
    password = f"{CONTEXT}:{normalise(id_number)}".encode()
    salt = hashlib.sha256(f"{CONTEXT}:{number}".encode()).digest()[:16]
    return memory_hard_hash(password, salt, opslimit=OPSLIMIT, memlimit=MEMLIMIT)


@dataclass(frozen=True, slots=True)
class Found:
    """What a lookup found (``status`` ``genuine``, ``revoked``, ``superseded``, ``not-genuine``,
    ``not-found``), with the certificate's public content when there is one."""

    status: str
    number: str
    reason: str = ""
    entry: RecordEntry | None = None
    institution: Institution | None = None
    occupation_name: str | None = None
    detail: dict[str, str] | None = None


def normal_number(text: str) -> str:
    """A typed certificate number: spaces removed, upper case (``InvalidNumber`` when it is not one)."""
    wanted = "".join(normalise(text).split())
    return str(parse_number(wanted))


def lookup(number_text: str, id_number: str, registry: Registry, *, at: dt.date) -> Found:
    """Confirm a typed (number, ID number) pair from the published records alone."""
    try:
        number = normal_number(number_text)
    except InvalidNumber:
        return Found("not-found", number_text[:40], "number-invalid")
    entries = [e for e in registry.records.entries(number) if e.published <= at]
    if not entries:
        return Found("not-found", number, "not-published")
    wanted = lookup_hash(number, id_number)
    mine = [e for e in entries if hmac.compare_digest(e.lookup, wanted)]
    if not mine:
        return Found("not-found", number, "id-mismatch")
    entry = max(mine, key=lambda e: (e.version, e.published))
    inst = registry.institution(number[:13])
    if inst is None:
        return Found("not-genuine", number, "unknown-institution", entry)
    occupation = registry.occupations.get(entry.occupation)
    found = Found("genuine", number, "", entry, inst, occupation.name if occupation else None)
    for rev in registry.revocations(number, as_of=at):
        if rev.version in (None, entry.version):
            detail = {"date": rev.date.isoformat(), "reason": rev.reason}
            return replace(found, status="revoked", reason="revoked", detail=detail)
    later = registry.superseded_by(number, entry.version, as_of=at)
    if later is not None:
        detail = {"version": str(later.version), "date": later.date.isoformat()}
        return replace(found, status="superseded", reason="superseded", detail=detail)
    signed, _ = policy.signing_day(registry, number, entry.version, entry.issued)
    key = registry.key(entry.kid)
    rulings = [
        policy.issuer_active(inst, signed),
        policy.key_valid(registry, entry.kid, inst, signed)[0],
        publication.judge_entry(entry, inst, key[1] if key else None, signed),
    ]
    broken = next((r for r in rulings if not r.holds), None)
    if broken is not None:
        detail = {k: str(v) for k, v in broken.detail.items()}
        return replace(found, status="not-genuine", reason=broken.reason, detail=detail)
    return found
