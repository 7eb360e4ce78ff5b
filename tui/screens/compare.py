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
from tui.lang import tr
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
    BINDINGS = [Binding("escape", "back", "key.back", id="compare.back")]

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
                Text(tr("compare.title", a=self.run_a, b=self.run_b)),
                id="compare-title",
                classes="screen-title",
            )
            yield WhoBar(classes="who")
        if self.result is None:
            yield LoadingIndicator(id="compare-loading")
            yield Footer(compact=True)
            return
        found, awards = self.result
        notes = [tr("compare.only_in", run=self.run_a, award=a) for a in found.only_a]
        notes += [tr("compare.only_in", run=self.run_b, award=b) for b in found.only_b]
        if not awards:
            notes.append(tr("compare.nothing_shared"))
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
        summary = tr(
            "compare.summary",
            changed=a.changed,
            entered=a.entered,
            left=a.left,
            only_a=a.only_a,
            only_b=a.only_b,
        )
        if a.changed > len(a.moves):
            summary += tr("compare.first_only", n=len(a.moves))
        table = CompareTable(zebra_stripes=True, cursor_type="row")
        table.add_column(tr("compare.col_change"), key="change")
        table.add_column(tr("column.key"), key="subject")
        table.add_column(tr("compare.col_name"), key="name")
        table.add_column(tr("compare.col_rank_a"), key="rank_a")
        table.add_column(tr("compare.col_rank_b"), key="rank_b")
        table.add_column(tr("compare.col_total_a"), key="total_a")
        table.add_column(tr("compare.col_total_b"), key="total_b")
        table.add_column(tr("compare.col_delta"), key="delta")
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
            return Text(tr("compare.entered"), theme_style(self.app, "text-success"))
        if m.selected_a and not m.selected_b:
            return Text(tr("compare.left"), theme_style(self.app, "text-error"))
        if m.rank_a is None and m.rank_b is not None:
            return Text(tr("compare.ranked"))
        if m.rank_a is not None and m.rank_b is None:
            return Text(tr("compare.unranked"), theme_style(self.app, "text-warning"))
        if m.rank_a is None or m.rank_b is None:
            return Text(tr("compare.total_changed"))
        if m.rank_b < m.rank_a:
            up = tr("compare.up", n=m.rank_a - m.rank_b)
            return Text(up, theme_style(self.app, "text-success"))
        if m.rank_b > m.rank_a:
            down = tr("compare.down", n=m.rank_b - m.rank_a)
            return Text(down, theme_style(self.app, "text-warning"))
        return Text(tr("compare.total_changed") if m.total_a != m.total_b else NONE)

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
