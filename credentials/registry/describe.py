"""Readable text about the registry: a summary of the whole, and one institution as of a date.

Pure: takes the registry and the date, returns text (Chinese labels, English second).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from credentials import labels
from credentials.levels import Level
from credentials.registry.batches import Batch
from credentials.registry.model import Institution
from credentials.registry.records import Records
from credentials.registry.registry import Registry


def levels_long(levels: tuple[Level, ...] | list[Level]) -> str:
    """``五级/初级工、四级/中级工`` (lowest level first, as certificates list them)."""
    return "、".join(Level(x).zh for x in sorted(levels, reverse=True))


def province_name(registry: Registry, code: str) -> str:
    """The province's name from the bureau's rules (the code when unknown)."""
    rules = registry.bureau.provinces.get(code) if registry.bureau else None
    return rules.name if rules else code


def summary(registry: Registry, day: dt.date) -> str:
    """Counts by province, category, type and status on ``day``; scope, keys and revocations."""
    insts = list(registry.institutions.values())
    by_status = Counter(i.status_on(day) for i in insts)
    by_province = Counter(i.province for i in insts)
    by_type = Counter(i.type for i in insts)
    by_category = Counter(i.category for i in insts)
    rows = sum(len(i.scope) for i in insts)
    current = sum(len(i.scope_on(day)) for i in insts)
    keys = sum(len(i.keys) for i in insts)
    valid_keys = sum(len(i.keys_on(day)) for i in insts)
    occupations = {r.occupation for i in insts for r in i.scope}
    revoked = sum(len(i.revoked) for i in insts)
    lines = [
        f"评价机构 institutions: {len(insts)}  (as of {day.isoformat()})",
        "  按状态 by status:   "
        + ", ".join(f"{labels.both(labels.STATUSES, s)} {n}" for s, n in sorted(by_status.items())),
        "  按省份 by province: "
        + ", ".join(f"{province_name(registry, p)} {n}" for p, n in sorted(by_province.items())),
        "  按类别 by category: " + ", ".join(f"{c} {n}" for c, n in sorted(by_category.items())),
        "  按类型 by type:     "
        + ", ".join(
            f"{labels.zh(labels.INSTITUTION_TYPES, t)} {n}" for t, n in sorted(by_type.items())
        ),
        f"认定范围 scope rows: {rows} ({current} in force), {len(occupations)} occupations",
        f"签名公钥 public keys: {keys} ({valid_keys} valid today)",
        f"注销证书 revoked certificates: {revoked}",
        f"职业参考数据 reference occupations: {len(registry.occupations)}",
    ]
    return "\n".join(lines)


def institution_text(inst: Institution, registry: Registry, day: dt.date) -> str:
    """An institution as it stood on ``day``, for people."""
    state = registry.state(inst.filing_number, day)
    assert state is not None
    period = inst.period_on(day)
    out = [
        f"{inst.name}",
        f"  {inst.name_en or ''}".rstrip(),
        f"备案号 Filing number:   {inst.filing_number}",
        f"状态 Status on {day.isoformat()}: {labels.both(labels.STATUSES, state.status)}",
        f"类别 Category / type:   {inst.category} · {labels.zh(labels.INSTITUTION_TYPES, inst.type)} ({inst.type})",
        f"所在地 Location:        {province_name(registry, inst.province)} "
        f"{_city(registry, inst)} — {inst.address}",
        f"联系 Contact:           {inst.contact.person} {inst.contact.phone}"
        + (f" {inst.contact.email}" if inst.contact.email else ""),
        f"备案 Filing:            {inst.filing_bureau} {inst.filing_receipt} ({inst.filing_date})",
        "有效期 Validity:        "
        + "; ".join(f"{p.start} – {p.until}" for p in inst.validity)
        + (f"  [current: {period.start} – {period.until}]" if period else "  [none on this date]"),
        "认定对象 Assessed:      "
        + "、".join(labels.zh(labels.ASSESSED, a) for a in inst.assessed),
        "",
        f"认定范围 Scope on {day.isoformat()}:",
    ]
    if not state.scope:
        out.append("  (none)")
    for row in state.scope:
        job = row.job or "--"
        basis = labels.zh(labels.BASIS, row.basis) + (
            f"《{row.specification}》" if row.specification else ""
        )
        until = f" – {row.until}" if row.until else ""
        out.append(
            f"  {row.occupation} {row.name} / {job}: {levels_long(row.levels)}"
            f"  [{basis}; since {row.since}{until}]"
        )
    ended = [r for r in inst.scope if r not in state.scope]
    if ended:
        out.append("  其他时段的范围 rows not in force on this date: " + str(len(ended)))
    out.append("")
    out.append("状态记录 Status history:")
    for ev in inst.status:
        out.append(f"  {ev.date} {labels.both(labels.STATUSES, ev.status)} — {ev.reason}")
    out.append("签名公钥 Keys:")
    for key in inst.keys:
        window = f"{key.not_before} – {key.not_after or '…'}"
        mark = " 今日有效 valid" if key.valid_on(day) else " 今日无效 not valid"
        comp = (
            f" 自 {key.compromised_at} 起泄露 COMPROMISED from {key.compromised_at}"
            if key.compromised_at
            else ""
        )
        out.append(f"  密钥 kid {key.kid}  {window}{comp}{mark}")
    if inst.revoked:
        out.append(f"注销证书 Revoked certificates: {len(inst.revoked)}")
        for rev in inst.revoked:
            which = f"v{rev.version}" if rev.version else "所有版本 all versions"
            out.append(f"  {rev.number} {which} {rev.date} — {rev.reason}")
    return "\n".join(out)


def batch_stage(registry: Registry, batch: Batch, day: dt.date) -> str:
    """Where a batch stands on ``day``: notice, awaiting, approved, rejected or published."""
    stage = batch.stage(day)
    source = registry.records
    published = isinstance(source, Records) and any(
        r.batch == batch.id and r.published <= day for r in source.of(batch.institution)
    )
    return "published" if stage == "approved" and published else stage


def batch_line(registry: Registry, batch: Batch, day: dt.date) -> str:
    """One batch in one line, as the bureau's clerk reads it."""
    stage = batch_stage(registry, batch, day)
    levels = sorted(batch.per_level())
    span = f"{levels[0]}–{levels[-1]}" if len(levels) > 1 else str(levels[0])
    text = (f"{batch.key}  {labels.both(labels.BATCH_STAGES, stage)}  {batch.total} 人 people, "
            f"等级 levels {span}; 公示 notice {batch.notice.start} – {batch.notice.until}")  # fmt: skip
    d = batch.decision
    if d is not None:
        text += f"; {d.date} {d.by}"
        if d.reason:
            text += f": {d.reason}"
        for r in d.serials:
            text += f"; {r.level} 级流水号 serials {r.first:06d}–{r.last:06d}"
    return text


def batches(registry: Registry, day: dt.date, *, institution: str | None = None) -> str:
    """Every batch (of one institution), newest first."""
    chosen = [b for b in registry.batches.values() if institution in (None, b.institution)]
    if not chosen:
        return "没有认定批次 no batches"
    chosen.sort(key=lambda b: (b.institution, -b.year, -b.seq))
    return "\n".join(batch_line(registry, b, day) for b in chosen)


def _city(registry: Registry, inst: Institution) -> str:
    rules = registry.bureau.provinces.get(inst.province) if registry.bureau else None
    return rules.cities.get(inst.city, inst.city) if rules else inst.city
