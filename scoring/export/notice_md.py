"""The 公示 list as Markdown: the head of the list, then a heading per award
with its quota rule in words and a pipe table.

Cell text is backslash-escaped for the characters that would end a cell or
start inline markup (`|`, `*`, `_`, `` ` ``, `[`, `]`, `<`, `>`, `&`, `~`,
`\\`), so a masked name `张**` or a `<script>` stays literal text when the
file is rendered.
"""

from __future__ import annotations

from scoring.export.notice import (
    NOTICE_HEADERS,
    REMARK_HEADER,
    Notice,
    NoticeSection,
    neutralise,
    notice_facts,
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
        "",
    ]
    lines.extend(
        f"- {label}：{md_escape(neutralise(text))}"
        for label, text in notice_facts(notice)
        if label not in ("评选活动", "评选期间")
    )
    for section in notice.sections:
        lines.extend(_section(section, section.undecided > 0))
    footer = f"状态：{notice.status_label}；results_sha256：{notice.results_sha256}"
    lines.extend(["", md_escape(footer), ""])
    return "\n".join(lines).encode("utf-8")


def _section(section: NoticeSection, remarks: bool) -> list[str]:
    lines = ["", f"## {md_escape(section.title)}", "", section_caption(section), ""]
    if section.quota_rule is not None:
        lines.extend([f"名额规则：{md_escape(section.quota_rule)}", ""])
    if not section.rows:
        return lines[:-1]
    headers = (*NOTICE_HEADERS, *((REMARK_HEADER,) if remarks else ()))
    lines.append("| " + " | ".join(headers) + " |")
    lines.append("| ---: | --- | --- | ---: | --- |" + (" --- |" if remarks else ""))
    for row in section.rows:
        cells = (*row.cells(), *((row.remark,) if remarks else ()))
        lines.append("| " + " | ".join(md_escape(cell) for cell in cells) + " |")
    return lines
