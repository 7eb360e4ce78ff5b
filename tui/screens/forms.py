"""Modal forms of the review actions (SPEC sections 5 and 8): each asks for a reason,
which is mandatory, plus the fields of its action. `escape` cancels (the
form dismisses with None); the form refuses to close while a field is
wrong and says why under the fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option

from scoring.review.records import Adjustment, Objection
from tui.lang import tr

T = TypeVar("T")


class FormError(Exception):
    """A field of the form is wrong; the message is shown in the form."""


@dataclass(frozen=True)
class AdjustRequest:
    target: str
    delta: str
    reason: str


@dataclass(frozen=True)
class TieRequest:
    selected: list[str]
    reason: str


@dataclass(frozen=True)
class ApproveRequest:
    adjustment_id: int
    reason: str
    approve: bool = True


@dataclass(frozen=True)
class NoticeRequest:
    start: dt.date
    days: int
    reason: str


@dataclass(frozen=True)
class ObjectRequest:
    objector: str
    reason: str


@dataclass(frozen=True)
class ResolveRequest:
    objection_id: int
    upheld: bool
    reason: str


class ReasonForm(ModalScreen[T | None], Generic[T]):
    """The frame of every action form: a title, the action's fields, a
    reason (mandatory unless `REASON_REQUIRED` is false), the error line and
    OK / cancel."""

    BINDINGS = [Binding("escape", "cancel", "key.cancel", id="form.cancel")]
    REASON_REQUIRED = True

    def __init__(self, title: str, note: str = "") -> None:
        super().__init__()
        self.form_title = title
        self.note = note

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form", classes="form"):
            yield Static(self.form_title, id="form-title")
            if self.note:
                yield Static(self.note, id="form-note")
            yield from self.fields()
            yield Label(
                tr("form.reason_required") if self.REASON_REQUIRED else tr("form.reason_optional"),
                classes="form-label",
            )
            yield Input(placeholder=tr("form.reason"), id="form-reason")
            yield Static("", id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button(tr("form.ok"), variant="primary", id="form-ok")
                yield Button(tr("key.cancel"), id="form-cancel")

    def fields(self) -> ComposeResult:
        """The fields of the action (none: a reason only)."""
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#form").query("Select, SelectionList, OptionList, Input").first().focus()

    @property
    def reason(self) -> str:
        return self.query_one("#form-reason", Input).value.strip()

    def result(self) -> T:
        """The form's value, or FormError when a field is wrong."""
        raise NotImplementedError

    def show_error(self, text: str) -> None:
        self.query_one("#form-error", Static).update(text)

    def submit(self) -> None:
        try:
            if self.REASON_REQUIRED and not self.reason:
                raise FormError(tr("form.reason_missing"))
            value = self.result()
        except FormError as exc:
            self.show_error(str(exc))
            return
        self.dismiss(value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    @on(Button.Pressed, "#form-ok")
    def _ok(self, event: Button.Pressed) -> None:
        event.stop()
        self.submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FlagForm(ReasonForm[str]):
    """Flag or unflag: the reason only."""

    def result(self) -> str:
        return self.reason


def parse_delta(text: str) -> str:
    """A signed, non-zero number as typed (`+2`, `-0.5`); FormError otherwise."""
    raw = text.strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise FormError(tr("form.delta_not_number", raw=raw)) from None
    if not value.is_finite():
        raise FormError(tr("form.delta_not_finite", raw=raw))
    if value == 0:
        raise FormError(tr("refusal.zero"))
    return raw.lstrip("+")


class AdjustForm(ReasonForm[AdjustRequest]):
    """Adjust a node (dotted path) or the total by a signed change."""

    def __init__(self, title: str, targets: list[str]) -> None:
        super().__init__(title, tr("form.adjust_note"))
        self.targets = targets

    def fields(self) -> ComposeResult:
        yield Label(tr("form.target"), classes="form-label")
        yield Select(
            [(t, t) for t in self.targets],
            value="total" if "total" in self.targets else Select.NULL,
            allow_blank="total" not in self.targets,
            id="form-target",
        )
        yield Label(tr("form.delta"), classes="form-label")
        yield Input(placeholder="+1", id="form-delta")

    def result(self) -> AdjustRequest:
        target = self.query_one("#form-target", Select).value
        if not isinstance(target, str):
            raise FormError(tr("form.target_missing"))
        delta = parse_delta(self.query_one("#form-delta", Input).value)
        return AdjustRequest(target, delta, self.reason)


class TieForm(ReasonForm[TieRequest]):
    """Choose exactly `seats` of the tied subjects."""

    def __init__(
        self,
        title: str,
        tied: list[tuple[str, str]],
        seats: int,
        chosen: list[str] | None = None,
    ) -> None:
        super().__init__(title, tr("form.tie_note", tied=len(tied), seats=seats))
        self.tied = tied
        self.seats = seats
        self.chosen = chosen or []

    def fields(self) -> ComposeResult:
        yield SelectionList[str](
            *[(label, key, key in self.chosen) for key, label in self.tied], id="form-tied"
        )
        yield Static(self._choice_text(self.chosen), id="form-chosen")

    def _choice_text(self, selected: list[str]) -> str:
        """Who is in and who is out, in words (not only by colour)."""
        chosen = [k for k, _ in self.tied if k in selected]
        left = [k for k, _ in self.tied if k not in selected]
        none = tr("value.none")
        return tr(
            "form.tie_choice",
            n=len(chosen),
            seats=self.seats,
            chosen=", ".join(chosen) or none,
            left=", ".join(left) or none,
        )

    @on(SelectionList.SelectedChanged, "#form-tied")
    def _selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        selected = [str(s) for s in event.selection_list.selected]
        self.query_one("#form-chosen", Static).update(self._choice_text(selected))

    def result(self) -> TieRequest:
        selected = list(self.query_one("#form-tied", SelectionList).selected)
        if not selected:
            raise FormError(tr("form.tie_missing", seats=self.seats))
        return TieRequest([str(s) for s in selected], self.reason)


def adjustment_line(adj: Adjustment) -> str:
    sign = "" if adj.delta.startswith("-") else "+"
    return f"#{adj.id} {adj.award} {adj.subject} {adj.target} {sign}{adj.delta}" + tr(
        "form.proposed_by", who=adj.author, reason=adj.reason
    )


class ApproveForm(ReasonForm[ApproveRequest]):
    """Pick one pending adjustment to approve."""

    def __init__(self, title: str, pending: list[Adjustment], current: int | None = None) -> None:
        super().__init__(title, tr("form.approve_note"))
        self.pending = pending
        self.current = current

    def fields(self) -> ComposeResult:
        options = [Option(adjustment_line(a), id=str(a.id)) for a in self.pending]
        yield OptionList(*options, id="form-pending")
        yield Select(
            [(tr("form.approve"), "approve"), (tr("form.reject"), "reject")],
            value="approve",
            allow_blank=False,
            id="form-decision",
        )

    def on_mount(self) -> None:
        pending = self.query_one("#form-pending", OptionList)
        if self.current is not None:
            pending.highlighted = pending.get_option_index(str(self.current))
        elif self.pending:
            pending.highlighted = 0
        pending.focus()

    def result(self) -> ApproveRequest:
        pending = self.query_one("#form-pending", OptionList)
        if pending.highlighted is None:
            raise FormError(tr("form.approve_missing"))
        option_id = pending.get_option_at_index(pending.highlighted).id
        approve = self.query_one("#form-decision", Select).value != "reject"
        return ApproveRequest(int(option_id or 0), self.reason, approve)

    @on(OptionList.OptionSelected, "#form-pending")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#form-reason", Input).focus()


class ConfirmForm(ReasonForm[str]):
    """Confirm an action whose consequences the form lists; the reason is optional."""

    REASON_REQUIRED = False

    def __init__(self, title: str, lines: list[str], note: str = "") -> None:
        super().__init__(title, note)
        self.lines = lines

    def fields(self) -> ComposeResult:
        if self.lines:
            with VerticalScroll(id="form-lines-box"):
                yield Static("\n".join(self.lines), id="form-lines", markup=False)

    def result(self) -> str:
        return self.reason


class PublishForm(ConfirmForm):
    """Publish: what will be frozen, or every item that still blocks it (then
    the form cannot be confirmed)."""

    def __init__(self, title: str, lines: list[str], blockers: list[str]) -> None:
        note = (
            tr("form.publish_blocked", n=len(blockers)) if blockers else tr("form.publish_frozen")
        )
        super().__init__(title, blockers or lines, note)
        self.blockers = blockers

    def on_mount(self) -> None:
        super().on_mount()
        if self.blockers:
            self.query_one("#form-ok", Button).disabled = True

    def result(self) -> str:
        if self.blockers:
            raise FormError(tr("form.publish_first"))
        return self.reason


def parse_day(text: str) -> dt.date:
    """A date typed as YYYY-MM-DD; FormError otherwise."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise FormError(tr("form.bad_date", raw=text.strip())) from None


def parse_days(text: str) -> int:
    """A number of working days (at least 1); FormError otherwise."""
    raw = text.strip()
    if not raw.isdigit() or int(raw) < 1:
        raise FormError(tr("form.bad_days", raw=raw))
    return int(raw)


class NoticeForm(ReasonForm[NoticeRequest]):
    """Open the notice: start date and working days, the computed window shown."""

    REASON_REQUIRED = False

    def __init__(self, title: str, today: dt.date, window: Callable[[dt.date, int], str]) -> None:
        super().__init__(title, tr("form.notice_note"))
        self.today = today
        self.window = window

    def fields(self) -> ComposeResult:
        yield Label(tr("form.start"), classes="form-label")
        yield Input(value=self.today.isoformat(), id="form-start")
        yield Label(tr("form.days"), classes="form-label")
        yield Input(value="5", id="form-days")
        yield Static("", id="form-window")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_window()

    @on(Input.Changed, "#form-start, #form-days")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show_window()

    def _show_window(self) -> None:
        try:
            text = self.window(*self._values())
        except FormError as exc:
            text = str(exc)
        self.query_one("#form-window", Static).update(text)

    def _values(self) -> tuple[dt.date, int]:
        start = parse_day(self.query_one("#form-start", Input).value)
        return start, parse_days(self.query_one("#form-days", Input).value)

    def result(self) -> NoticeRequest:
        start, days = self._values()
        self.window(start, days)  # a window that cannot be counted is refused here
        return NoticeRequest(start, days, self.reason)


class ObjectForm(ReasonForm[ObjectRequest]):
    """Record an objection: the objector's name (异议须实名) and the reason."""

    def fields(self) -> ComposeResult:
        yield Label(tr("form.objector"), classes="form-label")
        yield Input(placeholder=tr("form.objector_placeholder"), id="form-objector")

    def result(self) -> ObjectRequest:
        objector = self.query_one("#form-objector", Input).value.strip()
        if not objector:
            raise FormError(tr("form.objector_missing"))
        return ObjectRequest(objector, self.reason)


def objection_line(o: Objection) -> str:
    return f"#{o.id} {o.award} {o.subject}" + tr(
        "form.objection_by", who=o.objector, day=o.raised, reason=o.reason
    )


class ResolveObjectionForm(ReasonForm[ResolveRequest]):
    """Resolve an open objection: upheld (递补) or dismissed (reason required)."""

    REASON_REQUIRED = False

    def __init__(self, title: str, objections: list[Objection]) -> None:
        super().__init__(title, tr("form.resolve_note"))
        self.objections = objections

    def fields(self) -> ComposeResult:
        yield OptionList(
            *[Option(objection_line(o), id=str(o.id)) for o in self.objections],
            id="form-objections",
        )
        yield Select(
            [(tr("form.upheld"), "upheld"), (tr("form.dismissed"), "dismissed")],
            prompt=tr("form.finding"),
            id="form-finding",
        )

    def on_mount(self) -> None:
        listed = self.query_one("#form-objections", OptionList)
        if self.objections:
            listed.highlighted = 0
        listed.focus()

    def result(self) -> ResolveRequest:
        listed = self.query_one("#form-objections", OptionList)
        if listed.highlighted is None:
            raise FormError(tr("form.objection_missing"))
        finding = self.query_one("#form-finding", Select).value
        if finding not in ("upheld", "dismissed"):
            raise FormError(tr("form.finding_missing"))
        if finding == "dismissed" and not self.reason:
            raise FormError(tr("form.dismiss_reason"))
        option_id = listed.get_option_at_index(listed.highlighted).id
        return ResolveRequest(int(option_id or 0), finding == "upheld", self.reason)


class GoToForm(ModalScreen[int | None]):
    """Ask for a rank (or row) number to jump to; refuses anything but a
    positive whole number."""

    BINDINGS = [Binding("escape", "cancel", "key.cancel", id="goto.cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.form_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="form", classes="form"):
            yield Static(self.form_title, id="form-title")
            yield Input(placeholder=tr("form.number_placeholder"), id="form-number")
            yield Static("", id="form-error")

    def on_mount(self) -> None:
        self.query_one("#form-number", Input).focus()

    @on(Input.Submitted, "#form-number")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        raw = event.value.strip()
        if not raw.isdigit() or int(raw) < 1:
            self.query_one("#form-error", Static).update(tr("form.bad_number", raw=raw))
            return
        self.dismiss(int(raw))

    def action_cancel(self) -> None:
        self.dismiss(None)
