"""The 公示 list as an xlsx workbook: one sheet per award.

Each sheet: the award title in A1, the headers in row 2, one row per subject
from row 3 (panes frozen below the headers; A4 paper, headers repeated on
every printed page). Rank is an integer cell and the
total a number cell formatted with the figure's own decimals, so the list can
be sorted; text cells are forced to text (never formulas), on top of the `'`
prefix every format gets.

Sheet titles are the award titles made legal for Excel (no `[]:*?/\\`, at most
31 characters, unique ignoring case). Output is deterministic: fixed document
properties and fixed timestamps on every zip entry, so equal notices give
byte-identical files.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

from scoring.export.notice import NOTICE_HEADERS, Notice, NoticeSection

FIXED_TIME = datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_SHEET_MAX = 31
_COLUMN_WIDTHS = (8, 24, 30, 10, 10)


def notice_xlsx(notice: Notice) -> bytes:
    """Render the notice as xlsx bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    titles = sheet_titles((s.title, s.award) for s in notice.sections)
    for section, title in zip(notice.sections, titles, strict=True):
        _fill(workbook.create_sheet(title), section)
    if not notice.sections:
        workbook.create_sheet("公示名单")
    props = workbook.properties
    props.creator = "pioneer"
    props.lastModifiedBy = "pioneer"
    props.title = f"公示名单 {notice.campaign}"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    buffer = io.BytesIO()
    # ExcelWriter, not Workbook.save: save() stamps `modified` with the clock.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return _restamp(buffer.getvalue())


def _restamp(data: bytes) -> bytes:
    """Rewrite a zip with the same entries, in order, all at one fixed time."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(entry))
    return out.getvalue()


def sheet_titles(candidates: Iterable[tuple[str, str]]) -> list[str]:
    """Legal, unique sheet titles from (title, fallback) pairs, in order."""
    taken: set[str] = set()
    out: list[str] = []
    for title, fallback in candidates:
        base = _clean(title) or _clean(fallback) or "Sheet"
        if base.casefold() == "history":  # reserved by Excel
            base = base + "_"
        name, n = base[:_SHEET_MAX], 1
        while name.casefold() in taken:
            n += 1
            suffix = f"~{n}"
            name = base[: _SHEET_MAX - len(suffix)] + suffix
        taken.add(name.casefold())
        out.append(name)
    return out


def _clean(title: str) -> str:
    return _SHEET_BAD.sub("_", title).strip().strip("'")[:_SHEET_MAX].strip()


def _fill(sheet: Any, section: NoticeSection) -> None:
    _text(sheet.cell(row=1, column=1), section.title).font = Font(bold=True, size=14)
    for col, header in enumerate(NOTICE_HEADERS, start=1):
        cell = _text(sheet.cell(row=2, column=col), header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for offset, row in enumerate(section.rows):
        r = 3 + offset
        sheet.cell(row=r, column=1, value=row.rank)
        _text(sheet.cell(row=r, column=2), row.name)
        _text(sheet.cell(row=r, column=3), row.unit)
        total = sheet.cell(row=r, column=4, value=row.total)
        total.number_format = _number_format(row.total)
        _text(sheet.cell(row=r, column=5), row.grade)
    for letter, width in zip("ABCDE", _COLUMN_WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "2:2"  # the headers repeat on every printed page


def _text(cell: Any, value: str) -> Any:
    cell.value = value
    cell.data_type = "s"  # openpyxl would make a formula of a leading "="
    return cell


def _number_format(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "0." + "0" * places if places else "0"
