"""The signing policy: may this key sign this credential, judged on the credential's issue date?

The one answer, in the verifier's vocabulary. Each rule is a pure function of the registry, the
credential's content and the key id, and returns a ``Ruling``: the check id it belongs to (as in
``verify.CHECK_IDS``), a reason code ("" when the rule holds) and the values behind it. Three
callers use these rules and nothing else:

- ``verify.check`` records them as its checks 3–6 and 8 (around the signature, which is not policy);
- ``sign.sign`` refuses (``IssuanceRefused``) on the first rule a credential would break;
- ``issuing.preflight.validate`` words every broken rule for the roster row it comes from.

The rules: (3) the number's level digit is the level and its year digits the issue year; (4) the
number's first 13 characters are a filed institution; (5) that institution was filed, inside a
validity period, and neither suspended nor withdrawn on the signing day; (6) the key is a key of
that institution, valid on the signing day and not compromised on or before it; (8) occupation,
job and level are in a scope row in force on the issue date.

The signing day is the issue date for a first version, and for a re-issue (补发, version 2 and
later) the date the registry records for that re-issue: a re-issue is signed by a key valid when
it is made (after a key rotation the new key, never a retired or compromised one), by an
institution active then (a withdrawn institution re-issues nothing), while what it certifies is
judged on the original issue date. A re-issue the registry does not record fails rule (6).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from credentials.levels import Level
from credentials.numbers import CertificateNumber
from credentials.registry.model import Institution, KeyEntry, ScopeRow
from credentials.registry.registry import Registry


@dataclass(frozen=True, slots=True)
class Ruling:
    """One rule's outcome: ``reason`` is "" when the rule holds."""

    check: str
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def holds(self) -> bool:
        """True when the rule holds."""
        return not self.reason


@dataclass(frozen=True, slots=True)
class Subject:
    """What the policy looks at: who signs what, for which day."""

    filing_number: str
    occupation: str
    job: str | None
    level: Level
    issued: dt.date
    signing_day: dt.date | None = None  # a re-issue's recorded date (None: the issue date)

    @property
    def signed(self) -> dt.date:
        """The day the institution and the key are judged on."""
        return self.signing_day or self.issued


def number_consistent(number: CertificateNumber, level: Level, issued: dt.date) -> Ruling:
    """(3) ``number-format``: digit 16 is the level, digits 14–15 the issue year."""
    if number.level != level:
        return Ruling(
            "number-format", "level-mismatch", {"digit": int(number.level), "level": int(level)}
        )
    if number.year != issued.year % 100:
        return Ruling(
            "number-format", "year-mismatch", {"digits": f"{number.year:02d}", "year": issued.year}
        )
    return Ruling("number-format", "", {"number": str(number)})


def issuer_known(registry: Registry, filing_number: str) -> tuple[Ruling, Institution | None]:
    """(4) ``issuer-known``: a filed institution has this filing number."""
    inst = registry.institution(filing_number)
    reason = "" if inst is not None else "unknown-institution"
    return Ruling("issuer-known", reason, {"filing_number": filing_number}), inst


def issuer_active(inst: Institution, day: dt.date) -> Ruling:
    """(5) ``issuer-active-on-issue-date``: filed, in a validity period, not suspended/withdrawn."""
    status = inst.status_on(day)
    reason = "" if status == "active" else status
    return Ruling(
        "issuer-active-on-issue-date", reason, {"status": status, "date": day.isoformat()}
    )


def key_valid(
    registry: Registry, kid: str, inst: Institution, day: dt.date
) -> tuple[Ruling, KeyEntry | None]:
    """(6) ``key-valid-on-issue-date``: the institution's key, valid and not compromised on ``day``.

    The key entry is returned whenever the key id is registered (even to another institution), so
    that the signature can still be checked and reported.
    """
    found = registry.key(kid)
    if found is None:
        return Ruling("key-valid-on-issue-date", "unknown-key", {"kid": kid}), None
    owner, entry = found
    detail: dict[str, Any] = {"kid": kid, "date": day.isoformat()}
    reason = ""
    if owner.filing_number != inst.filing_number:
        reason, detail["owner"] = "key-of-other-institution", owner.filing_number
    elif entry.compromised_at is not None and day >= entry.compromised_at:
        reason, detail["compromised_at"] = "compromised", entry.compromised_at.isoformat()
    elif day < entry.not_before:
        reason, detail["not_before"] = "not-yet-valid", entry.not_before.isoformat()
    elif entry.not_after is not None and day > entry.not_after:
        reason, detail["not_after"] = "expired", entry.not_after.isoformat()
    return Ruling("key-valid-on-issue-date", reason, detail), entry


def in_scope(registry: Registry, subject: Subject) -> tuple[Ruling, ScopeRow | None]:
    """(8) ``in-scope-on-issue-date``: a scope row in force on the issue date covers it."""
    row = registry.scope_row(
        subject.filing_number, subject.occupation, subject.job, int(subject.level), subject.issued
    )
    detail: dict[str, Any] = {
        "occupation": subject.occupation,
        "job": subject.job,
        "level": int(subject.level),
        "date": subject.issued.isoformat(),
    }
    if row is None:
        return Ruling("in-scope-on-issue-date", "not-in-scope", detail), None
    return Ruling("in-scope-on-issue-date", "", {**detail, "line": row.line}), row


def signing_day(
    registry: Registry, number: str, version: int, issued: dt.date
) -> tuple[dt.date, Ruling | None]:
    """The day a version's institution and key are judged on, and for an unrecorded re-issue the
    rule (6) it breaks."""
    if version == 1:
        return issued, None
    record = registry.reissue_of(number, version)
    if record is None:
        return issued, Ruling(
            "key-valid-on-issue-date", "reissue-not-recorded", {"version": version}
        )
    return record.date, None


def refusals(subject: Subject, kid: str, registry: Registry) -> list[Ruling]:
    """Every rule (4)–(6) and (8) that signing ``subject`` with ``kid`` would break, in check
    order; rules that need an unknown institution are not judged."""
    known, inst = issuer_known(registry, subject.filing_number)
    if inst is None:
        return [known]
    rulings = [
        issuer_active(inst, subject.signed),
        key_valid(registry, kid, inst, subject.signed)[0],
        in_scope(registry, subject)[0],
    ]
    return [r for r in rulings if not r.holds]
