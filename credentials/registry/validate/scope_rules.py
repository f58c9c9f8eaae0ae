"""The rules of an institution's filed scope (认定范围), one row at a time and between rows.

What the seeds ask of each row: a skill occupation of the classification (major groups 3–6), not
an access-controlled one (准入类, listed in ``bureau.yaml``), named exactly as the reference data
names it, filed per job (工种) where the occupation has jobs, with no level the national standard
does not set, none beyond what the province lets a school tier certify, inside a validity period,
and no two rows covering the same level of the same job at the same time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from credentials import labels
from credentials.registry.model import Bureau, Institution, Occupation, ScopeRow
from credentials.registry.validate.findings import Finding
from credentials.registry.validate.messages import finding
from credentials.registry.validate.yamldoc import Document

NO_JOB_WRITTEN = frozenset({"-", "--", "—", "——", "无", "/", "／"})


def _levels(levels: Iterable[int]) -> str:
    return "、".join(str(int(x)) for x in sorted(levels, reverse=True))


def check(
    doc: Document, inst: Institution, bureau: Bureau | None, occupations: dict[str, Occupation]
) -> Iterator[Finding]:
    """Every scope rule of an institution file."""
    rules = bureau.provinces.get(inst.province) if bureau else None
    tier = rules.level_limits.get(inst.type) if rules else None
    access = bureau.access_occupations if bureau else {}
    periods_ok = all(p.start <= p.until for p in inst.validity)
    seen: list[int] = []
    for i, row in enumerate(inst.scope):
        pos = doc.at(("scope", i))
        if row.until is not None and row.until < row.since:
            yield finding("scope-date-order", doc.file, pos, since=row.since, until=row.until)
        if periods_ok and not any(p.covers(row.since) for p in inst.validity):
            yield finding(
                "scope-outside-validity", doc.file, doc.pos(("scope", i, "since")), since=row.since
            )
        occ = occupations.get(row.occupation)
        if occupations and occ is None:
            yield finding(
                "occupation-unknown",
                doc.file,
                doc.pos(("scope", i, "occupation")),
                code=row.occupation,
            )
        if row.occupation in access:
            yield finding("occupation-access", doc.file, doc.pos(("scope", i, "occupation")),
                          code=row.occupation, name=access[row.occupation])  # fmt: skip
        if occ is not None:
            yield from _against_reference(doc, i, row, occ)
        if tier is not None and not set(row.levels) <= set(tier):
            yield finding("scope-level-tier", doc.file, doc.pos(("scope", i, "levels")), type=inst.type,
                          type_zh=labels.zh(labels.INSTITUTION_TYPES, inst.type), allowed=_levels(tier),
                          levels=_levels(row.levels))  # fmt: skip
        for j in seen:
            other = inst.scope[j]
            if other.occupation != row.occupation or other.job != row.job:
                continue
            shared = set(other.levels) & set(row.levels)
            if (
                shared
                and other.since <= (row.until or dt.date.max)
                and row.since <= (other.until or dt.date.max)
            ):
                yield finding(
                    "scope-overlap",
                    doc.file,
                    pos,
                    other=doc.pos(("scope", j))[0],
                    levels=_levels(shared),
                )
                break
        seen.append(i)


def _against_reference(doc: Document, i: int, row: ScopeRow, occ: Occupation) -> Iterator[Finding]:
    """What the reference data says of the row's occupation: skill or not, its name, its jobs,
    the national standard's levels."""
    if not occ.skill:
        yield finding("occupation-not-skill", doc.file, doc.pos(("scope", i, "occupation")), code=occ.code,
                      name=occ.name)  # fmt: skip
    if occ.name != row.name:
        yield finding("occupation-name-mismatch", doc.file, doc.pos(("scope", i, "name")), code=row.occupation,
                      expected=occ.name, actual=row.name)  # fmt: skip
    if row.job is not None and row.job.strip() in NO_JOB_WRITTEN:
        yield finding("job-placeholder", doc.file, doc.pos(("scope", i, "job")), job=row.job)
    elif occ.jobs and row.job is not None and row.job not in occ.jobs:
        yield finding("job-unknown", doc.file, doc.pos(("scope", i, "job")), job=row.job, code=occ.code,
                      name=occ.name, known="、".join(occ.jobs))  # fmt: skip
    elif occ.jobs and row.job is None and row.until is None:  # an ended row is history
        yield finding("job-missing", doc.file, doc.pos(("scope", i, "job")), code=occ.code, name=occ.name,
                      known="、".join(occ.jobs))  # fmt: skip
    if occ.levels is None:
        if occ.skill:
            yield finding("occupation-levels-unknown", doc.file, doc.pos(("scope", i, "levels")),
                          code=occ.code, name=occ.name)  # fmt: skip
    elif not set(row.levels) <= set(occ.levels):
        yield finding("scope-level-standard", doc.file, doc.pos(("scope", i, "levels")), code=occ.code,
                      name=occ.name, allowed=_levels(occ.levels), levels=_levels(row.levels),
                      source=occ.levels_source or "")  # fmt: skip
