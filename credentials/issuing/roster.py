"""Rosters of passed candidates (CSV or XLSX), as institutions write them.

Columns are recognised by their Chinese headers (姓名, 证件类型, 证件号码, 职业编码, 职业名称,
工种/职业方向, 职业技能等级, 发证日期, 照片) or English aliases. Levels may be written ``3``,
``三级``, ``高级工`` or ``三级/高级工``. Parsing reports every problem with its row and column and
never stops at the first; checking rows against the registry is ``issuing``'s job.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from credentials.credential.claims import IdType
from credentials.errors import CredentialsError, RosterProblem
from credentials.levels import Level

COLUMNS: dict[str, tuple[str, ...]] = {
    "holder": ("姓名", "name", "holder"),
    "id_type": ("证件类型", "id type", "id_type"),
    "id_number": ("证件号码", "id number", "id no.", "id_number"),
    "occupation": ("职业编码", "职业编号", "occupation code", "occupation_code", "code"),
    "occupation_name": ("职业名称", "occupation", "occupation name", "occupation_name"),
    "job": ("工种/职业方向", "工种", "职业方向", "job"),
    "level": ("职业技能等级", "等级", "skill level", "level"),
    "issued": ("发证日期", "issue date", "issued", "date"),
    "photo": ("照片", "photo"),
}
HEADER = (
    "姓名",
    "证件类型",
    "证件号码",
    "职业编码",
    "职业名称",
    "工种/职业方向",
    "职业技能等级",
    "发证日期",
    "照片",
)
REQUIRED = ("holder", "id_type", "id_number", "occupation", "level", "issued")
COLUMN_LABEL = {field: names[0] for field, names in COLUMNS.items()}

# every printed name of an ID type (IdType.zh), plus the short forms and English aliases people write
_ID_TYPES = {t.zh: t for t in IdType} | {
    "身份证": IdType.RESIDENT_ID,
    "resident id": IdType.RESIDENT_ID,
    "passport": IdType.PASSPORT,
    "other": IdType.OTHER,
}
_LEVEL_WORDS = {
    "一级": 1,
    "高级技师": 1,
    "二级": 2,
    "技师": 2,
    "三级": 3,
    "高级工": 3,
    "高级": 3,
    "四级": 4,
    "中级工": 4,
    "中级": 4,
    "五级": 5,
    "初级工": 5,
    "初级": 5,
}
_NO_JOB = {"", "-", "--", "—", "——", "无"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


@dataclass(frozen=True, slots=True)
class RosterRow:
    """A parsed roster row."""

    row: int
    holder: str
    id_type: IdType
    id_number: str
    occupation: str
    occupation_name: str
    job: str | None
    level: Level
    issued: dt.date
    photo: str | None = None


def parse_level(text: str) -> Level | None:
    """``3``, ``三级``, ``高级工``, ``三级/高级工`` (both halves must agree) -> Level 3."""
    text = text.strip().replace(" ", "").replace("／", "/")
    if text in ("1", "2", "3", "4", "5"):
        return Level(int(text))
    parts = [p for p in text.split("/") if p]
    codes = {_LEVEL_WORDS.get(p) for p in parts}
    if not parts or None in codes or len(codes) != 1:
        return None
    (code,) = codes
    assert code is not None
    return Level(code)


def parse_date(text: str) -> dt.date | None:
    """A date as institutions write it."""
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def read_table(path: Path) -> list[list[str]]:
    """The roster's cells as text: CSV (UTF-8, with or without BOM; or GB18030) or XLSX."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from credentials.issuing.spreadsheet import read_rows

        return read_rows(path)
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CredentialsError(f"{path} is neither UTF-8 nor GB18030 text")
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def _header_map(header: list[str]) -> tuple[dict[str, int], list[RosterProblem]]:
    problems = []
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = re.sub(r"\s+", " ", name.strip().lower())
        for field, aliases in COLUMNS.items():
            if key in aliases or name.strip() in aliases:
                if field in found:
                    problems.append(RosterProblem(1, name, "this column appears twice"))
                found[field] = index
    for field in REQUIRED:
        if field not in found:
            problems.append(
                RosterProblem(1, COLUMN_LABEL[field], f"column {COLUMN_LABEL[field]} is missing")
            )
    return found, problems


def parse(table: list[list[str]]) -> tuple[list[RosterRow], list[RosterProblem]]:
    """Rows and every problem found (header, cells, duplicates within the roster)."""
    if not table or not any(table[0]):
        return [], [RosterProblem(1, "", "the roster is empty; the first row must be the header")]
    columns, problems = _header_map(table[0])
    if problems:
        return [], problems
    rows: list[RosterRow] = []
    seen: dict[tuple[object, ...], int] = {}
    for number, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        row, row_problems = _parse_row(number, cells, columns)
        if row is None:
            problems += row_problems
            continue
        from credentials.credential.commitment import normalise

        key = (
            row.id_type,
            normalise(row.id_number),
            row.occupation,
            row.job,
            row.level,
            row.issued,
        )
        if key in seen:
            problems.append(
                RosterProblem(
                    number,
                    "",
                    f"duplicates row {seen[key]} (same person, occupation, job, level and date)",
                )
            )
            continue
        seen[key] = number
        rows.append(row)
    if not rows and not problems:
        problems.append(RosterProblem(2, "", "the roster has a header but no rows"))
    return rows, problems


def _parse_row(
    number: int, cells: list[str], columns: dict[str, int]
) -> tuple[RosterRow | None, list[RosterProblem]]:
    problems: list[RosterProblem] = []

    def cell(field: str) -> str:
        i = columns.get(field)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    def bad(field: str, message: str) -> None:
        problems.append(RosterProblem(number, COLUMN_LABEL[field], message))

    holder = cell("holder")
    if not holder:
        bad("holder", "the name is empty")
    id_type = _ID_TYPES.get(cell("id_type").lower() or "居民身份证")
    if id_type is None:
        bad("id_type", f"unknown ID type {cell('id_type')!r} (e.g. 居民身份证, 护照)")
    id_number = cell("id_number")
    if not id_number:
        bad("id_number", "the ID number is empty")
    elif id_type is IdType.RESIDENT_ID:
        from credentials.credential.commitment import resident_id_problem

        problem = resident_id_problem(id_number)
        if problem:
            bad("id_number", f"not a valid 居民身份证 number: {problem}")
    occupation = cell("occupation")
    if not re.fullmatch(r"[1-8]-\d{2}-\d{2}-\d{2}", occupation):
        bad("occupation", f"occupation code {occupation!r} must look like 6-18-01-01")
    level = parse_level(cell("level"))
    if level is None:
        bad("level", f"level {cell('level')!r} must be 1-5, 三级, 高级工 or 三级/高级工")
    issued = parse_date(cell("issued"))
    if issued is None:
        bad("issued", f"issue date {cell('issued')!r} must be YYYY-MM-DD")
    job_text = cell("job")
    if problems or id_type is None or level is None or issued is None:
        return None, problems
    return (
        RosterRow(
            number,
            holder,
            id_type,
            id_number,
            occupation,
            cell("occupation_name"),
            None if job_text in _NO_JOB else job_text,
            level,
            issued,
            cell("photo") or None,
        ),
        [],
    )
