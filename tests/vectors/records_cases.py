"""The vectors' published issuance records: batches of the test institution, the records the bureau
published for them, and the lookups by number and ID number (``lookup.json``).

Imported by ``generate.py``. The record entries are the hashes of exact credentials the vectors
sign (Ed25519 and the salts are deterministic), so the registry is written in two steps: sign
the published credentials, then write the records that publish them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from credentials.credential.lookup import lookup, lookup_hash
from credentials.registry import records
from credentials.registry.registry import Registry

FILING = "Y000041019101"
BATCH_1 = """\
# Test vector batch (fictional): approved, its record published on 2026-03-12.
institution: Y000041019101
batch: 2026-1
assessed: {from: 2026-02-26, until: 2026-02-27}
filed: 2026-03-02
roster: "0000000000000000000000000000000000000000000000000000000000000001"
counts:
  - {occupation: 6-18-01-01, job: 数控车床, level: 3, count: 3}
notice:
  from: 2026-03-03
  working_days: 5
  until: 2026-03-09
  contact: {person: 测试员, phone: 010-5550 0000}
decision:
  status: approved
  date: 2026-03-10
  by: 测试主管部门
"""
BATCH_2 = """\
# Test vector batch (fictional): approved, its record published after key A3 was compromised.
institution: Y000041019101
batch: 2026-2
assessed: {from: 2026-03-12, until: 2026-03-13}
filed: 2026-03-16
roster: "0000000000000000000000000000000000000000000000000000000000000002"
counts:
  - {occupation: 6-18-01-01, job: 数控车床, level: 3, count: 1}
notice:
  from: 2026-03-17
  working_days: 5
  until: 2026-03-23
  contact: {person: 测试员, phone: 010-5550 0000}
decision:
  status: approved
  date: 2026-03-24
  by: 测试主管部门
"""
# vector name -> (record id, published date): the credentials the bureau published
PUBLISHED = {
    "published-in-record": ("2026-1", dt.date(2026, 3, 12)),
    "lookup-genuine": ("2026-1", dt.date(2026, 3, 12)),
    "revoked-every-version": ("2026-1", dt.date(2026, 3, 12)),
    "published-after-compromise": ("2026-2", dt.date(2026, 4, 5)),
}
REVOKED = "  - number: Y000041019101263000005\n    date: 2026-04-01\n    reason: 认定过程违规，撤销所有版本\n"


def write(
    registry_dir: Path, signed: dict[str, tuple[dict[str, Any], bytes]], id_number: str
) -> None:
    """The batch files and the records of the published credentials (``signed``: vector name ->
    (its fields, its bytes))."""
    folder = registry_dir / "batches" / FILING
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2026-1.yaml").write_text(BATCH_1, "utf-8")
    (folder / "2026-2.yaml").write_text(BATCH_2, "utf-8")
    by_record: dict[str, list[records.Row]] = {}
    dates: dict[str, dt.date] = {}
    for name, (record_id, day) in PUBLISHED.items():
        fields, data = signed[name]
        number = fields["number"]
        by_record.setdefault(record_id, []).append(records.Row(
            number, fields["version"], records.credential_hash(data), lookup_hash(number, id_number),
            fields["occupation"], fields["job"], fields["issued"], fields["kid"],
        ))  # fmt: skip
        dates[record_id] = day
    for record_id, rows in by_record.items():
        data = records.encode(FILING, record_id, kind="batch", batch=record_id,
                              published=dates[record_id], rows=rows)  # fmt: skip
        (folder / f"{record_id}{records.RECORD_SUFFIX}").write_bytes(data)


# (typed number, typed ID number, as of) -> what a lookup must find
LOOKUPS = [
    ("found", "Y000041019101263000004", None, "2026-11-21"),
    ("typed with spaces and lower case", " y000041019101 263000004 ", "４１０１０２１９９９０９０９１２３８", "2026-11-21"),
    ("wrong ID number", "Y000041019101263000004", "410102199909091246", "2026-11-21"),
    ("revoked, every version", "Y000041019101263000005", None, "2026-11-21"),
    ("before it was revoked", "Y000041019101263000005", None, "2026-03-20"),
    ("published after the key was compromised", "Y000041019101263000006", None, "2026-11-21"),
    ("not published", "Y000041019101263000009", None, "2026-11-21"),
    ("before its record was published", "Y000041019101263000004", None, "2026-03-11"),
    ("not a number", "Y0000410191012630000", None, "2026-11-21"),
]  # fmt: skip


def lookups(registry: Registry, id_number: str) -> dict[str, Any]:
    """Python's answer for each lookup, with the hash it computed (the page must agree)."""
    cases = []
    for title, number, typed_id, at in LOOKUPS:
        given = typed_id if typed_id is not None else id_number
        found = lookup(number, given, registry, at=dt.date.fromisoformat(at))
        e = found.entry
        cases.append({
            "title": title, "number": number, "id_number": given, "at": at,
            "lookup_hex": lookup_hash("".join(number.split()).upper(), given).hex()
            if found.reason != "number-invalid" else None,
            "expect": {"status": found.status, "reason": found.reason,
                       "version": e.version if e else None,
                       "record": e.record if e else None},
        })  # fmt: skip
    return {
        "note": "Lookups by typed certificate number and ID number against tests/vectors/registry "
        "(and its snapshot): Python's answers; the page must give the same status, reason and hash.",
        "cases": cases,
    }
