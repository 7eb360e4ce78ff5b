"""Refusals and open items worded for a county clerk: in the UI's language,
without command-line flags or commands.

The library words its refusals in plain English without naming commands or
flags (those are the CLI's remedies, `scoring.cli_common.REMEDIES`). The UI
shows the same refusal as a clerk would say it: each known refusal is matched
by its shape and reworded from the catalogue; its remedy is worded by the
catalogue too (`REMEDIES`, keyed by `Remedy`); anything else keeps its
facts, with any command-line hint taken out as a safeguard, under
"not done" (`refusal.other`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from scoring.errors import PioneerError, Remedy, with_hint
from scoring.review.calendar import UnknownYear
from scoring.review.items import OpenItemsError
from tui.format import run_status
from tui.lang import tr, tr_map

ROLE_NAMES = {
    "author": "role.author",
    "reviewer": "role.reviewer",
    "publisher": "role.publisher",
    "admin": "role.admin",
}
"""A role -> the catalogue key of its name."""

ACTION_NAMES = {
    "ingest": "action.ingest",
    "score": "action.score",
    "review-start": "action.review_start",
    "adjust": "action.adjust",
    "approve": "action.approve",
    "flag": "action.flag",
    "unflag": "action.unflag",
    "resolve-tie": "action.resolve_tie",
    "object": "action.object",
    "resolve-objection": "action.resolve_objection",
    "notice": "action.notice",
    "publish": "action.publish",
    "revoke": "action.revoke",
    "roles": "action.roles",
    "reveal": "action.reveal",
}
"""A library action (`scoring.roles.NEEDS`) -> the catalogue key of its name."""

_VERBS = {
    "start the review of": "action.review_start",
    "open a notice on": "action.notice",
    "take an objection on": "action.object",
    "resolve an objection on": "action.resolve_objection",
    "publish": "action.publish",
    "adjust": "action.adjust",
    "approve": "action.approve",
    "reject": "action.reject",
    "flag": "action.flag",
    "unflag": "action.unflag",
    "resolve a tie on": "refusal.verb_resolve_tie",
}


def role_name(role: str) -> str:
    return tr_map(ROLE_NAMES, role)


def action_name(action: str) -> str:
    return tr_map(ACTION_NAMES, action)


def _status(text: str) -> str:
    return tr("refusal.or").join(
        tr("refusal.quoted", text=run_status(s.strip())) for s in text.split(" or ")
    )


def _role(m: re.Match[str]) -> str:
    return tr(
        "refusal.role", who=m["who"], action=action_name(m["action"]), role=role_name(m["role"])
    )


def _state(m: re.Match[str]) -> str:
    verb = tr_map(_VERBS, m["verb"])
    return tr(
        "refusal.state",
        run=m["run"],
        now=run_status(m["now"]),
        verb=verb,
        allowed=_status(m["allowed"]),
    )


def _not_yet(m: re.Match[str]) -> str:
    return tr("refusal.not_yet", last=m["last"], start=m["from"], today=m["today"])


def _open(m: re.Match[str]) -> str:
    items = [clerk_item(line.strip().removeprefix("- ")) for line in m["items"].splitlines()]
    return open_items_text(int(m["n"]), items)


def open_items_text(count: int, items: list[str]) -> str:
    """What blocks a publication: the count, then one item a line."""
    return tr("refusal.open_items", n=count) + "\n" + "\n".join(f"  - {i}" for i in items if i)


Rewording = Callable[[re.Match[str]], str]

_REFUSALS: tuple[tuple[str, Rewording | str], ...] = (
    (r"(?P<who>.+?) may not (?P<action>[\w-]+): it needs the `(?P<role>\w+)` role", _role),
    (
        r"cannot (?P<verb>.+?) run (?P<run>\d+): it is (?P<now>\w+), and .+? needs a run "
        r"that is (?P<allowed>[\w ]+?)(?: \(|$)",
        _state,
    ),
    (
        r"cannot publish run \d+ yet: notice \d+ runs until (?P<last>[\d-]+); publication is "
        r"possible from (?P<from>[\d-]+) \(today counts as (?P<today>[\d-]+)\)",
        _not_yet,
    ),
    (r"cannot publish run \d+: (?P<n>\d+) item\(s\) still open:\n(?P<items>(?s:.*))", _open),
    (r".+ needs a reason", "refusal.reason"),
    (r"an objection must name its objector", "refusal.objector"),
    (
        r"objections are taken during the notice only: notice \d+ runs from (?P<a>[\d-]+) to "
        r"(?P<b>[\d-]+), and (?P<d>[\d-]+) is outside it",
        "refusal.outside_notice",
    ),
    (
        r"(?P<who>.+?) made adjustment (?P<id>\d+) and cannot approve it",
        "refusal.four_eyes",
    ),
    (
        r"cannot (?P<verb>\w+) adjustment (?P<id>\d+): it was already (?P<s>\w+) by "
        r"(?P<who>.+?) on (?P<d>[\d-]+)",
        "refusal.adjustment_decided",
    ),
    (
        r"the boundary tie in (?P<award>\w+) at rank (?P<rank>\d+) \((?P<keys>[^)]*)\) has "
        r"(?P<seats>\d+) seat\(s\) left: name exactly \d+ subject\(s\), not "
        r"(?P<n>\d+)",
        "refusal.tie_count",
    ),
    (r"award `(?P<award>\w+)` has no boundary tie to resolve", "refusal.no_tie"),
    (
        r"(?P<award>\w+) (?P<key>\S+) is already flagged \(flag (?P<id>\d+) by (?P<who>.+?):",
        "refusal.already_flagged",
    ),
    (r"(?P<award>\w+) (?P<key>\S+) has no open flag to lift", "refusal.no_flag"),
    (
        r"objection (?P<id>\d+) was already (?P<s>\w+) by (?P<who>.+?) on (?P<d>[\d-]+)",
        "refusal.objection_decided",
    ),
    (r"cannot revoke on run (?P<run>\d+): it is (?P<now>\w+)", "refusal.revoke_unpublished"),
    (
        r"(?P<award>\w+) (?P<key>\S+) was not selected in published run",
        "refusal.revoke_not_selected",
    ),
    (
        r"(?P<award>\w+) (?P<key>\S+) was already revoked on (?P<d>[\d-]+) by (?P<who>.+?):",
        "refusal.already_revoked",
    ),
    (
        r"adjusting (?P<key>\S+) (?P<target>\S+) by (?P<delta>\S+) is refused: (?P<why>.*)",
        "refusal.adjust_range",
    ),
    (
        r"`(?P<t>[^`]*)` has (?P<n>\d+) decimals; the campaign's precision is (?P<p>\d+)",
        "refusal.decimals",
    ),
    (r"an adjustment of 0 changes nothing", "refusal.zero"),
    (r".*calendar has no data for (?P<year>\d{4})", "refusal.calendar"),
    (r"a notice lasts at least 1 working day, not (?P<n>-?\d+)", "refusal.notice_days"),
)
"""Each known refusal's shape (the library's message) and the catalogue key
(or function) that words it for a clerk."""

_ITEMS: tuple[tuple[str, Rewording | str], ...] = (
    (
        r"flag (?P<id>\d+) on (?P<award>\w+) (?P<key>\S+) by (?P<who>.+?) on (?P<d>[\d-]+): "
        r"(?P<why>.*)",
        "item.flag",
    ),
    (
        r"adjustment (?P<id>\d+): (?P<award>\w+) (?P<key>\S+) (?P<target>\S+) (?P<delta>\S+) "
        r"by (?P<who>.+?) \((?P<why>.*)\) awaits approval",
        "item.adjustment",
    ),
    (
        r"boundary tie in (?P<award>\w+)(?: in (?P<group>.+?))? at rank (?P<rank>\d+): "
        r"(?P<keys>.+?) tied for (?P<seats>\d+) seat\(s\)",
        "item.tie",
    ),
    (
        r"objection (?P<id>\d+) to (?P<award>\w+) (?P<key>\S+) by (?P<who>.+?): (?P<why>.*)",
        "item.objection",
    ),
    (
        r"the selection of (?P<awards>.+?) changed after notice (?P<id>\d+) opened",
        "item.selection",
    ),
)

REMEDIES: dict[Remedy, str] = {
    Remedy.CREATE_STORE: "remedy.create_store",
    Remedy.INGEST: "remedy.ingest",
    Remedy.SCORE: "remedy.score",
    Remedy.REINGEST_AND_DIFF: "remedy.reingest_and_diff",
    Remedy.LIST_RUNS: "remedy.list_runs",
    Remedy.IMPORT_CALENDAR: "remedy.import_calendar",
    Remedy.START_REVIEW: "remedy.start_review",
    Remedy.OPEN_NOTICE: "remedy.open_notice",
    Remedy.REVOKE: "remedy.revoke",
    Remedy.NAME_AWARD: "remedy.name_award",
    Remedy.GIVE_REASON: "remedy.give_reason",
    Remedy.SELECT: "remedy.select",
    Remedy.NAME_OBJECTOR: "remedy.name_objector",
    Remedy.LIST_ITEMS: "remedy.list_items",
    Remedy.GRANT_ROLE: "remedy.grant_role",
    Remedy.RESOLVE_TIE: "remedy.resolve_tie",
}
"""How the UI words each remedy a library error names: keys and forms, never
command-line flags (the CLI words them its own way, `scoring.cli_common`)."""

_SAID_BY_SHAPE = frozenset(
    {
        Remedy.IMPORT_CALENDAR,
        Remedy.GIVE_REASON,
        Remedy.SELECT,
        Remedy.NAME_OBJECTOR,
        Remedy.LIST_ITEMS,
        Remedy.GRANT_ROLE,
    }
)
"""Remedies the wording of their refusal's shape already says."""


def _apply(patterns: tuple[tuple[str, Rewording | str], ...], text: str) -> str | None:
    for pattern, words in patterns:
        m = re.match(pattern, text)
        if m is None:
            continue
        if isinstance(words, str):
            return tr(words, **{k: v or "" for k, v in m.groupdict().items()})
        return words(m)
    return None


def _without_commands(text: str) -> str:
    """`text` without command-line hints: `pioneer ...` spans, `--flags` and
    the bracketed or trailing advice that names them."""
    text = re.sub(r"\s*\([^()]*(?:pioneer |--)[^()]*\)", "", text)
    text = re.sub(r"[:;,]?\s*[^:;,]*`pioneer [^`]*`[^:;,]*", "", text)
    text = re.sub(r"[:;,]?\s*[^:;,]*--[a-z][\w-]*[^:;,]*", "", text)
    return text.strip()


def clerk_text(message: str) -> str:
    """A library refusal (its message) as the UI says it."""
    found = _apply(_REFUSALS, message.strip())
    if found is not None:
        return found
    return tr("refusal.other", text=_without_commands(message))


def clerk_refusal(error: PioneerError) -> str:
    """A library refusal as the UI says it: worded by its class (a year the
    calendar lacks, the items that block a publication) or its message's
    shape, with its remedy in the UI's words (keyed by `error.remedy`)
    unless that wording already says it."""
    if isinstance(error, UnknownYear):
        return tr("refusal.calendar", year=error.year)
    if isinstance(error, OpenItemsError):
        return open_items_text(len(error.items), [clerk_item(i.text) for i in error.items])
    found = _apply(_REFUSALS, error.message.strip())
    if found is None:
        plain = error.message if error.remedy is not None else with_hint(error.message, error.hint)
        found = tr("refusal.other", text=_without_commands(plain))
    elif error.remedy in _SAID_BY_SHAPE:
        return found
    if error.remedy is None:
        return found
    remedy = tr(REMEDIES[error.remedy], **{k: str(v) for k, v in error.remedy_args.items()})
    return tr("refusal.with_remedy", text=found, remedy=remedy)


def clerk_item(text: str) -> str:
    """One open item (what blocks a publication) as the UI says it."""
    found = _apply(_ITEMS, text)
    return found if found is not None else _without_commands(text)
