"""An award's quota rule in words, printed under its 公示 list (SPEC §4.1).

The list shows only the selected subjects, so its ranks have gaps (a per-unit
quota skips the third of a town whose seats are taken); the rule in words makes
the gaps explain themselves:

    {count: 3, min_score: 80}                 限3名，最低分80分，卡线同分待评审确定
    {share: 0.1, at_least: 1}                 按参评人数的10%择优，至少1名，卡线同分待评审确定
    {count: 7, per: unit, per_at_least: 1}    共7名，按镇分配名额，每镇至少1名，卡线同分待评审确定

`per_label` is what one value of the `per` column is called: its spreadsheet
header without a leading 所属/所在/现所在 (所属镇 → 镇, 所在党支部 → 党支部),
else the header itself, else the column name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

_TIE_WORDS = {
    "flag": "卡线同分待评审确定",
    "include_all": "卡线同分全部入选",
    "exclude_all": "卡线同分均不入选",
}
_HEADER_PREFIXES = ("现所在", "所属", "所在")


def per_label(column: str, header: str | None) -> str:
    """What one value of the `per` column is called on the list (see module doc)."""
    if not header:
        return column
    for prefix in _HEADER_PREFIXES:
        if header.startswith(prefix) and len(header) > len(prefix):
            return header[len(prefix) :]
    return header


def number_words(value: Decimal | int) -> str:
    """A decimal without trailing zeros or exponent: 75 → 75, 72.50 → 72.5."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def quota_rule(quota: Any, label: str | None) -> str:
    """The quota of an award (a `scoring.model.Quota`) in words.

    `label` names one value of the `per` column (see `per_label`); it is only
    read when the quota has `per`.
    """
    parts: list[str] = []
    per = getattr(quota, "per", None)
    where = label or str(per)
    if quota.count is not None:
        parts.append(f"共{quota.count}名" if per is not None else f"限{quota.count}名")
    if quota.share is not None:
        parts.append(f"按参评人数的{number_words(Decimal(quota.share) * 100)}%择优")
        if quota.at_least is not None:
            parts.append(f"至少{quota.at_least}名")
    if per is not None:
        parts.append(f"按{where}分配名额")
    per_at_least = getattr(quota, "per_at_least", None)
    if per is not None and per_at_least is not None:
        parts.append(f"每{where}至少{per_at_least}名")
    if quota.min_score is not None:
        parts.append(f"最低分{number_words(quota.min_score)}分")
    parts.append(_TIE_WORDS.get(str(quota.boundary_tie), str(quota.boundary_tie)))
    return "，".join(parts)
