"""The acting user, their roles and the day, on the right of every screen's
title line."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.acting import acting_of


class WhoBar(Static):
    """`操作人 alice (评审员)  日期 2022-09-01`; reread with `show()`."""

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        self.update(Text(acting_of(self).header(), no_wrap=True))
