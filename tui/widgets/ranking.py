"""One award's ranking: filter bar, a paged table and the score chart.

Nothing is read until the award's tab is first shown. Rows are read a page
at a time (`PAGE` rows) in a worker; when the cursor
comes within `NEAR_END` rows of the last loaded row, or the table is scrolled
to its end, the next page is read. A change of filter or sort starts over
with a new generation, and pages of an older generation are dropped.
"""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey
from textual.worker import get_current_worker

from scoring.browse import (
    Facets,
    RankFilter,
    RankQuery,
    RankRow,
    Sort,
    Store,
    build_search_index,
    facets,
    position_of_rank,
)
from scoring.width import display_width, fit, steady
from tui.format import marker_words, number_cell, plain_cell, status_text, status_words
from tui.lang import tr
from tui.widgets.chart import BINS, ScoreChart
from tui.widgets.filter_bar import RankingFilterBar
from tui.workers import ForwardWorkerErrors, store_of

PAGE = 100
NEAR_END = 25
NAME_WIDTH = 12
"""Cells of the name column below 100 columns (16 from 100): a longer name
is cut, ending in `..`."""
WIDE_NAME_WIDTH = 16
UNIT_WIDTH = 12
KEY_WIDTH = 6
"""Cells of the key column at least: set by the code, since an auto-sized
column could settle before its rows arrive and cut every key (`YL00`); it
widens to the longest key a page brings (a province's `R000001`)."""
MIN_NAME_WIDTH = 6
SEARCH_DELAY = 0.25
"""Seconds a name search waits for the next key before it reads (debounce)."""


class RankingTable(DataTable[Text]):
    """The ranking rows (a window of the whole ranking); asks for more when
    scrolled near its end, for the rows before it when moved above its top,
    and for any row of the ranking on a jump."""

    BINDINGS = [
        Binding("home", "scroll_top", "key.top", id="ranking.top", show=False),
        Binding("end", "scroll_bottom", "key.bottom", id="ranking.bottom", show=False),
        Binding("ctrl+home", "jump(0)", "key.first", id="ranking.first", show=False),
        Binding("ctrl+end", "jump(-1)", "key.last", id="ranking.last", show=False),
    ]

    class NearEnd(Message):
        pass

    class NearStart(Message):
        """The cursor tried to go above the first row of the window."""

    class Jump(Message):
        """Show the row at `position` of the whole ranking (-1: the last)."""

        def __init__(self, position: int) -> None:
            super().__init__()
            self.position = position

    def action_cursor_up(self) -> None:
        if self.cursor_row == 0:
            self.post_message(self.NearStart())
        super().action_cursor_up()

    def action_page_up(self) -> None:
        if self.cursor_row == 0:
            self.post_message(self.NearStart())
        super().action_page_up()

    def action_jump(self, position: int) -> None:
        self.post_message(self.Jump(position))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value > old_value and new_value >= self.max_scroll_y - NEAR_END // 2:
            self.post_message(self.NearEnd())


class AwardRanking(ForwardWorkerErrors, Vertical):
    """The ranking of one award of one run."""

    class PageLoaded(Message):
        def __init__(
            self, generation: int, offset: int, rows: list[RankRow], count: int | None
        ) -> None:
            super().__init__()
            self.generation = generation
            self.offset = offset
            self.rows = rows
            self.count = count

    class FacetsLoaded(Message):
        def __init__(self, facets: Facets) -> None:
            super().__init__()
            self.facets = facets

    class SubjectChosen(Message):
        """Enter on a row: open this subject."""

        def __init__(self, award: str, subject: str) -> None:
            super().__init__()
            self.award = award
            self.subject = subject

    indexing: ClassVar[set[tuple[str, int]]] = set()
    """(store, run) whose search index is being built or is there (built once per run)."""

    def __init__(
        self, run_id: int, award: str, title: str, name_label: str, *, id: str, eager: bool = False
    ) -> None:
        super().__init__(id=id)
        self.eager = eager
        self.run_id = run_id
        self.award = award
        self.title = title
        self.name_label = name_label
        self.filter = RankFilter()
        self.generation = 0
        self.base = 0
        """Position (in the whole filtered ranking) of the table's first row."""
        self.pending_cursor: int | None = None
        self.loaded = 0
        self.matching: int | None = None
        self.fetching = False
        self.facets: Facets | None = None
        self.name_width = NAME_WIDTH

    def compose(self) -> ComposeResult:
        yield RankingFilterBar(id="filter-bar")
        with Horizontal(id="ranking-body"):
            with Vertical(id="ranking-main"):
                yield Static("", id="ranking-summary")
                yield RankingTable(id="ranking-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="ranking-side"):
                yield Static("", id="ranking-stats")
                yield ScoreChart(id="score-chart")

    def on_mount(self) -> None:
        table = self.table
        table.add_column(tr("column.rank"), key="rank", width=5)
        table.add_column(tr("column.key"), key="subject", width=KEY_WIDTH)
        self.name_width = WIDE_NAME_WIDTH if self.app.size.width >= 100 else NAME_WIDTH
        table.add_column(self.name_label, key="name", width=self.name_width)
        table.add_column(tr("column.unit"), key="unit", width=UNIT_WIDTH)
        table.add_column(tr("column.total"), key="total", width=7)
        table.add_column(tr("column.grade"), key="grade", width=6)
        table.add_column(tr("column.status"), key="status", width=10)
        table.add_column(tr("column.markers"), key="markers", width=6)
        if self.eager:
            self.on_show()

    def on_show(self) -> None:
        """Read the award once its tab is first shown (at once when `eager`)."""
        if self.generation == 0:
            self._load_facets(store_of(self), self.run_id, self.award)
            self.reload()

    @property
    def table(self) -> RankingTable:
        return self.query_one("#ranking-table", RankingTable)

    @property
    def filter_bar(self) -> RankingFilterBar:
        return self.query_one("#filter-bar", RankingFilterBar)

    # ------------------------------------------------------------ loading
    def reload(self, *, delay: float = 0.0) -> None:
        """Start over: clear the table and read the first page of the filter
        (after `delay` seconds, dropped when a newer reload comes first)."""
        self.generation += 1
        self.base = 0
        self.pending_cursor = None
        self.loaded = 0
        self.matching = None
        self.fetching = True
        self._show_summary()
        self._load_page(store_of(self), self.generation, self.filter, 0, delay=delay)

    def jump(self, position: int) -> None:
        """Show row `position` of the whole ranking (-1: the last), reading
        only the page around it."""
        if self.matching is None or not self.matching:
            return
        if position < 0:
            position = self.matching - 1
        position = max(0, min(position, self.matching - 1))
        if self.base <= position < self.base + self.loaded:
            self.table.move_cursor(row=position - self.base)
            return
        self.generation += 1
        self.base = max(0, min(position - PAGE // 2, self.matching - PAGE))
        self.pending_cursor = position - self.base
        self.loaded = 0
        self.fetching = True
        self._load_page(store_of(self), self.generation, self.filter, self.base, count=False)

    def go_to_rank(self, rank: int) -> None:
        """Jump to the first row of `rank` (the row number when not sorted by rank)."""
        if self.filter.sort != "rank":
            self.jump(rank - 1)
            return
        self._find_rank(store_of(self), self.generation, self.filter, rank)

    @work(thread=True, exclusive=True, group="ranking-find", exit_on_error=False)
    def _find_rank(self, store: Store, generation: int, flt: RankFilter, rank: int) -> None:
        with store.connect() as db:
            found = position_of_rank(db, self.run_id, self.award, flt, rank)
        self.post_message(self.RankFound(generation, found))

    class RankFound(Message):
        def __init__(self, generation: int, position: int) -> None:
            super().__init__()
            self.generation = generation
            self.position = position

    def on_award_ranking_rank_found(self, message: RankFound) -> None:
        message.stop()
        if message.generation == self.generation:
            self.jump(message.position)

    def refresh_data(self) -> None:
        """Reread the counts and the ranking after a review action (only
        once the award has been shown: otherwise it reads on show)."""
        if self.generation == 0:
            return
        self._load_facets(store_of(self), self.run_id, self.award)
        self.reload()

    def load_more(self) -> None:
        end = self.base + self.loaded
        if self.fetching or self.matching is None or end >= self.matching:
            return
        self.fetching = True
        self._load_page(store_of(self), self.generation, self.filter, end, count=False)

    @work(thread=True, exclusive=True, group="ranking-page", exit_on_error=False)
    def _load_page(
        self,
        store: Store,
        generation: int,
        flt: RankFilter,
        offset: int,
        *,
        count: bool = True,
        delay: float = 0.0,
    ) -> None:
        worker = get_current_worker()
        if delay:
            time.sleep(delay)  # a search typed at human speed: only the last key reads
            if worker.is_cancelled:
                return
        with store.connect() as db:
            query = RankQuery(db, self.run_id, self.award, flt)
            total = query.count() if count else None
            rows = query.page(offset, PAGE)
        if not worker.is_cancelled:
            self.post_message(self.PageLoaded(generation, offset, rows, total))

    @work(thread=True, exclusive=True, group="ranking-facets", exit_on_error=False)
    def _load_facets(self, store: Store, run_id: int, award: str) -> None:
        with store.connect() as db:
            found = facets(db, run_id, award, bins=BINS)
        if not get_current_worker().is_cancelled:
            self.post_message(self.FacetsLoaded(found))

    def on_award_ranking_page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        if message.generation != self.generation or message.offset != self.base + self.loaded:
            return
        table = self.table
        if self.loaded == 0:  # the old rows go only once the new ones are here
            table.clear()
        if message.count is not None:
            self.matching = message.count
        self._fit_keys(message.rows)
        for row in message.rows:
            table.add_row(*self._cells(row), key=row.subject)
        self.loaded += len(message.rows)
        self.fetching = False
        if self.pending_cursor is not None:
            table.move_cursor(row=min(self.pending_cursor, max(table.row_count - 1, 0)))
            self.pending_cursor = None
        self._show_summary()
        if self.screen.focused is None:  # the screen opened before the rows came
            table.focus()
        if table.row_count and table.cursor_row >= self.loaded - NEAR_END:
            self.load_more()

    def _fit_keys(self, rows: list[RankRow]) -> None:
        """Widen the key column so no key is cut; the name column gives up the
        same cells (names are cut by display width anyway), so the row still fits."""
        column = self.table.columns[ColumnKey("subject")]
        widest = max((display_width(row.subject) for row in rows), default=0)
        extra = widest - column.width
        if extra <= 0:
            return
        column.width = widest
        self.name_width = max(MIN_NAME_WIDTH, self.name_width - extra)
        self.table.columns[ColumnKey("name")].width = self.name_width

    def on_award_ranking_facets_loaded(self, message: FacetsLoaded) -> None:
        message.stop()
        self.facets = message.facets
        self.filter_bar.set_choices(message.facets.units, message.facets.grades)
        self.query_one("#score-chart", ScoreChart).show(message.facets)
        f = message.facets
        self.query_one("#ranking-stats", Static).update(
            Text(
                tr(
                    "ranking.stats",
                    title=self.title,
                    n=f.subjects,
                    ranked=f.ranked,
                    chosen=f.selected,
                )
            )
        )

    def _cells(self, row: RankRow) -> list[Text]:
        words = status_words(
            selected=row.selected,
            boundary_tie=row.boundary_tie,
            vetoed=row.vetoed,
            eligible=row.eligible,
        )
        return [
            number_cell(row.rank),
            plain_cell(row.subject),
            plain_cell(fit(steady(row.name or ""), self.name_width)),
            plain_cell(fit(steady(row.unit or ""), UNIT_WIDTH)),
            number_cell(row.total),
            plain_cell(row.grade),
            status_text(self.app, words),
            status_text(self.app, marker_words(row.markers)),
        ]

    def _show_summary(self) -> None:
        if self.matching is None:
            text = tr("ranking.loading")
        else:
            row = self.base + self.table.cursor_row + 1
            shown = tr("ranking.row", row=row) if self.loaded else ""
            text = shown + tr("ranking.count", matching=self.matching, loaded=self.loaded)
            if self.base:
                text += tr("ranking.window", first=self.base + 1, last=self.base + self.loaded)
        self.query_one("#ranking-summary", Static).update(Text(text))

    # ------------------------------------------------------------ events
    @on(RankingFilterBar.Changed)
    def _filter_changed(self, event: RankingFilterBar.Changed) -> None:
        event.stop()
        typed = event.value.name != self.filter.name
        self.filter = event.value
        self.reload(delay=SEARCH_DELAY if typed else 0.0)
        if typed and self.filter.name.strip():
            self._index_for_search(store_of(self))

    def _index_for_search(self, store: Store) -> None:
        """On the run's first search, build its search index in the background
        (the searches before it is complete scan, with the same answers)."""
        key = (store.path, self.run_id)
        if key not in self.indexing:
            self.indexing.add(key)
            self._build_index(store, key)

    @work(thread=True, group="search-index", exit_on_error=False)
    def _build_index(self, store: Store, key: tuple[str, int]) -> None:
        worker = get_current_worker()
        built = False
        try:
            built = build_search_index(store, key[1], lambda: worker.is_cancelled)
        finally:
            if not built:  # busy, read-only or failed: try again on the next search
                self.indexing.discard(key)

    @on(DataTable.RowHighlighted, "#ranking-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_summary()
        if event.cursor_row >= self.loaded - NEAR_END:
            self.load_more()

    @on(RankingTable.NearEnd)
    def _near_end(self, event: RankingTable.NearEnd) -> None:
        event.stop()
        self.load_more()

    @on(RankingTable.NearStart)
    def _near_start(self, event: RankingTable.NearStart) -> None:
        event.stop()
        if self.base > 0 and not self.fetching:
            self.jump(self.base - 1)

    @on(RankingTable.Jump)
    def _jump(self, event: RankingTable.Jump) -> None:
        event.stop()
        self.jump(event.position)

    @on(DataTable.RowSelected, "#ranking-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.SubjectChosen(self.award, event.row_key.value))

    @on(DataTable.HeaderSelected, "#ranking-table")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        by_column: dict[str | None, Sort] = {
            "rank": "rank",
            "name": "name",
            "subject": "name",
            "total": "total_asc" if self.filter.sort == "total_desc" else "total_desc",
        }
        sort = by_column.get(event.column_key.value)
        if sort is not None:
            self.filter_bar.set_sort(sort)

    # ------------------------------------------------------------ actions
    def cycle_sort(self) -> None:
        order: list[Sort] = ["rank", "total_desc", "total_asc", "name"]
        self.filter_bar.set_sort(order[(order.index(self.filter.sort) + 1) % len(order)])

    def clear_filters(self) -> None:
        self.filter_bar.clear()

    def focus_search(self) -> None:
        self.filter_bar.focus_search()
