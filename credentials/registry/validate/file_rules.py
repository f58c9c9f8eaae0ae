"""Rules a schema cannot express, for one file at a time: institutions, the bureau file, occupations.

Pure: each function takes a parsed document, the model built from it and the bureau's rules, and
returns findings. Rules that need several files (uniqueness, pilot limits) are in ``crossfile``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from credentials import labels
from credentials.errors import InvalidNumber
from credentials.keys import kid_for, public_key_problem
from credentials.numbers import parse_number
from credentials.registry.model import Bureau, Institution, Occupation, ProvinceRules
from credentials.registry.validate import scope_rules, text_rules
from credentials.registry.validate.findings import Finding
from credentials.registry.validate.messages import finding
from credentials.registry.validate.yamldoc import Document


def validity_end(start: dt.date, years: int) -> dt.date:
    """The last day of a validity of ``years`` years from ``start``: the day before the
    anniversary ("以审核通过之日起2周年": 2025-01-15 → 2027-01-14)."""
    return add_years(start, years) - dt.timedelta(days=1)


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
    out += scope_rules.check(doc, inst, bureau, occupations)
    out += _status(doc, inst)
    out += _keys(doc, inst)
    out += _revoked(doc, inst)
    out += _reissued(doc, inst)
    out += text_rules.check(doc)
    return out


def _file_name(doc: Document, inst: Institution) -> Iterator[Finding]:
    actual = doc.file.rpartition("/")[2]  # shown paths use '/' (display_prefix)
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
    pos = doc.at(("filing_number",))
    if number[0] != inst.category:
        yield finding(
            "filing-number-category", doc.file, pos, letter=number[0], category=inst.category
        )
    rules = bureau.provinces.get(inst.province) if bureau else None
    if not (
        rules.category_allows(inst.category, inst.type)
        if rules
        else (inst.category == "S") == (inst.type == "social_organisation")
    ):
        allowed = (
            rules.category_types.get(inst.category) if rules and rules.category_types else None
        )
        rule_en = (
            f"{inst.category} is for {', '.join(allowed)}"
            if allowed
            else "S is only for social training-and-evaluation organisations"
        )
        rule_zh = (
            "、".join(labels.zh(labels.INSTITUTION_TYPES, t) for t in allowed)
            + f" 才用 {inst.category}"
            if allowed
            else "S 仅用于社会培训评价组织"
        )
        yield finding("category-type", doc.file, doc.pos(("type",)), category=inst.category, type=inst.type,
                      province=rules.name if rules else inst.province, rule_zh=rule_zh, rule_en=rule_en)  # fmt: skip
    yield from _county_and_name(doc, inst, rules)
    route = number[1:5]
    if (route == "0000") != (inst.filed_with == "province"):
        yield finding("filing-number-route", doc.file, pos, route=route, filed_with=inst.filed_with)
    if number[5:7] != inst.province:
        yield finding(
            "filing-number-province", doc.file, pos, code=number[5:7], province=inst.province
        )
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
    pos = doc.at(("filing_number",))
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


def _seq(doc: Document, pos: Callable[[], tuple[int, int]], seq: str, zh: str, en: str) -> Finding:
    return finding(
        "filing-number-sequence", doc.file, pos, sequence=seq, reason_zh=zh, reason_en=en
    )


def _validity(doc: Document, inst: Institution, bureau: Bureau | None) -> Iterator[Finding]:
    rules = bureau.provinces.get(inst.province) if bureau else None
    previous = None
    for i, p in enumerate(inst.validity):
        pos = doc.at(("validity", i))
        if p.until < p.start:
            yield finding("validity-order", doc.file, pos, start=p.start, until=p.until)
        elif rules and inst.type in rules.validity_year_end_types:
            last = dt.date(p.start.year + rules.max_validity_years, 12, 31)
            if (p.until.month, p.until.day) != (12, 31) or p.until > last:
                yield finding("validity-year-end", doc.file, doc.pos(("validity", i, "until")), until=p.until,
                              last=last, type=inst.type, type_zh=labels.zh(labels.INSTITUTION_TYPES, inst.type))  # fmt: skip
        elif rules and p.until > (last := validity_end(p.start, rules.max_validity_years)):
            yield finding("validity-length", doc.file, doc.pos(("validity", i, "until")), start=p.start,
                          until=p.until, years=rules.max_validity_years, last=last)  # fmt: skip
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


def _county_and_name(
    doc: Document, inst: Institution, rules: ProvinceRules | None
) -> Iterator[Finding]:
    prefix = inst.province + inst.city
    if inst.county is not None and not inst.county.startswith(prefix):
        yield finding("county-mismatch", doc.file, doc.pos(("county",)), county=inst.county,
                      province=inst.province, city=inst.city, prefix=prefix)  # fmt: skip
    if rules is None:
        return
    if rules.name_suffix is not None:
        suffix, types = rules.name_suffix
        if (not types or inst.type in types) and not inst.name.endswith(suffix):
            yield finding("institution-name-suffix", doc.file, doc.pos(("name",)), province=rules.name,
                          type=inst.type, type_zh=labels.zh(labels.INSTITUTION_TYPES, inst.type), suffix=suffix)  # fmt: skip
    allowed = rules.assessed.get(inst.type)
    if allowed is not None and not set(inst.assessed) <= set(allowed):
        yield finding("assessed-not-allowed", doc.file, doc.pos(("assessed",)), province=rules.name,
                      type=inst.type, type_zh=labels.zh(labels.INSTITUTION_TYPES, inst.type),
                      allowed="、".join(labels.zh(labels.ASSESSED, a) for a in allowed),
                      actual="、".join(labels.zh(labels.ASSESSED, a) for a in inst.assessed))  # fmt: skip


def _status(doc: Document, inst: Institution) -> Iterator[Finding]:
    previous = None
    withdrawn = None
    for i, ev in enumerate(inst.status):
        pos = doc.at(("status", i))
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
        pos = doc.at(("revoked", i, "number"))
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
            seen[key] = doc.lines["revoked"][i]


def _reissued(doc: Document, inst: Institution) -> Iterator[Finding]:
    for i, re_ in enumerate(inst.reissued):
        pos = doc.at(("reissued", i, "number"))
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
        pos = doc.key_at(("provinces", code))
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
        lines[code] = doc.lines["occupations"][i]
        levels = row.get("levels")
        table[code] = Occupation(
            code, row["name"], tuple(row["edition"]), tuple(row.get("jobs", ())), row.get("marks"),
            tuple(levels) if levels else None, row.get("levels_source"),
        )  # fmt: skip
    return table, out
