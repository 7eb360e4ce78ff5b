"""Two runs side by side: per award, who entered or left the selection and
who moved in rank, largest moves first."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, LoadingIndicator, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from scoring.browse import Store
from scoring.diff import Move, RunDiff
from scoring.results import resolve_run
from scoring.service import diff, run_rules
from tui.format import NONE, number_cell, plain_cell, theme_style
from tui.navigation import navigator
from tui.widgets.who import WhoBar
from tui.workers import ForwardWorkerErrors, store_of

ROWS_SHOWN = 1000


@dataclass(frozen=True)
class AwardCompare:
    award: str
    title: str
    moves: list[Move]
    changed: int
    entered: int
    left: int
    only_a: int
    only_b: int


def _order(m: Move) -> tuple[int, int, str]:
    if m.selected_b and not m.selected_a:
        group = 0
    elif m.selected_a and not m.selected_b:
        group = 1
    else:
        group = 2
    jump = abs((m.rank_a or 0) - (m.rank_b or 0)) if m.rank_a and m.rank_b else 10**9
    return (group, -jump, m.subject)


def compare(store: Store, run_a: int, run_b: int) -> tuple[RunDiff, list[AwardCompare]]:
    with store.connect() as db:
        found = diff(db, run_a, run_b)
        run = resolve_run(db, run_b)
    try:
        titles = {a.name: a.title for a in run_rules(run).plan.awards}
    except Exception:  # an old run whose rules no longer load: keys only
        titles = {}
    order = list(titles)
    found.awards.sort(
        key=lambda a: (order.index(a.award) if a.award in order else len(order), a.award)
    )
    awards = [
        AwardCompare(
            award=a.award,
            title=titles.get(a.award, a.award),
            moves=sorted(a.moves, key=_order)[:ROWS_SHOWN],
            changed=len(a.moves),
            entered=len(a.entered),
            left=len(a.left),
            only_a=len(a.only_a),
            only_b=len(a.only_b),
        )
        for a in found.awards
    ]
    return found, awards


class CompareTable(DataTable[Text]):
    """The changed subjects of one award."""


class CompareScreen(ForwardWorkerErrors, Screen[None]):
    BINDINGS = [Binding("escape", "back", "返回", id="compare.back")]

    class Loaded(Message):
        def __init__(self, found: RunDiff, awards: list[AwardCompare]) -> None:
            super().__init__()
            self.found = found
            self.awards = awards

    def __init__(self, run_a: int, run_b: int) -> None:
        super().__init__()
        self.run_a = run_a
        self.run_b = run_b
        self.result: tuple[RunDiff, list[AwardCompare]] | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="title-bar"):
            yield Static(
                Text(f"比较 运行 {self.run_a} (A) 与 运行 {self.run_b} (B)"),
                id="compare-title",
                classes="screen-title",
            )
            yield WhoBar(classes="who")
        if self.result is None:
            yield LoadingIndicator(id="compare-loading")
            yield Footer(compact=True)
            return
        found, awards = self.result
        notes = [f"只在运行 {self.run_a} 中的奖项: {a}" for a in found.only_a]
        notes += [f"只在运行 {self.run_b} 中的奖项: {b}" for b in found.only_b]
        if not awards:
            notes.append("两个运行没有共同的奖项")
        if notes:
            yield Static(Text("\n".join(notes)), id="compare-notes")
        if awards:
            with TabbedContent(id="compare-awards"):
                for a in awards:
                    with TabPane(a.title, id=f"compare-{a.award}"):
                        yield from self._award(a)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._load(store_of(self), self.run_a, self.run_b)

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def _load(self, store: Store, run_a: int, run_b: int) -> None:
        found, awards = compare(store, run_a, run_b)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(found, awards))

    async def on_compare_screen_loaded(self, message: Loaded) -> None:
        self.result = (message.found, message.awards)
        await self.recompose()

    def _award(self, a: AwardCompare) -> tuple[Static, CompareTable]:
        summary = (
            f"{a.changed} 个变化, 新入选 {a.entered} 个, 不再入选 {a.left} 个"
            f", 只在 A 中 {a.only_a} 个, 只在 B 中 {a.only_b} 个"
        )
        if a.changed > len(a.moves):
            summary += f"; 仅显示前 {len(a.moves)} 个"
        table = CompareTable(zebra_stripes=True, cursor_type="row")
        table.add_column("变化", key="change")
        table.add_column("编号", key="subject")
        table.add_column("姓名/名称", key="name")
        table.add_column("排名 A", key="rank_a")
        table.add_column("排名 B", key="rank_b")
        table.add_column("总分 A", key="total_a")
        table.add_column("总分 B", key="total_b")
        table.add_column("分差", key="delta")
        for m in a.moves:
            table.add_row(
                self._change(m),
                plain_cell(m.subject),
                plain_cell(m.name),
                number_cell(m.rank_a),
                number_cell(m.rank_b),
                number_cell(m.total_a),
                number_cell(m.total_b),
                number_cell(f"{m.delta:+}"),
                key=m.subject,
            )
        return Static(Text(summary), classes="compare-summary"), table

    def _change(self, m: Move) -> Text:
        if m.selected_b and not m.selected_a:
            return Text("新入选", theme_style(self.app, "text-success"))
        if m.selected_a and not m.selected_b:
            return Text("不再入选", theme_style(self.app, "text-error"))
        if m.rank_a is None and m.rank_b is not None:
            return Text("进入排名")
        if m.rank_a is not None and m.rank_b is None:
            return Text("退出排名", theme_style(self.app, "text-warning"))
        if m.rank_a is None or m.rank_b is None:
            return Text("总分变化")
        if m.rank_b < m.rank_a:
            return Text(f"上升 {m.rank_a - m.rank_b}", theme_style(self.app, "text-success"))
        if m.rank_b > m.rank_a:
            return Text(f"下降 {m.rank_b - m.rank_a}", theme_style(self.app, "text-warning"))
        return Text("总分变化" if m.total_a != m.total_b else NONE)

    @on(DataTable.RowSelected)
    def _open_subject(self, event: DataTable.RowSelected) -> None:
        """Enter on a row: the subject's breakdown in run B."""
        pane = event.data_table.parent
        award = (pane.id or "").removeprefix("compare-") if pane is not None else ""
        if event.row_key.value is not None and award:
            navigator(self).open_subject(self.run_b, award, event.row_key.value)

    def action_back(self) -> None:
        self.dismiss()

    def action_refresh(self) -> None:
        """Reread both runs."""
        self._load(store_of(self), self.run_a, self.run_b)
