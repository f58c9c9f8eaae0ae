"""Reading and writing XLSX workbooks. The only module that imports ``openpyxl``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from credentials.errors import CredentialsError


def read_rows(path: Path) -> list[list[str]]:
    """Every row of the first worksheet as text (dates as YYYY-MM-DD, whole numbers without .0)."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as err:
        raise CredentialsError(f"cannot read {path} as an XLSX workbook: {err}") from err
    try:
        sheet = book.worksheets[0]
        return [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def write_rows(path: Path, sheets: Iterable[tuple[str, Sequence[Sequence[Any]]]]) -> None:
    """Write named sheets of rows (the first row of each is its header, in bold)."""
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    for default in list(book.worksheets):
        book.remove(default)
    for title, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for i, row in enumerate(rows):
            sheet.append(list(row))
            if i == 0:
                for cell in sheet[1]:
                    cell.font = Font(bold=True)
        for column in sheet.columns:
            width = max((len(str(c.value or "")) for c in column), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(60, width * 1.6 + 2)
    book.save(path)
