"""A run: one tab per award, each with its paged ranking."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, LoadingIndicator, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from scoring.results import RunInfo, awards_of, resolve_run
from scoring.service import Rules, run_rules
from tui.format import run_status, short_hash
from tui.queries import Store
from tui.widgets.ranking import AwardRanking
from tui.workers import ForwardWorkerErrors, store_of


@dataclass(frozen=True)
class AwardTab:
    name: str
    title: str
    name_label: str


def _awards(store: Store, run_id: int) -> tuple[RunInfo, list[AwardTab]]:
    """The run and its awards in rule-file order, with their titles."""
    with store.connect() as db:
        run = resolve_run(db, run_id)
        present = awards_of(db, run.id)
    try:
        rules = run_rules(run)
    except Exception:  # the rules of an old run may no longer load: show keys only
        return run, [AwardTab(a, a, "名称") for a in present]
    tabs = [
        AwardTab(award.name, award.title, _name_label(rules, award.subjects))
        for award in rules.plan.awards
        if award.name in present
    ]
    named = {t.name for t in tabs}
    return run, tabs + [AwardTab(a, a, "名称") for a in present if a not in named]


def _name_label(rules: Rules, table: str) -> str:
    """姓名 for people (the name column's header says so), else 名称."""
    spec = rules.model.tables[table].columns.get("name")
    return "姓名" if getattr(spec, "header", None) == "姓名" else "名称"


class RunScreen(ForwardWorkerErrors, Screen[None]):
    AUTO_FOCUS = None  # the ranking table takes focus once it exists
    BINDINGS = [
        Binding("escape", "back", "返回", id="run.back"),
        Binding("slash", "search", "搜索姓名", id="run.search"),
        Binding("s", "sort", "切换排序", id="run.sort"),
        Binding("x", "clear_filters", "清除筛选", id="run.clear"),
        Binding("right_square_bracket", "award(1)", "下一奖项", id="run.next_award"),
        Binding("left_square_bracket", "award(-1)", "上一奖项", id="run.previous_award"),
    ]

    class Loaded(Message):
        def __init__(self, run: RunInfo, awards: list[AwardTab]) -> None:
            super().__init__()
            self.run = run
            self.awards = awards

    def __init__(self, run_id: int) -> None:
        super().__init__()
        self.run_id = run_id
        self.run: RunInfo | None = None
        self.awards: list[AwardTab] | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="run-title", classes="screen-title")
        if self.run is None or self.awards is None:
            yield LoadingIndicator(id="run-loading")
        elif not self.awards:
            yield Static("这个运行没有结果", id="run-empty")
        else:
            with TabbedContent(id="awards", initial=f"award-{self.awards[0].name}"):
                for i, tab in enumerate(self.awards):
                    with TabPane(tab.title, id=f"award-{tab.name}"):
                        yield AwardRanking(
                            self.run.id,
                            tab.name,
                            tab.title,
                            tab.name_label,
                            id=f"ranking-{tab.name}",
                            eager=i == 0,
                        )
        yield Footer()

    def _title(self) -> Text:
        run = self.run
        if run is None:
            return Text(f"运行 {self.run_id}")
        return Text(
            f"运行 {run.id}  {run.campaign}  周期 {run.period_label}"
            f" ({run.period_start} 至 {run.period_end})  状态 {run_status(run.status)}"
            f"  结果 {short_hash(run.results_sha256)}"
        )

    def on_mount(self) -> None:
        self._load(store_of(self), self.run_id)

    @work(thread=True, exclusive=True, group="run", exit_on_error=False)
    def _load(self, store: Store, run_id: int) -> None:
        run, awards = _awards(store, run_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(run, awards))

    async def on_run_screen_loaded(self, message: Loaded) -> None:
        self.run, self.awards = message.run, message.awards
        await self.recompose()
        if self._has_rankings():
            self.active_ranking().table.focus()

    def active_ranking(self) -> AwardRanking:
        tabs = self.query_one("#awards", TabbedContent)
        pane = tabs.get_pane(tabs.active)
        return pane.query_one(AwardRanking)

    def ranking(self, award: str) -> AwardRanking:
        return self.query_one(f"#ranking-{award}", AwardRanking)

    def on_award_ranking_subject_chosen(self, message: AwardRanking.SubjectChosen) -> None:
        from tui.screens.subject import SubjectScreen

        self.app.push_screen(SubjectScreen(self.run_id, message.award, message.subject))

    def _has_rankings(self) -> bool:
        return bool(self.query("#awards"))

    def action_back(self) -> None:
        if isinstance(self.focused, Input) and self._has_rankings():
            self.active_ranking().table.focus()
            return
        self.dismiss()

    def action_award(self, step: int) -> None:
        """Show the next (or previous) award's ranking and focus its table."""
        if not self._has_rankings() or not self.awards:
            return
        tabs = self.query_one("#awards", TabbedContent)
        names = [f"award-{a.name}" for a in self.awards]
        tabs.active = names[(names.index(tabs.active) + step) % len(names)]
        self.call_after_refresh(self._focus_table)

    def _focus_table(self) -> None:
        rankings = self.query_one("#awards", TabbedContent).active_pane
        if rankings is not None and rankings.query(AwardRanking):
            rankings.query_one(AwardRanking).table.focus()

    def action_search(self) -> None:
        if self._has_rankings():
            self.active_ranking().focus_search()

    def action_sort(self) -> None:
        if self._has_rankings():
            self.active_ranking().cycle_sort()

    def action_clear_filters(self) -> None:
        if self._has_rankings():
            self.active_ranking().clear_filters()
