"""The 公示 (public notice) list: which subjects, which columns, what is hidden.

Every notice format (csv, xlsx, md, html) renders the same `Notice`, built here
from an export document (SPEC §4.1), so the formats cannot disagree.

Which subjects are listed, per award (SPEC §4.1, fourth revision):

* an award with a quota (`quota_rule` not null): the selected subjects, in
  rank order, and while a boundary tie is still open (`undecided`) the tied
  candidates too, marked 并列待定 in a 备注 (remark) column; the quota rule
  in words is printed under the award's heading, so gaps in the ranks explain
  themselves;
* an award without a quota (`quota_rule: null`): every ranked subject;
* a document without `quota_rule` (made before the fourth revision): the
  selected subjects when any is selected, else every ranked subject.

Ineligible and vetoed subjects never appear. The 备注 column is there only
where a row needs it: in an award's table (md, html, xlsx) when that award
has an open tie, in the csv's one table when any award has.

The head of the list: campaign title, period, the run's state (草稿, 审核中,
公示中, 已发布), the notice window once a notice is open, `issuer`, `contact`
and the date of issue (`notice_facts`, in the order every format prints them).
When a result carries `unit_name` (its unit links to a table of units), the
list shows that name instead of the unit's code.

Columns: 排名 (rank), 姓名/名称 (name), 单位 (unit), 总分 (total), 等次 (grade).
Never the subject key, phone or ID numbers: a notice shows only these.

Masking: `masked[award]` names the fields among {"name", "unit"} that come
from `private` columns. A masked name keeps its first character and turns the
rest into `*` (张三丰 → 张**; a one-character name becomes `*`); any other
masked field becomes `***`. A missing value stays empty. Every award of the
document must have an entry in `masked` (an empty set when nothing is
private): a forgotten award fails loudly instead of leaking names.

Formula injection: a text cell (name, unit, grade, award title) that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` in csv,
md and html (html too: a table copied from a browser into Excel is parsed like
a csv). Masking happens first, so a masked `=1+1` is `'=**`. The xlsx marks
such a cell as text with Excel's quotePrefix style instead, so it keeps the
plain text (`NoticeRow.texts`). Control characters inside a cell (line
breaks, tabs) become spaces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scoring.export.json_text import decimal_text

NOTICE_HEADERS: tuple[str, str, str, str, str] = ("排名", "姓名/名称", "单位", "总分", "等次")
REMARK_HEADER = "备注"
UNDECIDED = "并列待定"
MASKABLE_FIELDS = frozenset({"name", "unit"})
STATUS_LABELS: Mapping[str, str] = {
    "draft": "草稿",
    "in_review": "审核中",
    "notice": "公示中",
    "published": "已发布",
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class NoticeRow:
    """One listed subject, its text already masked and neutralised."""

    rank: int
    name: str
    unit: str
    total: Decimal
    grade: str
    undecided: bool = False
    texts: tuple[str, str, str] = ("", "", "")
    """name, unit and grade masked and flattened but not neutralised (xlsx)."""

    def cells(self) -> tuple[str, str, str, str, str]:
        """The row as text, in `NOTICE_HEADERS` order."""
        return (str(self.rank), self.name, self.unit, decimal_text(self.total), self.grade)

    @property
    def remark(self) -> str:
        """The 备注 cell: 并列待定 for a candidate of an open boundary tie."""
        return UNDECIDED if self.undecided else ""


@dataclass(frozen=True)
class NoticeSection:
    """One award's list. `selected_only` is true when it lists the selection
    (with the candidates of an open tie); `quota_rule` is the quota in words."""

    award: str
    title: str
    selected_only: bool
    rows: tuple[NoticeRow, ...]
    quota_rule: str | None = None
    plain_title: str | None = None
    """The title flattened but not neutralised (xlsx); None: same as `title`."""

    @property
    def undecided(self) -> int:
        """How many rows are candidates of an open boundary tie."""
        return sum(1 for r in self.rows if r.undecided)


@dataclass(frozen=True)
class Notice:
    """The whole notice: the run it comes from and one section per award."""

    campaign: str
    period_start: str
    period_end: str
    status: str
    results_sha256: str
    sections: tuple[NoticeSection, ...]
    issuer: str | None = None
    contact: str | None = None
    notice_first: str | None = None
    notice_last: str | None = None
    notice_days: int | None = None
    issued: str | None = None

    @property
    def status_label(self) -> str:
        """The run's state in Chinese: 草稿, 审核中, 公示中, 已发布."""
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def has_remarks(self) -> bool:
        """True when some row has a remark, so the tables need a 备注 column."""
        return any(s.undecided for s in self.sections)


def notice_facts(notice: Notice) -> list[tuple[str, str]]:
    """The head of the list as (label, text) pairs, in print order; a fact the
    document does not carry is left out."""
    facts = [
        ("评选活动", notice.campaign),
        ("评选期间", f"{notice.period_start} 至 {notice.period_end}"),
        ("状态", notice.status_label),
    ]
    if notice.notice_first and notice.notice_last:
        days = f"（{notice.notice_days}个工作日）" if notice.notice_days else ""
        facts.append(("公示期", f"{notice.notice_first} 至 {notice.notice_last}{days}"))
    if notice.issuer:
        facts.append(("发布单位", notice.issuer))
    if notice.contact:
        facts.append(("异议受理", notice.contact))
    if notice.issued:
        formal = notice.status in ("notice", "published")
        facts.append(("发布日期" if formal else "生成日期", notice.issued))
    return facts


def neutralise(text: str) -> str:
    """Guard a cell against formula injection, and flatten control characters."""
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return _flat(text)


def mask_value(field: str, value: str) -> str:
    """Mask one private field: a name keeps its first character, others are `***`."""
    if not value:
        return value
    if field == "name":
        return "*" if len(value) == 1 else value[0] + "*" * (len(value) - 1)
    return "***"


def section_caption(section: NoticeSection) -> str:
    """A one-line description of what a section lists: 入选名单（3）, with
    ；并列待定（2） while a tie is open, or 参评排名（12）."""
    if not section.rows:
        return "（无）"
    kind = "入选名单" if section.selected_only else "参评排名"
    caption = f"{kind}（{len(section.rows) - section.undecided}）"
    if section.undecided:
        caption += f"；{UNDECIDED}（{section.undecided}）"
    return caption


def build_notice(doc: Mapping[str, Any], masked: Mapping[str, frozenset[str]]) -> Notice:
    """Build the notice of an export document (see the module docstring)."""
    run = doc["run"]
    awards: Mapping[str, Any] = doc["awards"]
    unknown = sorted(set(masked) - set(awards))
    if unknown:
        raise ValueError(f"masking given for unknown awards: {', '.join(unknown)}")
    sections = []
    for award, body in awards.items():
        if award not in masked:
            raise ValueError(f"no masking given for award {award!r} (use an empty set)")
        fields = masked[award]
        if not fields <= MASKABLE_FIELDS:
            bad = ", ".join(sorted(fields - MASKABLE_FIELDS))
            raise ValueError(f"award {award!r}: cannot mask {bad} (only name, unit)")
        sections.append(_section(award, body, fields))
    window: Mapping[str, Any] = run.get("notice") or {}
    return Notice(
        campaign=_flat(str(run.get("campaign_title") or run["campaign"])),
        period_start=str(run["period"]["start"]),
        period_end=str(run["period"]["end"]),
        status=str(run["status"]),
        results_sha256=str(run["results_sha256"]),
        sections=tuple(sections),
        issuer=_optional(run.get("issuer")),
        contact=_optional(run.get("contact")),
        notice_first=_optional(window.get("first_day")),
        notice_last=_optional(window.get("last_day")),
        notice_days=window.get("days"),
        issued=_optional(run.get("issued")),
    )


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
"""Unicode's control characters (category Cc): exactly C0, DEL and C1."""


def _flat(text: str) -> str:
    """`text` with each control character (a line break, a tab) as a space."""
    return _CONTROL.sub(" ", text)


def _optional(value: object) -> str | None:
    return None if value is None else _flat(str(value))


def _section(award: str, body: Mapping[str, Any], fields: frozenset[str]) -> NoticeSection:
    results: list[Mapping[str, Any]] = list(body["results"])
    undecided = frozenset(str(k) for k in body.get("undecided") or ())
    if "quota_rule" in body:
        selected_only = body["quota_rule"] is not None
    else:  # a document from before the fourth revision
        selected_only = any(r["selected"] is True for r in results)
    if selected_only:
        chosen = [
            r
            for r in results
            if r["selected"] is True or (r["rank"] is not None and str(r["subject"]) in undecided)
        ]
    else:
        chosen = [r for r in results if r["rank"] is not None]
    chosen.sort(key=lambda r: _rank(award, r))  # stable: keeps the document's key order
    rows = tuple(
        _row(award, r, fields, r["selected"] is not True and str(r["subject"]) in undecided)
        for r in chosen
    )
    rule = body.get("quota_rule")
    return NoticeSection(
        award,
        neutralise(str(body["title"])),
        selected_only,
        rows,
        None if rule is None else neutralise(str(rule)),
        _flat(str(body["title"])),
    )


def _rank(award: str, result: Mapping[str, Any]) -> int:
    rank = result["rank"]
    if isinstance(rank, bool) or not isinstance(rank, int):
        raise ValueError(f"award {award!r}, subject {result['subject']!r}: rank {rank!r}")
    return rank


def _row(
    award: str, result: Mapping[str, Any], fields: frozenset[str], undecided: bool = False
) -> NoticeRow:
    total = result["total"]
    if isinstance(total, bool) or not isinstance(total, int | Decimal):
        raise TypeError(
            f"award {award!r}, subject {result['subject']!r}: total {total!r} is not a Decimal"
        )

    def text(field: str) -> str:
        value = result.get(field)
        if field == "unit" and result.get("unit_name") is not None:
            value = result["unit_name"]
        shown = "" if value is None else str(value)
        if field in fields:
            shown = mask_value(field, shown)
        return shown

    name, unit, grade = text("name"), text("unit"), text("grade")
    return NoticeRow(
        rank=_rank(award, result),
        name=neutralise(name),
        unit=neutralise(unit),
        total=Decimal(total),
        grade=neutralise(grade),
        undecided=undecided,
        texts=(_flat(name), _flat(unit), _flat(grade)),
    )
