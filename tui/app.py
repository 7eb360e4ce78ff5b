"""`pioneer review`: the reviewer's terminal UI over a store.

Two top-level modes: `runs` (the runs list, from which a run's rankings, a
subject and the compare view are pushed) and `audit` (the audit log). Every
read runs in a thread worker; results come back as messages; a failed worker
reaches `ReviewApp.on_query_failed`, the one place errors are shown.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from scoring.browse import Store
from scoring.errors import PioneerError
from scoring.service import open_existing
from tui.commands import ReviewCommands
from tui.navigation import ShowsReview
from tui.review import Outcome
from tui.screens.audit import AuditScreen
from tui.screens.compare import CompareScreen
from tui.screens.run import RunScreen
from tui.screens.runs import RunsScreen
from tui.screens.subject import SubjectScreen
from tui.workers import ForwardWorkerErrors, QueryFailed


class ReviewApp(ForwardWorkerErrors, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "pioneer 评审"
    MODES = {"runs": RunsScreen, "audit": AuditScreen}
    DEFAULT_MODE = "runs"
    COMMANDS = App.COMMANDS | {ReviewCommands}
    BINDINGS = [
        Binding("a", "audit", "审计日志", id="app.audit"),
        Binding("r", "runs", "运行列表", id="app.runs"),
        Binding("q", "quit", "退出", id="app.quit"),
    ]

    def __init__(self, db_path: str) -> None:
        super().__init__()
        self.store = Store(db_path)
        self.errors: list[str] = []
        self.outcomes: list[Outcome] = []  # every review action's result, in order

    def on_query_failed(self, message: QueryFailed) -> None:
        """The one handler of failed workers: say what went wrong, keep going."""
        error = message.error
        text = str(error) if isinstance(error, PioneerError) else f"{type(error).__name__}: {error}"
        self.errors.append(text)
        self.notify(text, title="读取失败", severity="error", timeout=8)

    @property
    def current_run(self) -> int | None:
        """The run open in the current mode (the palette jumps within it)."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, RunScreen | SubjectScreen):
                return screen.run_id
        return None

    def action_audit(self) -> None:
        self.switch_mode("audit")

    def action_runs(self) -> None:
        self.switch_mode("runs")

    def action_compare(self) -> None:
        self.switch_mode("runs")
        screen = self.screen
        if isinstance(screen, RunsScreen):
            screen.action_compare()
        else:
            self.notify("在运行列表中标记两个运行后按 c 比较", title="比较")

    # ------------------------------------------------------------ navigation
    def open_subject(self, run_id: int, award: str, subject: str) -> None:
        """Open a subject's breakdown (from a ranking, compare or the palette)."""
        if self.current_mode != "runs":
            self.switch_mode("runs")
        self.push_screen(SubjectScreen(run_id, award, subject))

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


def run_review(db_path: str) -> None:
    """Open the reviewer UI on the store at `db_path`.

    Raises `PioneerError` when there is no store there (the CLI prints it).
    """
    open_existing(db_path).close()
    ReviewApp(db_path).run()
