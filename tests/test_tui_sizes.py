"""The shipped example at 80x24 and 120x40: the route ranking (long Chinese
route names) shows every column, names cut by display width with `..`, the
footer keys whole; the subject screen keeps its points visible."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from review_helpers import FIGURES, reviewed_store
from test_tui_actions import reviewed  # noqa: F401  (the scored example, in review)
from textual.pilot import Pilot
from textual.widgets.data_table import ColumnKey
from tui_helpers import open_run, session, until

from scoring.width import display_width
from tui.app import ReviewApp
from tui.screens.run import RunScreen
from tui.screens.subject import SubjectScreen
from tui.widgets.criteria import CriteriaTree
from tui.widgets.ranking import NAME_WIDTH, WIDE_NAME_WIDTH, AwardRanking


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_the_route_ranking_and_a_subject_at_both_sizes(
    reviewed: Path,  # noqa: F811
    size: tuple[int, int],
) -> None:
    app = ReviewApp(str(reviewed), actor="clerk")
    app.animation_level = "none"

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            app.open_run(1)
            await until(
                pilot,
                lambda: isinstance(app.screen, RunScreen) and bool(app.screen.query(AwardRanking)),
            )
            screen = app.screen
            assert isinstance(screen, RunScreen)
            await until(pilot, lambda: screen.active_ranking().table.row_count > 0)
            await pilot.press("right_square_bracket", "right_square_bracket")  # 先锋邮路
            ranking = screen.ranking("pioneer_route")
            await until(pilot, lambda: ranking.table.row_count > 0)
            table = ranking.table
            used = sum(c.get_render_width(table) for c in table.columns.values())
            assert used <= table.size.width
            names = [str(c) for c in table.get_column("name")]
            assert any(n.endswith("..") for n in names)  # long route names are cut
            width = NAME_WIDTH if size[0] < 100 else WIDE_NAME_WIDTH
            assert all(display_width(n) <= width for n in names)
            shot = app.export_screenshot()
            for header in ("总分", "状态", "标记"):
                assert header in shot
            footer = screen.query_one("Footer")
            assert footer.virtual_size.width <= footer.size.width

            app.open_subject(1, "pioneer_rider", "R0168")
            await until(
                pilot,
                lambda: (
                    isinstance(app.screen, SubjectScreen) and bool(app.screen.query(CriteriaTree))
                ),
            )
            tree = app.screen.query_one(CriteriaTree)
            assert tree.size.height >= 8  # the tree, with its points, is not squeezed away
            assert "得分" in str(tree.root.children[0].label)

    asyncio.run(main())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_a_provinces_long_keys_show_whole_and_the_row_still_fits(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    keys = [f"GD2022{i:06d}" for i in range(1, 7)]  # 12 cells, twice the column's least width
    figures = dict(zip(keys, FIGURES.values(), strict=True))
    store = reviewed_store(tmp_path, figures)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        table = screen.active_ranking().table
        key_cells = table.columns[ColumnKey("subject")].get_render_width(table)
        assert key_cells - 2 * table.cell_padding >= 12  # no key is cut
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert used <= table.size.width

    session(store, "alice", "2022-09-01", scenario, size=size)
