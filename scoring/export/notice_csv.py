"""The 公示 list as csv: one table with a leading 奖项 (award) column, then
the head of the list.

One table (not one block per award) so that Excel can sort and filter it as
is: the header is line 1 and every award's rows follow, with a 备注 column
when a boundary tie is open (并列待定). After one empty line come the facts
of the list (评选活动, 评选期间, 状态, 公示期, 发布单位, 异议受理, 发布日期) and
each award's quota rule (名额规则), as two-cell rows. UTF-8 with a
byte-order mark, which Chinese Excel needs to detect UTF-8, and CRLF line
ends, as Excel writes them.
"""

from __future__ import annotations

import csv
import io

from scoring.export.notice import NOTICE_HEADERS, REMARK_HEADER, Notice, neutralise, notice_facts

AWARD_HEADER = "奖项"
QUOTA_LABEL = "名额规则"


def notice_csv(notice: Notice) -> bytes:
    """Render the notice as UTF-8-with-BOM csv bytes."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    remarks = notice.has_remarks
    writer.writerow((AWARD_HEADER, *NOTICE_HEADERS, *((REMARK_HEADER,) if remarks else ())))
    for section in notice.sections:
        for row in section.rows:
            writer.writerow((section.title, *row.cells(), *((row.remark,) if remarks else ())))
    writer.writerow(("",))  # an empty line between the table and the facts
    for label, text in notice_facts(notice):
        writer.writerow((label, neutralise(text)))
    for section in notice.sections:
        if section.quota_rule is not None:
            writer.writerow((f"{QUOTA_LABEL}（{section.title}）", section.quota_rule))
    return buffer.getvalue().encode("utf-8-sig")
