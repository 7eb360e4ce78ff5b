"""The review actions of a run's screen (SPEC section 5): each opens its modal form,
runs the library call in a worker as the acting user, and reports.

`RunActions` is the run screen's base: it holds the forms and the calls; the
run screen (`tui.screens.run`) supplies the rankings and the cursor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from sqlite_utils import Database
from textual import work
from textual.message import Message
from textual.screen import Screen

from scoring import service
from scoring.browse import Store
from scoring.review.calendar import WorkCalendar
from scoring.review.records import Adjustment, Objection
from tui.acting import acting_of
from tui.lang import tr
from tui.navigation import navigator
from tui.review import (
    ActionDone,
    PublishPreview,
    TieChoice,
    adjustment_said,
    boundary_ties,
    notice_window_text,
    open_objections,
    pending_adjustments,
    publish_preview,
    report,
    selection,
    selection_change,
    start_action,
    work_calendar,
)
from tui.screens.forms import (
    ApproveForm,
    ApproveRequest,
    ConfirmForm,
    FlagForm,
    NoticeForm,
    NoticeRequest,
    ObjectForm,
    ObjectRequest,
    PublishForm,
    ResolveObjectionForm,
    ResolveRequest,
    TieForm,
    TieRequest,
)
from tui.widgets.ranking import AwardRanking
from tui.workers import store_of


class RunActions(Screen[None]):
    """The review actions of one run; the subclass shows its rankings."""

    run_id: int

    def _has_rankings(self) -> bool:
        raise NotImplementedError

    def active_ranking(self) -> AwardRanking:
        raise NotImplementedError

    def cursor_subject(self) -> str | None:
        raise NotImplementedError

    def _award_title(self, award: str) -> str:
        raise NotImplementedError

    class ObjectionsLoaded(Message):
        def __init__(self, objections: list[Objection]) -> None:
            super().__init__()
            self.objections = objections

    class PreviewLoaded(Message):
        def __init__(self, preview: PublishPreview) -> None:
            super().__init__()
            self.preview = preview

    class PendingLoaded(Message):
        def __init__(self, pending: list[Adjustment], current: int | None) -> None:
            super().__init__()
            self.pending = pending
            self.current = current

    class TiesLoaded(Message):
        def __init__(self, award: str, ties: list[TieChoice]) -> None:
            super().__init__()
            self.award = award
            self.ties = ties

    def action_approve(self) -> None:
        """Approve a pending adjustment: the list, the cursor's subject's first."""
        if not self._has_rankings():
            return
        ranking = self.active_ranking()
        self._load_pending(store_of(self), self.run_id, ranking.award, self.cursor_subject())

    @work(thread=True, group="pending", exit_on_error=False)
    def _load_pending(self, store: Store, run_id: int, award: str, subject: str | None) -> None:
        with store.connect() as db:
            pending = pending_adjustments(db, run_id)
        mine = [a.id for a in pending if a.award == award and a.subject == subject]
        self.post_message(self.PendingLoaded(pending, mine[0] if mine else None))

    def on_run_actions_pending_loaded(self, message: PendingLoaded) -> None:
        if not message.pending:
            self.notify(tr("actions.no_pending"), title=tr("actions.approve_title"))
            return
        path, run_id, kw = store_of(self).path, self.run_id, acting_of(self).kwargs()
        awards = {a.id: a.award for a in message.pending}

        def approve(request: ApproveRequest | None) -> None:
            if request is None:
                return

            def act(db: Database) -> str:
                if not request.approve:
                    adj = service.reject_adjustment(
                        db, run_id, request.adjustment_id, reason=request.reason, **kw
                    )
                    return adjustment_said("actions.rejected", adj)
                adj = service.approve(
                    db, run_id, request.adjustment_id, reason=request.reason or None, **kw
                )
                return adjustment_said("actions.approved", adj)

            start_action(self, path, act, awards.get(request.adjustment_id))

        form = ApproveForm(tr("actions.approve_title"), message.pending, message.current)
        self.app.push_screen(form, approve)

    def action_resolve_tie(self) -> None:
        if self._has_rankings():
            self._load_ties(store_of(self), self.run_id, self.active_ranking().award)

    @work(thread=True, group="ties", exit_on_error=False)
    def _load_ties(self, store: Store, run_id: int, award: str) -> None:
        self.post_message(self.TiesLoaded(award, boundary_ties(store.path, run_id, award)))

    def on_run_actions_ties_loaded(self, message: TiesLoaded) -> None:
        award = message.award
        if not message.ties:
            self.notify(
                tr("actions.no_tie", award=self._award_title(award)), title=tr("actions.tie_title")
            )
            return
        tie = message.ties[0]
        path, run_id, kw = store_of(self).path, self.run_id, acting_of(self).kwargs()

        def resolve(request: TieRequest | None) -> None:
            if request is None:
                return

            def act(db: Database) -> str:
                done = service.resolve_tie(
                    db, run_id, award, request.selected, reason=request.reason, **kw
                )
                return tr("actions.tie_done", award=award, selected=", ".join(done.selected))

            start_action(self, path, act, award)

        title = tr("actions.tie_form", award=self._award_title(award), rank=tie.rank)
        self.app.push_screen(TieForm(title, tie.tied, tie.seats, tie.chosen), resolve)

    def _act(self, act: Callable[[Database], str]) -> None:
        """Run a review action of the whole run (every award may move)."""
        start_action(self, store_of(self).path, act)

    def action_review_start(self) -> None:
        run_id, kw = self.run_id, acting_of(self).kwargs()

        def confirmed(reason: str | None) -> None:
            if reason is None:
                return

            def act(db: Database) -> str:
                service.review_start(db, run_id, reason=reason or None, **kw)
                return tr("actions.review_started", run=run_id)

            self._act(act)

        lines = [tr("actions.review_start_line")]
        form = ConfirmForm(tr("actions.review_start_form", run=run_id), lines)
        self.app.push_screen(form, confirmed)

    class CalendarLoaded(Message):
        def __init__(self, calendar: WorkCalendar) -> None:
            super().__init__()
            self.calendar = calendar

    def action_notice(self) -> None:
        self._load_calendar(store_of(self))

    @work(thread=True, group="calendar", exit_on_error=False)
    def _load_calendar(self, store: Store) -> None:
        with store.connect() as db:
            self.post_message(self.CalendarLoaded(work_calendar(db)))

    def on_run_actions_calendar_loaded(self, message: CalendarLoaded) -> None:
        run_id, acting = self.run_id, acting_of(self)
        kw = acting.kwargs()

        def opened(request: NoticeRequest | None) -> None:
            if request is None:
                return

            def act(db: Database) -> str:
                n = service.open_notice(
                    db,
                    run_id,
                    days=request.days,
                    start=request.start,
                    reason=request.reason or None,
                    **kw,
                )
                return tr("actions.notice_done", first=n.first_day, last=n.last_day, days=n.days)

            self._act(act)

        self.app.push_screen(
            NoticeForm(
                tr("actions.notice_form", run=run_id),
                acting.day,
                partial(notice_window_text, message.calendar),
            ),
            opened,
        )

    def _cursor_or_say(self) -> tuple[str, str] | None:
        subject = self.cursor_subject()
        if subject is None or not self._has_rankings():
            self.notify(
                tr("actions.choose_subject"), title=tr("actions.no_subject"), severity="warning"
            )
            return None
        return self.active_ranking().award, subject

    def action_object(self) -> None:
        chosen = self._cursor_or_say()
        if chosen is None:
            return
        award, subject = chosen
        run_id, kw = self.run_id, acting_of(self).kwargs()

        def recorded(request: ObjectRequest | None) -> None:
            if request is None:
                return

            def act(db: Database) -> str:
                o = service.raise_objection(
                    db,
                    run_id,
                    subject,
                    objector=request.objector,
                    reason=request.reason,
                    award=award,
                    **kw,
                )
                return tr("actions.objection_done", id=o.id, who=o.objector, subject=o.subject)

            self._act(act)

        title = tr("actions.object_form", award=self._award_title(award), subject=subject)
        self.app.push_screen(ObjectForm(title), recorded)

    def action_resolve_objection(self) -> None:
        self._load_objections(store_of(self), self.run_id)

    @work(thread=True, group="objections", exit_on_error=False)
    def _load_objections(self, store: Store, run_id: int) -> None:
        with store.connect() as db:
            self.post_message(self.ObjectionsLoaded(open_objections(db, run_id)))

    def on_run_actions_objections_loaded(self, message: ObjectionsLoaded) -> None:
        if not message.objections:
            self.notify(tr("actions.no_objection"), title=tr("actions.resolve_title"))
            return
        run_id, kw = self.run_id, acting_of(self).kwargs()

        def resolved(request: ResolveRequest | None) -> None:
            if request is None:
                return

            def act(db: Database) -> str:
                before = selection(db, run_id)
                o = service.resolve_objection(
                    db,
                    run_id,
                    request.objection_id,
                    upheld=request.upheld,
                    reason=request.reason or None,
                    **kw,
                )
                if not request.upheld:
                    return tr("actions.dismissed", id=o.id, subject=o.subject)
                moved = selection_change(before, selection(db, run_id))
                return tr("actions.upheld", id=o.id, subject=o.subject) + (
                    f"; {moved}" if moved else ""
                )

            self._act(act)

        form = ResolveObjectionForm(tr("actions.resolve_title"), message.objections)
        self.app.push_screen(form, resolved)

    def action_publish(self) -> None:
        self._load_preview(store_of(self), self.run_id, acting_of(self).day)

    @work(thread=True, group="preview", exit_on_error=False)
    def _load_preview(self, store: Store, run_id: int, today: dt.date) -> None:
        with store.connect() as db:
            self.post_message(self.PreviewLoaded(publish_preview(db, run_id, today)))

    def on_run_actions_preview_loaded(self, message: PreviewLoaded) -> None:
        run_id, kw = self.run_id, acting_of(self).kwargs()

        def confirmed(reason: str | None) -> None:
            if reason is None:
                return

            def act(db: Database) -> str:
                digest = service.publish(db, run_id, reason=reason or None, **kw)
                return tr("actions.published", run=run_id, digest=digest[:12])

            self._act(act)

        preview = message.preview
        form = PublishForm(tr("actions.publish_form", run=run_id), preview.frozen, preview.blockers)
        self.app.push_screen(form, confirmed)

    def action_revoke(self) -> None:
        chosen = self._cursor_or_say()
        if chosen is None:
            return
        award, subject = chosen
        run_id, kw = self.run_id, acting_of(self).kwargs()

        def revoked(reason: str | None) -> None:
            if not reason:
                return

            def act(db: Database) -> str:
                v = service.revoke(db, run_id, subject, reason=reason, award=award, **kw)
                return tr("actions.revoked", subject=v.subject, reason=v.reason)

            self._act(act)

        title = tr("actions.revoke_form", award=self._award_title(award), subject=subject)
        self.app.push_screen(FlagForm(title), revoked)

    def on_action_done(self, message: ActionDone) -> None:
        message.stop()
        report(self, message.outcome)
        if message.outcome.ok:
            navigator(self).review_changed(self.run_id, message.outcome.award)
