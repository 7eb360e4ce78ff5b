"""Diagnostics of the expression language: stable codes, spans, hints.

Every problem found in an expression becomes one `ExprIssue` with a stable
code, a message, a character span into the expression text and, where one
helps, a hint ("did you mean `avg`?"). Parsing and type checking collect all
the issues they find and raise them together as one `ExprError`.

Offsets are **character** offsets into the expression text (0-based, `end`
exclusive). The rule loader maps them to a line and column of the YAML file;
`line_col` and `render_issue` do the same within the expression itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import PioneerError
from ..width import display_width

SYNTAX = "E-EXPR-SYNTAX"
UNSUPPORTED = "E-EXPR-UNSUPPORTED"
NUMBER = "E-EXPR-NUMBER"
LITERAL = "E-EXPR-LITERAL"
FUNC = "E-EXPR-FUNC"
ARITY = "E-EXPR-ARITY"
NAME = "E-EXPR-NAME"
LINK = "E-EXPR-LINK"
AGG = "E-EXPR-AGG"
SCOPE = "E-EXPR-SCOPE"
TYPE = "E-EXPR-TYPE"
NODE = "E-EXPR-NODE"
LIMIT = "E-EXPR-LIMIT"

CODES: tuple[str, ...] = (
    SYNTAX,
    UNSUPPORTED,
    NUMBER,
    LITERAL,
    FUNC,
    ARITY,
    NAME,
    LINK,
    AGG,
    SCOPE,
    TYPE,
    NODE,
    LIMIT,
)


@dataclass(frozen=True)
class ExprIssue:
    """One problem in an expression, at characters `start` to `end` of its text."""

    code: str
    message: str
    start: int
    end: int
    hint: str | None = None


class ExprError(PioneerError):
    """An expression could not be parsed or type checked; `issues` lists why."""

    def __init__(self, issues: Sequence[ExprIssue]) -> None:
        self.issues: list[ExprIssue] = sorted(issues, key=lambda i: (i.start, i.end))
        super().__init__(self._summary())

    def _summary(self) -> str:
        if not self.issues:
            return "invalid expression"
        first = self.issues[0]
        text = f"{first.code} at {first.start}: {first.message}"
        if len(self.issues) > 1:
            text += f" (and {len(self.issues) - 1} more)"
        return text


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and 1-based character column of `offset` in `text`."""
    offset = max(0, min(offset, len(text)))
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return line, column


def render_issue(text: str, issue: ExprIssue) -> str:
    """The issue as `line:col: CODE message`, the source line and a caret under the span."""
    start = max(0, min(issue.start, len(text)))
    end = max(start, min(issue.end, len(text)))
    line, column = line_col(text, start)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    source = text[line_start:line_end]
    pad = display_width(text[line_start:start])
    width = max(1, display_width(text[start : min(end, line_end)]))
    out = [
        f"{line}:{column}: {issue.code} {issue.message}",
        f"  {source}",
        "  " + " " * pad + "^" * width,
    ]
    if issue.hint:
        out.append(f"  hint: {issue.hint}")
    return "\n".join(out)
