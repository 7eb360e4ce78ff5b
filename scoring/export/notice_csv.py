"""The 公示 list as csv: one table with a leading 奖项 (award) column, then
the head of the list.

One table (not one block per award) so that Excel can sort and filter it as
is: the header is line 1 and every award's rows follow, with a 备注 column
when a boundary tie is open (并列待定). After one empty line come the facts
of the list (评选活动, 评选期间, 状态, 公示期, 发布单位, 异议受理, 发布日期) and
each award's quota rule (名额规则), as two-cell rows. UTF-8 with a
byte-order mark, which Chinese Excel needs to detect UTF-8, and CRLF line
ends, as Excel writes them.

`stream_notice_csv` writes the same bytes from an export document whose
results are read from the store as they are written (`service.export_to`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any, BinaryIO

from scoring.export.notice import (
    NOTICE_HEADERS,
    REMARK_HEADER,
    Notice,
    NoticeRow,
    build_notice,
    neutralise,
    notice_facts,
)

AWARD_HEADER = "奖项"
QUOTA_LABEL = "名额规则"
_CHUNK = 1000
"""Results turned into rows and written at a time by `stream_notice_csv`."""


def notice_csv(notice: Notice) -> bytes:
    """Render the notice as UTF-8-with-BOM csv bytes."""
    out = io.BytesIO()
    rows = ((s.title, r) for s in notice.sections for r in s.rows)
    _write(notice, rows, notice.has_remarks, out)
    return out.getvalue()


def stream_notice_csv(
    doc: Mapping[str, Any], masked: Mapping[str, frozenset[str]], out: BinaryIO
) -> None:
    """Write the csv of `render_notice(doc, "csv", masked=masked)` to `out`,
    taking each award's `results` (an iterator is fine: results in export
    order, as the store gives them) a thousand at a time, so a list of every
    ranked subject is never whole in memory.

    The 备注 column is there when an award with a quota has an open tie
    (`undecided`): its candidates are ranked, unselected and listed.
    """
    awards: Mapping[str, Any] = doc["awards"]
    head = build_notice(
        {"run": doc["run"], "awards": {a: {**b, "results": []} for a, b in awards.items()}},
        masked,
    )
    remarks = any(b.get("undecided") and b.get("quota_rule") is not None for b in awards.values())
    _write(head, _streamed_rows(doc, masked), remarks, out)


def _streamed_rows(
    doc: Mapping[str, Any], masked: Mapping[str, frozenset[str]]
) -> Iterator[tuple[str, NoticeRow]]:
    for award, body in doc["awards"].items():
        results = iter(body["results"])
        while chunk := list(islice(results, _CHUNK)):
            part = {"run": doc["run"], "awards": {award: {**body, "results": chunk}}}
            section = build_notice(part, {award: masked[award]}).sections[0]
            yield from ((section.title, row) for row in section.rows)


def _write(
    notice: Notice, rows: Iterable[tuple[str, NoticeRow]], remarks: bool, out: BinaryIO
) -> None:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")

    def flush() -> None:
        out.write(text.getvalue().encode("utf-8"))
        text.seek(0)
        text.truncate()

    out.write("\ufeff".encode())  # the byte-order mark Chinese Excel needs
    writer.writerow((AWARD_HEADER, *NOTICE_HEADERS, *((REMARK_HEADER,) if remarks else ())))
    for n, (title, row) in enumerate(rows, 1):
        writer.writerow((title, *row.cells(), *((row.remark,) if remarks else ())))
        if n % _CHUNK == 0:
            flush()
    writer.writerow(("",))  # an empty line between the table and the facts
    for label, value in notice_facts(notice):
        writer.writerow((label, neutralise(value)))
    for section in notice.sections:
        if section.quota_rule is not None:
            writer.writerow((f"{QUOTA_LABEL}（{section.title}）", section.quota_rule))
    flush()
