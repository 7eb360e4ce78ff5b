"""The filter bar above a ranking: unit, grade, status, sort and a name search."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select

from scoring.browse import SORT_KEYS, STATUS_KEYS, RankFilter, Sort, Status
from tui.lang import tr

SORTS: tuple[tuple[Sort, str], ...] = (
    ("rank", "sort.rank"),
    ("total_desc", "sort.total_desc"),
    ("total_asc", "sort.total_asc"),
    ("name", "sort.name"),
)
"""Each sort and the catalogue key of its label."""
STATUSES: tuple[tuple[Status, str], ...] = (
    ("selected", "word.selected"),
    ("tie", "filter.tie"),
    ("vetoed", "word.vetoed"),
    ("ineligible", "word.ineligible"),
    ("ranked", "filter.ranked"),
    ("not_selected", "filter.not_selected"),
    ("flagged", "filter.flagged"),
    ("adjusted", "filter.adjusted"),
    ("objected", "filter.objected"),
    ("excluded", "filter.excluded"),
    ("substituted", "filter.substituted"),
    ("revoked", "word.revoked"),
)
"""Each status filter and the catalogue key of its label."""
_SORT_KEYS = frozenset(SORT_KEYS)
_STATUS_KEYS = frozenset(STATUS_KEYS)


class RankingFilterBar(Horizontal):
    """Posts `RankingFilterBar.Changed` with the new `RankFilter` whenever a
    control changes what the ranking should show."""

    class Changed(Message):
        def __init__(self, bar: RankingFilterBar, value: RankFilter) -> None:
            super().__init__()
            self.bar = bar
            self.value = value

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._value = RankFilter()

    def compose(self) -> ComposeResult:
        yield Select[str]([], prompt=tr("filter.unit_all"), id="filter-unit")
        yield Select[str]([], prompt=tr("filter.grade_all"), id="filter-grade")
        yield Select[str](
            [(tr(label), key) for key, label in STATUSES],
            prompt=tr("filter.status_all"),
            id="filter-status",
        )
        yield Select[str](
            [(tr(label), key) for key, label in SORTS],
            allow_blank=False,
            value="rank",
            id="filter-sort",
        )
        yield Input(placeholder=tr("filter.search"), id="filter-name")

    @property
    def value(self) -> RankFilter:
        return self._value

    def set_choices(self, units: list[str], grades: list[str]) -> None:
        """Fill the unit and grade selects (keeps a choice that is still offered)."""
        for select_id, values in (("#filter-unit", units), ("#filter-grade", grades)):
            select = self.query_one(select_id, Select)
            keep = select.value
            select.set_options([(v, v) for v in values])
            if isinstance(keep, str) and keep in values:
                select.value = keep

    def set_sort(self, sort: Sort) -> None:
        self.query_one("#filter-sort", Select).value = sort

    def clear(self) -> None:
        for select_id in ("#filter-unit", "#filter-grade", "#filter-status"):
            self.query_one(select_id, Select).clear()
        self.query_one("#filter-name", Input).value = ""

    def focus_search(self) -> None:
        self.query_one("#filter-name", Input).focus()

    def _read(self) -> RankFilter:
        def text(select_id: str) -> str:
            value = self.query_one(select_id, Select).value
            return value if isinstance(value, str) else ""

        sort, status = text("#filter-sort"), text("#filter-status")
        return RankFilter(
            unit=text("#filter-unit"),
            grade=text("#filter-grade"),
            status=status if status in _STATUS_KEYS else "",
            name=self.query_one("#filter-name", Input).value.strip(),
            sort=sort if sort in _SORT_KEYS else "rank",
        )

    def _changed(self) -> None:
        new = self._read()
        if new != self._value:
            self._value = new
            self.post_message(self.Changed(self, new))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._changed()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._changed()
