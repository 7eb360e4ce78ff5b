"""Who acts in the UI, and on which day: `pioneer review --as NAME --today DATE`.

Every review action runs as `Acting.actor` and counts as taken on
`Acting.today` (the system date when not given). The header shows the acting
user, their roles and the day; an action the user's roles do not allow is
shown disabled, with the role it needs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from textual.dom import DOMNode

from scoring.roles import NEEDS
from tui.refusals import ACTION_NAMES, ROLE_NAMES


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
        need = ROLE_NAMES.get(NEEDS.get(action, ""), NEEDS.get(action, ""))
        return f"「{ACTION_NAMES.get(action, action)}」需要「{need}」角色"

    def header(self) -> str:
        """`操作人 alice (评审员)  日期 2022-09-01`."""
        roles = "、".join(ROLE_NAMES.get(r, r) for r in sorted(self.roles)) or "无角色"
        return f"操作人 {self.actor} ({roles})  日期 {self.day.isoformat()}"


class _HasActing(Protocol):
    acting: Acting


def acting_of(node: DOMNode) -> Acting:
    """The acting user of the running review app (call from the UI thread)."""
    return cast(_HasActing, node.app).acting
