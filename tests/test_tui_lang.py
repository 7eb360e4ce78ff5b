"""The reviewer UI's language: one catalogue for every string it shows, in
Chinese and English; the locale chooses (`--lang` overrides); the ranking,
a subject, a form and a refusal read in English when English is chosen.

The catalogue is checked from the source: every key has both languages and
the same fields in each, every key is used, every key used exists, and no
Chinese text is written in `tui/` outside the catalogue.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_helpers import Store, reviewed_store
from textual.pilot import Pilot
from textual.widgets import Input
from tui_helpers import (
    LARGE,
    SMALL,
    cursor_to,
    footer_fits,
    form,
    form_error,
    open_run,
    open_subject,
    outcome,
    row,
    session,
    shown,
    submit,
    title,
)

from scoring.cli import cli
from scoring.errors import PioneerError, Remedy
from scoring.review.calendar import UnknownYear
from tui.app import ReviewApp
from tui.catalogue import CATALOGUE
from tui.keys import localize_bindings, node_classes
from tui.lang import LANGS, Lang, detect, text_in, use
from tui.refusals import REMEDIES, clerk_refusal
from tui.screens.audit import AuditScreen
from tui.screens.forms import AdjustForm, NoticeForm
from tui.screens.help import HelpScreen

TUI = Path(__file__).resolve().parent.parent / "tui"
CATALOGUE_FILE = TUI / "catalogue.py"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def sources() -> Iterator[tuple[Path, ast.Module]]:
    """Every module of `tui/` but the catalogue, parsed."""
    for path in sorted(TUI.rglob("*.py")):
        if path != CATALOGUE_FILE:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def literals(tree: ast.Module) -> Iterator[ast.Constant]:
    """The string literals of `tree` that are not documentation (a string
    standing alone as a statement: a docstring or an attribute's note)."""
    notes = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in notes:
            yield node


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# ------------------------------------------------------------ the catalogue
def test_every_key_has_both_languages_with_the_same_fields() -> None:
    for key, (zh, en) in CATALOGUE.items():
        assert zh and en, key
        assert fields(zh) == fields(en), key
        assert not CJK.search(en), f"{key}: Chinese in the English text {en!r}"


def test_every_key_is_used_and_every_key_used_exists() -> None:
    used: set[str] = set()
    for path, tree in sources():
        used |= {node.value for node in literals(tree) if node.value in CATALOGUE}
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
                continue
            key = call.args[0] if call.func.id == "tr" else None
            key = call.args[1] if call.func.id == "text_in" else key
            if isinstance(key, ast.Constant):
                assert key.value in CATALOGUE, f"{path.name}:{call.lineno}: `{key.value}`"
    assert sorted(set(CATALOGUE) - used) == []


def test_no_chinese_string_is_written_in_tui_outside_the_catalogue() -> None:
    found = [
        f"{path.relative_to(TUI)}:{node.lineno}: {node.value!r}"
        for path, tree in sources()
        for node in literals(tree)
        if CJK.search(node.value)
    ]
    assert found == []


def test_every_key_binding_of_the_ui_is_described_by_the_catalogue() -> None:
    ReviewApp  # noqa: B018  (imports every screen, so every class is known)
    bindings = [
        (cls.__name__, b)
        for cls in node_classes()
        if cls.__module__.startswith("tui.")
        for b in cls.__dict__.get("BINDINGS", [])
        if not isinstance(b, tuple | str)
    ]
    assert len(bindings) > 30
    for name, binding in bindings:
        assert binding.id, f"{name} {binding.key}"
        assert binding.description in CATALOGUE, f"{name} {binding.key}"


def test_a_subclass_of_a_ui_class_is_described_in_the_language_chosen() -> None:
    class Wider(HelpScreen):
        """A help screen as a test or an extension would derive it."""

    def labels() -> set[str]:
        merged = Wider._merged_bindings
        assert merged is not None
        return {b.description for found in merged.key_to_bindings.values() for b in found}

    try:
        use("en")
        localize_bindings()
        assert "Close" in labels() and "关闭" not in labels()
    finally:
        use("zh")
        localize_bindings()
    assert "关闭" in labels() and "Close" not in labels()


def test_every_remedy_is_worded_by_the_catalogue_without_flags() -> None:
    assert set(REMEDIES) == set(Remedy)
    for lang in LANGS:
        for key in REMEDIES.values():
            text = text_in(lang, key)
            assert "--" not in text and "pioneer" not in text, text


# ------------------------------------------------------------ the locale
@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "zh"),
        ({"LANG": "C.UTF-8"}, "zh"),
        ({"LANG": "POSIX"}, "zh"),
        ({"LANG": "fr_FR.UTF-8"}, "zh"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_GB"}, "en"),
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "C"}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": ""}, "en"),
    ],
)
def test_the_locale_chooses_the_language(environ: dict[str, str], lang: str) -> None:
    assert detect(environ) == lang


# ------------------------------------------------------------ refusals
def test_library_refusals_are_worded_in_the_ui_language_by_class_and_remedy() -> None:
    state = PioneerError(
        "cannot open a notice on run 1: it is draft, and open a notice on needs a run that "
        "is in_review (start the review first)",
        remedy=Remedy.START_REVIEW,
        remedy_args={"run": 1},
    )
    assert clerk_refusal(state) == (
        "运行 1 现在是「草稿」, 「开始公示」要在运行处于「审核中」时才能做 (先在排名中按 b 开始审核)"
    )
    calendar = UnknownYear(2031, (2004, 2026))
    assert clerk_refusal(calendar).startswith("节假日日历还没有 2031 年的数据")
    odd = PioneerError("there is no run 9 in this store", remedy=Remedy.LIST_RUNS)
    assert clerk_refusal(odd) == (
        "操作未完成: there is no run 9 in this store (按 r 在运行列表中查看现有的运行)"
    )
    use("en")
    assert clerk_refusal(state) == (
        "Run 1 is 'Draft'; to open the notice, the run must be 'In review'"
        " (start the review first: b on the ranking)"
    )
    assert clerk_refusal(calendar).startswith("The holiday calendar has no data for 2031")
    assert (
        clerk_refusal(odd) == "Not done: there is no run 9 in this store (press r to see the runs)"
    )


# ------------------------------------------------------------ the UI in English
@pytest.fixture
def store(tmp_path: Path) -> Store:
    return reviewed_store(tmp_path)


def no_chinese_but(text: str, *content: str) -> bool:
    """Whether `text` has no Chinese once the campaign's own words are taken out."""
    for words in content:
        text = text.replace(words, "")
    return CJK.search(text) is None


def test_the_ranking_the_subject_a_form_and_a_refusal_read_in_english(store: Store) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        bar = shown(pilot, "WhoBar")
        assert bar.startswith("User alice (reviewer)  Date 2022-09-01"), bar
        screen = await open_run(pilot)
        assert title(screen).startswith("Run 1 ") and "Draft" in title(screen)
        table = screen.active_ranking().table
        labels = [str(c.label) for c in table.columns.values()]
        assert labels == ["Rank", "Key", "Name", "Unit", "Total", "Grade", "Status", "Marks"]
        assert "Selected" in row(screen, "P1")[6]
        assert "T" in row(screen, "P3")[-1]  # the boundary tie's marker
        assert footer_fits(pilot)
        # a refusal: notice is a publisher's; alice is told why, in English
        await pilot.press("n")
        said = [str(n.message) for n in pilot.app._notifications]
        assert "alice may not do this: needs the publisher role to open the notice" in said
        # a subject: its summary, standing and total line
        await cursor_to(pilot, screen, "P1")
        await pilot.press("enter")
        await open_subject(pilot, "a", "P1", reviewed=True)
        summary = shown(pilot, "#subject-summary")
        assert summary.startswith("Rank 1 / ") and "Status Selected" in summary, summary
        assert "Total = " in summary and "(not below 0)" in summary
        assert "Eligibility" in shown(pilot, "#standing")
        assert "Adjustments\nnone" in shown(pilot, "#review-history")
        assert footer_fits(pilot)
        # a form, and its validation, in English
        await pilot.press("j")
        await form(pilot, AdjustForm)
        assert "Adjust a P1" in shown(pilot, "#form-title")
        pilot.app.screen.query_one("#form-delta", Input).value = "lots"
        await submit(pilot)
        assert form_error(pilot) == "Please give a reason: this action needs one"
        await submit(pilot, "typed reason")
        assert form_error(pilot) == "The change `lots` is not a number (such as +2 or -0.5)"
        await pilot.press("escape")
        await pilot.press("question_mark")
        await form(pilot, HelpScreen)
        keys = shown(pilot, "#help-keys")
        assert "Adjust" in keys and "Reveal private" in keys and no_chinese_but(keys)

    session(store, "alice", "2022-09-01", scenario, size=LARGE, lang="en")


def test_a_library_refusal_reads_in_english_without_flags(store: Store) -> None:
    store.ok("roles", "grant", "pat", "reviewer", "--as", "admin")

    async def scenario(pilot: Pilot[None]) -> None:
        await open_run(pilot)
        await pilot.press("n")  # a draft cannot go on notice
        await form(pilot, NoticeForm)
        assert "working day(s); publication possible from" in shown(pilot, "#form-window")
        await submit(pilot)
        done = await outcome(pilot, 1)
        assert not done.ok
        assert done.shown == (
            "Run 1 is 'Draft'; to open the notice, the run must be 'In review' or 'On notice'"
            " (start the review first: b on the ranking)"
        )

    session(store, "pat", "2022-09-01", scenario, lang="en")


@pytest.mark.parametrize("lang", LANGS)
def test_footer_labels_and_ranking_columns_show_whole_at_80_columns(
    store: Store, lang: Lang
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        assert footer_fits(pilot)  # the runs list
        screen = await open_run(pilot)
        assert footer_fits(pilot)
        table = screen.active_ranking().table
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= table.size.width
        await open_subject(pilot, "a", "P1")
        assert footer_fits(pilot)
        await pilot.press("a")
        await form(pilot, AuditScreen)
        assert footer_fits(pilot)

    session(store, "pat", "2022-09-01", scenario, size=SMALL, lang=lang)


# ------------------------------------------------------------ through the command line
def test_review_follows_the_locale_and_lang_overrides_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[str, str]] = []

    def run(app: ReviewApp) -> None:  # the UI as it would open, not run
        opened.append((app.lang, app.title))

    monkeypatch.setattr(ReviewApp, "run", run)
    runner = CliRunner()
    for env, args, expected in (
        ({"LANG": "en_US.UTF-8"}, [], ("en", "pioneer review")),
        ({"LANG": "zh_CN.UTF-8"}, [], ("zh", "pioneer 评审")),
        ({"LANG": "C.UTF-8"}, [], ("zh", "pioneer 评审")),
        ({"LANG": "zh_CN.UTF-8"}, ["--lang", "en"], ("en", "pioneer review")),
        ({"LC_ALL": "en_US.UTF-8"}, ["--lang", "zh"], ("zh", "pioneer 评审")),
    ):
        done = runner.invoke(cli, ["review", "--db", str(store.path), *args], env=env)
        assert done.exit_code == 0, done.output
        assert opened.pop() == expected
    bad = runner.invoke(cli, ["review", "--db", str(store.path), "--lang", "fr"])
    assert bad.exit_code == 2 and "fr" in bad.output
