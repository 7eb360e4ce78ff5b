"""Compiler-style diagnostics: a stable code, a position inside the YAML file,
the offending source line with a caret, and a hint where one helps."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from scoring.width import display_width

Severity = Literal["error", "warning"]

MAX_PER_FILE = 50


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a rule file. Lines and columns are 1-based."""

    code: str
    severity: Severity
    message: str
    file: str
    line: int
    col: int
    end_col: int | None = None
    hint: str | None = None
    source_line: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self) -> str:
        """`file:line:col: error[CODE]: message`, the source line, a caret, a hint."""
        head = f"{self.file}:{self.line}:{self.col}: {self.severity}[{self.code}]: {self.message}"
        out = [head]
        if self.source_line is not None:
            # control characters would garble the terminal: show them as `?`
            text = "".join(
                "?" if unicodedata.category(ch) == "Cc" and ch != "\t" else ch
                for ch in self.source_line.rstrip("\n")
            )
            out.append(f"    {text}")
            # Tabs stay tabs under the line, so the caret lines up in any terminal.
            lead = "".join(
                "\t" if ch == "\t" else " " * display_width(ch)
                for ch in text[: max(self.col - 1, 0)]
            )
            end = self.end_col if self.end_col and self.end_col > self.col else self.col + 1
            width = max(display_width(text[self.col - 1 : end - 1]), 1)
            out.append("    " + lead + "^" * width)
        if self.hint:
            out.append(f"    = hint: {self.hint}")
        return "\n".join(out)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A "did you mean `...`?" hint for a misspelt name, or None when nothing is
    close. The one did-you-mean of pioneer (rule checks, expressions, review)."""
    import difflib  # here: only a misspelling needs it, and it is slow to import

    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def has_errors(diagnostics: Sequence[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def render_all(diagnostics: Sequence[Diagnostic], limit: int = MAX_PER_FILE) -> str:
    """Render diagnostics grouped by file, capped per file with "... and N more"."""
    out: list[str] = []
    by_file: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_file.setdefault(d.file, []).append(d)
    for items in by_file.values():
        ordered = sorted(items, key=lambda d: (d.line, d.col, d.code))
        out.extend(d.render() for d in ordered[:limit])
        if len(ordered) > limit:
            out.append(f"... and {len(ordered) - limit} more in {ordered[0].file}")
    return "\n".join(out)


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{errors} error(s), {warnings} warning(s)"
