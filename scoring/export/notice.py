"""The 公示 (public notice) list: which subjects, which columns, what is hidden.

Every notice format (csv, xlsx, md, html) renders the same `Notice`, built here
from an export document (SPEC §4.1), so the formats cannot disagree.

Which subjects are listed, per award:

* when any result of the award has `selected: true`, the selected subjects,
  in rank order (the candidates for the title: what a 公示 is for);
* otherwise (no quota, or nobody selected yet), every ranked subject (`rank`
  not null), in rank order. Ineligible and vetoed subjects never appear.

Columns: 排名 (rank), 姓名/名称 (name), 单位 (unit), 总分 (total), 等次 (grade).
Never the subject key, phone or ID numbers: a notice shows only these.

Masking: `masked[award]` names the fields among {"name", "unit"} that come
from `private` columns. A masked name keeps its first character and turns the
rest into `*` (张三丰 → 张**; a one-character name becomes `*`); any other
masked field becomes `***`. A missing value stays empty. Every award of the
document must have an entry in `masked` (an empty set when nothing is
private): a forgotten award fails loudly instead of leaking names.

Formula injection: a text cell (name, unit, grade, award title) that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, in
every format alike (html too: a table copied from a browser into Excel is
parsed like a csv). Masking happens first, so a masked `=1+1` is `'=**`.
Control characters inside a cell (line breaks, tabs) become spaces.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scoring.export.json_text import decimal_text

NOTICE_HEADERS: tuple[str, str, str, str, str] = ("排名", "姓名/名称", "单位", "总分", "等次")
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

    def cells(self) -> tuple[str, str, str, str, str]:
        """The row as text, in `NOTICE_HEADERS` order."""
        return (str(self.rank), self.name, self.unit, decimal_text(self.total), self.grade)


@dataclass(frozen=True)
class NoticeSection:
    """One award's list. `selected_only` is true when it lists the selection."""

    award: str
    title: str
    selected_only: bool
    rows: tuple[NoticeRow, ...]


@dataclass(frozen=True)
class Notice:
    """The whole notice: the run it comes from and one section per award."""

    campaign: str
    period_start: str
    period_end: str
    status: str
    results_sha256: str
    sections: tuple[NoticeSection, ...]


def neutralise(text: str) -> str:
    """Guard a cell against formula injection, and flatten control characters."""
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def mask_value(field: str, value: str) -> str:
    """Mask one private field: a name keeps its first character, others are `***`."""
    if not value:
        return value
    if field == "name":
        return "*" if len(value) == 1 else value[0] + "*" * (len(value) - 1)
    return "***"


def section_caption(section: NoticeSection) -> str:
    """A one-line description of what a section lists: 入选名单（3） or 参评排名（12）."""
    if not section.rows:
        return "（无）"
    kind = "入选名单" if section.selected_only else "参评排名"
    return f"{kind}（{len(section.rows)}）"


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
    return Notice(
        campaign=str(run.get("campaign_title") or run["campaign"]),
        period_start=str(run["period"]["start"]),
        period_end=str(run["period"]["end"]),
        status=str(run["status"]),
        results_sha256=str(run["results_sha256"]),
        sections=tuple(sections),
    )


def _section(award: str, body: Mapping[str, Any], fields: frozenset[str]) -> NoticeSection:
    results: list[Mapping[str, Any]] = list(body["results"])
    selected_only = any(r["selected"] is True for r in results)
    if selected_only:
        chosen = [r for r in results if r["selected"] is True]
    else:
        chosen = [r for r in results if r["rank"] is not None]
    chosen.sort(key=lambda r: _rank(award, r))  # stable: keeps the document's key order
    rows = tuple(_row(award, r, fields) for r in chosen)
    return NoticeSection(award, neutralise(str(body["title"])), selected_only, rows)


def _rank(award: str, result: Mapping[str, Any]) -> int:
    rank = result["rank"]
    if isinstance(rank, bool) or not isinstance(rank, int):
        raise ValueError(f"award {award!r}, subject {result['subject']!r}: rank {rank!r}")
    return rank


def _row(award: str, result: Mapping[str, Any], fields: frozenset[str]) -> NoticeRow:
    total = result["total"]
    if isinstance(total, bool) or not isinstance(total, int | Decimal):
        raise TypeError(
            f"award {award!r}, subject {result['subject']!r}: total {total!r} is not a Decimal"
        )

    def text(field: str) -> str:
        value = result.get(field)
        shown = "" if value is None else str(value)
        if field in fields:
            shown = mask_value(field, shown)
        return neutralise(shown)

    return NoticeRow(
        rank=_rank(award, result),
        name=text("name"),
        unit=text("unit"),
        total=Decimal(total),
        grade=text("grade"),
    )
