"""How figures and states read in the UI: labels in the UI's language, cell-width aware
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
from tui.lang import tr, tr_map

RUN_STATUS = {
    "draft": "status.draft",
    "in_review": "status.in_review",
    "notice": "status.notice",
    "published": "status.published",
}
"""A run's status -> its catalogue key."""

ACTIONS = {
    "ingest": "audit.ingest",
    "score": "audit.score",
    "review-start": "audit.review_start",
    "adjust": "audit.adjust",
    "approve": "audit.approve",
    "reject": "audit.reject",
    "flag": "audit.flag",
    "unflag": "audit.unflag",
    "resolve-tie": "audit.resolve_tie",
    "notice": "audit.notice",
    "object": "audit.object",
    "resolve-objection": "audit.resolve_objection",
    "publish": "audit.publish",
    "revoke": "audit.revoke",
    "roles": "audit.roles",
    "grant": "audit.grant",
    "reveal": "audit.reveal",
}
"""An audit entry's action -> the catalogue key of its label."""

NONE = "-"


def run_status(status: str) -> str:
    return tr_map(RUN_STATUS, status)


def action_label(action: str) -> str:
    key = ACTIONS.get(action)
    return f"{tr(key)} {action}" if key else action


def status_words(
    *, selected: bool, boundary_tie: bool, vetoed: bool, eligible: bool
) -> list[tuple[str, str]]:
    """The status of a subject as (word, theme variable) pairs."""
    words: list[tuple[str, str]] = []
    if selected:
        words.append((tr("word.selected"), "text-success"))
    if boundary_tie:
        words.append((tr("word.tie"), "text-warning"))
    if vetoed:
        words.append((tr("word.vetoed"), "text-error"))
    if not eligible:
        words.append((tr("word.ineligible"), "text-secondary"))
    return words


MARKER_WORDS: dict[str, tuple[str, str]] = {
    "flagged": ("marker.flagged", "text-error"),
    "adjusted": ("marker.adjusted", "text-warning"),
    "tie": ("marker.tie", "text-warning"),
    "objected": ("marker.objected", "text-warning"),
    "excluded": ("marker.excluded", "text-error"),
    "substituted": ("marker.substituted", "text-success"),
    "revoked": ("marker.revoked", "text-error"),
}
"""One character per marker of a ranking row (the help screen explains them),
as (catalogue key, theme variable): flagged, adjusted, boundary tie,
objected, objection upheld, substituted (递补), revoked."""


def marker_words(markers: frozenset[str]) -> list[tuple[str, str]]:
    """The markers of a row as (character, theme variable), in a fixed order."""
    return [(tr(key), style) for m, (key, style) in MARKER_WORDS.items() if m in markers]


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
        return tr("value.no_data")
    if isinstance(stored, dict):
        return str(stored.get("n", json.dumps(stored, ensure_ascii=False)))
    if isinstance(stored, bool):
        return tr("value.yes") if stored else tr("value.no")
    return str(stored)


def short_hash(digest: str | None, n: int = 12) -> str:
    return (digest or "")[:n] or NONE
