"""The runs of the store: open one, or mark two and compare them."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from scoring.browse import RunRow, Store, runs
from tui.format import number_cell, plain_cell, run_status, short_hash, theme_style
from tui.lang import tr
from tui.navigation import navigator
from tui.widgets.who import WhoBar
from tui.workers import ForwardWorkerErrors, store_of


class RunsTable(DataTable[Text]):
    """One row per run, newest first."""


class RunsScreen(ForwardWorkerErrors, Screen[None]):
    BINDINGS = [
        Binding("space", "mark", "key.mark", id="runs.mark"),
        Binding("c", "compare", "key.compare", id="runs.compare"),
        Binding("g", "refresh", "key.refresh", id="runs.refresh"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[RunRow]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[int, RunRow] = {}
        self.marked: list[int] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="title-bar"):
            yield Static(Text(tr("runs.title")), id="runs-title", classes="screen-title")
            yield WhoBar(classes="who")
        yield RunsTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield Static(Text(tr("runs.hint")), id="runs-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#runs-table", RunsTable)
        table.add_column(tr("runs.col_mark"), key="mark", width=4)
        table.add_column(tr("runs.col_id"), key="id")
        table.add_column(tr("runs.col_campaign"), key="campaign")
        table.add_column(tr("runs.col_period"), key="period")
        table.add_column(tr("runs.col_dates"), key="dates")
        table.add_column(tr("runs.col_status"), key="status")
        table.add_column(tr("runs.col_created"), key="created")
        table.add_column(tr("runs.col_sha"), key="sha")
        self.action_refresh()

    @work(thread=True, exclusive=True, group="runs", exit_on_error=False)
    def _load(self, store: Store) -> None:
        with store.connect() as db:
            found = runs(db)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(found))

    def on_runs_screen_loaded(self, message: Loaded) -> None:
        table = self.query_one("#runs-table", RunsTable)
        keep = table.cursor_row
        table.clear()
        self.rows = {r.id: r for r in message.rows}
        self.marked = [m for m in self.marked if m in self.rows]
        for r in message.rows:
            table.add_row(
                self._mark(r.id),
                number_cell(r.id),
                plain_cell(r.campaign),
                plain_cell(r.period),
                plain_cell(tr("runs.dates", start=r.period_start, end=r.period_end)),
                plain_cell(run_status(r.status)),
                plain_cell(r.created.replace("T", " ")[:19]),
                plain_cell(short_hash(r.results_sha256)),
                key=str(r.id),
            )
        if message.rows:
            table.move_cursor(row=min(keep, len(message.rows) - 1))
        else:
            self.query_one("#runs-hint", Static).update(Text(tr("runs.none")))

    def _mark(self, run_id: int) -> Text:
        if run_id not in self.marked:
            return Text("")
        letter = "AB"[sorted(self.marked).index(run_id)]  # the older run is A
        return Text(letter, theme_style(self.app, "text-accent", bold=True))

    def _cursor_run(self) -> int | None:
        table = self.query_one("#runs-table", RunsTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def _refresh_marks(self) -> None:
        table = self.query_one("#runs-table", RunsTable)
        for run_id in self.rows:
            table.update_cell(str(run_id), "mark", self._mark(run_id))

    @on(DataTable.RowSelected, "#runs-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            navigator(self).open_run(int(event.row_key.value))

    def on_screen_resume(self) -> None:
        """Shown again (back from a run, or a mode switch): reread the runs list,
        which an action elsewhere may have changed."""
        if self.is_mounted:
            self.action_refresh()

    def action_refresh(self) -> None:
        self._load(store_of(self))

    def action_mark(self) -> None:
        run_id = self._cursor_run()
        if run_id is None:
            return
        if run_id in self.marked:
            self.marked.remove(run_id)
        else:
            self.marked = (self.marked + [run_id])[-2:]
        self._refresh_marks()

    def action_compare(self) -> None:
        pair = list(self.marked)
        cursor = self._cursor_run()
        if len(pair) == 1 and cursor is not None and cursor not in pair:
            pair.append(cursor)
        if len(pair) != 2:
            self.notify(tr("runs.mark_two"), title=tr("app.compare_title"), severity="warning")
            return
        a, b = sorted(pair)
        navigator(self).open_compare(a, b)
