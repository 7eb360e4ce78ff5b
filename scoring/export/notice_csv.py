"""The 公示 list as csv: one table with a leading 奖项 (award) column.

One table (not one block per award) so that Excel can sort and filter it as
is. UTF-8 with a byte-order mark, which Chinese Excel needs to detect UTF-8,
and CRLF line ends, as Excel writes them.
"""

from __future__ import annotations

import csv
import io

from scoring.export.notice import NOTICE_HEADERS, Notice

AWARD_HEADER = "奖项"


def notice_csv(notice: Notice) -> bytes:
    """Render the notice as UTF-8-with-BOM csv bytes."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow((AWARD_HEADER, *NOTICE_HEADERS))
    for section in notice.sections:
        for row in section.rows:
            writer.writerow((section.title, *row.cells()))
    return buffer.getvalue().encode("utf-8-sig")
