"""The 公示 list as one standalone HTML page, ready to print on A4.

No external resources: the stylesheet is inline, the fonts are the reader's
own (a CJK-capable system font list). Every piece of text from the document
is escaped with `html.escape`. `@page { size: A4 }` and a print stylesheet
(table headers repeated on every page, rows never split, the page number and
page count in the bottom margin through `@page` counters) make the page print
as it is, as a notice board wants it: the head (评选期间, 状态, 公示期), per
award the quota rule in words above its table (candidates of an open tie
marked 并列待定 in a 备注 column), then where objections go (异议受理) and
the issuing body and date of issue, right-aligned. The footer shows the run's
status and `results_sha256`, small, so a printed notice can be matched to its
run; a draft or in-review run also says so in the heading.
"""

from __future__ import annotations

from html import escape

from scoring.export.notice import (
    NOTICE_HEADERS,
    REMARK_HEADER,
    Notice,
    NoticeSection,
    neutralise,
    notice_facts,
    section_caption,
)

_STYLE = """
@page { size: A4; margin: 18mm 15mm 20mm 15mm;
  @bottom-center {
    content: "第 " counter(page) " 页，共 " counter(pages) " 页";
    font-size: 9pt; color: #444;
  }
}
* { box-sizing: border-box; }
body {
  margin: 2em auto; max-width: 180mm; color: #111; background: #fff;
  font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
    "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif;
  font-size: 11pt; line-height: 1.5;
}
h1 { font-size: 20pt; text-align: center; margin: 0 0 .2em; letter-spacing: .2em; }
p.meta { text-align: center; margin: 0 0 .8em; }
dl.facts { margin: 0 0 1.5em; display: grid; grid-template-columns: max-content 1fr; gap: .1em 1em; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
p.quota { margin: 0 0 .4em; font-size: 10pt; }
tr.undecided td { font-style: italic; }
p.contact { margin: 2em 0 1em; }
p.sign { text-align: right; margin: 1em 0 0; line-height: 1.8; }
p.draft { text-align: center; color: #a00; font-weight: bold; margin: 0 0 1em; }
section { margin: 0 0 1.5em; }
h2 { font-size: 14pt; margin: 1em 0 .2em; }
p.caption { margin: 0 0 .4em; color: #444; font-size: 10pt; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 1px solid #555; padding: .25em .5em; text-align: left; }
th { background: #eee; text-align: center; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th:nth-child(1) { width: 4em; }
th:nth-child(3) { width: 7em; }
th:nth-child(4) { width: 6em; }
th:nth-child(5), th:nth-child(6) { width: 5.5em; }
div.closing { break-inside: avoid; page-break-inside: avoid; }
footer { margin-top: 2em; font-size: 8pt; color: #666; word-break: break-all; }
@media print {
  body { margin: 0; max-width: none; }
  thead { display: table-header-group; }
  tr, td, th { page-break-inside: avoid; break-inside: avoid; }
  h2, p.caption, p.quota { page-break-after: avoid; break-after: avoid; }
  th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()

_NUMERIC = (True, False, False, True, False)


def notice_html(notice: Notice) -> bytes:
    """Render the notice as a standalone UTF-8 HTML page."""
    campaign = escape(notice.campaign)
    period = f"{escape(notice.period_start)} 至 {escape(notice.period_end)}"
    status = escape(notice.status_label)
    facts = dict(notice_facts(notice))
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
    parts.append('<dl class="facts">')
    for label in ("状态", "公示期"):
        if label in facts:
            parts.append(f"<dt>{label}</dt><dd>{escape(facts[label])}</dd>")
    parts.append("</dl>")
    parts.append("</header>")
    parts.append("<main>")
    for section in notice.sections:
        parts.extend(_section(section, section.undecided > 0))
    parts.append('<div class="closing">')
    if "异议受理" in facts:
        parts.append(f'<p class="contact">异议受理：{escape(facts["异议受理"])}</p>')
    sign = [facts[label] for label in ("发布单位",) if label in facts]
    sign.extend(f"{label}：{facts[label]}" for label in ("发布日期", "生成日期") if label in facts)
    if sign:
        parts.append(f'<p class="sign">{"<br>".join(escape(s) for s in sign)}</p>')
    parts.append("</div>")
    parts.append("</main>")
    parts.append(
        f"<footer>状态：{status}（{escape(notice.status)}）　"
        f"results_sha256：{escape(notice.results_sha256)}</footer>"
    )
    parts.extend(["</body>", "</html>", ""])
    return "\n".join(parts).encode("utf-8")


def _section(section: NoticeSection, remarks: bool) -> list[str]:
    parts = [
        f'<section id="award-{escape(section.award)}">',
        f"<h2>{escape(section.title)}</h2>",
        f'<p class="caption">{escape(section_caption(section))}</p>',
    ]
    if section.quota_rule is not None:
        parts.append(f'<p class="quota">名额规则：{escape(section.quota_rule)}</p>')
    if section.rows:
        parts.append("<table>")
        headers = (*NOTICE_HEADERS, *((REMARK_HEADER,) if remarks else ()))
        header = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
        parts.append(f"<thead><tr>{header}</tr></thead>")
        parts.append("<tbody>")
        for row in section.rows:
            cells = "".join(
                f'<td class="num">{escape(c)}</td>' if numeric else f"<td>{escape(c)}</td>"
                for c, numeric in zip(row.cells(), _NUMERIC, strict=True)
            )
            if remarks:
                cells += f"<td>{escape(neutralise(row.remark))}</td>"
            attrs = ' class="undecided"' if row.undecided else ""
            parts.append(f"<tr{attrs}>{cells}</tr>")
        parts.append("</tbody>")
        parts.append("</table>")
    parts.append("</section>")
    return parts
