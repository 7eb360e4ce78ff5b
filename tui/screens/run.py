"""A run: one tab per award, each with its paged ranking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Input, LoadingIndicator, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from scoring.browse import Store
from scoring.results import RunInfo, awards_of, resolve_run
from scoring.service import Rules, run_rules
from tui.acting import SaysWhyNot, acting_of
from tui.format import run_status, short_hash
from tui.lang import text_in, tr
from tui.navigation import navigator
from tui.screens.forms import (
    GoToForm,
)
from tui.screens.run_actions import RunActions
from tui.widgets.ranking import AwardRanking
from tui.widgets.who import WhoBar
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
        return run, [AwardTab(a, a, tr("column.title")) for a in present]
    tabs = [
        AwardTab(award.name, award.title, _name_label(rules, award.subjects))
        for award in rules.plan.awards
        if award.name in present
    ]
    named = {t.name for t in tabs}
    return run, tabs + [AwardTab(a, a, tr("column.title")) for a in present if a not in named]


def _name_label(rules: Rules, table: str) -> str:
    """姓名 (name) for people (the name column's header, campaign content in
    Chinese, says so), else 名称 (title)."""
    spec = rules.model.tables[table].columns.get("name")
    people = getattr(spec, "header", None) == text_in("zh", "column.name")
    return tr("column.name") if people else tr("column.title")


class RunScreen(SaysWhyNot, ForwardWorkerErrors, RunActions):
    AUTO_FOCUS = None  # the ranking table takes focus once it exists
    BINDINGS = [
        Binding("escape", "back", "key.back", id="run.back"),
        Binding("slash", "search", "key.search", id="run.search", show=False),
        Binding("s", "sort", "key.sort", id="run.sort", show=False),
        Binding("colon", "go_to", "key.go_to", id="run.go_to", show=False),
        Binding("x", "clear_filters", "key.clear", id="run.clear", show=False),
        Binding(
            "right_square_bracket", "award(1)", "key.next_award", id="run.next_award", show=False
        ),
        Binding(
            "left_square_bracket",
            "award(-1)",
            "key.previous_award",
            id="run.previous_award",
            show=False,
        ),
        Binding("b", "review_start", "key.review_start", id="run.review_start"),
        Binding("p", "approve", "key.approve", id="run.approve"),
        Binding("t", "resolve_tie", "key.resolve_tie", id="run.resolve_tie"),
        Binding("n", "notice", "key.notice", id="run.notice"),
        Binding("o", "object", "key.object", id="run.object"),
        Binding(
            "e",
            "resolve_objection",
            "key.resolve_objection",
            id="run.resolve_objection",
            show=False,
        ),
        Binding("P", "publish", "key.publish", id="run.publish"),
        Binding("R", "revoke", "key.revoke", id="run.revoke", show=False),
    ]
    ROLE_OF_ACTION = {
        "review_start": "review-start",
        "approve": "approve",
        "resolve_tie": "resolve-tie",
        "notice": "notice",
        "object": "object",
        "resolve_objection": "resolve-objection",
        "publish": "publish",
        "revoke": "revoke",
    }
    """Key action -> the library action whose role it needs."""
    PALETTE_NAMES = {
        "review_start": "palette.review_start",
        "approve": "palette.approve",
        "resolve_tie": "palette.resolve_tie",
        "notice": "palette.notice",
        "object": "palette.object",
        "resolve_objection": "palette.resolve_objection",
        "publish": "palette.publish",
        "revoke": "palette.revoke",
    }
    """Key action -> the catalogue key of its longer name (palette and help)."""

    @property
    def help_title(self) -> str:
        return tr("run.help_title", run=self.run_id)

    @property
    def help_note(self) -> str:
        return tr("run.help_note")

    def palette_actions(self) -> list[tuple[str, str, Callable[[], object]]]:
        """The review actions the acting user may take, for the command palette."""
        acting = acting_of(self)
        offered: list[tuple[str, str, Callable[[], object]]] = []
        for binding in self.BINDINGS:
            if not isinstance(binding, Binding):
                continue
            needs = self.ROLE_OF_ACTION.get(binding.action)
            if needs is None or not acting.may(needs):
                continue
            act = getattr(self, f"action_{binding.action}")
            key = self.PALETTE_NAMES.get(binding.action)
            name = tr(key) if key is not None else binding.description
            offered.append((name, tr("run.palette_help", run=self.run_id, key=binding.key), act))
        return offered

    class RunReread(Message):
        def __init__(self, run: RunInfo) -> None:
            super().__init__()
            self.run = run

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
        with Horizontal(classes="title-bar"):
            yield Static(self._title(), id="run-title", classes="screen-title")
            yield WhoBar(classes="who")
        if self.run is None or self.awards is None:
            yield LoadingIndicator(id="run-loading")
        elif not self.awards:
            yield Static(tr("run.empty"), id="run-empty")
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
        yield Footer(compact=True)

    def _title(self) -> Text:
        run = self.run
        if run is None:
            return Text(tr("run.title_loading", run=self.run_id))
        return Text(
            tr(
                "run.title",
                run=run.id,
                campaign=run.campaign,
                period=run.period_label,
                status=run_status(run.status),
                sha=short_hash(run.results_sha256, 8),
            ),
            no_wrap=True,
            overflow="ellipsis",
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

    @work(thread=True, exclusive=True, group="run-info", exit_on_error=False)
    def _reread_run(self, store: Store, run_id: int) -> None:
        with store.connect() as db:
            run = resolve_run(db, run_id)
        self.post_message(self.RunReread(run))

    def on_run_screen_run_reread(self, message: RunReread) -> None:
        self.run = message.run
        self.query_one("#run-title", Static).update(self._title())

    def action_refresh(self) -> None:
        """Reread the run and every ranking already shown."""
        self.review_changed(self.run_id, None)

    def active_ranking(self) -> AwardRanking:
        tabs = self.query_one("#awards", TabbedContent)
        pane = tabs.get_pane(tabs.active)
        return pane.query_one(AwardRanking)

    def ranking(self, award: str) -> AwardRanking:
        return self.query_one(f"#ranking-{award}", AwardRanking)

    def on_award_ranking_subject_chosen(self, message: AwardRanking.SubjectChosen) -> None:
        navigator(self).open_subject(self.run_id, message.award, message.subject)

    def review_changed(self, run_id: int, award: str | None) -> None:
        """Reread the rankings after a review action on this run."""
        if run_id != self.run_id:
            return
        self._reread_run(store_of(self), self.run_id)
        for tab in self.awards or []:
            if award is None or tab.name == award:
                self.refresh_award(tab.name)

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

    def action_go_to(self) -> None:
        """Jump to a rank (a row number when not sorted by rank)."""
        if not self._has_rankings():
            return
        ranking = self.active_ranking()
        by_rank = ranking.filter.sort == "rank"

        def chosen(number: int | None) -> None:
            if number is not None:
                ranking.go_to_rank(number)
                ranking.table.focus()

        title = tr("run.go_to_rank") if by_rank else tr("run.go_to_row")
        self.app.push_screen(GoToForm(title), chosen)

    def action_sort(self) -> None:
        if self._has_rankings():
            self.active_ranking().cycle_sort()

    def action_clear_filters(self) -> None:
        if self._has_rankings():
            self.active_ranking().clear_filters()

    # ------------------------------------------------------------ review actions
    def cursor_subject(self) -> str | None:
        """The subject under the cursor of the shown ranking."""
        if not self._has_rankings():
            return None
        table = self.active_ranking().table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return None if key is None else str(key)

    def refresh_award(self, award: str) -> None:
        if self._has_rankings() and self.query(f"#ranking-{award}"):
            self.ranking(award).refresh_data()

    def _award_title(self, award: str) -> str:
        return next((a.title for a in self.awards or [] if a.name == award), award)
