"""The 公示 list as an xlsx workbook: one sheet per award, ready to print.

Each sheet: the award title in A1, the headers in row 2 (with a 备注 column
while a boundary tie of the award is open), one row per subject from row 3 (panes frozen
below the headers); under the table, the award's quota rule in words and the
head of the list (评选活动, 评选期间, 状态, 公示期, 发布单位, 异议受理, 发布日期).
Rank is an integer cell and the total a number cell formatted with the
figure's own decimals, so the list can be sorted; text cells are forced to
text (never formulas), and one that starts like a formula (`=`, `+`, `-`,
`@`) carries Excel's quotePrefix style, which marks it as text without a
visible apostrophe.

Printing (SPEC §4.1): A4 landscape, scaled to one page wide (as many pages
tall as needed), rows 1–2 repeated on every page (print titles), the
campaign, award, state and 公示期 in the page header and "第 N 页，共 M 页" in
the footer. Column widths follow the widest cell by display width (a CJK
character counts two), so Chinese names are not cut off; very long text wraps.

Sheet titles are the award titles made legal for Excel (no `[]:*?/\\`, at most
31 characters, unique ignoring case). Output is deterministic: fixed document
properties and fixed timestamps on every zip entry, so equal notices give
byte-identical files.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.writer.excel import ExcelWriter

from scoring.export.notice import (
    NOTICE_HEADERS,
    REMARK_HEADER,
    Notice,
    NoticeSection,
    notice_facts,
)
from scoring.width import display_width  # one measure of Chinese text everywhere

FIXED_TIME = datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_SHEET_MAX = 31
_MIN_WIDTHS = (6, 10, 10, 8, 6, 10)
_MAX_WIDTH = 60
_FORMULA_STARTS = ("=", "+", "-", "@")
_HEADER_MAX = 240  # Excel refuses a header or footer longer than 255 characters
_LINE_HEIGHT = 15  # points per line of 11-point text
_THIN = Side(style="thin", color="555555")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def notice_xlsx(notice: Notice) -> bytes:
    """Render the notice as xlsx bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    titles = sheet_titles((s.title, s.award) for s in notice.sections)
    for section, title in zip(notice.sections, titles, strict=True):
        _fill(workbook.create_sheet(title), section, notice)
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


def _fill(sheet: Any, section: NoticeSection, notice: Notice) -> None:
    remarks = section.undecided > 0
    headers = (*NOTICE_HEADERS, *((REMARK_HEADER,) if remarks else ()))
    last = len(headers)
    title = _text(sheet.cell(row=1, column=1), section.plain_title or section.title)
    title.font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    widths = [0] * last
    for col, header in enumerate(headers, start=1):
        cell = _text(sheet.cell(row=2, column=col), header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        cell.border = _BOX
        widths[col - 1] = display_width(header)
    for offset, row in enumerate(section.rows):
        r = 3 + offset
        sheet.cell(row=r, column=1, value=row.rank)
        name, unit, grade = row.texts
        texts = {2: name, 3: unit, 5: grade, **({6: row.remark} if remarks else {})}
        for col, value in texts.items():
            _text(sheet.cell(row=r, column=col), value)
            widths[col - 1] = max(widths[col - 1], display_width(value))
        total = sheet.cell(row=r, column=4, value=row.total)
        total.number_format = _number_format(row.total)
        widths[0] = max(widths[0], len(str(row.rank)))
        widths[3] = max(widths[3], len(str(row.total)))
    for col, width in enumerate(widths, start=1):
        letter = sheet.cell(row=2, column=col).column_letter
        sheet.column_dimensions[letter].width = min(
            _MAX_WIDTH, max(_MIN_WIDTHS[col - 1], width + 2)
        )
    for r in range(3, 3 + len(section.rows)):
        for col in range(1, last + 1):
            sheet.cell(row=r, column=col).border = _BOX
        for col in (2, 3):
            sheet.cell(row=r, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    span = sum(
        sheet.column_dimensions[sheet.cell(row=2, column=c).column_letter].width
        for c in range(1, last + 1)
    )
    _notes(sheet, section, notice, 3 + len(section.rows) + 1, last, span)
    sheet.freeze_panes = "A3"
    _print_setup(sheet, section, notice)


def _notes(
    sheet: Any, section: NoticeSection, notice: Notice, row: int, last: int, span: float
) -> None:
    """The quota rule and the head of the list under the table, one per row,
    each row as tall as its wrapped text (a merged cell does not grow by itself)."""
    lines = []
    if section.quota_rule is not None:
        lines.append(("名额规则", section.quota_rule))
    lines.extend(notice_facts(notice))
    for offset, (label, text) in enumerate(lines):
        line = f"{label}：{text}"
        cell = _text(sheet.cell(row=row + offset, column=1), line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        wrapped = max(1, math.ceil(display_width(line) / max(span - 2, 1)))
        sheet.row_dimensions[row + offset].height = _LINE_HEIGHT * wrapped
        sheet.merge_cells(
            start_row=row + offset, start_column=1, end_row=row + offset, end_column=last
        )


def _print_setup(sheet: Any, section: NoticeSection, notice: Notice) -> None:
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape"
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages tall as the list needs
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = "1:2"  # the title and the headers repeat on every printed page
    sheet.oddHeader.center.text = _header_text(
        f"{notice.campaign} · {section.plain_title or section.title} 公示名单"
    )
    window = (
        f" 公示期 {notice.notice_first} 至 {notice.notice_last}"
        if notice.notice_first and notice.notice_last
        else ""
    )
    sheet.oddHeader.right.text = _header_text(notice.status_label + window)
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    if notice.issuer or notice.issued:
        sheet.oddFooter.right.text = _header_text(
            " ".join(t for t in (notice.issuer, notice.issued) if t)
        )


def _header_text(text: str) -> str:
    """Text for a page header or footer: `&` doubled (it starts a code there), cut short."""
    return text.replace("&", "&&")[:_HEADER_MAX]


def _text(cell: Any, value: str) -> Any:
    cell.value = value
    cell.data_type = "s"  # openpyxl would make a formula of a leading "="
    if value.startswith(_FORMULA_STARTS):
        cell.quotePrefix = True  # Excel's own "this is text" mark, no visible apostrophe
    return cell


def _number_format(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "0." + "0" * places if places else "0"
