"""The one error hierarchy of pioneer.

* `PioneerError` is the root of every error a user can cause: bad input or a
  refused action. It keeps where the problem is (`file`, `line`, `column`,
  each may be unknown) up to the message, and may name a `Remedy`: what the
  user can do next, which each front end words its own way (the CLI names
  its commands and flags, the TUI its keys). The CLI prints it and exits 1.
* `InternalError` is a broken invariant: a bug, never the user's doing. It
  is not a `PioneerError`; the CLI reports it with its own exit code
  (`EXIT_INTERNAL`) and asks for a report, without a traceback.

Library messages never name CLI commands or flags; those words live in the
CLI (`scoring.cli_common.REMEDIES`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum

from scoring.diagnostics import Diagnostic, render_all, summary

EXIT_INTERNAL = 70
"""The exit code of an internal error (EX_SOFTWARE in sysexits.h)."""


def with_hint(text: str, hint: str | None) -> str:
    """`text (hint)`, or `text` alone without a hint: one hint, never two."""
    return f"{text} ({hint})" if hint else text


class Remedy(Enum):
    """What a user can do about a refusal; the front end says how."""

    CREATE_STORE = "create_store"
    INGEST = "ingest"
    SCORE = "score"
    REINGEST_AND_DIFF = "reingest_and_diff"
    LIST_RUNS = "list_runs"
    IMPORT_CALENDAR = "import_calendar"
    START_REVIEW = "start_review"
    OPEN_NOTICE = "open_notice"
    REVOKE = "revoke"
    NAME_AWARD = "name_award"
    GIVE_REASON = "give_reason"
    SELECT = "select"
    NAME_OBJECTOR = "name_objector"
    LIST_ITEMS = "list_items"
    GRANT_ROLE = "grant_role"
    RESOLVE_TIE = "resolve_tie"


class PioneerError(Exception):
    """Bad input or a refused action: one clear message, exit code 1.

    `str(error)` reads `file:line:column: message (hint)` with the unknown
    parts left out; `message` is the message alone.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | str | None = None,
        hint: str | None = None,
        remedy: Remedy | None = None,
        remedy_args: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint
        """What to do, in plain words; a front end's wording of `remedy` replaces it."""
        self.remedy = remedy
        self.remedy_args = dict(remedy_args or {})
        """The facts a front end needs to word the remedy (a run id, an award, ...)."""

    def where(self) -> str | None:
        """`file:line:column` (the known parts), or None when nothing is known."""
        parts = [str(p) for p in (self.file, self.line, self.column) if p is not None]
        return ":".join(parts) if parts else None

    def hinted(self, hint: str | None) -> str:
        """`file:line:column: message (hint)`, with `hint` (a front end's wording
        of the remedy, or the plain hint) as the one hint."""
        where = self.where()
        return with_hint(f"{where}: {self.message}" if where else self.message, hint)

    def __str__(self) -> str:
        return self.hinted(self.hint)


class RulesError(PioneerError):
    """A rule file with errors; carries every diagnostic (each with its position)."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(
            render_all(self.diagnostics) + "\n" + summary(self.diagnostics),
            file=first.file if first else None,
            line=first.line if first else None,
            column=first.col if first else None,
        )

    def __str__(self) -> str:  # the rendered diagnostics already name file:line:col
        return self.message


class InternalError(Exception):
    """A broken invariant inside pioneer (a bug), not a user's mistake."""
