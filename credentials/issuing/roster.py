"""Rosters of passed candidates (CSV or XLSX), as institutions write them.

Columns are recognised by their Chinese headers (姓名, 证件类型, 证件号码, 职业编码, 职业名称,
工种/职业方向, 职业技能等级, 发证日期, 照片, 机构备案号, 工作单位, 出生年月) or English aliases, in a header row that may
follow title rows (a merged title, a date line): the first row naming the name and ID columns.
Every cell is normalised with NFKC first (full-width digits, letters and spaces as typed by a
Chinese input method become ordinary ones). Levels may be written ``3``, ``三级``, ``高级工`` or
``三级/高级工``. Parsing reports every problem with its row (as the spreadsheet numbers it) and
column, Chinese and English, and never stops at the first; an ID number Excel stored as a number
(rounded, its leading zeros or final ``X`` lost) is named as that. Photo paths are read relative to
the roster's folder. Checking rows against the registry is ``issue``'s job.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from credentials.credential.claims import IdType, text_problem
from credentials.credential.commitment import normalise, resident_id_problem
from credentials.errors import CredentialsError, RosterProblem
from credentials.issuing.spreadsheet import NumberCell, read_rows
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
    "institution": ("机构备案号", "备案号", "filing number", "institution"),
    "unit": ("工作单位", "单位", "employer", "unit"),  # for the 公示 list
    "category": ("认定对象", "考生类别", "category"),  # 本单位职工 / 本校学生 / 社会人员
    "route": ("认定途径", "申报途径", "route"),  # a student's route (Henan: 1+X初级 …)
    "born": ("出生年月", "born", "birth month"),  # for the 公示 list (else from a resident ID)
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
    "认定对象",
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
CATEGORIES = {"本单位职工": "own_employees", "本校学生": "own_students", "社会人员": "public",
              "职工": "own_employees", "教职工": "own_employees", "学生": "own_students",
              "own_employees": "own_employees", "own_students": "own_students", "public": "public"}  # fmt: skip
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
    institution: str | None = None  # the filing number the roster names, when it has the column
    unit: str | None = None  # 工作单位, for the 公示 list
    born: str | None = None  # 出生年月 as YYYY-MM, for the 公示 list
    category: str | None = None  # own_employees | own_students | public (认定对象)
    route: str | None = None  # the route the province knows a student by (认定途径)

    def birth_month(self) -> str | None:
        """YYYY-MM: the roster's 出生年月, or digits 7–12 of a resident ID number."""
        if self.born:
            return self.born
        if self.id_type is IdType.RESIDENT_ID:
            n = normalise(self.id_number)
            return f"{n[6:10]}-{n[10:12]}"
        return None


_MAX_ROSTER_BYTES = 50 * 1024 * 1024
_MAX_CELL = 500
_HEADER_SCAN = 20  # title rows above the header row
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def roster_digest(rows: Sequence[RosterRow]) -> str:
    """SHA-256 of who a roster certifies for what (holder, ID, occupation, job, level), in a fixed
    order: re-saving the roster, reordering it, or changing an issue date or a photo keeps it;
    changing a person or a level does not. A batch records it; issuing checks it."""
    fields = (
        (r.holder, str(int(r.id_type)), normalise(r.id_number), r.occupation, r.job or "",
         str(int(r.level)))
        for r in rows
    )  # fmt: skip
    items = sorted("\t".join(f) for f in fields)
    return hashlib.sha256("\n".join(items).encode()).hexdigest()


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


def _not_readable(path: Path, en: str, zh: str) -> CredentialsError:
    return CredentialsError(f"{path.name}: {en}", zh=f"{path.name}：{zh}")


def read_table(path: Path) -> list[list[str]]:
    """The roster's cells as text: XLSX, or CSV in UTF-8 (with or without BOM), UTF-16 with a BOM,
    or GB18030. Every cell NFKC-normalised; a cell Excel stored as a number stays a
    ``NumberCell``."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise _not_readable(path, "is a folder, not a roster", "是文件夹，不是名册")
        if size > _MAX_ROSTER_BYTES:
            raise _not_readable(path, "is larger than 50 MB: not a roster", "超过 50 MB，不是名册")
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            rows = read_rows(path)
        else:
            rows = _csv_rows(path, path.read_bytes())
    except OSError as err:
        raise _not_readable(path, f"cannot be read ({err.strerror})", "无法读取") from err
    return [[_normal(c) for c in row] for row in rows]


def _normal(cell: str) -> str:
    text = unicodedata.normalize("NFKC", cell).strip()
    return NumberCell(text) if isinstance(cell, NumberCell) else text


def _utf16_without_bom(raw: bytes) -> bool:
    """Whether bytes with NULs read as UTF-16 text (what some exporters write without a BOM)."""
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and all(c.isprintable() or c in "\r\n\t" for c in text):
            return True
    return False


def _csv_rows(path: Path, raw: bytes) -> list[list[str]]:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = raw.decode("utf-16")
    elif b"\x00" in raw and _utf16_without_bom(raw):
        raise _not_readable(
            path, "looks like UTF-16 without a byte-order mark: save it as UTF-8 (CSV UTF-8)",
            "像是没有字节序标记的 UTF-16 文本：请另存为 “CSV UTF-8” 格式",
        )  # fmt: skip
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise _not_readable(path, "is neither UTF-8 nor GB18030 text: save it as UTF-8",
                                "既不是 UTF-8 也不是 GB18030 文本：请另存为 UTF-8")  # fmt: skip
    if "\x00" in text:
        raise _not_readable(path, "is not a text file", "不是文本文件")
    csv.field_size_limit(_MAX_ROSTER_BYTES)
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as err:
        raise _not_readable(
            path, f"is not a readable CSV file ({err})", "不是可读的 CSV 文件"
        ) from err


def _find_header(table: list[list[str]]) -> int | None:
    """The index of the header row: the first of the top rows naming the name and ID columns."""
    for index, row in enumerate(table[:_HEADER_SCAN]):
        named = {_column_of(c) for c in row}
        if "holder" in named and "id_number" in named:
            return index
    return None


def _column_of(name: str) -> str | None:
    key = re.sub(r"\s+", " ", name.strip().lower())
    return next(
        (f for f, aliases in COLUMNS.items() if key in aliases or name.strip() in aliases), None
    )


def _header_map(header: list[str], row: int) -> tuple[dict[str, int], list[RosterProblem]]:
    problems = []
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        field = _column_of(name)
        if field is None:
            continue
        if field in found:
            problems.append(RosterProblem(row, name, "this column appears twice", "此列出现了两次"))
        found[field] = index
    for field in REQUIRED:
        if field not in found:
            label = COLUMN_LABEL[field]
            problems.append(
                RosterProblem(row, label, f"column {label} is missing", f"缺少“{label}”列")
            )
    return found, problems


def parse(
    table: list[list[str]], *, photos: Path | None = None
) -> tuple[list[RosterRow], list[RosterProblem]]:
    """Rows and every problem found (header, cells, duplicates within the roster). Photo paths
    are read relative to ``photos`` (the roster's folder)."""
    header = _find_header(table)
    if header is None:
        return [], [RosterProblem(1, "", "no header row: the first rows must name the columns "
                                  "(姓名, 证件号码, …)", "找不到表头：前几行中应有列名（姓名、证件号码……）")]  # fmt: skip
    columns, problems = _header_map(table[header], header + 1)
    if problems:
        return [], problems
    rows: list[RosterRow] = []
    seen: dict[tuple[object, ...], int] = {}
    for number, cells in enumerate(table[header + 1 :], start=header + 2):
        if not any(c.strip() for c in cells):
            continue
        row, row_problems = _parse_row(number, cells, columns, photos)
        problems += row_problems
        if row is None:
            continue
        key = (
            row.id_type,
            normalise(row.id_number),
            row.occupation,
            row.job,
            row.level,
            row.issued,
        )
        if key in seen:
            problems.append(RosterProblem(
                number, "", f"duplicates row {seen[key]} (same person, occupation, job, level and date)",
                f"与第 {seen[key]} 行重复（同一人、职业、工种、等级和日期）",
            ))  # fmt: skip
            continue
        seen[key] = number
        rows.append(row)
    if not rows and not problems:
        problems.append(
            RosterProblem(
                header + 2, "", "the roster has a header but no rows", "名册只有表头，没有数据行"
            )
        )
    return rows, problems


def _id_problem(cell: str, id_type: IdType) -> tuple[str, str] | None:
    """What is wrong with an ID number cell, named for what happened to it."""
    if isinstance(cell, NumberCell):
        return ("stored as a number in Excel: its digits may have been rounded and a final X lost; "
                "set the column to text and type the numbers again",
                "在 Excel 中存成了数字：位数可能已被四舍五入、末位 X 可能丢失；请把该列设为“文本”后重新输入")  # fmt: skip
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", cell):
        return ("written in scientific notation (Excel showed the number as 4.10102E+17): set the "
                "column to text and type it again", "是科学计数法（Excel 把号码显示成 4.10102E+17）：请把该列设为“文本”后重新输入")  # fmt: skip
    if id_type is not IdType.RESIDENT_ID:
        return None
    if re.fullmatch(r"\d{15,17}", cell):
        return (f"has {len(cell)} digits, not 18: Excel may have dropped a leading zero or the final X",
                f"只有 {len(cell)} 位，不是 18 位：可能被 Excel 去掉了开头的 0 或末位的 X")  # fmt: skip
    problem = resident_id_problem(cell)
    if problem:
        return f"not a valid 居民身份证 number: {problem}", f"不是有效的居民身份证号码：{problem}"
    return None


def _parse_row(
    number: int, cells: list[str], columns: dict[str, int], photos: Path | None
) -> tuple[RosterRow | None, list[RosterProblem]]:
    problems: list[RosterProblem] = []

    def cell(field: str) -> str:
        i = columns.get(field)
        return cells[i] if i is not None and i < len(cells) else ""

    def bad(field: str, en: str, zh: str) -> None:
        problems.append(RosterProblem(number, COLUMN_LABEL[field], en, zh))

    for field in columns:
        if len(cell(field)) > _MAX_CELL:
            bad(
                field,
                f"the cell has {len(cell(field)):,} characters",
                f"该单元格有 {len(cell(field)):,} 个字符，过长",
            )
            return None, problems
    holder = cell("holder")
    if not holder:
        bad("holder", "the name is empty", "姓名为空")
    elif _FORMULA.match(holder):
        bad(
            "holder",
            "is not a name (it starts like a spreadsheet formula)",
            "不是姓名（以公式符号开头）",
        )
    elif text_problem(holder):
        bad("holder", "must be 1-64 visible characters, with no control or invisible characters",
            "应为 1–64 个可见字符，不能含控制字符或不可见字符")  # fmt: skip
    id_type = _ID_TYPES.get(cell("id_type").lower() or "居民身份证")
    if id_type is None:
        bad("id_type", f"unknown ID type {cell('id_type')!r} (e.g. 居民身份证, 护照)",
            f"未知的证件类型“{cell('id_type')}”（如：居民身份证、护照）")  # fmt: skip
    id_number = cell("id_number")
    if not id_number:
        bad("id_number", "the ID number is empty", "证件号码为空")
    elif id_type is not None and (why := _id_problem(id_number, id_type)):
        bad("id_number", *why)
    occupation = cell("occupation")
    if not re.fullmatch(r"[1-8]-\d{2}-\d{2}-\d{2}", occupation):
        bad("occupation", f"occupation code {occupation!r} must look like 6-18-01-01",
            f"职业编码“{occupation}”格式应如 6-18-01-01")  # fmt: skip
    level = parse_level(cell("level"))
    if level is None:
        bad("level", f"level {cell('level')!r} must be 1-5, 三级, 高级工 or 三级/高级工",
            f"等级“{cell('level')}”应写作 1–5、三级、高级工 或 三级/高级工")  # fmt: skip
    issued = parse_date(cell("issued"))
    if issued is None:
        bad(
            "issued",
            f"issue date {cell('issued')!r} must be YYYY-MM-DD",
            f"发证日期“{cell('issued')}”应写作 YYYY-MM-DD",
        )
    job_text = cell("job")
    if job_text not in _NO_JOB and text_problem(job_text):
        bad("job", "must be 1-64 visible characters", "应为 1–64 个可见字符")
    photo = cell("photo")
    if photo and photos is not None and not Path(photo).is_absolute():
        photo = str(photos / photo)
    unit = cell("unit")
    if unit and (_FORMULA.match(unit) or text_problem(unit)):
        bad(
            "unit",
            "must be 1-64 visible characters, not a formula",
            "应为 1–64 个可见字符，不能是公式",
        )
    category_text = cell("category")
    category = CATEGORIES.get(category_text) if category_text else None
    if category_text and category is None:
        bad("category", f"认定对象 {category_text!r} must be 本单位职工, 本校学生 or 社会人员",
            f"认定对象“{category_text}”应为 本单位职工、本校学生 或 社会人员")  # fmt: skip
    born = cell("born")
    month = re.fullmatch(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?", born)
    if born and (month is None or not 1 <= int(month.group(2)) <= 12):
        bad("born", f"birth month {born!r} must be YYYY-MM", f"出生年月“{born}”应写作 YYYY-MM")
    if problems or id_type is None or level is None or issued is None:
        return None, problems
    return (
        RosterRow(number, holder, id_type, id_number, occupation, cell("occupation_name"),
                  None if job_text in _NO_JOB else job_text, level, issued, photo or None,
                  cell("institution").upper() or None, unit or None,
                  f"{month.group(1)}-{int(month.group(2)):02d}" if month else None, category,
                  cell("route").replace(" ", "") or None),
        [],
    )  # fmt: skip
