"""Typing slips a Chinese input method makes in YAML, located on the line
where they are, with the fix spelt out.

The YAML parser reports them late or obscurely: a full-width colon
(`max： 20`) as "could not find expected ':'" on the next line, a tab as
"found character '\\t'". These checks look at the text itself: in
unreadable YAML line by line (`yaml_slips`, and `half_width_text` so the
rest can still be read); in valid YAML, where a slip only surfaces as a
vague error about a value (`max： 20` is text, `[0，6000]` one item), under
the caret of that error (`slip_diagnostics`). `number_hint` explains a value
such as `98%` or `９５` where a number was expected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import replace
from decimal import Decimal

from scoring.diagnostics import Diagnostic
from scoring.source import SourceFile

_KEY_FULLWIDTH_COLON = re.compile(r"^(\s*(?:-\s+)?|.*[{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*(：)")
_FULLWIDTH_COMMA = re.compile(r"，(?=\s*(?:[A-Za-z_][A-Za-z0-9_]*\s*[:：]|[-+]?\d))")
"""A full-width comma before the next key (`x， max: 5`) or number (`[0，6000]`);
one inside a Chinese title (`{title: 服务，质量}`) is text, not a slip."""
_PERCENT = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*[%％]\s*$")


def yaml_slips(src: SourceFile) -> list[Diagnostic]:
    """Full-width colons after a key, full-width commas in a flow collection,
    and tabs in indentation, one diagnostic each, where they were typed."""
    out: list[Diagnostic] = []
    for number, line in enumerate(src.lines, start=1):
        code = _without_comment(line)
        out.extend(_line_slips(src, number, line, code))
    return out


def with_yaml_slips(src: SourceFile, diags: list[Diagnostic]) -> list[Diagnostic]:
    """Unreadable YAML (a rule file or a test file): a slip such as a
    full-width colon or a tab, reported on its own line, replaces the
    parser's later and vaguer complaint about it."""
    slips = yaml_slips(src)
    if not slips:
        return [yaml_error_hint(d) for d in diags]
    first = min(d.line for d in slips)
    kept = [d for d in diags if not (d.code == "E-YAML" and d.line >= first)]
    return kept + slips


def half_width_text(src: SourceFile, slips: Sequence[Diagnostic]) -> str | None:
    """The text with each slip's full-width colon or comma typed half-width
    (one character for one, so lines and columns stay); None when a colon
    is not followed by a space (`max：20` would read as text)."""
    lines = list(src.lines)
    for d in slips:
        line = lines[d.line - 1]
        ch, after = line[d.col - 1 : d.col], line[d.col : d.col + 1]
        if ch == "，":
            lines[d.line - 1] = line[: d.col - 1] + "," + line[d.col :]
        elif ch == "：" and after in ("", " "):
            lines[d.line - 1] = line[: d.col - 1] + ":" + line[d.col :]
        else:
            return None
    return "\n".join(lines)


def _line_slips(src: SourceFile, number: int, line: str, code: str) -> Iterator[Diagnostic]:
    indent = len(line) - len(line.lstrip(" \t"))
    if "\t" in line[:indent]:
        yield src.at(
            "E-YAML-TAB",
            "a tab in the indentation: YAML indents with spaces only",
            number,
            line.index("\t") + 1,
            hint="replace the tab with spaces (set your editor to insert spaces for Tab)",
        )
    match = _KEY_FULLWIDTH_COLON.match(code)
    if match:
        yield _colon_slip(src, number, match.start(3) + 1, match.group(2))
    comma = _FULLWIDTH_COMMA.search(code) if ("{" in code or "[" in code) else None
    if comma:
        yield _comma_slip(src, number, comma.start() + 1)


_RETARGET_SKIP = ("E-YAML", "E-EXPR")
"""Codes whose messages already locate what was typed (the YAML parser's,
the expression checker's with its own full-width hints)."""


def slip_diagnostics(src: SourceFile, diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Errors about a value that holds a slip, told as the slip, on its column.

    In valid YAML a slip only shows later and vaguely: `max： 30` is the text
    of its parent (`expected a mapping`), `[0，6000]` one item (`expected two
    numbers`), `[service，business]` an unknown node. When the text an error
    points at holds a full-width colon after a name, a full-width comma, or a
    tab, the error becomes that slip, with the fix; several errors about the
    same slip become one.
    """
    out: list[Diagnostic] = []
    seen: set[tuple[str, int, int]] = set()
    for d in diagnostics:
        found = None if _has_slip_hint(d) else _slip_in_span(src, d)
        new = found or d
        key = (new.code, new.line, new.col)
        if found is None or key not in seen:
            out.append(new)
        seen.add(key)
    return out


def _has_slip_hint(d: Diagnostic) -> bool:
    return (
        not d.is_error
        or d.code.startswith(_RETARGET_SKIP)
        or (d.hint is not None and ("half-width" in d.hint or "percentage" in d.hint))
    )


def _slip_in_span(src: SourceFile, d: Diagnostic) -> Diagnostic | None:
    line = src.line_text(d.line)
    if line is None:
        return None
    code = _without_comment(line)
    first = d.col - 1
    last = d.end_col - 1 if d.end_col and d.end_col > d.col else len(code)
    span = code[first:last]
    colon = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*(：)", span)
    if colon:
        col = first + colon.start(2) + 1
        return _colon_slip(src, d.line, col, colon.group(1))
    comma = span.find("，")
    if comma >= 0:
        return _comma_slip(src, d.line, first + comma + 1)
    tab = span.find("\t")
    if tab >= 0:
        return src.at(
            "E-YAML-TAB",
            "a tab inside a value",
            d.line,
            first + tab + 1,
            hint="replace the tab with a space (or delete it)",
        )
    return None


def _colon_slip(src: SourceFile, line: int, col: int, name: str) -> Diagnostic:
    return src.at(
        "E-YAML-FULLWIDTH",
        f"a full-width colon `：` after `{name}`",
        line,
        col,
        col + 1,
        hint=f"use the half-width colon `:` and a space: `{name}: …` "
        "(switch the input method to English punctuation)",
    )


def _comma_slip(src: SourceFile, line: int, col: int) -> Diagnostic:
    return src.at(
        "E-YAML-FULLWIDTH",
        "a full-width comma `，` between items",
        line,
        col,
        col + 1,
        hint="separate items with the half-width comma `,` (e.g. `{max: 20, metric: x}`)",
    )


def yaml_error_hint(d: Diagnostic) -> Diagnostic:
    """A hint for what the YAML parser says about a tab or a bracket in a
    flow mapping, when no slip was found on its line."""
    if d.code != "E-YAML" or d.hint:
        return d
    hint = None
    if "'\\t'" in d.message:
        hint = "replace the tab with a space: YAML separates with spaces only"
    elif "but got '['" in d.message and "flow mapping" in d.message:
        hint = (
            "inside `{…}` an expression with `[…]` goes in quotes: "
            '`metric: "count(complaints[valid])"`'
        )
    return replace(d, hint=hint) if hint else d


def _without_comment(line: str) -> str:
    """The line with quoted text blanked and any `#` comment cut off, so a
    colon or comma inside a title or a comment is never taken for a slip."""
    out: list[str] = []
    quote: str | None = None
    for i, ch in enumerate(line):
        if quote:
            out.append(" ")
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
            out.append(" ")
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        else:
            out.append(ch)
    return "".join(out)


def number_hint(value: object) -> str | None:
    """How to write a number that was typed as `98%`, `９５` or `1，000`."""
    if not isinstance(value, str):
        return None
    percent = _PERCENT.match(unicodedata.normalize("NFKC", value))
    if percent:
        digits = percent.group(1)
        fraction = _shift(digits)
        return f"write a percentage as a fraction: `{value.strip()}` is `{fraction}`"
    normal = unicodedata.normalize("NFKC", value).replace("，", ",").strip()
    if normal != value.strip() and re.fullmatch(r"[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?", normal):
        plain = normal.replace(",", "")
        return f"write the number with half-width digits and no separators: `{plain}`"
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", value.strip()):
        return f"write the number without separators: `{value.strip().replace(',', '')}`"
    return None


def _shift(digits: str) -> str:
    """`98` → `0.98`, `12.5` → `0.125`, exactly (no binary floats)."""
    return format(Decimal(digits).scaleb(-2).normalize(), "f")
