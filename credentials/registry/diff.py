"""A pull request's registry changes, summarised in Markdown for a bureau clerk.

Pure: takes a ``RegistryChange`` (files at both ends, read by ``gitsource``) and returns the summary
and whether the changed files are free of errors. It says what changed in words (new filings, scope
rows added or ended, levels changed, validity extended, keys added, rotated or compromised, status
changes, revocations, identity fields) and adds the validation findings of the changed files only.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import fields

from credentials import labels, visible
from credentials.registry.batches import Batch
from credentials.registry.describe import levels_long
from credentials.registry.git import RegistryChange
from credentials.registry.model import Bureau, Institution, Occupation, ScopeRow
from credentials.registry.records import IssuanceRecord
from credentials.registry.validate import batch_rules, crossfile_rules, parse_cache, secret_scan
from credentials.registry.validate.check import (
    PERSONAL_DATA,
    Reading,
    check_files,
    check_institution_file,
    classify,
    load_context,
)
from credentials.registry.validate.findings import Finding, count, sort_key
from credentials.registry.validate.messages import finding

_IDENTITY = {
    "name": "机构名称 name",
    "short_name": "机构简称 short name",
    "name_en": "英文名称 English name",
    "type": "机构类型 type",
    "category": "机构类别 category",
    "ownership": "隶属 ownership",
    "province": "省份 province",
    "city": "城市 city",
    "address": "地址 address",
    "contact": "联系方式 contact",
    "filing_bureau": "备案部门 filing bureau",
    "filing_receipt": "回执文号 receipt",
    "filing_date": "备案日期 filing date",
    "assessed": "认定对象 assessed",
}


def summarize(
    change: RegistryChange, cache: parse_cache.ParseCache | None = None
) -> tuple[str, bool]:
    """The Markdown summary and whether the changed files have no error (``cache``: parses kept
    from earlier runs, for the reference data and related files that rarely change)."""
    findings, head_insts, base_insts, bureau = _validate(change, cache)
    batches = _batches(change, bureau)
    errors, warnings = count(findings)
    out = [
        f"## 评价机构目录变更 Registry changes: `{change.base}` → `{change.head}`",
        "",
    ]
    counts = _counts(change)
    out.append(counts)
    out.append("")
    for status, rel in change.changes:
        if batch_rules.kind_of(rel) is not None:
            out.extend(_batch_section(change, status, rel, batches))
        else:
            out.extend(_file_section(change, status, rel, base_insts, head_insts))
    scope = "the whole registry" if change.all_head_files is not None else "the changed files"
    out.append(f"### 校验结果 Validation of {scope}")
    out.append("")
    if errors == 0:
        out.append(f"✅ 无错误 no errors ({warnings} warning(s))")
    else:
        out.append(f"❌ {errors} 个错误 error(s), {warnings} 个警告 warning(s)")
    out.append("")
    for f in sorted(findings, key=sort_key):
        icon = "❌" if f.severity == "error" else "⚠️"
        out.append(f"- {icon} {_code(f.location())} **{f.rule}**: {_t(f.zh)} / {_t(f.en)}")
    return "\n".join(out).rstrip() + "\n", errors == 0


def _counts(change: RegistryChange) -> str:
    added = sum(1 for s, p in change.changes if s == "A" and classify(p) == "institution")
    modified = sum(1 for s, p in change.changes if s == "M")
    deleted = sum(1 for s, _ in change.changes if s == "D")
    return (
        f"**{len(change.changes)}** 个文件变更 files changed: {added} 新备案 new filing(s), "
        f"{modified} 修改 modified, {deleted} 删除 deleted"
    )


def _validate(
    change: RegistryChange, cache: parse_cache.ParseCache | None
) -> tuple[list[Finding], dict[str, Institution], dict[str, Institution], Bureau | None]:
    prefix = change.prefix
    changed_names = {prefix + p for s, p in change.changes if s != "D"}
    findings: list[Finding] = []
    head_insts: dict[str, Institution] = {}
    ends = [
        *change.head_files.values(),
        *change.related_files.values(),
        *change.base_files.values(),
    ]
    reading = Reading.of(cache, ends)
    if change.all_head_files is not None:
        # Bureau rules or reference data changed: every file may be affected.
        result = check_files(change.all_head_files, prefix=prefix, cache=cache)
        findings = result.findings
        head_insts = {i.file: i for i in result.institutions.values()}
        bureau, occupations = result.bureau, result.occupations
    else:
        bureau, occupations, findings = load_context(change.head_files, prefix, reading)
        findings = [f for f in findings if f.file in changed_names]
        for status, rel in change.changes:
            if status == "D":
                continue
            raw = change.head_files.get(rel, b"")
            kind = classify(rel)
            if kind == "institution":
                inst, problems = check_institution_file(
                    raw, prefix + rel, bureau, occupations, reading
                )
                findings += problems
                if inst is not None:
                    head_insts[inst.file] = inst
            elif kind == "unexpected":
                rule = (
                    "personal-data-file"
                    if rel.lower().endswith(PERSONAL_DATA)
                    else "file-unexpected"
                )
                findings.append(finding(rule, prefix + rel, (1, 1), what=rel))
                findings += secret_scan.scan(raw.decode("utf-8", "replace"), prefix + rel)
        findings += _batch_findings(change, bureau, occupations)
        related = [crossfile_rules.facts(i, bureau) for i in head_insts.values()]
        for rel, raw in change.related_files.items():
            inst, _ = check_institution_file(raw, prefix + rel, bureau, occupations, reading)
            if inst is not None:
                related.append(crossfile_rules.facts(inst, bureau))
        findings += crossfile_rules.check(related, bureau, report_for=changed_names)
    base_insts: dict[str, Institution] = {}
    for status, rel in change.changes:
        if status == "A" or classify(rel) != "institution":
            continue
        inst, _ = check_institution_file(
            change.base_files.get(rel, b""), prefix + rel, bureau, occupations, reading
        )
        if inst is not None:
            base_insts[inst.file] = inst
    if cache is not None and reading is not None:
        cache.store(reading.new)
    for status, rel in change.changes:
        if status == "D" and classify(rel) in ("institution", "batch", "record"):
            findings.append(finding("history-deleted", prefix + rel, (1, 1), what=f"file {rel}"))
    if change.all_head_files is None:
        findings = [f for f in findings if f.file in changed_names or f.rule == "history-deleted"]
    for name, new in head_insts.items():
        old = base_insts.get(name)
        if old is not None:
            findings += _deleted_history(old, new)
    return findings, head_insts, base_insts, bureau


def _batch_files(change: RegistryChange) -> dict[str, bytes]:
    """The head's files of every batch folder the change touches."""
    folders = {rel.split("/")[1] for _, rel in change.changes
               if batch_rules.kind_of(rel) is not None and rel.count("/") >= 2}  # fmt: skip
    files = {**change.related_files, **change.head_files, **(change.all_head_files or {})}
    return {rel: raw for rel, raw in files.items()
            if batch_rules.kind_of(rel) is not None and rel.count("/") >= 2
            and rel.split("/")[1] in folders}  # fmt: skip


def _batch_findings(
    change: RegistryChange, bureau: Bureau | None, occupations: dict[str, Occupation]
) -> list[Finding]:
    """The rules of the batch folders a change touches (their institutions' files beside them)."""
    files = _batch_files(change)
    if not files:
        return []
    institutions = {}
    for filing in {rel.split("/")[1] for rel in files}:
        rel = f"institutions/{filing}.yaml"
        raw = change.head_files.get(rel) or change.related_files.get(rel)
        if raw is not None:
            inst, _ = check_institution_file(raw, change.prefix + rel, bureau, occupations)
            if inst is not None:
                institutions[filing] = inst
    return batch_rules.check(files, institutions, bureau, change.prefix).findings


def _batches(change: RegistryChange, bureau: Bureau | None) -> batch_rules.Outcome:
    """The batches and records of the folders a change touches, as the head has them (for the
    summary; their findings are in the validation)."""
    return batch_rules.check(_batch_files(change), {}, bureau, change.prefix)


def _batch_line(batch: Batch, inst_name: str) -> str:
    levels = sorted(batch.per_level())
    span = f"{levels[0]}–{levels[-1]}" if len(levels) > 1 else str(levels[0])
    text = (f"批次 batch {_t(batch.id)} of {_t(batch.institution)} {_t(inst_name)}: {batch.total} "
            f"certificates, levels {span}; 公示 notice {batch.notice.start} – {batch.notice.until}")  # fmt: skip
    d = batch.decision
    if d is None:
        return text + " — 待审批 awaiting the bureau's decision"
    if d.status == "rejected":
        return text + f" — ❌ 驳回 rejected on {d.date} by {_t(d.by)}: {_t(d.reason or '')}"
    text += f" — ✅ 批准 approved on {d.date} by {_t(d.by)}"
    for r in d.serials:
        text += f"; level {r.level} serials {r.first:06d}–{r.last:06d}"
    return text


def _batch_section(
    change: RegistryChange, status: str, rel: str, outcome: batch_rules.Outcome
) -> list[str]:
    name = change.prefix + rel
    kind = batch_rules.kind_of(rel)
    if status == "D":
        if kind == "notice":
            return [
                f"### 🗑️ 公示名单已删除 Notice list deleted (the notice is over): {_code(name)}",
                "",
            ]
        return [f"### ❌ 删除 deleted: {_code(name)}", ""]
    verb = "🆕" if status == "A" else "✏️"
    if kind == "batch":
        found = next((b for b in outcome.batches.values() if b.file == name), None)
        if found is None:
            return [
                f"### {_code(name)} — 无法解析，见下方校验结果 unreadable, see validation below",
                "",
            ]
        return [f"### {verb} {_batch_line(found, '')}", ""]
    if kind == "notice":
        key = "/".join(rel.split("/")[1:3]).removesuffix(".notice.yaml")
        rows = outcome.notices.get(key, ())
        return [f"### {verb} 公示名单 notice list {_code(name)}: {len(rows)} 人 people "
                "(personal data: shown during the notice, deleted with the decision)", ""]  # fmt: skip
    record: IssuanceRecord | None = next((r for r in outcome.records if r.file == name), None)
    if record is None:
        return [
            f"### {_code(name)} — 无法解析，见下方校验结果 unreadable, see validation below",
            "",
        ]
    versions = sorted({e.version for e in record.entries})
    return [f"### {verb} 发证记录 issuance record {_t(record.id)} of {_t(record.institution)}: "
            f"{len(record.entries)} credentials (versions {', '.join(map(str, versions)) or '-'}), dated "
            f"{record.published} (the merge date counts), digest `{record.digest[:16]}…`", ""]  # fmt: skip


def _row_key(row: ScopeRow) -> tuple[str, str | None, str]:
    return (row.occupation, row.job, row.since.isoformat())


def _deleted_history(old: Institution, new: Institution) -> Iterator[Finding]:
    new_rows = {_row_key(r): r for r in new.scope}
    for row in old.scope:
        what = f"scope {row.occupation} {row.job or '--'} since {row.since}"
        now = new_rows.get(_row_key(row))
        if now is None:
            yield finding("history-deleted", new.file, (1, 1), what=what)
        elif set(now.levels) != set(row.levels) or now.basis != row.basis:
            yield finding("history-rewritten", new.file, (now.line, 1), what=what)
    new_periods = {p.start for p in new.validity}
    for p in old.validity:
        if p.start not in new_periods:
            yield finding("history-deleted", new.file, (1, 1), what=f"validity from {p.start}")
    new_events = {(e.date, e.status) for e in new.status}
    for e in old.status:
        if (e.date, e.status) not in new_events:
            yield finding("history-deleted", new.file, (1, 1), what=f"status {e.status} {e.date}")
    new_kids = {k.kid for k in new.keys}
    for k in old.keys:
        if k.kid not in new_kids:
            yield finding("history-deleted", new.file, (1, 1), what=f"key {k.kid}")
    new_revs = {(r.number, r.version) for r in new.revoked}
    for r in old.revoked:
        if (r.number, r.version) not in new_revs:
            yield finding(
                "history-deleted", new.file, (1, 1), what=f"revocation {r.number} v{r.version}"
            )


def _file_section(
    change: RegistryChange,
    status: str,
    rel: str,
    base: dict[str, Institution],
    head: dict[str, Institution],
) -> list[str]:
    name = change.prefix + rel
    if classify(rel) != "institution":
        verb = {"A": "新增 added", "M": "修改 modified", "D": "删除 deleted"}[status]
        return [f"### {_code(name)} — {verb}", ""]
    new = head.get(name)
    old = base.get(name)
    if status == "D":
        title = old.name if old else rel
        return [f"### ❌ 删除备案文件 File deleted: {_code(name)} {_t(title)}", ""]
    if new is None:
        return [
            f"### {_code(name)} — 无法解析，见下方校验结果 unreadable, see validation below",
            "",
        ]
    if status == "A" or old is None:
        lines = [
            f"### 🆕 新备案 New filing: {_t(new.filing_number)} {_t(new.name)}",
            "",
            f"- {_t(new.type)} · {_t(new.province)}-{_t(new.city)} · {_t(new.filing_bureau)} "
            f"{_t(new.filing_receipt)}",
            "- 有效期 validity: " + "; ".join(f"{p.start} – {p.until}" for p in new.validity),
            f"- 公钥 keys: {', '.join(k.kid for k in new.keys) or 'none'}",
            "",
            "| 职业 occupation | 工种 job | 等级 levels | 起 since | 至 until |",
            "|---|---|---|---|---|",
        ]
        for row in new.scope:
            lines.append(
                f"| {_t(row.occupation)} {_t(row.name)} | {_t(row.job or '--')} | {levels_long(row.levels)} "
                f"| {row.since} | {row.until or ''} |"
            )
        return [*lines, ""]
    items = list(_changes(old, new))
    head_line = f"### {_t(new.filing_number)} {_t(new.name)}"
    return [head_line, "", *(items or ["- 无实质变更 no change in content (layout only)"]), ""]


def _changes(old: Institution, new: Institution) -> Iterator[str]:
    for f in fields(Institution):
        if f.name in _IDENTITY and getattr(old, f.name) != getattr(new, f.name):
            yield (
                f"- ✏️ {_IDENTITY[f.name]}: {_t(_show(getattr(old, f.name)))} → "
                f"{_t(_show(getattr(new, f.name)))}"
            )
    old_periods = {p.start: p for p in old.validity}
    for p in new.validity:
        if p.start not in old_periods:
            yield f"- 📅 有效期延续 validity extended: {p.start} – {p.until} {_t(p.receipt or '')}".rstrip()
        elif old_periods[p.start] != p:
            before = old_periods[p.start]
            yield f"- 📅 有效期变更 validity changed: {before.start} – {before.until} → {p.start} – {p.until}"
    old_rows = {_row_key(r): r for r in old.scope}
    for row in new.scope:
        label = f"{_t(row.occupation)} {_t(row.name)} / {_t(row.job or '--')}"
        was = old_rows.get(_row_key(row))
        if was is None:
            receipt = f" ({_t(row.receipt)})" if row.receipt else ""
            yield (
                f"- ➕ 认定范围新增 scope added: {label}: {levels_long(row.levels)}, "
                f"since {row.since}{receipt}"
            )
            continue
        if was.until != row.until:
            yield f"- ⏹️ 认定范围终止 scope ended: {label}: until {row.until or '(open again)'}"
        if set(was.levels) != set(row.levels):
            yield (
                f"- 🔁 等级变更 levels changed: {label}: {levels_long(was.levels)} → "
                f"{levels_long(row.levels)}"
            )
        if (was.basis, was.specification) != (row.basis, row.specification):
            yield f"- 🔁 评价依据变更 basis changed: {label}: {_t(was.basis)} → {_t(row.basis)}"
    old_keys = {k.kid: k for k in old.keys}
    for key in new.keys:
        was_key = old_keys.get(key.kid)
        if was_key is None:
            yield f"- 🔑 新增公钥 key added: `{key.kid}` from {key.not_before}"
            continue
        if was_key.not_after != key.not_after:
            yield f"- 🔑 公钥停用（轮换） key rotated out: `{key.kid}` not_after {key.not_after}"
        if was_key.compromised_at != key.compromised_at:
            yield (
                f"- 🚨 公钥泄露 key marked compromised: `{key.kid}` from {key.compromised_at}: "
                "certificates it signed on or after that date stop verifying"
            )
    old_events = {(e.date, e.status) for e in old.status}
    for ev in new.status:
        if (ev.date, ev.status) not in old_events:
            yield f"- 🚦 状态变更 status: {ev.date} {labels.both(labels.STATUSES, ev.status)} — {_t(ev.reason)}"
    old_reissues = {(r.number, r.version) for r in old.reissued}
    for re_ in new.reissued:
        if (re_.number, re_.version) not in old_reissues:
            why = f" — {_t(re_.reason)}" if re_.reason else ""
            yield f"- ♻️ 证书补发 re-issued: {_t(re_.number)} v{re_.version} on {re_.date}{why}"
    old_revs = {(r.number, r.version) for r in old.revoked}
    for rev in new.revoked:
        if (rev.number, rev.version) not in old_revs:
            which = f"v{rev.version}" if rev.version else "所有版本 every version"
            yield f"- 🚫 证书注销 revoked: {_t(rev.number)} {which} on {rev.date} — {_t(rev.reason)}"


_MARKDOWN = re.compile(r"([\\`*_\[\]|!~])")  # what could make a link, image, code or emphasis


def _t(value: object) -> str:
    """Registry text as it must appear in a Markdown summary: hidden characters written out as
    ``<U+XXXX>``, then HTML and Markdown syntax escaped, so that what a reviewer reads is exactly
    what the file says (an HTML comment cannot hide anything, a link cannot be made)."""
    return _MARKDOWN.sub(r"\\\1", html.escape(visible.show(str(value)), quote=False))


def _code(value: object) -> str:
    """A file name or location as a code span (shown literally; backticks cannot end it)."""
    return "`" + visible.show(str(value)).replace("`", "'") + "`"


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return "、".join(str(v) for v in value)
    return str(value)
