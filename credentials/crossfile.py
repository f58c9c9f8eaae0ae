"""Rules that need more than one file: unique filing numbers and key ids, and pilot limits.

Pure: takes the institutions (and the bureau) and returns findings. In a full check it sees the
whole registry; for a pull-request diff, the changed files plus every file that could clash with
them (see ``gitsource.related_files``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from credentials.findings import Finding
from credentials.model import Bureau, Institution
from credentials.rules import finding


def check(
    institutions: Iterable[Institution],
    bureau: Bureau | None,
    *,
    report_for: set[str] | None = None,
) -> list[Finding]:
    """Cross-file findings; with ``report_for``, only those located in these files."""
    insts = list(institutions)
    out: list[Finding] = []
    out += _unique_filing_numbers(insts)
    out += _unique_kids(insts, bureau)
    if bureau is not None:
        out += _pilot_limits(insts, bureau)
    if report_for is not None:
        out = [f for f in out if f.file in report_for]
    return out


def _unique_filing_numbers(insts: list[Institution]) -> list[Finding]:
    first: dict[str, Institution] = {}
    out = []
    for inst in sorted(insts, key=lambda i: i.file):
        other = first.get(inst.filing_number)
        if other is None:
            first[inst.filing_number] = inst
        else:
            out.append(
                finding(
                    "filing-number-duplicate",
                    inst.file,
                    (1, 1),
                    number=inst.filing_number,
                    other=other.file,
                )
            )
    return out


def _unique_kids(insts: list[Institution], bureau: Bureau | None) -> list[Finding]:
    first: dict[str, str] = {}
    if bureau is not None:
        first[bureau.snapshot_kid] = "bureau.yaml"
    out = []
    for inst in sorted(insts, key=lambda i: i.file):
        for key in inst.keys:
            where = first.get(key.kid)
            if where is None:
                first[key.kid] = inst.file
            else:
                out.append(
                    finding("key-id-duplicate", inst.file, (key.line, 1), kid=key.kid, other=where)
                )
    return out


def _pilot_limits(insts: list[Institution], bureau: Bureau) -> list[Finding]:
    groups: dict[
        tuple[str, str, str, str | None, int], list[tuple[Institution, int, dt.date, dt.date]]
    ]
    groups = defaultdict(list)
    for inst in insts:
        rules = bureau.provinces.get(inst.province)
        if rules is None or rules.pilot_limit is None or inst.type not in rules.pilot_types:
            continue
        for row in inst.scope:
            end = min(row.until or dt.date.max, inst.validity_end)
            for lv in row.levels:
                key = (inst.province, inst.city, row.occupation, row.job, int(lv))
                groups[key].append((inst, row.line, row.since, end))
    out = []
    for (province, city, code, job, level), rows in groups.items():
        limit = bureau.provinces[province].pilot_limit
        assert limit is not None
        if len({r[0].filing_number for r in rows}) <= limit:
            continue
        for inst, line, since, end in rows:
            overlapping = {r[0].filing_number for r in rows if r[2] <= end and since <= r[3]}
            if len(overlapping) > limit:
                others = "、".join(sorted(overlapping - {inst.filing_number}))
                city_name = bureau.provinces[province].cities.get(city, city)
                out.append(
                    finding(
                        "pilot-limit",
                        inst.file,
                        (line, 1),
                        city_name=city_name,
                        limit=limit,
                        code=code,
                        job=job or "",
                        level=level,
                        others=others,
                    )
                )
    return out
