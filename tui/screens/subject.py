"""One subject of one award: the criteria tree, the reasons behind its
standing, and the evidence records behind each metric."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from sqlite_utils import Database
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    LoadingIndicator,
    Static,
    TabbedContent,
    TabPane,
    Tree,
)
from textual.worker import get_current_worker

from scoring import service
from scoring.browse import Store
from scoring.review.records import Flag
from scoring.service import explain
from scoring.width import fit, steady
from tui.acting import SaysWhyNot, acting_of
from tui.format import NONE, plain_cell, status_text, status_words, theme_style
from tui.lang import tr
from tui.navigation import navigator
from tui.review import (
    ActionDone,
    Outcome,
    SubjectReview,
    adjustment_said,
    adjustment_status,
    objection_status,
    perform,
    report,
    signed,
    start_action,
    subject_review,
)
from tui.screens.forms import AdjustForm, AdjustRequest, FlagForm
from tui.subject_view import EVIDENCE_CAP, EvidenceView, NodeView, SubjectView, build, cell
from tui.widgets.criteria import CriteriaTree
from tui.widgets.who import WhoBar
from tui.workers import ForwardWorkerErrors, store_of

TITLE_NAME_WIDTH = 10
"""Cells of the subject's name in the title below 100 columns (twice that from
100), so the key after it stays on screen at 80 columns."""


def _describe_flag(flag: Flag, done: str) -> str:
    return tr(done, award=flag.award, subject=flag.subject, id=flag.id)


class EvidenceTable(DataTable[Text]):
    """The records of one table linked to the subject within the period."""


def _evidence_id(table: str) -> str:
    return f"evidence-{table}"


class SubjectScreen(SaysWhyNot, ForwardWorkerErrors, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "key.back", id="subject.back"),
        Binding("t", "focus_tree", "key.tree", id="subject.tree"),
        Binding("v", "focus_evidence", "key.evidence", id="subject.evidence"),
        Binding("f", "flag", "key.flag", id="subject.flag"),
        Binding("j", "adjust", "key.adjust", id="subject.adjust"),
        Binding("u", "reveal", "key.reveal", id="subject.reveal", show=False),
        Binding("w", "all_records", "key.records", id="subject.records", show=False),
    ]

    ROLE_OF_ACTION = {"flag": "flag", "adjust": "adjust", "reveal": "reveal"}

    @property
    def help_title(self) -> str:
        return tr("subject.help_title", award=self.award, subject=self.subject)

    def action_refresh(self) -> None:
        """Reread this subject from the store."""
        self._load(store_of(self), self.run_id, self.award, self.subject)

    class Loaded(Message):
        def __init__(self, view: SubjectView, review: SubjectReview) -> None:
            super().__init__()
            self.view = view
            self.review = review

    def __init__(self, run_id: int, award: str, subject: str) -> None:
        super().__init__()
        self.run_id = run_id
        self.award = award
        self.subject = subject
        self.view: SubjectView | None = None
        self.review: SubjectReview | None = None
        self.revealed: dict[str, str] = {}
        """Private columns an admin revealed (logged), shown instead of the mask."""
        self.reader: str | None = None
        """The highlighted node: the evidence shows the records it counted."""
        self.all_records = False
        """Show every record of the subject in each table, counted or not (`w`)."""
        self._filled: dict[str, tuple[list[int], str | None]] = {}
        """What each evidence table shows now (table -> rows, whose records)."""

    def compose(self) -> ComposeResult:
        v = self.view
        with Horizontal(classes="title-bar"):
            yield Static(self._title(), id="subject-title", classes="screen-title")
            yield WhoBar(classes="who")
        if v is None:
            yield LoadingIndicator(id="subject-loading")
            yield Footer(compact=True)
            return
        yield Static(self._summary(v), id="subject-summary")
        with Horizontal(id="subject-body"):
            yield CriteriaTree(v, id="criteria")
            with VerticalScroll(id="subject-side"):
                yield Static("", id="node-detail")
                yield Static(self._standing(v), id="standing")
                yield Static(self._history(), id="review-history")
        with TabbedContent(id="evidence"):
            with TabPane(tr("subject.tab"), id="evidence-subject"):
                yield self._table(
                    [tr("subject.col_field"), tr("subject.col_value")],
                    [(k, self.revealed.get(k, val)) for k, val in v.subject_row],
                )
            for ev in v.evidence:
                with TabPane(f"{ev.table} ({ev.count})", id=_evidence_id(ev.table)):
                    yield Static(Text(""), classes="evidence-note")
                    yield self._table(ev.columns, [])
        yield Footer(compact=True)

    def _title(self) -> Text:
        v = self.view
        if v is None:
            return Text(f"{self.award} / {self.subject}")
        name, unit = self.revealed.get("name", v.name), self.revealed.get("unit", v.unit)
        width = TITLE_NAME_WIDTH if self.app.size.width < 100 else 2 * TITLE_NAME_WIDTH
        shown = fit(steady(name or v.subject), width)  # a long route name keeps the key on screen
        title = tr("subject.title", award=v.award_title, name=shown, key=v.subject)
        title += tr("subject.unit", unit=fit(steady(unit), width)) if unit else ""
        return Text(title, no_wrap=True, overflow="crop")  # what does not fit is cut, not hidden

    def on_mount(self) -> None:
        self._load(store_of(self), self.run_id, self.award, self.subject)

    @work(thread=True, exclusive=True, group="subject", exit_on_error=False)
    def _load(self, store: Store, run_id: int, award: str, subject: str) -> None:
        with store.connect() as db:
            view = build(explain(db, run_id, award, subject))
            review = subject_review(db, run_id, award, subject)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(view, review))

    async def on_subject_screen_loaded(self, message: Loaded) -> None:
        self.view, self.review = message.view, message.review
        await self._rebuild()
        self.query_one("#criteria", CriteriaTree).focus()

    async def _rebuild(self) -> None:
        """Compose the screen again from `view`, the evidence tabs filled."""
        await self.recompose()
        self._filled = {}
        self._fill_evidence()

    # ------------------------------------------------------------ parts
    def _summary(self, v: SubjectView) -> Text:
        rank = f"{v.rank} / {v.ranked_count}" if v.rank is not None else tr("subject.unranked")
        before = (
            tr("formula.before", value=v.computed_total) if v.computed_total is not None else ""
        )
        summary = tr("subject.summary", rank=rank, total=v.total + before, grade=v.grade or NONE)
        text = Text(summary)
        words = status_words(
            selected=v.selected,
            boundary_tie=v.boundary_tie,
            vetoed=bool(v.vetoes),
            eligible=v.eligible,
        )
        if v.excluded:
            words.append((tr("word.excluded"), "text-error"))
        if v.substituted:
            words.append((tr("word.substituted"), "text-success"))
        if v.revoked is not None:
            words.append((tr("word.revoked"), "text-error"))
        text.append_text(status_text(self.app, words) if words else Text(tr("word.not_selected")))
        if v.revoked is not None:
            text.append(tr("subject.revocation", text=v.revoked))
        text.append(f"\n{v.formula}")
        return text

    def _standing(self, v: SubjectView) -> Text:
        text = Text()
        head = theme_style(self.app, "text-primary", bold=True)
        text.append(tr("subject.eligibility") + "\n", head)
        if v.eligible:
            text.append(tr("subject.eligible"), theme_style(self.app, "text-success"))
        else:
            text.append(tr("subject.ineligible"), theme_style(self.app, "text-error"))
        text.append(tr("subject.condition", rule=v.eligible_rule or tr("value.none")) + "\n\n")
        text.append(tr("subject.vetoes") + "\n", head)
        if v.vetoes:
            rules = {reason: rule for rule, reason in v.veto_rules}
            for reason in v.vetoes:
                text.append(
                    tr("subject.veto", reason=reason) + "\n", theme_style(self.app, "text-error")
                )
                if reason in rules:
                    text.append(tr("subject.veto_rule", rule=rules[reason]) + "\n")
        else:
            text.append(tr("subject.no_veto", n=len(v.veto_rules)) + "\n")
        text.append("\n" + tr("subject.warnings") + "\n", head)
        if v.warnings:
            for warning in v.warnings:
                text.append(f"{warning}\n", theme_style(self.app, "text-warning"))
        else:
            text.append(tr("value.none") + "\n")
        return text

    def _history(self) -> Text:
        """The subject's adjustments and flags, oldest first."""
        text = Text()
        head = theme_style(self.app, "text-primary", bold=True)
        review = self.review
        text.append("\n" + tr("subject.adjustments") + "\n", head)
        if review is None or not review.adjustments:
            text.append(tr("value.none") + "\n")
        else:
            for a in review.adjustments:
                status = adjustment_status(a.status)
                style = theme_style(
                    self.app, "text-warning" if a.status == "pending" else "text-success"
                )
                text.append(f"#{a.id} {a.target} {signed(a.delta)}  ")
                text.append(status, style)
                text.append(tr("subject.proposed", who=a.author, day=a.created, reason=a.reason))
                if a.approved_by:
                    text.append(tr("subject.approved_by", who=a.approved_by))
                elif a.decided_by:
                    text.append(
                        tr("subject.decided_by", who=a.decided_by, reason=a.decision_reason or NONE)
                    )
        text.append("\n" + tr("subject.objections") + "\n", head)
        if review is None or not review.objections:
            text.append(tr("value.none") + "\n")
        else:
            for o in review.objections:
                style = theme_style(
                    self.app,
                    "text-warning"
                    if o.status == "open"
                    else "text-error"
                    if o.status == "upheld"
                    else "text-success",
                )
                text.append(f"#{o.id} ")
                text.append(objection_status(o.status), style)
                text.append(tr("subject.objector", who=o.objector, day=o.raised, reason=o.reason))
                if o.status != "open":
                    finding = o.finding or NONE
                    text.append(
                        tr("subject.resolved_by", who=o.resolved_by, day=o.resolved, text=finding)
                    )
        text.append("\n" + tr("subject.flags") + "\n", head)
        if review is None or not review.flags:
            text.append(tr("value.none") + "\n")
        else:
            for f in review.flags:
                state = tr("filter.flagged") if f.open else tr("subject.unflagged")
                style = theme_style(self.app, "text-error" if f.open else "text-success")
                text.append(f"#{f.id} ")
                text.append(state, style)
                text.append(f"  {f.flagged_by} ({f.flagged}): {f.reason}\n")
                if not f.open:
                    reason = f.unflag_reason or NONE
                    text.append(tr("subject.unflagged_by", who=f.unflagged_by, reason=reason))
        return text

    def _table(
        self, columns: list[str], rows: list[list[str]] | list[tuple[str, str]]
    ) -> EvidenceTable:
        table = EvidenceTable(zebra_stripes=True, cursor_type="row")
        table.add_columns(*columns)
        for row in rows:
            table.add_row(*(plain_cell(c) for c in row))
        return table

    def _fill_evidence(self) -> None:
        """Fill every evidence tab with the records the highlighted node counted."""
        if self.view is None:
            return
        for ev in self.view.evidence:
            panes = self.query(f"#{_evidence_id(ev.table)}")
            if not panes:
                continue
            pane = panes.first()
            shown, reader = ev.shown(self.reader, self.all_records)
            if self._filled.get(ev.table) == (shown, reader):
                continue  # the same records as before: leave the table (and its cursor)
            self._filled[ev.table] = (shown, reader)
            pane.query_one(".evidence-note", Static).update(
                Text(self._evidence_note(ev, shown, reader))
            )
            table = pane.query_one(EvidenceTable)
            table.clear()
            for i in shown[:EVIDENCE_CAP]:
                table.add_row(*(plain_cell(c) for c in ev.rows[i]))

    def _evidence_note(self, ev: EvidenceView, shown: list[int], reader: str | None) -> str:
        counted = len(frozenset[int]().union(*ev.counted.values()))
        if reader is None:
            note = tr("subject.evidence_all", n=ev.count, counted=counted)
        elif reader:
            note = tr(
                "subject.evidence_node", n=ev.count, shown=len(shown), node=self._node_title(reader)
            )
        else:
            note = tr("subject.evidence_counted", n=ev.count, shown=len(shown))
        note += tr("subject.evidence_used", used=", ".join(ev.used_by))
        if len(shown) > EVIDENCE_CAP:
            note += tr("subject.evidence_first", n=EVIDENCE_CAP)
        return note

    def _node_title(self, path: str) -> str:
        v = self.view
        node = v.node(path) if v is not None else None
        return f"{node.title} ({path})" if node is not None and node.title != path else path

    # ------------------------------------------------------------ events
    @on(Tree.NodeHighlighted, "#criteria")
    def _node_highlighted(self, event: Tree.NodeHighlighted[NodeView]) -> None:
        node = event.node.data
        if node is None:
            return
        self.query_one("#node-detail", Static).update(self._detail(node))
        self.reader = node.path
        self._fill_evidence()
        if node.tables and self.query("#evidence"):
            self.query_one("#evidence", TabbedContent).active = _evidence_id(node.tables[0])

    def _detail(self, node: NodeView) -> Text:
        text = Text()
        text.append(
            f"{node.title}  {node.path}\n", theme_style(self.app, "text-primary", bold=True)
        )
        text.append(tr("subject.node_points", max=node.max, points=node.points))
        if node.computed is not None:
            before = tr("formula.before", value=node.computed)
            text.append(before, theme_style(self.app, "text-warning"))
        if node.metric is not None:
            text.append(tr("subject.node_metric", metric=node.metric))
        if node.no_data:
            text.append("    " + tr("value.no_data"), theme_style(self.app, "text-warning"))
        text.append(f"\n{node.rule}\n")
        if node.tables:
            text.append(tr("subject.node_tables", tables=", ".join(node.tables)) + "\n")
        return text

    # ------------------------------------------------------------ actions
    def action_back(self) -> None:
        self.dismiss()

    def _who(self) -> str:
        v = self.view
        return f"{self.award} {self.subject}" + (f" {v.name}" if v and v.name else "")

    def action_flag(self) -> None:
        if self.review is None:
            return
        path, run_id, award, subject = store_of(self).path, self.run_id, self.award, self.subject
        kw = acting_of(self).kwargs()
        if self.review.flagged:

            def unflag(reason: str | None) -> None:
                if reason:
                    start_action(
                        self,
                        path,
                        lambda db: _describe_flag(
                            service.unflag(db, run_id, subject, reason=reason, award=award, **kw),
                            "subject.unflag_done",
                        ),
                        award,
                    )

            self.app.push_screen(FlagForm(tr("subject.unflag_form", who=self._who())), unflag)
            return

        def flag(reason: str | None) -> None:
            if reason:
                start_action(
                    self,
                    path,
                    lambda db: _describe_flag(
                        service.flag(db, run_id, subject, reason=reason, award=award, **kw),
                        "subject.flag_done",
                    ),
                    award,
                )

        self.app.push_screen(FlagForm(tr("subject.flag_form", who=self._who())), flag)

    def action_adjust(self) -> None:
        if self.review is None:
            return
        path, run_id, award, subject = store_of(self).path, self.run_id, self.award, self.subject
        kw = acting_of(self).kwargs()

        def adjust(request: AdjustRequest | None) -> None:
            if request is None:
                return

            def act(db: Database) -> str:
                adj = service.adjust(
                    db,
                    run_id,
                    subject,
                    request.target,
                    request.delta,
                    reason=request.reason,
                    award=award,
                    **kw,
                )
                return adjustment_said("subject.adjusted", adj)

            start_action(self, path, act, award)

        form = AdjustForm(tr("subject.adjust_form", who=self._who()), self.review.targets)
        self.app.push_screen(form, adjust)

    class Revealed(Message):
        def __init__(self, values: dict[str, str] | None, outcome: Outcome) -> None:
            super().__init__()
            self.values = values
            self.outcome = outcome

    def action_reveal(self) -> None:
        """Show the subject's private columns (admin; logged with the reason)."""
        path, run_id, award, subject = store_of(self).path, self.run_id, self.award, self.subject
        kw = acting_of(self).kwargs()

        def revealed(reason: str | None) -> None:
            if reason:
                self._reveal(path, run_id, award, subject, reason, kw)

        self.app.push_screen(FlagForm(tr("subject.reveal_form", who=self._who())), revealed)

    @work(thread=True, group="reveal", exit_on_error=False)
    def _reveal(
        self, path: str, run_id: int, award: str, subject: str, reason: str, kw: dict[str, Any]
    ) -> None:
        found: dict[str, str] = {}

        def act(db: Database) -> str:
            values = service.reveal_private(db, run_id, subject, reason=reason, award=award, **kw)
            found.update({k: cell(v) for k, v in values.items()})
            return tr("subject.revealed", subject=subject, columns=", ".join(values))

        outcome = perform(path, act, award)
        self.post_message(self.Revealed(found if outcome.ok else None, outcome))

    async def on_subject_screen_revealed(self, message: Revealed) -> None:
        report(self, message.outcome)
        if message.values is not None:
            self.revealed = message.values
            await self._rebuild()

    def on_action_done(self, message: ActionDone) -> None:
        message.stop()
        report(self, message.outcome)
        if message.outcome.ok:
            navigator(self).review_changed(self.run_id, self.award)

    def review_changed(self, run_id: int, award: str | None) -> None:
        """Reread this subject after a review action on its run."""
        if run_id == self.run_id and award in (None, self.award):
            self._load(store_of(self), self.run_id, self.award, self.subject)

    def action_all_records(self) -> None:
        """Toggle between the records the rules counted and all of the subject's."""
        self.all_records = not self.all_records
        self._fill_evidence()

    def action_focus_tree(self) -> None:
        self.query_one("#criteria", CriteriaTree).focus()

    def action_focus_evidence(self) -> None:
        tables = self.query(EvidenceTable)
        if not tables:
            return
        tabs = self.query_one("#evidence", TabbedContent)
        tabs.get_pane(tabs.active).query_one(EvidenceTable).focus()
