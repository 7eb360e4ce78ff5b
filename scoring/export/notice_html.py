"""The 公示 list as one standalone HTML page, ready to print on A4.

No external resources: the stylesheet is inline, the fonts are the reader's
own (a CJK-capable system font list). Every piece of text from the document
is escaped with `html.escape`. `@page { size: A4 }` and a print stylesheet
(table headers repeated on every page, rows never split) make the page print
as it is. The footer shows the run's status and `results_sha256`, small, so a
printed notice can be matched to its run; a draft or in-review run also says
so in the heading.
"""

from __future__ import annotations

from html import escape

from scoring.export.notice import (
    NOTICE_HEADERS,
    STATUS_LABELS,
    Notice,
    NoticeSection,
    section_caption,
)

_STYLE = """
@page { size: A4; margin: 18mm 15mm 18mm 15mm; }
* { box-sizing: border-box; }
body {
  margin: 2em auto; max-width: 180mm; color: #111; background: #fff;
  font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
    "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif;
  font-size: 11pt; line-height: 1.5;
}
h1 { font-size: 20pt; text-align: center; margin: 0 0 .2em; letter-spacing: .2em; }
p.meta { text-align: center; margin: 0 0 1.5em; }
p.draft { text-align: center; color: #a00; font-weight: bold; margin: 0 0 1em; }
section { margin: 0 0 1.5em; }
h2 { font-size: 14pt; margin: 1em 0 .2em; }
p.caption { margin: 0 0 .4em; color: #444; font-size: 10pt; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 1px solid #555; padding: .25em .5em; text-align: left; }
th { background: #eee; text-align: center; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
footer { margin-top: 2em; font-size: 8pt; color: #666; word-break: break-all; }
@media print {
  body { margin: 0; max-width: none; }
  thead { display: table-header-group; }
  tr, td, th { page-break-inside: avoid; break-inside: avoid; }
  h2, p.caption { page-break-after: avoid; break-after: avoid; }
  th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()

_NUMERIC = (True, False, False, True, False)


def notice_html(notice: Notice) -> bytes:
    """Render the notice as a standalone UTF-8 HTML page."""
    campaign = escape(notice.campaign)
    period = f"{escape(notice.period_start)} 至 {escape(notice.period_end)}"
    status = escape(STATUS_LABELS.get(notice.status, notice.status))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>公示名单 · {campaign} · {period}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>公示名单</h1>",
        f'<p class="meta">{campaign}　评选期间：{period}</p>',
    ]
    if notice.status in ("draft", "in_review"):
        parts.append(f'<p class="draft">（{status}，非正式公示）</p>')
    parts.append("</header>")
    parts.append("<main>")
    for section in notice.sections:
        parts.extend(_section(section))
    parts.append("</main>")
    parts.append(
        f"<footer>状态：{status}（{escape(notice.status)}）　"
        f"results_sha256：{escape(notice.results_sha256)}</footer>"
    )
    parts.extend(["</body>", "</html>", ""])
    return "\n".join(parts).encode("utf-8")


def _section(section: NoticeSection) -> list[str]:
    parts = [
        f'<section id="award-{escape(section.award)}">',
        f"<h2>{escape(section.title)}</h2>",
        f'<p class="caption">{escape(section_caption(section))}</p>',
    ]
    if section.rows:
        parts.append("<table>")
        header = "".join(f'<th scope="col">{escape(h)}</th>' for h in NOTICE_HEADERS)
        parts.append(f"<thead><tr>{header}</tr></thead>")
        parts.append("<tbody>")
        for row in section.rows:
            cells = "".join(
                f'<td class="num">{escape(c)}</td>' if numeric else f"<td>{escape(c)}</td>"
                for c, numeric in zip(row.cells(), _NUMERIC, strict=True)
            )
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</tbody>")
        parts.append("</table>")
    parts.append("</section>")
    return parts
