"""The published pages of assessment batches: a page per batch, with its 公示 (notice) list while
the notice runs, the notices page, and the batches table of an institution's page.

The notice list (names, birth month, employer, masked ID) is shown only while the notice period
runs; afterwards the page keeps the counts and the decision, and says the list is no longer
public. Everything is escaped by construction (``site.html``). Pure: registry and date in, HTML out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from credentials import labels
from credentials.levels import Level
from credentials.registry.batches import Batch
from credentials.registry.describe import batch_stage
from credentials.registry.model import Institution
from credentials.registry.records import Records
from credentials.registry.registry import Registry
from credentials.site.html import Markup, document, el, join, markdown_page, table


def batch_path(batch: Batch) -> str:
    """Where a batch's page is, from the site's root."""
    return f"b/{batch.institution}/{batch.id}/"


def _stage(registry: Registry, batch: Batch, day: dt.date) -> Markup:
    stage = batch_stage(registry, batch, day)
    return el(
        "strong", {"class": f"sc-stage sc-stage-{stage}"}, labels.both(labels.BATCH_STAGES, stage)
    )


def _record_line(registry: Registry, batch: Batch, day: dt.date) -> str:
    source = registry.records
    if not isinstance(source, Records):
        return "--"
    found = [r for r in source.of(batch.institution) if r.batch == batch.id and r.published <= day]
    if not found:
        return "尚未公布 not yet published"
    r = found[0]
    return f"{len(r.entries)} 本，{r.published} 公布（摘要 digest {r.digest[:16]}…）"


def batch_page(
    batch: Batch, registry: Registry, day: dt.date, *, stylesheets: Iterable[str] = ()
) -> str:
    """The page of one batch, as a complete HTML document."""
    inst = registry.institutions.get(batch.institution)
    n = batch.notice
    calendar = "按国务院节假日安排计算 counted on the official holiday calendar"
    notice = f"{n.start} 至 {n.until}（{n.working_days} 个工作日 working days；{calendar}）"
    contact = f"{n.person} {n.phone}" + (f" {n.email}" if n.email else "")
    d = batch.decision
    decision = "--"
    if d is not None:
        decision = f"{d.date} {d.by}：{labels.both(labels.BATCH_STAGES, d.status)}"
        if d.reason:
            decision += f"（{d.reason}）"
    details: list[list[Markup | str]] = [
        ["评价机构 Institution", el("a", {"href": f"../../../i/{batch.institution}/"},
                                   inst.name if inst else batch.institution)],
        ["批次 Batch", el("code", None, batch.key)],
        ["状态 Stage", _stage(registry, batch, day)],
        ["认定计划号 Plan", batch.plan or "--"],
        ["认定日期 Assessed", f"{batch.assessed_from} 至 {batch.assessed_until}"],
        ["结果确认日期 Results confirmed", str(batch.filed)],
        ["公示期 Notice", notice],
        ["异议受理 Objections to", contact],
        ["主管部门决定 Decision", decision],
        ["发证记录 Issuance record", _record_line(registry, batch, day)],
    ]  # fmt: skip
    for r in d.serials if d is not None else ():
        prefix = f"{batch.institution}{batch.year % 100:02d}{r.level}"
        details.append([f"{r.level} 级证书编号 Level {r.level} numbers",
                        el("code", None, f"{prefix}{r.first:06d} – {prefix}{r.last:06d}")])  # fmt: skip
    counts = [
        [c.occupation, registry.occupations[c.occupation].name if c.occupation in registry.occupations
         else c.occupation, c.job or "--", Level(c.level).zh, str(c.count)]
        for c in batch.counts
    ]  # fmt: skip
    parts: list[Markup | None] = [
        el("h1", None, f"认定批次 {batch.id} · {inst.name if inst else batch.institution}"),
        table(["项目 Item", "内容 Details"], details),
        el("h2", None, "认定人数 Counts"),
        table(["职业编码 Code", "职业名称 Occupation", "工种 Job", "等级 Level", "人数 People"], counts),
        el("h2", None, "公示名单 Notice list"),
    ]  # fmt: skip
    rows = registry.notices.get(batch.key)
    if batch.stage(day) == "notice" and rows:
        people = [[r.name, r.born or "--", r.unit or "--", f"{r.occupation}（{r.job or '--'}）",
                   Level(r.level).zh, r.id_masked or "--"] for r in rows]  # fmt: skip
        parts += [
            el("p", None, f"公示期内如有异议，请联系 {contact}。Objections during the notice: {contact}."),
            table(["姓名 Name", "出生年月 Born", "工作单位 Employer", "职业（工种） Occupation (job)",
                   "等级 Level", "证件号码 ID (masked)"], people),
        ]  # fmt: skip
    else:
        parts.append(el("p", None, "公示期已结束或尚未开始，名单不公开（个人信息只在公示期内公示）。"
                        "The list is shown during the notice period only."))  # fmt: skip
    up = (f"i/{batch.institution}/", inst.name if inst else batch.institution)
    return document(f"认定批次 {batch.key}", up, join(parts), stylesheets, depth=3)


def institution_batches(inst: Institution, registry: Registry, day: dt.date) -> Markup:
    """The batches table of an institution's page (newest first)."""
    mine = sorted((b for b in registry.batches.values() if b.institution == inst.filing_number),
                  key=lambda b: (b.year, b.seq), reverse=True)  # fmt: skip
    if not mine:
        return el("p", None, "（无 none）")
    rows = [
        [el("a", {"href": f"../../{batch_path(b)}"}, b.id), _stage(registry, b, day), str(b.total),
         f"{b.notice.start} 至 {b.notice.until}", str(b.decision.date) if b.decision else "--"]
        for b in mine
    ]  # fmt: skip
    return table(
        ["批次 Batch", "状态 Stage", "人数 People", "公示期 Notice", "决定日期 Decided"], rows
    )


def notices_page(registry: Registry, day: dt.date) -> str:
    """Batches under notice now, and those awaiting a decision (a Markdown page in the nav)."""
    open_ = sorted((b for b in registry.batches.values() if b.stage(day) in ("notice", "awaiting")),
                   key=lambda b: (b.notice.until, b.key))  # fmt: skip
    rows: list[list[Markup | str]] = []
    for b in open_:
        inst = registry.institutions.get(b.institution)
        rows.append([el("a", {"href": f"../{batch_path(b)}"}, b.key), inst.name if inst else b.institution,
                     _stage(registry, b, day), str(b.total), f"{b.notice.start} 至 {b.notice.until}"])  # fmt: skip
    if not rows:
        rows.append(["（无 none）", "", "", "", ""])
    body = join([
        el("h1", None, "公示 Notices"),
        el("p", None, f"截至 {day}：正在公示或公示期满待审批的认定批次。公示名单只在公示期内公开。"
           f"Batches under notice, or awaiting the bureau's decision, as of {day}."),
        table(["批次 Batch", "评价机构 Institution", "状态 Stage", "人数 People", "公示期 Notice"], rows),
    ])  # fmt: skip
    return markdown_page(body, title='"公示 Notices"', search=False)
