"""Typed errors a user can act on. The CLI prints them and exits 1."""

from __future__ import annotations

from collections.abc import Sequence

from scoring.diagnostics import Diagnostic, render_all, summary


class PioneerError(Exception):
    """Bad input or a refused action: one clear message, exit code 1."""


class RulesError(PioneerError):
    """A rule file with errors; carries every diagnostic."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__(render_all(self.diagnostics) + "\n" + summary(self.diagnostics))
