"""Library messages name no CLI commands or flags (the TUI shows them too);
the CLI adds its commands through the error's `Remedy` (issue 6 item 5)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from engine_helpers import ACTOR, campaign, people, recs

from scoring import service
from scoring.cli_common import user_message
from scoring.errors import PioneerError, Remedy

SCORING = Path(__file__).resolve().parent.parent / "scoring"
CLI_WORDS = ("`pioneer ", " --", "pioneer roles")
MESSAGE_CALLS = {"PioneerError", "OpenItem", "OpenItemsError", "found", "reason_text"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _strings(node: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_no_library_refusal_text_names_a_command_or_flag() -> None:
    bad = []
    for path in sorted(SCORING.rglob("*.py")):
        if path.parent == SCORING and path.name.startswith("cli"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            texts: list[str] = []
            if isinstance(node, ast.Raise) and node.exc is not None:
                texts = _strings(node.exc)
            elif isinstance(node, ast.Call) and _name(node.func) in MESSAGE_CALLS:
                texts = _strings(node)
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "_HINTS" for t in node.targets
            ):
                texts = _strings(node.value)
            bad.extend(
                f"{path.relative_to(SCORING.parent)}:{node.lineno}: {text!r}"  # type: ignore[attr-defined]
                for text in texts
                if any(word in text for word in CLI_WORDS)
            )
    assert not bad, "\n".join(bad)


AWARDS = """
a:
  title: 奖
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
b:
  title: 乙
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
"""


def test_refusals_through_the_library_are_plain_and_the_cli_adds_the_command(
    tmp_path: Path,
) -> None:
    scored = campaign(tmp_path, AWARDS, {"people": people("A"), "records": recs("A", 5)})
    db, run = scored.db, scored.run_id
    service.grant_role(db, "bob", "reviewer", actor=ACTOR)
    empty = service.open_db(tmp_path / "empty.db")

    refusals: list[tuple[Callable[[], object], Remedy | None, str]] = [
        (lambda: service.rejects(empty), Remedy.INGEST, "`pioneer ingest"),
        (lambda: service.export(empty, "latest", "json"), Remedy.SCORE, "`pioneer score"),
        (lambda: service.export(db, 99, "json"), Remedy.LIST_RUNS, "`pioneer status`"),
        (
            lambda: service.flag(db, run, "A", reason="r", award="a", actor="bob"),
            Remedy.START_REVIEW,
            f"`pioneer review-start --run {run}`",
        ),
        (
            lambda: service.grant_role(db, "carl", "reviewer", actor="bob"),
            Remedy.GRANT_ROLE,
            "pioneer roles grant bob admin --db DB",
        ),
    ]
    for act, remedy, command in refusals:
        _check(act, remedy, command)

    service.review_start(db, run, actor=ACTOR)
    later: list[tuple[Callable[[], object], Remedy | None, str]] = [
        (
            lambda: service.flag(db, run, "A", reason="r", actor="bob"),
            Remedy.NAME_AWARD,
            "`--award`",
        ),
        (
            lambda: service.flag(db, run, "A", reason=" ", award="a", actor="bob"),
            Remedy.GIVE_REASON,
            "`--reason`",
        ),
        (
            lambda: service.approve(db, run, 42, actor="bob"),
            Remedy.LIST_ITEMS,
            f"`pioneer status --run {run}`",
        ),
        (
            lambda: service.publish(db, run, actor=ACTOR),
            Remedy.OPEN_NOTICE,
            f"`pioneer notice --run {run}`",
        ),
    ]
    for act, remedy, command in later:
        _check(act, remedy, command)


def _check(act: Callable[[], object], remedy: Remedy | None, command: str) -> None:
    with pytest.raises(PioneerError) as refused:
        act()
    text = str(refused.value)
    assert not any(word in text for word in CLI_WORDS), text
    assert refused.value.remedy is remedy, text
    assert command in user_message(refused.value)
