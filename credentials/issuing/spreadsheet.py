"""Reading and writing XLSX workbooks. The only module that imports ``openpyxl``.

Reading keeps what Excel knows and text loses: a cell Excel stored as a number comes back as a
``NumberCell`` (an ID number stored so has been rounded to 15 significant digits and may have lost
its final ``X``). Writing makes every cell a text cell: an exported name such as
``=HYPERLINK(…)`` stays the characters it is, never a live formula.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from credentials.errors import CredentialsError


class NumberCell(str):
    """A cell Excel stored as a number (its text is how it reads back)."""

    __slots__ = ()


def read_rows(path: Path) -> list[list[str]]:
    """Every row of the first worksheet as text (dates as YYYY-MM-DD, whole numbers without .0;
    numbers as ``NumberCell``)."""
    import openpyxl  # here, not at the top: a CSV roster's run starts 0.13 s sooner without it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (
        InvalidFileException,
        OSError,
        KeyError,
        ValueError,
        zipfile.BadZipFile,
        EOFError,
    ) as err:
        raise CredentialsError(
            f"cannot read {path.name} as an XLSX workbook (damaged, cut short, or another kind of "
            "file renamed .xlsx): save it again from Excel",
            zh=f"无法把 {path.name} 读作 XLSX 工作簿（文件损坏、不完整，或是改了扩展名的其他文件）：请用 Excel 重新保存",
        ) from err
    try:
        sheet = book.worksheets[0]
        return [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError) as err:
        raise CredentialsError(
            f"{path.name} is damaged: save it again from Excel",
            zh=f"{path.name} 已损坏：请用 Excel 重新保存",
        ) from err
    finally:
        book.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return NumberCell(str(int(value)))
    if isinstance(value, int | float):
        return NumberCell(repr(value))
    return str(value).strip()


def write_rows(path: Path, sheets: Iterable[tuple[str, Sequence[Sequence[Any]]]]) -> None:
    """Write named sheets of rows (the first row of each is its header, in bold); text stays
    text, numbers stay numbers, nothing becomes a formula."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    for default in list(book.worksheets):
        book.remove(default)
    for title, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row, start=1):
                cell = sheet.cell(row=i, column=j)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # "=…" stays text (openpyxl would make it a formula)
                if i == 1:
                    cell.font = Font(bold=True)
        for column in sheet.columns:
            width = max((len(str(c.value or "")) for c in column), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(60, width * 1.6 + 2)
    try:
        book.save(path)
    except OSError as err:
        raise CredentialsError(
            f"cannot write {path}: {err.strerror}", zh=f"无法写入 {path}"
        ) from err
