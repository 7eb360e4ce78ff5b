"""Pilot tests of the reviewer UI over the shipped example (三个先锋, 2022)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from rich.text import Text
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import DataTable, Select, TabbedContent
from textual.widgets.data_table import ColumnKey
from textual.widgets.tabbed_content import ContentTab
from textual.widgets.tree import TreeNode
from tui_helpers import settle, until

from scoring.service import ingest_folder, load, open_db, score
from tui.app import ReviewApp
from tui.screens.audit import AuditScreen
from tui.screens.compare import CompareScreen, CompareTable
from tui.screens.run import RunScreen
from tui.screens.runs import RunsScreen
from tui.screens.subject import EvidenceTable, SubjectScreen
from tui.subject_view import NodeView
from tui.widgets.criteria import CriteriaTree
from tui.widgets.ranking import PAGE, AwardRanking

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 40)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The example scored twice: the year (run 1) and its second half (run 2)."""
    path = tmp_path_factory.mktemp("tui") / "review.db"
    rules = load(ROOT / "rules" / "three_pioneers.yaml")
    db = open_db(path, actor="clerk")
    ingest_folder(db, rules, ROOT / "examples" / "qianyang", actor="clerk")
    score(db, rules, "2022", actor="clerk")
    score(db, rules, "2022-H2", actor="clerk")
    db.close()
    return str(path)


def drive(db: str, scenario: Callable[[Pilot[None]], Awaitable[None]]) -> ReviewApp:
    app = ReviewApp(db)
    app.animation_level = "none"

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())
    return app


def column(table: DataTable[Text], key: str) -> list[str]:
    return [str(cell) for cell in table.get_column(key)]


async def open_run(pilot: Pilot[None], run_id: int = 1) -> RunScreen:
    runs = pilot.app.screen
    assert isinstance(runs, RunsScreen)
    table = runs.query_one("#runs-table", DataTable)
    table.move_cursor(row=table.get_row_index(str(run_id)))
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, RunScreen) and _ready(pilot.app.screen))
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen)
    return screen


def _ready(screen: RunScreen) -> bool:
    """The first award's first page is shown and its table has the focus."""
    if not screen.query(AwardRanking):
        return False
    ranking = screen.active_ranking()
    return ranking.matching is not None and screen.focused is ranking.table


def walk(node: TreeNode[NodeView]) -> Iterator[TreeNode[NodeView]]:
    yield node
    for child in node.children:
        yield from walk(child)


def rider_ranking(screen: RunScreen) -> AwardRanking:
    return screen.ranking("pioneer_rider")


def test_runs_screen_lists_the_runs(store: str) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, RunsScreen)
        table = screen.query_one("#runs-table", DataTable)
        assert column(table, "id") == ["2", "1"]
        assert column(table, "campaign") == ["three_pioneers", "three_pioneers"]
        assert column(table, "period") == ["2022-H2", "2022"]
        assert column(table, "status") == ["草稿", "草稿"]

    drive(store, scenario)


def test_a_run_opens_on_a_paged_ranking_that_filters_and_sorts(store: str) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        tabs = screen.query_one("#awards", TabbedContent)
        assert tabs.active == "award-pioneer_rider"
        assert [str(t.label) for t in tabs.query(ContentTab)] == [
            "先锋骑手",
            "先锋班组",
            "先锋邮路",
        ]
        ranking = rider_ranking(screen)
        table = ranking.table
        assert ranking.matching == 360
        assert table.row_count == PAGE  # one page, not the whole award
        names = column(table, "name")
        assert names[0] == "丁鹏飞"
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names)
        assert column(table, "rank")[:3] == ["1", "2", "3"]
        assert column(table, "status")[0] == "入选"
        assert str(table.columns[ColumnKey("name")].label) == "姓名"

        # unit: open the select, take its first unit
        select = ranking.query_one("#filter-unit", Select)
        assert ranking.facets is not None
        first_unit = ranking.facets.units[0]
        select.focus()
        await pilot.press("enter", "down", "enter")
        await until(pilot, lambda: ranking.filter.unit == first_unit)
        assert set(column(table, "unit")) == {first_unit}
        assert ranking.matching is not None and 0 < ranking.matching < 360
        assert table.row_count == ranking.matching

        # status, then every filter cleared with x
        ranking.query_one("#filter-unit", Select).clear()
        ranking.query_one("#filter-status", Select).value = "selected"
        await until(pilot, lambda: ranking.filter.status == "selected" and not ranking.fetching)
        assert ranking.matching == 33
        assert set(column(table, "status")) == {"入选"}
        ranking.query_one("#filter-status", Select).value = "vetoed"
        await until(pilot, lambda: ranking.filter.status == "vetoed" and not ranking.fetching)
        assert ranking.matching and set(column(table, "status")) == {"否决"}
        table.focus()
        await pilot.press("x")
        await until(pilot, lambda: ranking.filter.status == "" and not ranking.fetching)
        assert ranking.matching == 360

        # sort: total high to low, low to high, then by name
        await pilot.press("s")
        await until(pilot, lambda: ranking.filter.sort == "total_desc" and not ranking.fetching)
        totals = [float(t) for t in column(table, "total")]
        assert totals == sorted(totals, reverse=True)
        await pilot.press("s")
        await until(pilot, lambda: ranking.filter.sort == "total_asc" and not ranking.fetching)
        totals = [float(t) for t in column(table, "total")]
        assert totals == sorted(totals)
        await pilot.press("s")
        await until(pilot, lambda: ranking.filter.sort == "name" and not ranking.fetching)
        assert column(table, "name") == sorted(column(table, "name"))

        # the name search finds one subject; escape leaves the box, not the run
        await pilot.press("slash")
        await pilot.press(*"丁鹏飞")
        await until(pilot, lambda: ranking.filter.name == "丁鹏飞" and not ranking.fetching)
        assert column(table, "name") == ["丁鹏飞"]
        assert column(table, "subject") == ["R0168"]
        await pilot.press("escape")
        assert pilot.app.screen is screen
        assert pilot.app.focused is table

    drive(store, scenario)


def test_enter_opens_the_subject_and_escape_goes_back(store: str) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        run = await open_run(pilot)
        await pilot.press("enter")  # the first row: rank 1, 丁鹏飞
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, SubjectScreen)
        assert screen.subject == "R0168"
        tree = screen.query_one("#criteria", CriteriaTree)
        labels = {node.data.path: str(node.label) for node in walk(tree.root) if node.data}
        assert "business" in labels
        assert "比业务 business" in labels["business"]
        assert "得分  40.00" in labels["business"]
        assert "指标    24435" in labels["business.volume"]
        tables = {t.id or "" for t in screen.query("TabPane")}
        assert {"evidence-subject", "evidence-deliveries", "evidence-ratings"} <= tables
        deliveries = screen.query_one("#evidence-deliveries").query_one(EvidenceTable)
        assert deliveries.row_count == 12
        assert "id" in [str(c.label) for c in deliveries.columns.values()]
        await pilot.press("down")  # business.volume: its evidence tab comes forward
        await pilot.pause()
        assert screen.query_one("#evidence", TabbedContent).active == "evidence-deliveries"
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is run

    drive(store, scenario)


def test_a_vetoed_subject_shows_its_reason(store: str) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        pilot.app.push_screen(SubjectScreen(1, "pioneer_rider", "R0008"))
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, SubjectScreen)
        standing = str(screen.query_one("#standing").render())
        assert "否决: 发生重大安全责任事故" in standing
        summary = str(screen.query_one("#subject-summary").render())
        assert "不参与排名" in summary and "否决" in summary

    drive(store, scenario)


def test_audit_view_lists_the_score_entries(store: str) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("a")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, AuditScreen)
        table = screen.query_one("#audit-table", DataTable)
        actions = column(table, "action")
        assert actions == ["计分 score", "计分 score", "导入数据 ingest"]
        assert column(table, "run")[:2] == ["2", "1"]
        assert "results_sha256" in str(screen.query_one("#audit-detail").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RunsScreen)

    drive(store, scenario)


def test_compare_two_runs(store: str) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("c")  # nothing marked yet: a hint, no screen
        assert isinstance(pilot.app.screen, RunsScreen)
        await pilot.press("space", "down", "space")
        assert column(pilot.app.screen.query_one("#runs-table", DataTable), "mark") == ["B", "A"]
        await pilot.press("c")
        await until(pilot, lambda: bool(pilot.app.screen.query(CompareTable)))
        screen = pilot.app.screen
        assert isinstance(screen, CompareScreen)
        assert (screen.run_a, screen.run_b) == (1, 2)
        tabs = screen.query_one("#compare-awards", TabbedContent)
        assert tabs.active == "compare-pioneer_rider"
        table = screen.query_one("#compare-pioneer_rider").query_one(CompareTable)
        assert table.row_count > 0
        changes = column(table, "change")
        assert changes[0] in {"新入选", "不再入选"}
        assert any(c.startswith(("上升", "下降")) for c in changes)
        first = column(table, "subject")[0]
        table.focus()
        await pilot.press("enter")  # the subject as scored in run B
        await until(pilot, lambda: isinstance(pilot.app.screen, SubjectScreen))
        subject = pilot.app.screen
        assert isinstance(subject, SubjectScreen)
        assert (subject.run_id, subject.award, subject.subject) == (2, "pioneer_rider", first)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RunsScreen)

    drive(store, scenario)


def test_a_failed_query_is_shown_not_raised(store: str) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        pilot.app.push_screen(SubjectScreen(1, "pioneer_rider", "NOBODY"))
        await settle(pilot)

    app = drive(store, scenario)
    assert app.errors == ["award `pioneer_rider` of run 1 has no subject `NOBODY`"]


def test_palette_jumps_to_a_subject(store: str) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+p")
        await pilot.press(*"罗杰")
        found = pilot.app.screen.query_one(CommandList)
        await until(pilot, lambda: found.option_count > 0)
        assert "跳到 罗杰 (R0268)" in str(found.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, SubjectScreen))
        screen = pilot.app.screen
        assert isinstance(screen, SubjectScreen)
        assert (screen.run_id, screen.subject) == (2, "R0268")  # the latest run

    drive(store, scenario)


def test_every_binding_has_a_description() -> None:
    from textual.binding import Binding
    from textual.dom import DOMNode

    from tui.screens.compare import CompareScreen as Compare
    from tui.widgets.ranking import RankingTable

    owners: list[type[DOMNode]] = [
        ReviewApp,
        RunsScreen,
        RunScreen,
        SubjectScreen,
        Compare,
        AuditScreen,
        RankingTable,
    ]
    for owner in owners:
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding), owner
            assert binding.description and binding.id, (owner, binding.key)
