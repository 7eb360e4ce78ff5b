"""Modal forms of the review actions (SPEC sections 5 and 8): each asks for a reason,
which is mandatory, plus the fields of its action. `escape` cancels (the
form dismisses with None); the form refuses to close while a field is
wrong and says why under the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option

from scoring.review.records import Adjustment

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


class ReasonForm(ModalScreen[T | None], Generic[T]):
    """The frame of every action form: a title, the action's fields, a
    mandatory reason, the error line and OK / cancel."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="form.cancel")]

    def __init__(self, title: str, note: str = "") -> None:
        super().__init__()
        self.form_title = title
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="form", classes="form"):
            yield Static(self.form_title, id="form-title")
            if self.note:
                yield Static(self.note, id="form-note")
            yield from self.fields()
            yield Label("理由 (必填)", classes="form-label")
            yield Input(placeholder="理由", id="form-reason")
            yield Static("", id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("确定", variant="primary", id="form-ok")
                yield Button("取消", id="form-cancel")

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
            if not self.reason:
                raise FormError("请填写理由: 每项评审操作都要说明理由")
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
        raise FormError(f"调整值 `{raw}` 不是数字 (例如 +2 或 -0.5)") from None
    if not value.is_finite():
        raise FormError(f"调整值 `{raw}` 不是有限的数")
    if value == 0:
        raise FormError("调整值不能为 0")
    return raw.lstrip("+")


class AdjustForm(ReasonForm[AdjustRequest]):
    """Adjust a node (dotted path) or the total by a signed change."""

    def __init__(self, title: str, targets: list[str]) -> None:
        super().__init__(title, "调整在另一位评审员批准后生效")
        self.targets = targets

    def fields(self) -> ComposeResult:
        yield Label("调整项", classes="form-label")
        yield Select(
            [(t, t) for t in self.targets],
            value="total" if "total" in self.targets else Select.NULL,
            allow_blank="total" not in self.targets,
            id="form-target",
        )
        yield Label("调整值 (带符号, 如 +2 或 -0.5)", classes="form-label")
        yield Input(placeholder="+1", id="form-delta")

    def result(self) -> AdjustRequest:
        target = self.query_one("#form-target", Select).value
        if not isinstance(target, str):
            raise FormError("请选择调整项")
        delta = parse_delta(self.query_one("#form-delta", Input).value)
        return AdjustRequest(target, delta, self.reason)


class TieForm(ReasonForm[TieRequest]):
    """Choose exactly `seats` of the tied subjects."""

    def __init__(self, title: str, tied: list[tuple[str, str]], seats: int) -> None:
        super().__init__(title, f"{len(tied)} 个并列, 名额 {seats} 个: 选出 {seats} 个")
        self.tied = tied
        self.seats = seats

    def fields(self) -> ComposeResult:
        yield SelectionList[str](*[(label, key) for key, label in self.tied], id="form-tied")

    def result(self) -> TieRequest:
        selected = list(self.query_one("#form-tied", SelectionList).selected)
        if not selected:
            raise FormError(f"请选出 {self.seats} 个")
        return TieRequest([str(s) for s in selected], self.reason)


def adjustment_line(adj: Adjustment) -> str:
    sign = "" if adj.delta.startswith("-") else "+"
    return (
        f"#{adj.id} {adj.award} {adj.subject} {adj.target} {sign}{adj.delta}"
        f"  提出 {adj.author}: {adj.reason}"
    )


class ApproveForm(ReasonForm[ApproveRequest]):
    """Pick one pending adjustment to approve."""

    def __init__(self, title: str, pending: list[Adjustment], current: int | None = None) -> None:
        super().__init__(title, "批准另一位评审员提出的调整 (四眼原则)")
        self.pending = pending
        self.current = current

    def fields(self) -> ComposeResult:
        options = [Option(adjustment_line(a), id=str(a.id)) for a in self.pending]
        yield OptionList(*options, id="form-pending")

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
            raise FormError("请选择一项待批准的调整")
        option_id = pending.get_option_at_index(pending.highlighted).id
        return ApproveRequest(int(option_id or 0), self.reason)

    @on(OptionList.OptionSelected, "#form-pending")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#form-reason", Input).focus()
