"""The one way an export writes a spreadsheet cell, in CSV and in XLSX.

Every CSV and XLSX the system hands out goes through this module; nothing else imports
``csv`` or ``openpyxl`` (``tests/hardening/test_export_safety.py`` holds that line). Two
things make a cell safe whatever an association typed:

- **No formulas.** A text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return would run as a formula when the sheet is opened (``=HYPERLINK(…)``,
  ``=cmd|' /C calc'!A0``); it gets a leading apostrophe and stays text. Numbers (int,
  Decimal, float) are not text: they stay numbers, negative amounts included.
- **Only characters the format can hold.** XML 1.0 — and so XLSX — cannot hold the
  control characters U+0000–U+0008, U+000B, U+000C, U+000E–U+001F (openpyxl raises on
  them); they are removed, in CSV as well, so the two files say the same. An XLSX cell
  holds at most 32,767 characters (Excel's limit); a longer text is cut there.

The bound on an export's size comes from its inputs: every text field has a length limit
(the input policy), an application has at most ``PULJEFLOW_MAX_ATTACHMENTS`` attachments
of at most ``PULJEFLOW_MAX_ATTACHMENT_BYTES`` in total, and a round's lists are one row
per application. CSV is produced line by line (for a streaming response); XLSX is
written by openpyxl's write-only mode, row by row, into a file object.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 cannot hold (tab, line feed and carriage return it can), and the two
# non-characters at the end of the Basic Multilingual Plane.
UNHOLDABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XLSX_MAX_CELL = 32_767  # the most characters Excel keeps in one cell; more and it "repairs"
BOM = "\ufeff"  # Excel reads UTF-8 (æøå) correctly only with it
DELIMITER = ";"  # what Danish Excel opens without asking

Number = int | float | Decimal


def text(value: str) -> str:
    """A text as a cell: without unholdable characters, and never a formula."""
    value = UNHOLDABLE.sub("", value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _plain(value: Any) -> str:
    """Dates as 2026-02-15 and times as 2026-02-15 14:30 in Copenhagen: both what Excel reads
    as a date in any language, and what other programs read too."""
    if isinstance(value, datetime.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def decimal_comma(value: Any) -> str:
    """12500.5 -> "12500,50": what Danish Excel reads as a number (no thousands separator)."""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return str(value)


def decimal_point(value: Any) -> str:
    """12500.5 -> "12500.50": the plain notation of other programs."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


@dataclass(frozen=True)
class Dialect:
    """How a CSV file writes its cells.

    ``DANISH_EXCEL`` is every export's default: Danish Excel opens it with a double click
    and reads ';' as the separator, "25000,00" as a number and æøå right (the BOM).
    ``STANDARD`` is the choice beside it for other programs: ',' and "25000.00", no BOM.
    """

    key: str
    delimiter: str
    number: Callable[[Any], str]
    bom: bool


DANISH_EXCEL = Dialect("excel-da", DELIMITER, decimal_comma, bom=True)
STANDARD = Dialect("standard", ",", decimal_point, bom=False)
DIALECTS = {d.key: d for d in (DANISH_EXCEL, STANDARD)}


def dialect_named(key: str | None) -> Dialect:
    """The dialect a request asks for (``?csv=standard``); Danish Excel unless it asks right."""
    return DIALECTS.get(key or "", DANISH_EXCEL)


def csv_value(value: Any, number: Callable[[Any], str] = str) -> str:
    """One CSV cell: numbers as written by ``number``, anything else as safe text."""
    if value is None:
        return ""
    if _is_number(value):
        return number(value)
    return text(_plain(value))


class _Line:
    """A file object that keeps the one line the csv module just wrote."""

    def __init__(self) -> None:
        self.value = ""

    def write(self, value: str) -> None:
        self.value += value


def csv_lines(rows: Iterable[Iterable[Any]], *, dialect: Dialect = DANISH_EXCEL) -> Iterator[str]:
    """The CSV, one line at a time (a BOM first for Excel): for a ``StreamingHttpResponse``."""
    line = _Line()
    writer = csv.writer(line, delimiter=dialect.delimiter)
    if dialect.bom:
        yield BOM
    for row in rows:
        line.value = ""
        writer.writerow([csv_value(cell, dialect.number) for cell in row])
        yield line.value


def csv_text(rows: Iterable[Iterable[Any]], *, dialect: Dialect = DANISH_EXCEL) -> str:
    """The whole CSV as one text (for a file inside a ZIP)."""
    return "".join(csv_lines(rows, dialect=dialect))


def xlsx_value(value: Any) -> Any:
    """One XLSX cell value: numbers as numbers (Decimal as float, so the sheet can add
    them up), dates as dates, anything else as safe text."""
    if value is None or isinstance(value, bool):
        return value
    if _is_number(value):
        return float(value) if isinstance(value, Decimal) else value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    value = text(_plain(value))
    if len(value) > XLSX_MAX_CELL:  # the CSV beside it keeps the whole text
        return value[: XLSX_MAX_CELL - 1] + "…"
    return value


def write_xlsx(
    target: Any,
    *,
    sheet_title: str,
    title: str,
    headers: list[str],
    rows: Iterable[Iterable[Any]],
    number_format: str = "#,##0.00",
) -> None:
    """A one-sheet workbook into ``target`` (a path or a binary file object): a bold title
    line, a bold header line (frozen), then the rows; numbers get ``number_format``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(text(sheet_title)[:31] or "Sheet")
    sheet.freeze_panes = "A3"

    def cell(value: Any, font: Any = None) -> Any:
        written = WriteOnlyCell(sheet, value=xlsx_value(value))
        if font is not None:
            written.font = font
        if _is_number(value):
            written.number_format = number_format
        return written

    sheet.append([cell(title, Font(bold=True, size=13))])
    sheet.append([cell(header, Font(bold=True)) for header in headers])
    for row in rows:
        sheet.append([cell(value) for value in row])
    workbook.save(target)
