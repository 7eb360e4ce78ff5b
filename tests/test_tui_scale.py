"""Jumping through a large ranking: to the last row, to a rank, back to the
top, reading only the page around the target (never the rows between)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from test_tui_paging import synthetic_store
from textual.widgets import Input, Static
from tui_helpers import until

from scoring import browse
from tui.app import ReviewApp
from tui.screens.forms import GoToForm
from tui.screens.run import RunScreen
from tui.widgets.ranking import PAGE, AwardRanking

N = 20_000
RANKED = N - N // 50


def test_position_of_a_rank_counts_the_rows_before_it(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    run = synthetic_store(path, 500)
    with browse.Store(path).connect() as db:
        f = browse.RankFilter()
        assert browse.position_of_rank(db, run, "pioneer_rider", f, 1) == 0
        assert browse.position_of_rank(db, run, "pioneer_rider", f, 100) == 99
        page = browse.ranking_page(db, run, "pioneer_rider", f, 99, 1)
        assert page[0].rank == 100


def test_jumps_read_only_the_page_around_the_target(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    synthetic_store(path, N)
    app = ReviewApp(str(path), actor="clerk")
    app.animation_level = "none"

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            app.open_run(1)
            await until(
                pilot,
                lambda: isinstance(app.screen, RunScreen) and bool(app.screen.query(AwardRanking)),
            )
            screen = app.screen
            assert isinstance(screen, RunScreen)
            ranking = screen.active_ranking()
            table = ranking.table
            await until(pilot, lambda: ranking.matching == N and table.row_count == PAGE)
            table.focus()

            await pilot.press("ctrl+end")
            await until(pilot, lambda: ranking.base == N - PAGE and ranking.loaded == PAGE)
            assert table.row_count == PAGE  # the rows between were never read
            assert table.cursor_row == PAGE - 1
            summary = str(ranking.query_one("#ranking-summary", Static).render())
            assert f"第 {N} 行" in summary

            await pilot.press("colon")
            await until(pilot, lambda: isinstance(app.screen, GoToForm))
            app.screen.query_one("#form-number", Input).value = "1000"
            await pilot.press("enter")
            await until(
                pilot,
                lambda: ranking.loaded > 0 and str(table.get_row_at(table.cursor_row)[0]) == "1000",
            )
            assert ranking.base + table.cursor_row == 999
            assert table.row_count == PAGE

            start = ranking.base
            table.move_cursor(row=0)
            await pilot.press("up")  # above the window: the rows before it come
            await until(pilot, lambda: ranking.base < start and ranking.loaded > 0)
            assert ranking.base + table.cursor_row == start - 1

            await pilot.press("ctrl+home")
            await until(pilot, lambda: ranking.base == 0 and table.cursor_row == 0)
            assert str(table.get_row_at(0)[0]) == "1"

    asyncio.run(main())
