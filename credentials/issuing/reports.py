"""Reports from the issuance register: the results summary (结果汇总表, monthly as Liaoning's 附件7
asks), the register export (发证名册), the public notice (公示) of a batch and the 公示结果确认单
(Zhejiang 附件11).

Pure: takes register entries and returns rows (header first); ``to_csv`` and ``to_markdown`` format
them, ``spreadsheet.write_rows`` writes XLSX.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from credentials.credential.claims import IdType
from credentials.errors import CredentialsError
from credentials.issuing import spreadsheet
from credentials.issuing.register import Entry
from credentials.levels import Level

_LEVELS = (5, 4, 3, 2, 1)
Row = list[object]


def counted(entries: Iterable[Entry]) -> list[Entry]:
    """Certificates that count as issued: first versions (a re-issue is not a new one), not revoked."""
    items = list(entries)
    revoked = {e.number for e in items if e.status == "revoked"}
    return [e for e in items if e.version == 1 and e.number not in revoked]


def summary(entries: Iterable[Entry]) -> list[Row]:
    """结果汇总表: one row per occupation and job, counts per level, subtotals and a total."""
    counts: dict[tuple[str, str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for e in counted(entries):
        counts[(e.occupation, e.occupation_name, e.job or "--")][e.level] += 1
    header: Row = ["职业编码", "职业名称", "工种/职业方向"]
    header += [Level(lv).zh for lv in _LEVELS] + ["合计 Total"]
    rows: list[Row] = [header]
    total = dict.fromkeys(_LEVELS, 0)
    by_occupation: dict[tuple[str, str], list[tuple[str, dict[int, int]]]] = defaultdict(list)
    for (code, name, job), per_level in sorted(counts.items()):
        by_occupation[(code, name)].append((job, per_level))
    for (code, name), jobs in by_occupation.items():
        sub = dict.fromkeys(_LEVELS, 0)
        for job, per_level in jobs:
            counts_row: Row = [code, name, job]
            counts_row += [per_level.get(lv, 0) for lv in _LEVELS] + [sum(per_level.values())]
            rows.append(counts_row)
            for lv in _LEVELS:
                sub[lv] += per_level.get(lv, 0)
        if len(jobs) > 1:
            sub_row: Row = [code, name, "小计 Subtotal"]
            sub_row += [sub[lv] for lv in _LEVELS] + [sum(sub.values())]
            rows.append(sub_row)
        for lv in _LEVELS:
            total[lv] += sub[lv]
    total_row: Row = ["合计 Total", "", ""]
    total_row += [total[lv] for lv in _LEVELS] + [sum(total.values())]
    rows.append(total_row)
    return rows


def summary_sheet(rows: Sequence[Row], *, institution: str, period: str) -> list[Row]:
    """The 结果汇总表 as it is reported (Liaoning 附件7, "于月末报"): a title with the period, the
    "填报单位：（章）" and "单位：人" line, then the table."""
    width = len(rows[0])
    title: Row = [f"职业技能等级认定结果汇总表（{period}）", *[""] * (width - 1)]
    unit: Row = [f"填报单位：（章）{institution}", *[""] * (width - 2), "单位：人"]
    return [title, unit, *rows]


def month_of(entries: Iterable[Entry], month: str) -> list[Entry]:
    """The entries issued in ``month`` (YYYY-MM)."""
    return [e for e in entries if e.issued.isoformat()[:7] == month]


_STATUS = {"issued": "有效", "revoked": "已注销", "superseded": "已被补发取代"}


def register_rows(entries: Iterable[Entry], names: Mapping[str, str] | None = None) -> list[Row]:
    """The issuance register (发证名册), full ID numbers included: the institution's archive.
    ``names``: filing number -> institution name (发证机构); a re-issue shows its 补发 date, and
    注销日期/注销原因 are filled only for revoked certificates."""
    # the certificate's own fields first, in the order it prints them, then the register's
    rows: list[Row] = [[
        "姓名", "证件类型", "证件号码", "职业名称", "工种/职业方向", "职业技能等级", "证书编号", "发证日期",
        "发证机构", "版本", "职业编码", "批次", "状态", "补发日期", "补发原因", "补发申请日期", "注销日期",
        "注销原因", "签名密钥",
    ]]  # fmt: skip
    for e in entries:
        revoked = e.status == "revoked"
        rows.append([
            e.holder, IdType(e.id_type).zh, e.id_number, e.occupation_name, e.job or "--",
            Level(e.level).zh, e.number, e.issued.isoformat(), (names or {}).get(e.filing, e.filing),
            e.version, e.occupation, e.batch_id or "", _STATUS.get(e.status, e.status),
            e.created_at[:10] if e.version > 1 else "", e.reissue_reason or "",
            e.reissue_applied.isoformat() if e.reissue_applied else "",
            e.revoked_on.isoformat() if revoked and e.revoked_on else "",
            (e.revoke_reason or "") if revoked else "", e.kid,
        ])  # fmt: skip
    return rows


def notice_rows(entries: Iterable[Entry]) -> list[Row]:
    """公示 list of a batch: names and certificate numbers, what and which level (no ID numbers)."""
    rows: list[Row] = [["序号", "姓名", "证书编号", "职业名称", "工种/职业方向", "职业技能等级"]]
    for i, e in enumerate((e for e in entries if e.status != "revoked"), start=1):
        rows.append([i, e.holder, e.number, e.occupation_name, e.job or "--", Level(e.level).zh])
    return rows


def confirmation_rows(
    people: Iterable[tuple[str, str, str | None, int]], *, institution: str, plan: str | None
) -> list[Row]:
    """The 公示结果确认单 (Zhejiang 附件11) of a batch, one block per occupation (job) and level:
    the institution, the plan, the occupation, the level, the names, "以上共 N 名人员，通过 … 职业
    … 等级职业技能等级认定，经公示无异议。", and the lines for the head's signature and the seal.
    ``people``: (name, occupation name, job, level)."""
    groups: dict[tuple[str, str | None, int], list[str]] = defaultdict(list)
    for name, occupation, job, level in people:
        groups[(occupation, job, level)].append(name)
    rows: list[Row] = [["职业技能等级认定公示结果确认单", ""]]
    for (occupation, job, level), names in sorted(
        groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", -kv[0][2])
    ):
        what = f"{occupation}（{job}）" if job else occupation
        rows += [
            ["", ""],
            ["评价机构名称", institution],
            ["认定计划号", plan or ""],
            ["认定职业", what],
            ["认定等级", Level(level).zh],
            ["人员名单", "、".join(names)],
            ["", f"以上共 {len(names)} 名人员，通过 {what} 职业 {Level(level).zh} 等级职业技能等级认定，经公示无异议。"],
            ["评价机构负责人（签名）：", ""],
            ["评价机构（盖章）：", "日期：    年    月    日"],
        ]  # fmt: skip
    return rows


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell: object) -> object:
    """A cell Excel would read as a formula (``=…``, ``+…``, ``-…``, ``@…``) kept as text, with
    the apostrophe Excel itself uses for that; numbers stay numbers."""
    if isinstance(cell, str) and cell.startswith(_FORMULA):
        return "'" + cell
    return cell


def to_csv(rows: Sequence[Row]) -> str:
    """CSV text (write it with a BOM for Excel: ``utf-8-sig``); no cell is ever a formula."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([[_as_text(c) for c in row] for row in rows])
    return buf.getvalue()


def to_markdown(rows: Sequence[Row]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(str(c) for c in rows[0]) + " |"]
    lines.append("|" + "---|" * len(rows[0]))
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows[1:]]
    return "\n".join(lines) + "\n"


def emit(rows: Sequence[Row], fmt: str, out: Path | None, *, sheet: str) -> str | None:
    """Write ``rows`` as CSV (with a BOM, for Excel), Markdown or XLSX to ``out``; without ``out``,
    return the CSV or Markdown text (XLSX needs a file)."""
    if fmt == "xlsx":
        if out is None:
            raise CredentialsError(
                "--format xlsx needs --out FILE", zh="--format xlsx 需要用 --out 指定文件"
            )
        spreadsheet.write_rows(out, [(sheet, rows)])
        return None
    text = to_markdown(rows) if fmt == "md" else to_csv(rows)
    if out is None:
        return text
    try:
        out.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    except OSError as err:
        raise CredentialsError(f"cannot write {out}: {err.strerror}", zh=f"无法写入 {out}") from err
    return None
