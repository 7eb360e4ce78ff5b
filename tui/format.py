"""How figures and states read in the UI: Chinese labels, cell-width aware
truncation, and styles taken from the theme (never a hard-coded colour)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.color import Color

from scoring.width import steady

RUN_STATUS = {
    "draft": "草稿",
    "in_review": "审核中",
    "notice": "公示中",
    "published": "已发布",
}

ACTIONS = {
    "ingest": "导入数据",
    "score": "计分",
    "review-start": "开始审核",
    "adjust": "调整",
    "approve": "批准调整",
    "reject": "驳回调整",
    "flag": "标记",
    "unflag": "取消标记",
    "resolve-tie": "裁定并列",
    "notice": "公示",
    "object": "异议",
    "resolve-objection": "处理异议",
    "publish": "发布",
    "revoke": "撤销",
    "roles": "角色",
    "grant": "授予角色",
    "reveal": "查看隐私信息",
}

NONE = "-"


def run_status(status: str) -> str:
    return RUN_STATUS.get(status, status)


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    return f"{label} {action}" if label else action


def status_words(
    *, selected: bool, boundary_tie: bool, vetoed: bool, eligible: bool
) -> list[tuple[str, str]]:
    """The status of a subject as (word, theme variable) pairs."""
    words: list[tuple[str, str]] = []
    if selected:
        words.append(("入选", "text-success"))
    if boundary_tie:
        words.append(("并列", "text-warning"))
    if vetoed:
        words.append(("否决", "text-error"))
    if not eligible:
        words.append(("不合资格", "text-secondary"))
    return words


MARKER_WORDS: dict[str, tuple[str, str]] = {
    "flagged": ("标", "text-error"),
    "adjusted": ("调", "text-warning"),
    "tie": ("并", "text-warning"),
    "objected": ("异", "text-warning"),
    "excluded": ("除", "text-error"),
    "substituted": ("补", "text-success"),
    "revoked": ("撤", "text-error"),
}
"""One character per marker of a ranking row (the help screen explains them):
标 flagged, 调 adjusted, 并 boundary tie, 异 objected, 除 objection upheld,
补 substituted (递补), 撤 revoked."""


def marker_words(markers: frozenset[str]) -> list[tuple[str, str]]:
    """The markers of a row as (character, theme variable), in a fixed order."""
    return [MARKER_WORDS[m] for m in MARKER_WORDS if m in markers]


def theme_style(app: App[Any], variable: str, *, bold: bool = False) -> Style:
    """A Rich style whose colour is the theme variable `variable` (e.g.
    `text-success`); plain when the theme gives no concrete colour."""
    return _style(app.theme_variables.get(variable, ""), bold)


@lru_cache(maxsize=64)
def _style(value: str, bold: bool) -> Style:
    try:
        color = Color.parse(value).rich_color
    except Exception:
        return Style(bold=bold)
    return Style(color=color, bold=bold)


def status_text(app: App[Any], words: list[tuple[str, str]]) -> Text:
    text = Text(no_wrap=True)
    for i, (word, variable) in enumerate(words):
        if i:
            text.append(" ")
        text.append(word, theme_style(app, variable))
    return text


def plain_cell(value: object) -> Text:
    """A table cell that is never read as markup, its ambiguous-width
    characters made steady (`scoring.width.steady`)."""
    return Text(NONE if value is None or value == "" else steady(str(value)), no_wrap=True)


def number_cell(value: object) -> Text:
    return Text(NONE if value is None else str(value), no_wrap=True, justify="right")


def metric_text(stored: Any) -> str:
    """A stored metric (`{"n": "0.98"}`, a bool, a text or null) for people."""
    if stored is None:
        return "无数据"
    if isinstance(stored, dict):
        return str(stored.get("n", json.dumps(stored, ensure_ascii=False)))
    if isinstance(stored, bool):
        return "是" if stored else "否"
    return str(stored)


def short_hash(digest: str | None, n: int = 12) -> str:
    return (digest or "")[:n] or NONE
