"""Who acts in the UI, and on which day: `pioneer review --as NAME --today DATE`.

Every review action runs as `Acting.actor` and counts as taken on
`Acting.today` (the system date when not given). The header shows the acting
user, their roles and the day; an action the user's roles do not allow is
shown disabled, with the role it needs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, cast

from textual import events
from textual.binding import Binding
from textual.dom import DOMNode

from scoring.roles import NEEDS
from tui.lang import tr
from tui.refusals import action_name, role_name


@dataclass(frozen=True)
class Acting:
    """The acting user, their roles in the store, and the day actions count as taken."""

    actor: str
    today: dt.date | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def day(self) -> dt.date:
        return self.today or dt.date.today()

    def kwargs(self) -> dict[str, Any]:
        """`actor` and `today` for a library call."""
        return {"actor": self.actor, "today": self.day}

    def may(self, action: str) -> bool:
        """Whether the roles allow `action` (an admin may do everything)."""
        need = NEEDS.get(action)
        return need is None or need in self.roles or "admin" in self.roles

    def why_not(self, action: str) -> str:
        """Why `action` is not allowed, for a disabled key."""
        return tr(
            "acting.why_not", action=action_name(action), role=role_name(NEEDS.get(action, ""))
        )

    def header(self) -> str:
        """`操作人 alice (评审员)  日期 2022-09-01`."""
        roles = tr("acting.role_separator").join(role_name(r) for r in sorted(self.roles))
        return tr(
            "acting.header",
            actor=self.actor,
            roles=roles or tr("acting.no_roles"),
            day=self.day.isoformat(),
        )


class _HasActing(Protocol):
    acting: Acting


def acting_of(node: DOMNode) -> Acting:
    """The acting user of the running review app (call from the UI thread)."""
    return cast(_HasActing, node.app).acting


class SaysWhyNot:
    """Mixed into a screen with `ROLE_OF_ACTION` (key action -> library action):
    a key whose action the acting user's roles do not allow is shown disabled
    (`check_action`), and pressing it says which role it needs."""

    ROLE_OF_ACTION: ClassVar[dict[str, str]] = {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        needs = self.ROLE_OF_ACTION.get(action)
        if needs is not None and not acting_of(cast(DOMNode, self)).may(needs):
            return None
        return True

    def why_disabled(self, action: str) -> str | None:
        needs = self.ROLE_OF_ACTION.get(action)
        return acting_of(cast(DOMNode, self)).why_not(needs) if needs is not None else None

    def on_key(self, event: events.Key) -> None:
        node = cast(DOMNode, self)
        acting = acting_of(node)
        for binding in getattr(self, "BINDINGS", []):
            if not isinstance(binding, Binding) or binding.key != event.key:
                continue
            needs = self.ROLE_OF_ACTION.get(binding.action)
            if needs is not None and not acting.may(needs):
                event.stop()
                node.app.notify(
                    tr("acting.denied", actor=acting.actor, why=acting.why_not(needs)),
                    title=tr("acting.denied_title"),
                    severity="warning",
                )
