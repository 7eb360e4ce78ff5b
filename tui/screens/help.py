"""The help screen (`?` and F1): every key of the screen it was opened on,
with what it does, and for a key the acting user may not use, why."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.lang import tr


@dataclass(frozen=True)
class KeyHelp:
    key: str
    description: str
    disabled_because: str | None


def keys_of(screen: Screen[object]) -> list[KeyHelp]:
    """Every pioneer key active on `screen` (its own and the app's), shown or not."""
    out: list[KeyHelp] = []
    seen: set[tuple[str, str]] = set()
    why = getattr(screen, "why_disabled", None)
    longer: dict[str, str] = getattr(screen, "PALETTE_NAMES", {})
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.id is None:
            continue  # a widget's own keys (cursor moves) are not pioneer's
        if binding.action == "command_palette":
            continue  # the footer shows it on every screen
        shown = screen.app.get_key_display(binding)
        if (binding.description, shown) in seen:
            continue
        seen.add((binding.description, shown))
        reason = None
        if not active.enabled and callable(why):
            reason = why(binding.action)
        name = longer.get(binding.action)
        description = tr(name) if name is not None else binding.description
        out.append(KeyHelp(shown or key, description, reason))
    return out


class HelpScreen(ModalScreen[None]):
    """The keys of the screen below, one per line."""

    BINDINGS = [
        Binding("escape", "close", "key.close", id="help.close"),
        Binding("question_mark", "close", "key.close", id="help.close_q", show=False),
        Binding("f1", "close", "key.close", id="help.close_f1", show=False),
    ]

    def __init__(self, title: str, keys: list[KeyHelp], note: str = "") -> None:
        super().__init__()
        self.help_title = title
        self.keys = keys
        self.note = note

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="form"):
            yield Static(Text(tr("help.title", title=self.help_title)), id="help-title")
            yield Static(self._text(), id="help-keys")
            if self.note:
                yield Static(Text(self.note), id="help-note")
            yield Static(Text(tr("help.close")), id="help-close")

    def _text(self) -> Text:
        text = Text()
        width = max((len(k.key) for k in self.keys), default=0)
        for k in self.keys:
            text.append(f"{k.key:<{width}}  ", "bold")
            text.append(k.description)
            if k.disabled_because:
                text.append(tr("help.disabled", why=k.disabled_because), "dim")
            text.append("\n")
        return text

    def action_close(self) -> None:
        self.dismiss(None)
