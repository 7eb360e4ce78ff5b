"""The filter bar above a ranking: unit, grade, status, sort and a name search."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select

from scoring.browse import SORT_KEYS, STATUS_KEYS, RankFilter, Sort, Status

SORTS: tuple[tuple[Sort, str], ...] = (
    ("rank", "按排名"),
    ("total_desc", "按总分 (高到低)"),
    ("total_asc", "按总分 (低到高)"),
    ("name", "按姓名/名称"),
)
STATUSES: tuple[tuple[Status, str], ...] = (
    ("selected", "入选"),
    ("tie", "并列 (卡线同分)"),
    ("vetoed", "否决"),
    ("ineligible", "不合资格"),
    ("ranked", "参与排名"),
    ("not_selected", "参与排名未入选"),
    ("flagged", "标记中"),
    ("adjusted", "已调整"),
    ("objected", "有异议"),
    ("excluded", "异议成立"),
    ("substituted", "递补"),
    ("revoked", "已撤销"),
)
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
        yield Select[str]([], prompt="单位: 全部", id="filter-unit")
        yield Select[str]([], prompt="等次: 全部", id="filter-grade")
        yield Select[str](
            [(label, key) for key, label in STATUSES], prompt="状态: 全部", id="filter-status"
        )
        yield Select[str](
            [(label, key) for key, label in SORTS],
            allow_blank=False,
            value="rank",
            id="filter-sort",
        )
        yield Input(placeholder="搜索姓名或编号", id="filter-name")

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
