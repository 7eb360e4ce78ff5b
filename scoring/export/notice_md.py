"""The 公示 list as Markdown: a heading per award and a pipe table.

Cell text is backslash-escaped for the characters that would end a cell or
start inline markup (`|`, `*`, `_`, `` ` ``, `[`, `]`, `<`, `>`, `&`, `~`,
`\\`), so a masked name `张**` or a `<script>` stays literal text when the
file is rendered.
"""

from __future__ import annotations

from scoring.export.notice import (
    NOTICE_HEADERS,
    STATUS_LABELS,
    Notice,
    NoticeSection,
    section_caption,
)

_ESCAPED = frozenset("\\|*_`[]<>&~")


def md_escape(text: str) -> str:
    """Escape text for a Markdown table cell or heading."""
    return "".join("\\" + c if c in _ESCAPED else c for c in text)


def notice_md(notice: Notice) -> bytes:
    """Render the notice as UTF-8 Markdown bytes."""
    lines = [
        "# 公示名单",
        "",
        md_escape(f"{notice.campaign}，评选期间 {notice.period_start} 至 {notice.period_end}"),
    ]
    for section in notice.sections:
        lines.extend(_section(section))
    status = STATUS_LABELS.get(notice.status, notice.status)
    footer = f"状态：{status}；results_sha256：{notice.results_sha256}"
    lines.extend(["", md_escape(footer), ""])
    return "\n".join(lines).encode("utf-8")


def _section(section: NoticeSection) -> list[str]:
    lines = ["", f"## {md_escape(section.title)}", "", section_caption(section), ""]
    if not section.rows:
        return lines[:-1]
    lines.append("| " + " | ".join(NOTICE_HEADERS) + " |")
    lines.append("| ---: | --- | --- | ---: | --- |")
    for row in section.rows:
        lines.append("| " + " | ".join(md_escape(cell) for cell in row.cells()) + " |")
    return lines
