"""Driving the reviewer TUI in Pilot tests: never sleep, settle workers; one
session per acting user, in a pinned language (the machine's locale never
decides a test: `conftest.py` clears it, and `session` names the language)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static
from textual.worker import WorkerState

from tui.app import ReviewApp
from tui.lang import Lang
from tui.review import Outcome
from tui.screens.run import RunScreen
from tui.screens.subject import SubjectScreen
from tui.widgets.ranking import AwardRanking

if TYPE_CHECKING:
    from review_helpers import Store

SMALL = (80, 24)
LARGE = (120, 40)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until no worker is pending or running and every message is handled
    (a handled message may start the next worker)."""
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        busy = [
            w for w in pilot.app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        ]
        if not busy:
            await pilot.pause()
            return
    raise AssertionError("workers did not settle")


async def until(pilot: Pilot[None], ready: Callable[[], bool]) -> None:
    """Settle until `ready()` holds (a message handler may still be running
    when the last worker has finished)."""
    for _ in range(100):
        await settle(pilot)
        if ready():
            return
    raise AssertionError("the UI never got ready")


def session(
    store: Store,
    actor: str,
    today: str,
    scenario: Callable[[Pilot[None]], Awaitable[None]],
    size: tuple[int, int] = SMALL,
    lang: Lang = "zh",
) -> ReviewApp:
    """Run `scenario` in the UI on `store`, as `actor` on `today`, in `lang`."""
    app = ReviewApp(str(store.path), actor=actor, today=dt.date.fromisoformat(today), lang=lang)
    app.animation_level = "none"

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())
    return app


def review_app(pilot: Pilot[None]) -> ReviewApp:
    app = pilot.app
    assert isinstance(app, ReviewApp)
    return app


async def open_run(pilot: Pilot[None], run_id: int = 1) -> RunScreen:
    """Open run `run_id` and wait for the first rows of its first ranking."""
    app = review_app(pilot)
    app.open_run(run_id)

    def ready() -> bool:
        screen = app.screen
        if not isinstance(screen, RunScreen) or not screen.query(AwardRanking):
            return False
        ranking = screen.active_ranking()
        return ranking.matching is not None and ranking.table.row_count > 0

    await until(pilot, ready)
    screen = app.screen
    assert isinstance(screen, RunScreen)
    return screen


async def open_subject(
    pilot: Pilot[None], award: str, subject: str, *, reviewed: bool = False
) -> SubjectScreen:
    """Open a subject of run 1 and wait for its breakdown (and, with
    `reviewed`, its review records)."""
    app = review_app(pilot)
    app.open_subject(1, award, subject)

    def ready() -> bool:
        screen = app.screen
        if not isinstance(screen, SubjectScreen) or screen.view is None:
            return False
        return screen.review is not None or not reviewed

    await until(pilot, ready)
    screen = app.screen
    assert isinstance(screen, SubjectScreen)
    return screen


def outcomes(pilot: Pilot[None]) -> list[Outcome]:
    return review_app(pilot).outcomes


async def outcome(pilot: Pilot[None], count: int) -> Outcome:
    """The `count`-th action's outcome, once it is there."""
    await until(pilot, lambda: len(outcomes(pilot)) >= count)
    return outcomes(pilot)[count - 1]


async def form(pilot: Pilot[None], kind: type[object]) -> None:
    """Wait until the screen on top is a `kind` (a form, the help screen)."""
    await until(pilot, lambda: isinstance(pilot.app.screen, kind))


async def submit(pilot: Pilot[None], reason: str = "") -> None:
    """Type `reason` into the open form and press enter."""
    reason_input = pilot.app.screen.query_one("#form-reason", Input)
    reason_input.value = reason
    reason_input.focus()
    await pilot.press("enter")


def shown(pilot: Pilot[None], selector: str) -> str:
    """The text of the Static `selector` on the screen on top."""
    return str(pilot.app.screen.query_one(selector, Static).render())


def form_error(pilot: Pilot[None]) -> str:
    return shown(pilot, "#form-error")


def title(screen: RunScreen) -> str:
    return str(screen.query_one("#run-title", Static).render())


def row(screen: RunScreen, subject: str) -> list[str]:
    table = screen.active_ranking().table
    return [str(c) for c in table.get_row(subject)]


async def cursor_to(pilot: Pilot[None], screen: RunScreen, subject: str) -> None:
    table: DataTable[object] = screen.active_ranking().table  # type: ignore[assignment]
    table.move_cursor(row=table.get_row_index(subject))
    await pilot.pause()


async def reread(pilot: Pilot[None], screen: RunScreen, ready: Callable[[], bool]) -> None:
    """Wait until the rankings, reread after an action, satisfy `ready`."""
    await until(pilot, lambda: screen.active_ranking().table.row_count > 0 and ready())


def footer_fits(pilot: Pilot[None]) -> bool:
    """Whether the footer of the screen on top shows every key whole."""
    footer = pilot.app.screen.query_one("Footer")
    return footer.virtual_size.width <= footer.size.width
