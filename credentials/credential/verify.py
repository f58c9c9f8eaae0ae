"""Verifying a credential: a report of named checks, and a wrapper that raises.

``check(data, registry, *, at)`` is pure and never raises because a credential is bad: it runs the
checks below in this fixed order and records each as passed, failed or skipped (a check whose
inputs an earlier failure made unusable is skipped). ``verify`` returns a ``VerifiedCredential``
only when every check passed, and raises ``VerificationFailed`` otherwise.

The check ids and their order are shared with the JavaScript verifier and the test vectors:

 1. ``decode``                        CBOR, COSE_Sign1 (tag 18), deterministic header and claims
 2. ``algorithm``                     protected ``alg`` is EdDSA (-8); nothing else is accepted
 3. ``number-format``                 the number parses, its level digit is the level claim and
                                       its year digits are the issue year
 4. ``issuer-known``                  positions 1–13 are a filed institution
 5. ``issuer-active-on-issue-date``   filed, inside a validity period, not suspended or withdrawn
 6. ``key-valid-on-issue-date``       the kid is a key of that institution, valid on the issue
                                       date and not compromised on or before it
 7. ``signature``                     Ed25519 over the received Sig_structure
 8. ``in-scope-on-issue-date``        occupation + job + level in a scope row on the issue date
 9. ``issued-not-in-future``          the issue date is not after ``at``
10. ``not-revoked``                   not revoked, and not superseded by a re-issue, as of ``at``
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from credentials import cose
from credentials.credential.claims import Credential
from credentials.errors import InvalidNumber, MalformedCredential, VerificationFailed
from credentials.keys import VerifyKey
from credentials.numbers import parse_number
from credentials.registry.model import Institution, KeyEntry, ScopeRow
from credentials.registry.registry import Registry

CHECK_IDS: tuple[str, ...] = (
    "decode",
    "algorithm",
    "number-format",
    "issuer-known",
    "issuer-active-on-issue-date",
    "key-valid-on-issue-date",
    "signature",
    "in-scope-on-issue-date",
    "issued-not-in-future",
    "not-revoked",
)
ALLOWED_ALGORITHMS = (int(cose.Alg.EDDSA),)

Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class Check:
    """One check's outcome: ``reason`` is a stable code, ``detail`` the values behind it."""

    id: str
    status: Status
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Report:
    """Every check, in order. Deliberately no ``__bool__``: ask ``.ok``."""

    checks: tuple[Check, ...]
    credential: Credential | None = None
    institution: Institution | None = None
    scope_row: ScopeRow | None = None
    key: KeyEntry | None = None
    at: dt.date | None = None

    __hash__ = None  # type: ignore[assignment]

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return all(c.status == "passed" for c in self.checks)

    @property
    def failed(self) -> tuple[str, ...]:
        """Ids of the failed checks."""
        return tuple(c.id for c in self.checks if c.status == "failed")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: verdict, checks, and the credential's content when it decoded."""
        cred = self.credential
        return {
            "ok": self.ok,
            "at": self.at.isoformat() if self.at else None,
            "checks": [
                {"id": c.id, "status": c.status, "reason": c.reason, "detail": c.detail}
                for c in self.checks
            ],
            "credential": None
            if cred is None
            else {
                "number": cred.number,
                "version": cred.version,
                "holder": cred.holder,
                "id_type": int(cred.id_type),
                "occupation": cred.occupation,
                "job": cred.job,
                "level": int(cred.level),
                "issued": cred.issued.isoformat(),
            },
            "institution": None if self.institution is None else self.institution.filing_number,
        }

    def to_json(self) -> str:
        """``to_dict`` as JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


@dataclass(frozen=True, slots=True)
class VerifiedCredential:
    """A credential whose every check passed. Only ``verify`` makes one."""

    credential: Credential
    institution: Institution
    scope_row: ScopeRow
    key: KeyEntry
    report: Report


class _Run:
    """Accumulates checks in order; a check is skipped unless all it depends on passed."""

    def __init__(self) -> None:
        self.checks: dict[str, Check] = {}
        self.ok: set[str] = set()

    def record(
        self, check_id: str, needs: tuple[str, ...], fn: Callable[[], tuple[str, dict[str, Any]]]
    ) -> None:
        if not self.ok.issuperset(needs):
            self.checks[check_id] = Check(check_id, "skipped", "depends-on-failed-check")
            return
        reason, detail = fn()
        self.checks[check_id] = Check(check_id, "failed" if reason else "passed", reason, detail)
        if not reason:
            self.ok.add(check_id)


def check(data: bytes, registry: Registry, *, at: dt.date) -> Report:
    """Run every check on ``data`` (COSE_Sign1 bytes) against ``registry`` as of ``at``."""
    run = _Run()
    st: dict[str, Any] = {}

    def decode() -> tuple[str, dict[str, Any]]:
        try:
            message = cose.parse_sign1(bytes(data))
            st["msg"] = message
            st["cred"] = Credential.from_claims(cose.decode_deterministic(message.payload))
        except (MalformedCredential, InvalidNumber) as err:
            return "malformed", {"error": str(err)}
        if message.kid is None or len(message.kid) != 8:
            return "malformed", {"error": "protected header has no 8-byte kid"}
        if cose.Header.KID not in message.protected:
            return "malformed", {"error": "kid must be in the protected header"}
        return "", {}

    def algorithm() -> tuple[str, dict[str, Any]]:
        alg = st["msg"].alg
        if isinstance(alg, bool) or alg not in ALLOWED_ALGORITHMS:
            return "not-allowed", {"alg": alg if isinstance(alg, int | str) else repr(alg)}
        return "", {"alg": alg}

    def number_format() -> tuple[str, dict[str, Any]]:
        cred: Credential = st["cred"]
        number = parse_number(cred.number)  # well-formed: Credential checked it
        if number.level != cred.level:
            return "level-mismatch", {"digit": int(number.level), "level": int(cred.level)}
        if number.year != cred.issued.year % 100:
            return "year-mismatch", {"digits": f"{number.year:02d}", "year": cred.issued.year}
        st["filing"] = str(number.filing)
        return "", {"number": cred.number}

    def issuer_known() -> tuple[str, dict[str, Any]]:
        inst = registry.institution(st["filing"])
        if inst is None:
            return "unknown-institution", {"filing_number": st["filing"]}
        st["inst"] = inst
        return "", {"filing_number": inst.filing_number}

    def issuer_active() -> tuple[str, dict[str, Any]]:
        day = st["cred"].issued
        status = st["inst"].status_on(day)
        return ("" if status == "active" else status), {"status": status, "date": day.isoformat()}

    def key_valid() -> tuple[str, dict[str, Any]]:
        kid = st["msg"].kid.hex()
        found = registry.key(kid)
        if found is None:
            return "unknown-key", {"kid": kid}
        owner, entry = found
        st["key"] = entry
        day = st["cred"].issued
        detail = {"kid": kid, "date": day.isoformat()}
        if owner.filing_number != st["inst"].filing_number:
            return "key-of-other-institution", {**detail, "owner": owner.filing_number}
        if entry.compromised_at is not None and day >= entry.compromised_at:
            return "compromised", {**detail, "compromised_at": entry.compromised_at.isoformat()}
        if day < entry.not_before:
            return "not-yet-valid", {**detail, "not_before": entry.not_before.isoformat()}
        if entry.not_after is not None and day > entry.not_after:
            return "expired", {**detail, "not_after": entry.not_after.isoformat()}
        return "", detail

    def signature() -> tuple[str, dict[str, Any]]:
        entry: KeyEntry | None = st.get("key")
        if entry is None:  # unknown kid: nothing to verify with
            return "no-key", {}
        ok = cose.verify_signature(st["msg"], VerifyKey.from_bytes(entry.public_key))
        return ("" if ok else "invalid"), {"kid": entry.kid}

    def in_scope() -> tuple[str, dict[str, Any]]:
        cred: Credential = st["cred"]
        row = registry.scope_row(
            st["inst"].filing_number, cred.occupation, cred.job, int(cred.level), cred.issued
        )
        detail = {
            "occupation": cred.occupation,
            "job": cred.job,
            "level": int(cred.level),
            "date": cred.issued.isoformat(),
        }
        if row is None:
            return "not-in-scope", detail
        st["row"] = row
        return "", {**detail, "line": row.line}

    def not_future() -> tuple[str, dict[str, Any]]:
        issued = st["cred"].issued
        detail = {"issued": issued.isoformat(), "at": at.isoformat()}
        return ("future" if issued > at else ""), detail

    def not_revoked() -> tuple[str, dict[str, Any]]:
        cred: Credential = st["cred"]
        for rev in registry.revocations(cred.number, as_of=at):
            if rev.version == cred.version:
                return "revoked", {"date": rev.date.isoformat(), "reason": rev.reason}
        later = registry.superseded_by(cred.number, cred.version, as_of=at)
        if later is not None:
            return "superseded", {"version": later.version, "date": later.date.isoformat()}
        return "", {}

    # (1)…(10), in the order of CHECK_IDS.
    run.record("decode", (), decode)
    run.record("algorithm", ("decode",), algorithm)
    run.record("number-format", ("decode",), number_format)
    run.record("issuer-known", ("number-format",), issuer_known)
    run.record("issuer-active-on-issue-date", ("issuer-known",), issuer_active)
    run.record("key-valid-on-issue-date", ("issuer-known",), key_valid)
    run.record("signature", ("algorithm", "issuer-known"), signature)
    run.record("in-scope-on-issue-date", ("signature",), in_scope)
    run.record("issued-not-in-future", ("signature",), not_future)
    run.record("not-revoked", ("signature",), not_revoked)
    assert tuple(run.checks) == CHECK_IDS
    return Report(
        checks=tuple(run.checks.values()),
        credential=st.get("cred"),
        institution=st.get("inst"),
        scope_row=st.get("row"),
        key=st.get("key"),
        at=at,
    )


def verify(data: bytes, registry: Registry, *, at: dt.date) -> VerifiedCredential:
    """The verified credential, or ``VerificationFailed`` carrying the report."""
    report = check(data, registry, at=at)
    if not report.ok:
        raise VerificationFailed(report)
    assert report.credential is not None
    assert report.institution is not None
    assert report.scope_row is not None
    assert report.key is not None
    return VerifiedCredential(
        report.credential, report.institution, report.scope_row, report.key, report
    )
