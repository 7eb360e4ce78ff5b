"""`pioneer review`: the reviewer's terminal UI over a store.

Two top-level modes: `runs` (the runs list, from which a run's rankings, a
subject and the compare view are pushed) and `audit` (the audit log). Every
read runs in a thread worker; results come back as messages; a failed worker
reaches `ReviewApp.on_query_failed`, the one place errors are shown.

The app acts as one user on one day (`--as`, `--today`; `tui.acting`), shown
on every screen's title line. `g` (or F5) rereads the store on every screen;
`?` (or F1) lists the keys of the current screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message

from scoring.browse import Store
from scoring.errors import PioneerError
from scoring.roles import current_user, roles_of
from scoring.service import open_existing
from tui.acting import Acting
from tui.commands import ReviewCommands
from tui.keys import localize_bindings
from tui.lang import Lang, chosen, detect, tr, use
from tui.navigation import ShowsReview
from tui.refusals import clerk_refusal
from tui.review import Outcome
from tui.screens.audit import AuditScreen
from tui.screens.compare import CompareScreen
from tui.screens.help import HelpScreen, keys_of
from tui.screens.run import RunScreen
from tui.screens.runs import RunsScreen
from tui.screens.subject import SubjectScreen
from tui.widgets.who import WhoBar
from tui.workers import ForwardWorkerErrors, QueryFailed


class ReviewApp(ForwardWorkerErrors, App[None]):
    CSS_PATH = "app.tcss"
    MODES = {"runs": RunsScreen, "audit": AuditScreen}
    DEFAULT_MODE = "runs"
    COMMANDS = App.COMMANDS | {ReviewCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS = [
        Binding("a", "audit", "key.audit", id="app.audit", show=False),
        Binding("r", "runs", "key.runs", id="app.runs", show=False),
        Binding("g", "refresh", "key.refresh", id="app.refresh"),
        Binding("f5", "refresh", "key.refresh", id="app.refresh_f5", show=False),
        Binding("question_mark", "help", "key.help", id="app.help"),
        Binding("f1", "help", "key.help", id="app.help_f1", show=False),
        Binding("q", "quit", "key.quit", id="app.quit", show=False),
        # Textual's own palette key, described by the catalogue
        Binding(
            "ctrl+p",
            "command_palette",
            "key.palette",
            id="app.palette",
            show=False,
            priority=True,
        ),
    ]

    class RolesLoaded(Message):
        def __init__(self, roles: frozenset[str]) -> None:
            super().__init__()
            self.roles = roles

    def __init__(
        self,
        db_path: str,
        *,
        actor: str | None = None,
        today: dt.date | None = None,
        roles: frozenset[str] | None = None,
        lang: Lang | None = None,
    ) -> None:
        self.lang: Lang = lang or detect()
        use(self.lang)
        localize_bindings()  # before any node copies its class's bindings
        super().__init__()
        self.title = tr("app.title")
        self.store = Store(db_path)
        self.acting = Acting(actor or current_user(), today, roles or frozenset())
        self._roles_known = roles is not None
        self.errors: list[str] = []
        self.outcomes: list[Outcome] = []  # every review action's result, in order

    def on_mount(self) -> None:
        if not self._roles_known:
            self._load_roles(self.store, self.acting.actor)

    @work(thread=True, exclusive=True, group="roles", exit_on_error=False)
    def _load_roles(self, store: Store, actor: str) -> None:
        with store.connect() as db:
            found = frozenset(roles_of(db, actor)) if "roles" in db.table_names() else frozenset()
        self.post_message(self.RolesLoaded(found))

    def on_review_app_roles_loaded(self, message: RolesLoaded) -> None:
        self.acting = replace(self.acting, roles=message.roles)
        self._roles_known = True
        for screen in self.screen_stack:
            for bar in screen.query(WhoBar):
                bar.show()
            screen.refresh_bindings()

    def on_query_failed(self, message: QueryFailed) -> None:
        """The one handler of failed workers: say what went wrong, keep going."""
        error = message.error
        if isinstance(error, PioneerError):
            text, said = str(error), clerk_refusal(error)
        else:
            text = said = f"{type(error).__name__}: {error}"
        self.errors.append(text)  # the library's own words, for the record
        self.notify(said, title=tr("app.read_failed"), severity="error", timeout=8)

    @property
    def current_run(self) -> int | None:
        """The run open in the current mode (the palette jumps within it)."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, RunScreen | SubjectScreen):
                return screen.run_id
        return None

    # ------------------------------------------------------------ keys
    def action_audit(self) -> None:
        self.switch_mode("audit")

    def action_runs(self) -> None:
        """Back to the runs list, from wherever."""
        self.switch_mode("runs")
        while len(self.screen_stack) > 1 and not isinstance(self.screen, RunsScreen):
            self.pop_screen()

    def action_refresh(self) -> None:
        """Reread the acting user's roles and what the current screen shows."""
        self._load_roles(self.store, self.acting.actor)
        refresh = getattr(self.screen, "action_refresh", None)
        if callable(refresh):
            refresh()

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        title = getattr(screen, "help_title", None) or type(screen).__name__
        note = getattr(screen, "help_note", "")
        self.push_screen(HelpScreen(str(title), keys_of(screen), str(note)))

    def action_compare(self) -> None:
        self.action_runs()
        screen = self.screen
        if isinstance(screen, RunsScreen):
            screen.action_compare()
        else:
            self.notify(tr("app.compare_hint"), title=tr("app.compare_title"))

    # ------------------------------------------------------------ navigation
    def open_subject(self, run_id: int, award: str, subject: str) -> None:
        """Open a subject's breakdown (from a ranking, compare or the palette)."""
        if self.current_mode != "runs":
            self.switch_mode("runs")
        self.push_screen(SubjectScreen(run_id, award, subject))

    def open_runs(self) -> None:
        """The runs list itself (not the screen under the current one)."""
        self.action_runs()

    def open_run(self, run_id: int) -> None:
        """Open a run's rankings."""
        self.push_screen(RunScreen(run_id))

    def open_compare(self, run_a: int, run_b: int) -> None:
        """Compare two runs."""
        self.push_screen(CompareScreen(run_a, run_b))

    def review_changed(self, run_id: int, award: str | None) -> None:
        """A review action changed `run_id` (`award`, or all): every open
        screen that shows it rereads the store."""
        for screen in self.screen_stack:
            if isinstance(screen, ShowsReview):
                screen.review_changed(run_id, award)


def run_review(
    db_path: str,
    *,
    actor: str | None = None,
    today: dt.date | None = None,
    lang: str | None = None,
) -> None:
    """Open the reviewer UI on the store at `db_path`, as `actor` on `today`,
    in `lang` (`zh` or `en`; default: the locale's, `tui.lang.detect`).

    Raises `PioneerError` when there is no store there (the CLI prints it).
    """
    db = open_existing(db_path)
    try:
        roles = frozenset(roles_of(db, actor or current_user()))
    finally:
        db.close()
    ReviewApp(db_path, actor=actor, today=today, roles=roles, lang=chosen(lang)).run()
