"""Pilot tests of the review actions in the reviewer UI (SPEC §5, §8).

The shipped example (三个先锋, 2022) scored once and put in review; every
test gets its own copy of that store. The actions run as the OS user, who
created the store (an admin, so also a reviewer).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, SelectionList, Static
from tui_helpers import settle, until

from scoring import service
from tui.app import ReviewApp
from tui.review import Outcome
from tui.screens.forms import AdjustForm, ApproveForm, FlagForm, TieForm
from tui.screens.run import RunScreen
from tui.screens.runs import RunsScreen
from tui.screens.subject import SubjectScreen
from tui.widgets.ranking import AwardRanking

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 40)
RIDER, ROUTE = "pioneer_rider", "pioneer_route"


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example scored (run 1) and in review."""
    path = tmp_path_factory.mktemp("tui-actions") / "reviewed.db"
    rules = service.load(ROOT / "rules" / "three_pioneers.yaml")
    db = service.open_db(path)
    service.ingest_folder(db, rules, ROOT / "examples" / "qianyang")
    service.score(db, rules, "2022")
    service.review_start(db, "latest")
    db.close()
    return path


@pytest.fixture
def store(reviewed: Path, tmp_path: Path) -> str:
    """A fresh copy of the reviewed store for one test."""
    path = tmp_path / "review.db"
    shutil.copy(reviewed, path)
    return str(path)


async def open_run(pilot: Pilot[None]) -> RunScreen:
    runs = pilot.app.screen
    assert isinstance(runs, RunsScreen)
    table = runs.query_one("#runs-table", DataTable)
    table.move_cursor(row=table.get_row_index("1"))
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, RunScreen) and _ready(pilot.app.screen))
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen)
    return screen


def _ready(screen: RunScreen) -> bool:
    if not screen.query(AwardRanking):
        return False
    ranking = screen.active_ranking()
    return ranking.matching is not None and screen.focused is ranking.table


def drive(db: str, scenario: Callable[[Pilot[None]], Awaitable[None]]) -> ReviewApp:
    app = ReviewApp(db)
    app.animation_level = "none"

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())
    return app


def items(db_path: str, kind: str) -> list[str]:
    db = service.open_existing(db_path)
    try:
        return [i.text for i in service.run_status(db, 1).items if i.kind == kind]
    finally:
        db.close()


def current(pilot: Pilot[None]) -> object:
    """The screen shown now (not narrowed by an earlier isinstance check)."""
    return pilot.app.screen


def outcomes(pilot: Pilot[None]) -> list[Outcome]:
    app = pilot.app
    assert isinstance(app, ReviewApp)
    return app.outcomes


async def outcome(pilot: Pilot[None], count: int) -> Outcome:
    """Wait for the `count`-th action's result (its worker and message)."""
    await until(pilot, lambda: len(outcomes(pilot)) >= count)
    return outcomes(pilot)[count - 1]


async def open_subject(pilot: Pilot[None], award: str, subject: str) -> SubjectScreen:
    pilot.app.push_screen(SubjectScreen(1, award, subject))
    await until(pilot, lambda: isinstance(pilot.app.screen, SubjectScreen))
    screen = pilot.app.screen
    assert isinstance(screen, SubjectScreen)
    await until(pilot, lambda: screen.review is not None and bool(screen.query("#review-history")))
    return screen


def history(screen: SubjectScreen) -> str:
    return str(screen.query_one("#review-history", Static).render())


def form_error(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one("#form-error", Static).render())


async def give_reason(pilot: Pilot[None], reason: str) -> None:
    pilot.app.screen.query_one("#form-reason", Input).focus()
    await pilot.press(*reason)
    await pilot.press("enter")


def test_flag_form_needs_a_reason_then_flags_and_unflags(store: str) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = await open_subject(pilot, RIDER, "R0168")
        assert "标记\n无" in history(screen)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(pilot.app.screen, FlagForm))
        await pilot.press("enter")  # no reason: the form stays and says why
        await pilot.pause()
        assert isinstance(pilot.app.screen, FlagForm)
        assert "请填写理由" in form_error(pilot)
        assert not outcomes(pilot)
        await give_reason(pilot, "check")
        done = await outcome(pilot, 1)
        assert done.ok, done.text
        assert current(pilot) is screen
        assert items(store, "flag") and "R0168" in items(store, "flag")[0]
        await until(pilot, lambda: "标记中" in history(screen))
        assert screen.review is not None and screen.review.flagged

        # f again lifts it; escape on a form cancels it
        await pilot.press("f")
        await until(pilot, lambda: isinstance(pilot.app.screen, FlagForm))
        await pilot.press("escape")
        await pilot.pause()
        assert current(pilot) is screen and len(outcomes(pilot)) == 1
        await pilot.press("f")
        await until(pilot, lambda: isinstance(pilot.app.screen, FlagForm))
        await give_reason(pilot, "ok")
        done = await outcome(pilot, 2)
        assert done.ok, done.text
        assert items(store, "flag") == []
        await until(pilot, lambda: "已解除" in history(screen))

    drive(store, scenario)


def test_adjust_form_checks_the_delta_and_the_adjustment_is_pending(store: str) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = await open_subject(pilot, RIDER, "R0168")
        await pilot.press("j")
        await until(pilot, lambda: isinstance(pilot.app.screen, AdjustForm))
        form = pilot.app.screen
        target = form.query_one("#form-target", Select)
        assert target.value == "total"
        target.value = "business.volume"
        form.query_one("#form-delta", Input).value = "two"
        await give_reason(pilot, "recount")
        assert isinstance(pilot.app.screen, AdjustForm)
        assert "不是数字" in form_error(pilot)
        form.query_one("#form-delta", Input).value = "-1.5"
        form.query_one("#form-reason", Input).focus()
        await pilot.press("enter")
        done = await outcome(pilot, 1)
        assert done.ok, done.text
        assert "待另一位评审员批准" in done.text
        await until(pilot, lambda: "business.volume -1.5" in history(screen))
        shown = history(screen)
        assert "待批准" in shown and "recount" in shown
        assert len(items(store, "adjustment")) == 1

    drive(store, scenario)


def test_approving_your_own_adjustment_is_refused(store: str) -> None:
    db = service.open_existing(store)
    adj = service.adjust(db, 1, "R0168", "total", "2", reason="mine", award=RIDER)
    db.close()

    async def scenario(pilot: Pilot[None]) -> None:
        run = await open_run(pilot)
        await pilot.press("p")  # the cursor is on R0168 (rank 1): its adjustment is offered
        await until(pilot, lambda: isinstance(pilot.app.screen, ApproveForm))
        pending = pilot.app.screen.query_one("#form-pending", OptionList)
        assert pending.option_count == 1 and pending.highlighted == 0
        await give_reason(pilot, "fine")
        done = await outcome(pilot, 1)
        assert not done.ok
        assert "four-eyes" in done.text
        assert current(pilot) is run
        assert any("four-eyes" in str(n.message) for n in pilot.app._notifications)

    drive(store, scenario)
    assert len(items(store, "adjustment")) == 1, adj


def test_resolve_tie_needs_exactly_the_seats(store: str) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        run = await open_run(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await until(pilot, lambda: run.active_ranking().award == ROUTE)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(pilot.app.screen, TieForm))
        choices = pilot.app.screen.query_one("#form-tied", SelectionList)
        assert choices.option_count == 4
        choices.select(choices.get_option_at_index(0))
        choices.select(choices.get_option_at_index(1))
        await give_reason(pilot, "draw")
        done = await outcome(pilot, 1)
        assert not done.ok
        assert "name exactly 3 subject(s)" in done.text
        assert len(items(store, "tie")) == 1

        await pilot.press("t")
        await until(pilot, lambda: isinstance(pilot.app.screen, TieForm))
        choices = pilot.app.screen.query_one("#form-tied", SelectionList)
        for i in range(3):
            choices.select(choices.get_option_at_index(i))
        await give_reason(pilot, "draw")
        done = await outcome(pilot, 2)
        assert done.ok, done.text
        assert items(store, "tie") == []
        ranking = run.ranking(ROUTE)
        await until(pilot, lambda: not ranking.fetching)
        assert current(pilot) is run

    drive(store, scenario)
