"""Rules a schema cannot express, for one file at a time: institutions, the bureau file, occupations.

Pure: each function takes a parsed document, the model built from it and the bureau's rules, and
returns findings. Rules that need several files (uniqueness, pilot limits) are in ``crossfile``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import PurePath

from credentials import labels
from credentials.errors import InvalidNumber
from credentials.keys import kid_for, public_key_problem
from credentials.numbers import parse_number
from credentials.registry.model import Bureau, Institution, Occupation, ProvinceRules
from credentials.registry.validate import text_rules
from credentials.registry.validate.findings import Finding
from credentials.registry.validate.messages import finding
from credentials.registry.validate.yamldoc import Document


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_institution(
    doc: Document, inst: Institution, bureau: Bureau | None, occupations: dict[str, Occupation]
) -> list[Finding]:
    """Every per-file rule for an institution file."""
    out: list[Finding] = []
    out += _file_name(doc, inst)
    out += _filing_number(doc, inst, bureau)
    out += _validity(doc, inst, bureau)
    out += _scope(doc, inst, bureau, occupations)
    out += _status(doc, inst)
    out += _keys(doc, inst)
    out += _revoked(doc, inst)
    out += _reissued(doc, inst)
    out += text_rules.check(doc)
    return out


def _file_name(doc: Document, inst: Institution) -> Iterator[Finding]:
    actual = PurePath(doc.file).name
    if actual != f"{inst.filing_number}.yaml":
        yield finding(
            "file-name-mismatch",
            doc.file,
            doc.pos(("filing_number",)),
            expected=inst.filing_number,
            actual=actual,
        )


def _filing_number(doc: Document, inst: Institution, bureau: Bureau | None) -> Iterator[Finding]:
    number = inst.filing_number
    pos = doc.pos(("filing_number",))
    if number[0] != inst.category:
        yield finding(
            "filing-number-category", doc.file, pos, letter=number[0], category=inst.category
        )
    if (inst.category == "S") != (inst.type == "social_organisation"):
        yield finding(
            "category-type", doc.file, doc.pos(("type",)), category=inst.category, type=inst.type
        )
    route = number[1:5]
    if (route == "0000") != (inst.filed_with == "province"):
        yield finding("filing-number-route", doc.file, pos, route=route, filed_with=inst.filed_with)
    if number[5:7] != inst.province:
        yield finding(
            "filing-number-province", doc.file, pos, code=number[5:7], province=inst.province
        )
    rules = bureau.provinces.get(inst.province) if bureau else None
    if bureau is None:
        return
    if rules is None:
        yield finding("province-unknown", doc.file, doc.pos(("province",)), province=inst.province)
        return
    if inst.city not in rules.cities:
        yield finding(
            "city-unknown",
            doc.file,
            doc.pos(("city",)),
            city=inst.city,
            province_name=rules.name,
        )
    yield from _sequence(doc, inst, rules)


def _sequence(doc: Document, inst: Institution, rules: ProvinceRules) -> Iterator[Finding]:
    seq = inst.filing_number[7:13]
    pos = doc.pos(("filing_number",))
    if sum(s.length for s in rules.sequence) != len(seq):
        return  # the rule itself is wrong: reported once, in bureau.yaml
    offset = 0
    for seg in rules.sequence:
        value = seq[offset : offset + seg.length]
        first = 8 + offset
        where = f"{first}–{first + seg.length - 1}"
        offset += seg.length
        if seg.part == "city":
            if value != inst.city:
                yield finding("filing-number-city", doc.file, pos, code=value, city=inst.city)
            continue
        if seg.codes:
            match = next((c for c in seg.codes if c[0] == value), None)
            if match is None:
                allowed = "、".join(f"{c[0]} {c[1]}" for c in seg.codes)
                yield _seq(
                    doc,
                    pos,
                    seq,
                    f"第 {where} 位 {value} 不是有效代码（{allowed}）",
                    f"positions {where}: {value} is not a valid code ({allowed})",
                )
            elif inst.type not in match[2]:
                yield _seq(
                    doc,
                    pos,
                    seq,
                    f"第 {where} 位 {value}（{match[1]}）不适用于机构类型 {labels.zh(labels.INSTITUTION_TYPES, inst.type)}",
                    f"positions {where}: {value} ({match[1]}) does not fit type {inst.type}",
                )
            elif match[3] and inst.ownership and match[3] != inst.ownership:
                yield _seq(
                    doc,
                    pos,
                    seq,
                    f"第 {where} 位 {value}（{match[1]}）与企业隶属 ownership: {inst.ownership} 不一致",
                    f"positions {where}: {value} ({match[1]}) does not match "
                    f"ownership: {inst.ownership}",
                )
        if seg.ranges:
            n = int(value)
            hit = next((r for r in seg.ranges if r[0] <= n <= r[1]), None)
            if hit is None:
                spans = "、".join(
                    f"{r[0]:0{seg.length}d}–{r[1]:0{seg.length}d}" for r in seg.ranges
                )
                yield _seq(
                    doc,
                    pos,
                    seq,
                    f"第 {where} 位 {value} 不在允许的范围内（{spans}）",
                    f"positions {where}: {value} is outside the allowed ranges ({spans})",
                )
            elif hit[3] and inst.type not in hit[3]:
                label = hit[2] or ""
                yield _seq(
                    doc,
                    pos,
                    seq,
                    f"第 {where} 位 {value} 属于{label}号段 {hit[0]:0{seg.length}d}–"
                    f"{hit[1]:0{seg.length}d}，机构类型 {labels.zh(labels.INSTITUTION_TYPES, inst.type)} 不能使用",
                    f"positions {where}: {value} is in the range reserved for {label or hit[3]}, "
                    f"not for type {inst.type}",
                )


def _seq(doc: Document, pos: tuple[int, int], seq: str, zh: str, en: str) -> Finding:
    return finding(
        "filing-number-sequence", doc.file, pos, sequence=seq, reason_zh=zh, reason_en=en
    )


def _validity(doc: Document, inst: Institution, bureau: Bureau | None) -> Iterator[Finding]:
    rules = bureau.provinces.get(inst.province) if bureau else None
    previous = None
    for i, p in enumerate(inst.validity):
        pos = doc.pos(("validity", i))
        if p.until < p.start:
            yield finding("validity-order", doc.file, pos, start=p.start, until=p.until)
        elif rules and p.until > add_years(p.start, rules.max_validity_years):
            yield finding(
                "validity-length",
                doc.file,
                doc.pos(("validity", i, "until")),
                start=p.start,
                until=p.until,
                years=rules.max_validity_years,
            )
        if previous is not None and p.start <= previous.until:
            yield finding("validity-overlap", doc.file, pos, start=p.start, until=p.until)
        previous = p
    if inst.filing_date > inst.validity[0].start:
        yield finding(
            "filing-date",
            doc.file,
            doc.pos(("filing", "date")),
            date=inst.filing_date,
            start=inst.validity[0].start,
        )


def _periods_ok(inst: Institution) -> bool:
    """Whether every validity period is well-ordered (else dates cannot be judged against them)."""
    return all(p.start <= p.until for p in inst.validity)


def _scope(
    doc: Document, inst: Institution, bureau: Bureau | None, occupations: dict[str, Occupation]
) -> Iterator[Finding]:
    rules = bureau.provinces.get(inst.province) if bureau else None
    allowed = rules.level_limits.get(inst.type) if rules else None
    seen: list[tuple[int, int]] = []
    for i, row in enumerate(inst.scope):
        pos = doc.pos(("scope", i))
        if row.until is not None and row.until < row.since:
            yield finding("scope-date-order", doc.file, pos, since=row.since, until=row.until)
        if _periods_ok(inst) and not any(p.covers(row.since) for p in inst.validity):
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
        elif occ is not None and occ.name != row.name:
            yield finding(
                "occupation-name-mismatch",
                doc.file,
                doc.pos(("scope", i, "name")),
                code=row.occupation,
                expected=occ.name,
                actual=row.name,
            )
        if occ is not None and occ.jobs and row.job is not None and row.job not in occ.jobs:
            yield finding(
                "job-unknown",
                doc.file,
                doc.pos(("scope", i, "job")),
                job=row.job,
                code=occ.code,
                name=occ.name,
                known="、".join(occ.jobs),
            )
        if allowed is not None and not set(row.levels) <= set(allowed):
            yield finding(
                "scope-level-tier",
                doc.file,
                doc.pos(("scope", i, "levels")),
                type=inst.type,
                type_zh=labels.zh(labels.INSTITUTION_TYPES, inst.type),
                allowed="、".join(str(x) for x in sorted(allowed, reverse=True)),
                levels="、".join(str(int(x)) for x in sorted(row.levels, reverse=True)),
            )
        for j, _line in seen:
            other = inst.scope[j]
            if other.occupation != row.occupation or other.job != row.job:
                continue
            shared = set(other.levels) & set(row.levels)
            end_a = other.until or dt.date.max
            end_b = row.until or dt.date.max
            if shared and other.since <= end_b and row.since <= end_a:
                yield finding(
                    "scope-overlap",
                    doc.file,
                    pos,
                    other=doc.pos(("scope", j))[0],
                    levels="、".join(str(int(x)) for x in sorted(shared, reverse=True)),
                )
                break
        seen.append((i, pos[0]))


def _status(doc: Document, inst: Institution) -> Iterator[Finding]:
    previous = None
    withdrawn = None
    for i, ev in enumerate(inst.status):
        pos = doc.pos(("status", i))
        if i == 0 and ev.status != "active":
            yield finding("status-first", doc.file, pos, status=ev.status)
        if ev.date < inst.filing_date:
            yield finding(
                "status-before-filing", doc.file, pos, date=ev.date, filing=inst.filing_date
            )
        if withdrawn is not None:
            yield finding("status-after-withdrawn", doc.file, pos, withdrawn=withdrawn)
        elif previous is not None:
            if ev.date < previous.date:
                yield finding("status-order", doc.file, pos, date=ev.date, previous=previous.date)
            elif ev.status == previous.status:
                yield finding("status-repeat", doc.file, pos, status=ev.status)
        if ev.status == "withdrawn" and withdrawn is None:
            withdrawn = ev.date
        previous = ev


def _keys(doc: Document, inst: Institution) -> Iterator[Finding]:
    for i, key in enumerate(inst.keys):
        problem = public_key_problem(key.public_key)
        if problem:
            yield finding(
                "key-invalid", doc.file, doc.pos(("keys", i, "public_key")), reason=problem
            )
        expected = kid_for(key.public_key)
        if key.kid != expected:
            yield finding(
                "key-id-mismatch",
                doc.file,
                doc.pos(("keys", i, "kid")),
                kid=key.kid,
                expected=expected,
            )
        for field, value in (("not_after", key.not_after), ("compromised_at", key.compromised_at)):
            if value is not None and value < key.not_before:
                yield finding(
                    "key-window-order",
                    doc.file,
                    doc.pos(("keys", i, field)),
                    later_field=field,
                    later=value,
                    start=key.not_before,
                )
        if _periods_ok(inst) and not any(p.covers(key.not_before) for p in inst.validity):
            yield finding(
                "key-outside-validity",
                doc.file,
                doc.pos(("keys", i, "not_before")),
                start=key.not_before,
            )


def _revoked(doc: Document, inst: Institution) -> Iterator[Finding]:
    seen: dict[tuple[str, int | None], int] = {}
    for i, rev in enumerate(inst.revoked):
        pos = doc.pos(("revoked", i, "number"))
        try:
            number = parse_number(rev.number)
        except InvalidNumber as err:
            yield finding(
                "revoked-number-syntax",
                doc.file,
                pos,
                number=rev.number,
                reason_zh=str(err),
                reason_en=str(err),
            )
            continue
        if not number.belongs_to(inst.filing_number):
            yield finding(
                "revoked-foreign", doc.file, pos, number=rev.number, filing=inst.filing_number
            )
        if rev.date.year < number.full_year:
            yield finding(
                "revoked-date",
                doc.file,
                doc.pos(("revoked", i, "date")),
                date=rev.date,
                year=f"{number.year:02d}",
            )
        key = (rev.number, rev.version)
        if key in seen:
            yield finding(
                "revoked-duplicate",
                doc.file,
                doc.pos(("revoked", i)),
                number=rev.number,
                version=rev.version or "*",
                other=seen[key],
            )
        else:
            seen[key] = doc.pos(("revoked", i))[0]


def _reissued(doc: Document, inst: Institution) -> Iterator[Finding]:
    for i, re_ in enumerate(inst.reissued):
        pos = doc.pos(("reissued", i, "number"))
        try:
            number = parse_number(re_.number)
        except InvalidNumber as err:
            yield finding("reissued-number-syntax", doc.file, pos, number=re_.number, reason=err)
            continue
        if not number.belongs_to(inst.filing_number):
            yield finding(
                "reissued-foreign", doc.file, pos, number=re_.number, filing=inst.filing_number
            )


def check_bureau(doc: Document, bureau: Bureau) -> list[Finding]:
    """Rules for bureau.yaml: province codes, sequence rules, the snapshot key."""
    out = []
    for code, rules in bureau.provinces.items():
        pos = doc.key_pos(("provinces", code))
        if code not in labels.PROVINCES:
            out.append(finding("bureau-province-code", doc.file, pos, province=code))
        length = sum(s.length for s in rules.sequence)
        if length != 6:
            out.append(
                finding(
                    "bureau-sequence-length",
                    doc.file,
                    doc.pos(("provinces", code, "sequence")),
                    province=code,
                    length=length,
                )
            )
    problem = public_key_problem(bureau.snapshot_public_key)
    if problem:
        out.append(
            finding(
                "key-invalid", doc.file, doc.pos(("snapshot_key", "public_key")), reason=problem
            )
        )
    expected = kid_for(bureau.snapshot_public_key)
    if bureau.snapshot_kid != expected:
        out.append(
            finding(
                "key-id-mismatch",
                doc.file,
                doc.pos(("snapshot_key", "kid")),
                kid=bureau.snapshot_kid,
                expected=expected,
            )
        )
    return out


def check_occupations(doc: Document) -> tuple[dict[str, Occupation], list[Finding]]:
    """Build the occupation table; report duplicate codes."""
    table: dict[str, Occupation] = {}
    lines: dict[str, int] = {}
    out = []
    for i, row in enumerate(doc.data["occupations"]):
        code = row["code"]
        if code in table:
            out.append(
                finding(
                    "occupation-duplicate",
                    doc.file,
                    doc.pos(("occupations", i)),
                    code=code,
                    other=lines[code],
                )
            )
            continue
        lines[code] = doc.pos(("occupations", i))[0]
        table[code] = Occupation(
            code, row["name"], tuple(row["edition"]), tuple(row.get("jobs", ()))
        )
    return table, out
