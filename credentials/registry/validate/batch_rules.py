"""The rules of batches, notice lists and issuance records (``registry/batches/<filing>/``).

``check`` takes the files under ``batches/`` with the institutions and bureau already checked, and
returns every finding with the batches and records it could build. One batch file per batch; its
notice list only until the bureau decides; records that are what ``skillcert batch publish`` wrote,
of approved batches, inside the serials the bureau allocated, never publishing a number and version
twice. Pure: bytes in, findings and values out.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from credentials.registry import records as rec
from credentials.registry import workdays
from credentials.registry.batches import BATCH_ID, BATCHES_DIR, Batch, NoticeRow, in_ranges
from credentials.registry.model import Bureau, Institution
from credentials.registry.validate import schemas, text_rules, yamldoc
from credentials.registry.validate.findings import Finding
from credentials.registry.validate.messages import finding

_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])|(?<![0-9])[0-9]{15}(?![0-9])")


@dataclass(slots=True)
class Outcome:
    """What the batch folder holds: findings, and the batches and records that could be built."""

    findings: list[Finding] = field(default_factory=list)
    batches: dict[str, Batch] = field(default_factory=dict)  # by "<filing>/<id>"
    records: list[rec.IssuanceRecord] = field(default_factory=list)
    notices: dict[str, tuple[NoticeRow, ...]] = field(default_factory=dict)  # batch key -> rows


def kind_of(rel: str) -> str | None:
    """``batch``, ``notice`` or ``record`` for a path under ``batches/``; None otherwise."""
    p = PurePosixPath(rel)
    if len(p.parts) < 1 or p.parts[0] != BATCHES_DIR:
        return None
    if p.name.endswith(rec.RECORD_SUFFIX):
        return "record"
    if p.name.endswith(".notice.yaml"):
        return "notice"
    if p.suffix == ".yaml":
        return "batch"
    return None


def check(
    files: Mapping[str, bytes],
    institutions: Mapping[str, Institution],
    bureau: Bureau | None,
    prefix: str,
) -> Outcome:
    """Every rule of every file under ``batches/``."""
    out = Outcome()
    kinds = {rel: kind_of(rel) for rel in files}
    for rel in sorted(r for r, k in kinds.items() if k == "batch"):
        batch = _batch(rel, files[rel], prefix + rel, institutions, bureau, out.findings)
        if batch is None:
            continue
        if batch.key in out.batches:
            out.findings.append(finding("batch-duplicate", prefix + rel, (1, 1), batch=batch.id,
                                        other=out.batches[batch.key].file))  # fmt: skip
            continue
        out.batches[batch.key] = batch
    out.findings += _overlaps(out.batches.values())
    for rel in sorted(r for r, k in kinds.items() if k == "notice"):
        _notice(rel, files[rel], prefix + rel, out)
    for rel in sorted(r for r, k in kinds.items() if k == "record"):
        record = _record(rel, files[rel], prefix + rel, out.findings)
        if record is not None:
            out.records.append(record)
    out.findings += _record_rules(out.records, out.batches, institutions, bureau)
    return out


# --- batch files ----------------------------------------------------------------------------------


def _batch(
    rel: str, raw: bytes, name: str, institutions: Mapping[str, Institution],
    bureau: Bureau | None, findings: list[Finding],
) -> Batch | None:  # fmt: skip
    doc, problems = yamldoc.parse(raw, name)
    findings += problems
    if doc is None:
        return None
    schema_problems = schemas.validate(doc, "batch")
    findings += schema_problems + text_rules.check(doc)
    if schema_problems or problems:
        return None
    batch = Batch.from_data(doc.data, file=name, lines=doc.item_lines(("counts",)))
    if batch.decision is not None:  # findings about its serials point at them
        where = ("decision", "serials") if batch.decision.serials else ("decision",)
        batch = dataclasses.replace(
            batch, decision=dataclasses.replace(batch.decision, line=doc.key_pos(where)[0])
        )
    parts = PurePosixPath(rel).parts
    if len(parts) != 3 or parts[1] != batch.institution or parts[2] != f"{batch.id}.yaml":
        findings.append(finding("batch-file-name", name, doc.pos(("batch",)), filing=batch.institution,
                                batch=batch.id, actual=rel))  # fmt: skip
    inst = institutions.get(batch.institution)
    if inst is None:
        findings.append(finding("batch-institution-unknown", name, doc.pos(("institution",)),
                                filing=batch.institution))  # fmt: skip
        return batch
    findings += _batch_rules(doc, batch, inst, bureau)
    return batch


def _batch_rules(
    doc: yamldoc.Document, batch: Batch, inst: Institution, bureau: Bureau | None
) -> Iterator[Finding]:
    f = doc.file
    if batch.year != batch.filed.year:
        yield finding("batch-year", f, doc.pos(("batch",)), year=batch.year, filed=batch.filed)
    order = [("assessed.from", batch.assessed_from), ("assessed.until", batch.assessed_until),
             ("filed", batch.filed), ("notice.from", batch.notice.start)]  # fmt: skip
    for (a, da), (b, db) in itertools.pairwise(order):
        if da > db:
            yield finding(
                "batch-dates", f, doc.pos(tuple(b.split("."))), what=f"{a} {da} > {b} {db}"
            )
    n = batch.notice
    span = workdays.span(n.start, n.working_days)
    if span.last != n.until:
        yield finding("batch-notice-period", f, doc.pos(("notice", "until")), start=n.start,
                      days=n.working_days, expected=span.last, actual=n.until)  # fmt: skip
    if not span.exact:
        yield finding("batch-notice-calendar", f, doc.pos(("notice", "until")), year=span.last.year)
    rules = bureau.provinces.get(inst.province) if bureau else None
    if rules is not None and n.working_days < rules.notice_working_days:
        yield finding("batch-notice-short", f, doc.pos(("notice", "working_days")),
                      province=rules.name, minimum=rules.notice_working_days, days=n.working_days)  # fmt: skip
    status = inst.status_on(batch.filed)
    if status != "active":
        yield finding("batch-inactive", f, doc.pos(("filed",)), date=batch.filed, status=status)
    seen: dict[tuple[str, str | None, int], int] = {}
    for i, c in enumerate(batch.counts):
        key = (c.occupation, c.job, int(c.level))
        job = c.job or "--"
        if key in seen:
            yield finding("batch-count-duplicate", f, doc.pos(("counts", i)), occupation=c.occupation,
                          job=job, level=int(c.level), other=seen[key])  # fmt: skip
        seen.setdefault(key, doc.pos(("counts", i))[0])
        if not any(r.covers(c.occupation, c.job, int(c.level), batch.filed) for r in inst.scope):
            yield finding("batch-scope", f, doc.pos(("counts", i)), occupation=c.occupation, job=job,
                          level=int(c.level), date=batch.filed)  # fmt: skip
    yield from _decision(doc, batch, rules.numbering if rules else "institution")


def _decision(doc: yamldoc.Document, batch: Batch, numbering: str) -> Iterator[Finding]:
    d = batch.decision
    if d is None:
        return
    f = doc.file
    if d.date <= batch.notice.until:
        yield finding("batch-decision-early", f, doc.pos(("decision", "date")), date=d.date,
                      until=batch.notice.until)  # fmt: skip
    if d.status == "rejected" and not d.reason:
        yield finding("batch-reason", f, doc.pos(("decision",)))
    where = doc.pos(("decision", "serials")) if d.serials else doc.pos(("decision",))
    problem = _serial_problem(batch, numbering)
    if problem is not None:
        yield finding("batch-serials", f, where, problem_zh=problem[0], problem_en=problem[1])


def _serial_problem(batch: Batch, numbering: str) -> tuple[str, str] | None:
    d = batch.decision
    assert d is not None
    if d.status == "rejected" and d.serials:
        return (
            "驳回的批次不生成任何证书号，不能有 serials",
            "a rejected batch gets no numbers: no serials",
        )
    if d.status == "rejected":
        return None
    if numbering != "bureau":
        if d.serials:
            return ("本省证书流水号由评价机构赋码，批准时不分配 serials",
                    "in this province the institution numbers: an approval allocates no serials")  # fmt: skip
        return None
    for r in d.serials:
        if r.first > r.last:
            return (f"{r.level} 级流水号 {r.first}–{r.last} 起止颠倒",
                    f"level {r.level} serials {r.first}-{r.last}: first is after last")  # fmt: skip
    given: dict[int, int] = defaultdict(int)
    for r in d.serials:
        given[r.level] += r.size
    wanted = batch.per_level()
    if given != wanted:
        shown = ", ".join(f"{lv} 级 {n}" for lv, n in wanted.items())
        return (f"本省证书号由主管部门编制：批准时须为每个等级分配与人数相同的流水号（{shown}）；"
                "请用 skillcert batch approve 生成",
                f"the bureau numbers in this province: an approval allocates as many serials per "
                f"level as the batch counts ({shown}); use skillcert batch approve")  # fmt: skip
    return None


def _overlaps(batches: Iterable[Batch]) -> list[Finding]:
    out: list[Finding] = []
    by_year: dict[tuple[str, int], list[Batch]] = defaultdict(list)
    for b in batches:
        if b.approved:
            by_year[(b.institution, b.year)].append(b)
    for group in by_year.values():
        group.sort(key=lambda b: b.seq)
        for i, b in enumerate(group):
            assert b.decision is not None
            for earlier in group[:i]:
                assert earlier.decision is not None
                for r in b.decision.serials:
                    for o in earlier.decision.serials:
                        if r.overlaps(o):
                            out.append(finding("batch-serial-overlap", b.file, (b.decision.line or 1, 1),
                                               level=r.level, first=r.first, last=r.last, other=earlier.id,
                                               other_first=o.first, other_last=o.last))  # fmt: skip
    return out


# --- notice lists ---------------------------------------------------------------------------------


def _notice(rel: str, raw: bytes, name: str, out: Outcome) -> None:
    doc, problems = yamldoc.parse(raw, name)
    out.findings += problems
    if doc is None:
        return
    schema_problems = schemas.validate(doc, "notice")
    out.findings += schema_problems + text_rules.check(doc)
    text = raw.decode("utf-8", errors="replace")
    for i, line in enumerate(text.splitlines(), start=1):
        m = _ID_NUMBER.search(line)
        if m:
            out.findings.append(
                finding("notice-id-number", name, (i, m.start() + 1), what=m.group()[:6] + "…")
            )
    if schema_problems or problems:
        return
    parts = PurePosixPath(rel).parts
    stem = parts[-1].removesuffix(".notice.yaml")
    key = f"{parts[1]}/{stem}" if len(parts) == 3 else ""
    batch = out.batches.get(key)
    if batch is None or not BATCH_ID.fullmatch(stem):
        out.findings.append(finding("notice-orphan", name, (1, 1), batch=stem))
        return
    rows = len(doc.data["rows"])
    if batch.decision is not None:
        out.findings.append(
            finding("notice-after-decision", name, (1, 1), date=batch.decision.date)
        )
    if rows != batch.total:
        out.findings.append(
            finding("notice-count", name, doc.pos(("rows",)), rows=rows, total=batch.total)
        )
    out.notices[key] = tuple(NoticeRow.from_data(r) for r in doc.data["rows"])


# --- issuance records -----------------------------------------------------------------------------


def _record(rel: str, raw: bytes, name: str, findings: list[Finding]) -> rec.IssuanceRecord | None:
    parts = PurePosixPath(rel).parts
    record_id = parts[-1].removesuffix(rec.RECORD_SUFFIX)
    filing = parts[1] if len(parts) == 3 else ""
    record, problems = rec.parse(raw, file=name, record_id=record_id)
    findings += [finding(rule, name, (line, 1), **values) for rule, line, values in problems]
    if record is None:
        return None
    if len(parts) != 3 or record.institution != filing or not rec.RECORD_ID.fullmatch(record_id):
        findings.append(
            finding("record-file-name", name, (1, 1), filing=record.institution, actual=rel)
        )
        return None
    return record if not problems else None


def _record_rules(
    records: list[rec.IssuanceRecord], batches: Mapping[str, Batch],
    institutions: Mapping[str, Institution], bureau: Bureau | None,
) -> Iterator[Finding]:  # fmt: skip
    seen: dict[tuple[str, int], tuple[str, bytes]] = {}
    for record in sorted(records, key=lambda r: (r.published, r.file)):
        inst = institutions.get(record.institution)
        batch = batches.get(f"{record.institution}/{record.batch}") if record.batch else None
        yield from _record_batch(record, batch)
        rules = bureau.provinces.get(inst.province) if bureau and inst else None
        numbering = rules.numbering if rules else "institution"
        for e in record.entries:
            why = _entry_problem(e, record, batch, inst, numbering, bureau)
            if why is not None:
                yield finding("record-number", record.file, (e.line, 1), number=e.number,
                              version=e.version, why_zh=why[0], why_en=why[1])  # fmt: skip
            key = (e.number, e.version)
            if key in seen:
                other, h = seen[key]
                same = h == e.credential_hash
                yield finding("record-duplicate", record.file, (e.line, 1), number=e.number,
                              version=e.version, other=other,
                              different_zh="" if same else "，且是另一份证书（另一个发证名册？编号不能重复使用）",
                              different_en="" if same else ", as a different credential (another "
                              "register? a number is never used twice)")  # fmt: skip
            else:
                seen[key] = (record.file, e.credential_hash)
        if batch is not None and record.kind == "batch":
            yield from _over_count(record, batch)


def _record_batch(record: rec.IssuanceRecord, batch: Batch | None) -> Iterator[Finding]:
    if record.kind != "batch":
        if record.batch is not None:
            yield finding("record-batch", record.file, (1, 1), batch=record.batch,
                          why_zh="不应出现在补发或历史记录中", why_en="does not belong in a re-issue or legacy record")  # fmt: skip
        return
    if batch is None:
        yield finding("record-batch", record.file, (1, 1), batch=record.batch,
                      why_zh="不存在", why_en="does not exist")  # fmt: skip
    elif not batch.approved:
        why = ("已被驳回，不能发证", "was rejected: it issues nothing") if batch.rejected else (
            "尚未批准", "is not approved")  # fmt: skip
        yield finding(
            "record-batch", record.file, (1, 1), batch=record.batch, why_zh=why[0], why_en=why[1]
        )
    elif record.id != batch.id:
        yield finding("record-batch", record.file, (1, 1), batch=record.batch,
                      why_zh=f"的记录应命名为 {batch.id}.record.json", why_en=f"needs the record {batch.id}.record.json")  # fmt: skip
    elif batch.decision is not None and record.published < batch.decision.date:
        yield finding("record-date", record.file, (1, 1),
                      why_zh=f"发证记录日期 {record.published} 早于批次批准日期 {batch.decision.date}",
                      why_en=f"the record's date {record.published} is before the batch was approved "
                      f"({batch.decision.date})")  # fmt: skip


def _entry_problem(
    e: rec.RecordEntry, record: rec.IssuanceRecord, batch: Batch | None,
    inst: Institution | None, numbering: str, bureau: Bureau | None,
) -> tuple[str, str] | None:  # fmt: skip
    if e.number[:13] != record.institution:
        return "不是本机构的证书编号", "is not this institution's number"
    if e.issued > record.published:
        return (f"发证日期 {e.issued} 晚于记录日期 {record.published}",
                f"issued {e.issued}, after the record's date {record.published}")  # fmt: skip
    if int(e.number[13:15]) != e.issued.year % 100:
        return "编号年份与发证日期不符", "the number's year is not its issue year"
    if record.kind == "batch" and batch is not None:
        if e.version != 1:
            return (
                "批次记录只含第 1 版；补发版本用补发记录公布",
                "a batch record holds version 1 only",
            )
        if e.year != batch.year:
            return (
                f"编号年份不是批次年份 {batch.year}",
                f"its year is not the batch's ({batch.year})",
            )
        if e.issued < (batch.decision.date if batch.decision else batch.filed):
            return "发证日期早于批次批准日期", "issued before the batch was approved"
        if (
            numbering == "bureau"
            and batch.decision is not None
            and not in_ranges(batch.decision.serials, e.level, e.serial)
        ):
            return ("流水号不在主管部门为本批次分配的范围内",
                    "its serial is outside the ranges the bureau allocated to the batch")  # fmt: skip
    if record.kind == "reissue":
        if e.version < 2:
            return "补发记录只含第 2 版及以后的版本", "a re-issue record holds versions 2 and later"
        if inst is not None and not any(
            r.number == e.number and r.version == e.version for r in inst.reissued
        ):
            return ("机构文件中没有这次补发（reissued:）", "the institution's file records no such re-issue")  # fmt: skip
    if record.kind == "legacy":
        start = bureau.records_required_from if bureau else None
        if start is not None and e.issued >= start:
            return (f"历史记录只收 {start} 以前签发的证书", f"a legacy record holds certificates issued "
                    f"before {start} only")  # fmt: skip
    return None


def _over_count(record: rec.IssuanceRecord, batch: Batch) -> Iterator[Finding]:
    allowed = {(c.occupation, c.job, int(c.level)): c.count for c in batch.counts}
    issued: dict[tuple[str, str | None, int], int] = defaultdict(int)
    for e in record.entries:
        issued[(e.occupation, e.job, e.level)] += 1
    for (occupation, job, level), n in sorted(issued.items(), key=str):
        if n > allowed.get((occupation, job, level), 0):
            yield finding("record-over-count", record.file, (1, 1), occupation=occupation, job=job or "--",
                          level=level, issued=n, allowed=allowed.get((occupation, job, level), 0))  # fmt: skip
