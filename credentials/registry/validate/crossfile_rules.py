"""Rules that need more than one file: unique filing numbers and key ids, and pilot limits.

Pure: takes the institutions (and the bureau) and returns findings. In a full check it sees the
whole registry; for a pull-request diff, the changed files plus every file that could clash with
them (see ``gitsource.related_files``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from credentials.registry.model import Bureau, Institution
from credentials.registry.validate.findings import Finding
from credentials.registry.validate.messages import finding


@dataclass(frozen=True, slots=True)
class Facts:
    """What cross-file rules need to know of one institution file (small, cheap to ship)."""

    file: str
    filing_number: str
    kids: tuple[tuple[str, int], ...]  # (kid, line)
    pilot_rows: tuple[PilotRow, ...] = ()


# (province, city, occupation, job, level, line, since, last day)
PilotRow = tuple[str, str, str, str | None, int, int, dt.date, dt.date]


def facts(inst: Institution, bureau: Bureau | None) -> Facts:
    """The cross-file facts of ``inst`` (pilot rows only where the province limits pilots)."""
    rules = bureau.provinces.get(inst.province) if bureau else None
    rows: list[PilotRow] = []
    if rules is not None and rules.pilot_limit is not None and inst.type in rules.pilot_types:
        for row in inst.scope:
            end = min(row.until or dt.date.max, inst.validity_end)
            for lv in row.levels:
                rows.append(
                    (
                        inst.province,
                        inst.county
                        or inst.city,  # 市本级或县级行政区: the county where filed in one
                        row.occupation,
                        row.job,
                        int(lv),
                        row.line,
                        row.since,
                        end,
                    )
                )
    return Facts(
        inst.file, inst.filing_number, tuple((k.kid, k.line) for k in inst.keys), tuple(rows)
    )


def check(
    items: Iterable[Facts],
    bureau: Bureau | None,
    *,
    report_for: set[str] | None = None,
) -> list[Finding]:
    """Cross-file findings; with ``report_for``, only those located in these files."""
    all_facts = sorted(items, key=lambda f: f.file)
    out: list[Finding] = []
    out += _unique_filing_numbers(all_facts)
    out += _unique_kids(all_facts, bureau)
    if bureau is not None:
        out += _pilot_limits(all_facts, bureau)
    if report_for is not None:
        out = [f for f in out if f.file in report_for]
    return out


def _unique_filing_numbers(items: list[Facts]) -> list[Finding]:
    first: dict[str, Facts] = {}
    out = []
    for item in items:
        other = first.get(item.filing_number)
        if other is None:
            first[item.filing_number] = item
        else:
            out.append(
                finding(
                    "filing-number-duplicate",
                    item.file,
                    (1, 1),
                    number=item.filing_number,
                    other=other.file,
                )
            )
    return out


def _unique_kids(items: list[Facts], bureau: Bureau | None) -> list[Finding]:
    first: dict[str, str] = {}
    if bureau is not None:
        first[bureau.snapshot_kid] = "bureau.yaml"
    out = []
    for item in items:
        for kid, line in item.kids:
            where = first.get(kid)
            if where is None:
                first[kid] = item.file
            else:
                out.append(finding("key-id-duplicate", item.file, (line, 1), kid=kid, other=where))
    return out


def _pilot_limits(items: list[Facts], bureau: Bureau) -> list[Finding]:
    groups: dict[tuple[str, str, str, str | None, int], list[tuple[Facts, PilotRow]]]
    groups = defaultdict(list)
    for item in items:
        for row in item.pilot_rows:
            groups[row[:5]].append((item, row))
    out = []
    for (province, city, code, job, level), rows in groups.items():
        limit = bureau.provinces[province].pilot_limit
        assert limit is not None
        if len({item.filing_number for item, _ in rows}) <= limit:
            continue
        for item, row in rows:
            since, end = row[6], row[7]
            overlapping = {
                other.filing_number for other, r in rows if r[6] <= end and since <= r[7]
            }
            if len(overlapping) > limit:
                others = "、".join(sorted(overlapping - {item.filing_number}))
                rules = bureau.provinces[province]
                city_name = (
                    f"{rules.cities.get(city[2:4], city[2:4])}县级行政区 {city}"
                    if len(city) == 6
                    else rules.cities.get(city, city)
                )
                out.append(
                    finding(
                        "pilot-limit",
                        item.file,
                        (row[5], 1),
                        city_name=city_name,
                        limit=limit,
                        code=code,
                        job=job or "",
                        level=level,
                        others=others,
                    )
                )
    return out
