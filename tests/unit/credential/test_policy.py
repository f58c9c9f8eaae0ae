"""The signing policy is the verifier's: for every vector, the policy's rulings are exactly the
outcomes of the verifier's checks 3-6 and 8, and roster rows are judged by the same rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from credentials import cose
from credentials.credential import policy
from credentials.credential.sign import subject_of
from credentials.credential.verify import check
from credentials.levels import Level
from credentials.registry.registry import Registry, load_registry
from tests.conftest import VECTORS

FILES = sorted(
    p
    for p in VECTORS.glob("*.json")
    if p.name not in ("check-ids.json", "parity.json", "lookup.json", "shard-choice.json")
)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(VECTORS / "registry")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_policy_rulings_are_the_verifiers_checks(path: Path, registry: Registry) -> None:
    v = json.loads(path.read_text("utf-8"))
    report = check(bytes.fromhex(v["cose_hex"]), registry, at=dt.date.fromisoformat(v["at"]))
    cred = report.credential
    if cred is None or report.checks[0].status != "passed":
        return  # nothing decoded: the policy has nothing to judge
    outcomes = {c.id: c.reason for c in report.checks if c.status != "skipped"}
    number = policy.number_consistent(cred.number, cred.level, cred.issued)
    assert outcomes["number-format"] == number.reason
    if not number.holds:
        return
    raw_kid = cose.parse_sign1(bytes.fromhex(v["cose_hex"])).kid
    assert raw_kid is not None
    kid = raw_kid.hex()
    subject, unrecorded = subject_of(cred, registry)
    broken = {r.check: r.reason for r in policy.refusals(subject, kid, registry)}
    if unrecorded is not None:
        broken[unrecorded.check] = unrecorded.reason
    for check_id in (
        "issuer-known",
        "issuer-active-on-issue-date",
        "key-valid-on-issue-date",
        "in-scope-on-issue-date",
    ):
        if check_id in outcomes:
            assert broken.get(check_id, "") == outcomes[check_id], check_id


def test_refusals_of_a_subject_in_check_order(registry: Registry) -> None:
    subject = policy.Subject(
        "Y000041019101", "6-18-01-01", "普通车床", Level.SENIOR_WORKER, dt.date(2025, 1, 2)
    )
    kid = next(iter(registry.institutions["Y000041019101"].keys)).kid
    rulings = policy.refusals(subject, kid, registry)
    assert [r.check for r in rulings] == ["key-valid-on-issue-date", "in-scope-on-issue-date"]
    assert rulings[1].detail["job"] == "普通车床"
    unknown = policy.Subject(
        "Y000041019999", "6-18-01-01", None, Level.SENIOR_WORKER, dt.date(2024, 1, 2)
    )
    assert [(r.check, r.reason) for r in policy.refusals(unknown, kid, registry)] == [
        ("issuer-known", "unknown-institution")
    ]
