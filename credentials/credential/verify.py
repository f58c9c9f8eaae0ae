"""Verifying a credential: a report of named checks, and a wrapper that raises.

``check(data, registry, *, at)`` is pure and never raises because a credential is bad: it runs the
checks below in this fixed order and records each as passed, failed or skipped (a check whose
inputs an earlier failure made unusable is skipped). ``verify`` returns a ``VerifiedCredential``
only when every check passed, and raises ``VerificationFailed`` otherwise.

The check ids and their order are shared with the JavaScript verifier and the test vectors:

 1. ``decode``                        the envelope exactly (tag 18, deterministic CBOR, empty
                                       unprotected header, no crit), the kid protected, every claim
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
10. ``not-revoked``                   not revoked (that version, or every version of the number),
                                       and not superseded by a re-issue, as of ``at``
11. ``in-published-record``           its exact bytes are in an issuance record the bureau published
                                       before the key's compromise and before any suspension or
                                       withdrawal (``publication``); signed before records began:
                                       passed as ``legacy``; signed lately: ``pending``
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from credentials import cose
from credentials.credential import policy, publication
from credentials.credential.claims import Credential
from credentials.errors import MalformedCredential, VerificationFailed
from credentials.keys import VerifyKey
from credentials.registry.model import Institution, KeyEntry, ScopeRow
from credentials.registry.registry import Registry

_T = TypeVar("_T")

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
    "in-published-record",
)
ALLOWED_ALGORITHMS = (int(cose.Alg.EDDSA),)

Status = Literal["passed", "failed", "skipped", "pending"]


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
                "number": str(cred.number),
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


@dataclass(slots=True)
class _State:
    """What the checks learn, in order: each check fills in what later checks read."""

    message: cose.Sign1 | None = None
    credential: Credential | None = None
    institution: Institution | None = None
    key: KeyEntry | None = None
    row: ScopeRow | None = None


def _known(value: _T | None) -> _T:
    """A value an earlier, passed check has set (the dependencies below guarantee it)."""
    if value is None:
        raise AssertionError("a check ran before the check it depends on")
    return value


Outcome = tuple[str, dict[str, Any]]


def _shown_alg(alg: Any, *, present: bool) -> int | str:
    """How a refused alg value is shown (the page does the same)."""
    if isinstance(alg, bool):
        return "true" if alg else "false"
    if isinstance(alg, int | str):
        return alg
    if not present:
        return "missing"
    if alg is None:
        return "null"
    if isinstance(alg, bytes):
        return "bytes"
    return "array" if isinstance(alg, list) else "map" if isinstance(alg, dict) else "other"


class _Checks:
    """The eleven checks over one input; each returns (reason, detail), reason "" when it passed
    (check 11 also passes as ``legacy``)."""

    def __init__(self, data: bytes, registry: Registry, at: dt.date) -> None:
        self.data = data
        self.registry = registry
        self.at = at
        self.st = _State()

    def decode(self) -> Outcome:
        """(1) the envelope, the protected header with its kid, and every claim (``cose``,
        ``claims``): the first problem, as a code the page shares."""
        try:
            message = cose.parse_sign1(bytes(self.data))
            credential = Credential.from_claims(cose.decode(message.payload))
        except MalformedCredential as err:
            return "malformed", {"problem": err.problem}
        self.st.message, self.st.credential = message, credential
        return "", {}

    def algorithm(self) -> Outcome:
        """(2) the protected ``alg`` is EdDSA, from the allow-list."""
        message = _known(self.st.message)
        alg = message.alg
        if isinstance(alg, bool) or alg not in ALLOWED_ALGORITHMS:
            return "not-allowed", {
                "alg": _shown_alg(alg, present=cose.Header.ALG in message.protected)
            }
        return "", {"alg": alg}

    def number_format(self) -> Outcome:
        """(3) the policy's number rule."""
        cred = _known(self.st.credential)
        r = policy.number_consistent(cred.number, cred.level, cred.issued)
        return r.reason, r.detail

    def issuer_known(self) -> Outcome:
        """(4) the policy's institution rule."""
        r, self.st.institution = policy.issuer_known(
            self.registry, str(_known(self.st.credential).number.filing)
        )
        return r.reason, r.detail

    def _signing_day(self) -> tuple[dt.date, policy.Ruling | None]:
        cred = _known(self.st.credential)
        return policy.signing_day(self.registry, str(cred.number), cred.version, cred.issued)

    def issuer_active(self) -> Outcome:
        """(5) the policy's status rule on the signing day."""
        r = policy.issuer_active(_known(self.st.institution), self._signing_day()[0])
        return r.reason, r.detail

    def key_valid(self) -> Outcome:
        """(6) the policy's key rule on the signing day; an unrecorded re-issue fails here."""
        kid = _known(self.st.message).kid.hex()
        day, unrecorded = self._signing_day()
        r, self.st.key = policy.key_valid(self.registry, kid, _known(self.st.institution), day)
        if unrecorded is not None:
            return unrecorded.reason, unrecorded.detail
        return r.reason, r.detail

    def signature(self) -> Outcome:
        """(7) Ed25519 over the received Sig_structure, with the registered key of that kid."""
        entry = self.st.key
        if entry is None:  # unknown kid: nothing to verify with
            return "no-key", {}
        ok = cose.verify_signature(_known(self.st.message), VerifyKey.from_bytes(entry.public_key))
        return ("" if ok else "invalid"), {"kid": entry.kid}

    def in_scope(self) -> Outcome:
        """(8) the policy's scope rule on the issue date."""
        cred = _known(self.st.credential)
        subject = policy.Subject(
            _known(self.st.institution).filing_number,
            cred.occupation,
            cred.job,
            cred.level,
            cred.issued,
        )
        r, self.st.row = policy.in_scope(self.registry, subject)
        return r.reason, r.detail

    def not_future(self) -> Outcome:
        """(9) not issued after ``at``."""
        issued = _known(self.st.credential).issued
        detail = {"issued": issued.isoformat(), "at": self.at.isoformat()}
        return ("future" if issued > self.at else ""), detail

    def not_revoked(self) -> Outcome:
        """(10) neither revoked nor superseded by a re-issue, as of ``at``."""
        cred = _known(self.st.credential)
        number = str(cred.number)
        for rev in self.registry.revocations(number, as_of=self.at):
            if rev.version in (None, cred.version):
                return "revoked", {"date": rev.date.isoformat(), "reason": rev.reason}
        later = self.registry.superseded_by(number, cred.version, as_of=self.at)
        if later is not None:
            return "superseded", {"version": later.version, "date": later.date.isoformat()}
        return "", {}

    def in_record(self) -> Outcome:
        """(11) the bureau published these exact bytes in time (``publication``)."""
        cred = _known(self.st.credential)
        r = publication.published(
            self.registry, bytes(self.data), str(cred.number), cred.version,
            inst=_known(self.st.institution), key=self.st.key, signed=self._signing_day()[0],
            at=self.at,
        )  # fmt: skip
        return r.reason, r.detail


def _status(check_id: str, reason: str) -> Status:
    if check_id == publication.CHECK:
        if reason in publication.PASSING:
            return "passed"
        return "pending" if reason in publication.PENDING else "failed"
    return "failed" if reason else "passed"


# (id, the checks it needs to have passed, the method): (1)…(11), in the order of CHECK_IDS.
_PLAN: tuple[tuple[str, tuple[str, ...], Callable[[_Checks], Outcome]], ...] = (
    ("decode", (), _Checks.decode),
    ("algorithm", ("decode",), _Checks.algorithm),
    ("number-format", ("decode",), _Checks.number_format),
    ("issuer-known", ("number-format",), _Checks.issuer_known),
    ("issuer-active-on-issue-date", ("issuer-known",), _Checks.issuer_active),
    ("key-valid-on-issue-date", ("issuer-known",), _Checks.key_valid),
    ("signature", ("algorithm", "issuer-known"), _Checks.signature),
    ("in-scope-on-issue-date", ("signature",), _Checks.in_scope),
    ("issued-not-in-future", ("signature",), _Checks.not_future),
    ("not-revoked", ("signature",), _Checks.not_revoked),
    ("in-published-record", ("signature",), _Checks.in_record),
)
assert tuple(step[0] for step in _PLAN) == CHECK_IDS


def check(data: bytes, registry: Registry, *, at: dt.date) -> Report:
    """Run every check on ``data`` (COSE_Sign1 bytes) against ``registry`` as of ``at``."""
    checks = _Checks(data, registry, at)
    results: list[Check] = []
    passed: set[str] = set()
    for check_id, needs, run in _PLAN:
        if not passed.issuperset(needs):
            results.append(Check(check_id, "skipped", "depends-on-failed-check"))
            continue
        reason, detail = run(checks)
        status = _status(check_id, reason)
        results.append(Check(check_id, status, reason, detail))
        if status == "passed":
            passed.add(check_id)
    st = checks.st
    return Report(
        checks=tuple(results),
        credential=st.credential,
        institution=st.institution,
        scope_row=st.row,
        key=st.key,
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
