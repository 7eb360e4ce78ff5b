"""Command palette: jump to a subject of the current run by name or key,
and open the runs list, the audit log or the compare view."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, cast, runtime_checkable

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.worker import WorkerCancelled, WorkerFailed

from scoring.browse import Store, SubjectHit, find_subjects, latest_run
from tui.lang import tr


@runtime_checkable
class OffersActions(Protocol):
    """A screen whose review actions the palette offers too."""

    def palette_actions(self) -> list[tuple[str, str, Callable[[], object]]]: ...


class _ReviewApp(Protocol):
    store: Store
    current_run: int | None

    def open_subject(self, run_id: int, award: str, subject: str) -> None: ...
    def action_runs(self) -> None: ...
    def action_audit(self) -> None: ...
    def action_compare(self) -> None: ...


def _search(store: Store, run_id: int | None, text: str) -> tuple[int | None, list[SubjectHit]]:
    with store.connect() as db:
        run = run_id if run_id is not None else latest_run(db)
        hits = find_subjects(db, run, text) if run is not None else []
    return run, hits


class ReviewCommands(Provider):
    """跳到对象 (jump to subject), 运行列表, 审计日志, 比较运行."""

    @property
    def review(self) -> _ReviewApp:
        return cast(_ReviewApp, self.app)

    def _fixed(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.review
        found: list[tuple[str, str, Callable[[], object]]] = [
            (tr("palette.runs"), tr("palette.runs_help"), app.action_runs),
            (tr("palette.audit"), tr("palette.audit_help"), app.action_audit),
            (tr("palette.compare"), tr("palette.compare_help"), app.action_compare),
        ]
        screen = self.screen
        if isinstance(screen, OffersActions):
            found += screen.palette_actions()
        return found

    async def discover(self) -> Hits:
        for name, help_text, action in self._fixed():
            yield DiscoveryHit(name, action, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in self._fixed():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), action, help=help_text)
        if not query.strip():
            return
        app = self.review
        worker = self.app.run_worker(
            partial(_search, app.store, app.current_run, query),
            thread=True,
            exclusive=True,
            group="palette",
            exit_on_error=False,
        )
        try:
            run_id, hits = await worker.wait()
        except (WorkerCancelled, WorkerFailed):
            return  # a newer search replaced this one, or the failure was notified
        if run_id is None:
            return
        for hit in hits:
            label = tr("palette.jump", name=hit.name or hit.subject, subject=hit.subject)
            where = tr("palette.where", run=run_id, award=hit.award)
            if hit.unit:
                where += f" {hit.unit}"
            where += (
                tr("palette.rank", rank=hit.rank)
                if hit.rank is not None
                else tr("palette.unranked")
            )
            exact = query.strip() in (hit.name, hit.subject)
            yield Hit(
                1.0 if exact else 0.9,
                Text(label),
                partial(app.open_subject, run_id, hit.award, hit.subject),
                text=label,
                help=where,
            )
