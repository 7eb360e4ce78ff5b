"""How one screen opens another, and how a review action reaches every open
screen, without screens importing each other (no import cycles): a screen
asks the app, which alone knows every screen class.
"""

from __future__ import annotations

from typing import Protocol, cast, runtime_checkable

from textual.dom import DOMNode


class Navigator(Protocol):
    """What the review app offers its screens."""

    def open_runs(self) -> None: ...
    def open_run(self, run_id: int) -> None: ...
    def open_subject(self, run_id: int, award: str, subject: str) -> None: ...
    def open_compare(self, run_a: int, run_b: int) -> None: ...
    def review_changed(self, run_id: int, award: str | None) -> None: ...


@runtime_checkable
class ShowsReview(Protocol):
    """A screen that shows a run's review and rereads it when it changes."""

    def review_changed(self, run_id: int, award: str | None) -> None: ...


def navigator(node: DOMNode) -> Navigator:
    """The review app of `node` (call from the UI thread)."""
    return cast(Navigator, node.app)
