"""Parse expression text into the node tree of `scoring.expr.nodes`.

Python's own parser (`ast.parse(..., mode="eval")`) reads the text; a strict
whitelist then converts its tree into ours. User text is never evaluated or
compiled. Line breaks count as white space, so an expression may span several
lines of a YAML block scalar; comments (`#`) are refused rather than silently
swallowing the rest of a line.

Positions: Python reports UTF-8 *byte* columns; every node here carries
*character* offsets into the original text, so carets line up under Chinese
text (`kind == '见义勇为'`).
"""

from __future__ import annotations

import ast
import re
import unicodedata
from fractions import Fraction

from ..diagnostics import did_you_mean
from . import issues as E
from .functions import FUNCTIONS
from .issues import ExprError, ExprIssue
from .nodes import (
    ArithOp,
    Binary,
    Boolean,
    Call,
    Compare,
    CompareOp,
    Conditional,
    Expr,
    ListExpr,
    Logical,
    LogicOp,
    Name,
    Null,
    Number,
    PeriodRef,
    String,
    SubjectRef,
    TableColumn,
    TableRows,
    Unary,
    UnaryOp,
)

MAX_LENGTH = 5000
"""Longest accepted expression, in characters."""
MAX_DEPTH = 100
"""Deepest accepted nesting of sub-expressions."""
MAX_ROUND_DIGITS = 20
"""Largest `n` accepted in `round(x, n)`."""

_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LOOKALIKES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u3001": ","}
_RESERVED_BASES = frozenset({"period", "subject", "true", "false", "null"})

_ARITH: dict[type[ast.operator], ArithOp] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
}
_BAD_ARITH: dict[type[ast.operator], tuple[str, str]] = {
    ast.Pow: ("**", "`**` (power) is not supported"),
    ast.FloorDiv: ("//", "`//` is not supported; use `/` (exact) and `round(...)`"),
    ast.Mod: ("%", "`%` (remainder) is not supported"),
    ast.MatMult: ("@", "`@` is not supported"),
    ast.BitAnd: ("&", "`&` is not supported; use `and`"),
    ast.BitOr: ("|", "`|` is not supported; use `or`"),
    ast.BitXor: ("^", "`^` is not supported"),
    ast.LShift: ("<<", "`<<` is not supported"),
    ast.RShift: (">>", "`>>` is not supported"),
}
_COMPARE: dict[type[ast.cmpop], CompareOp] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
_UNSUPPORTED: dict[type[ast.AST], str] = {
    ast.Lambda: "lambdas are not supported",
    ast.ListComp: "comprehensions are not supported",
    ast.SetComp: "comprehensions are not supported",
    ast.DictComp: "comprehensions are not supported",
    ast.GeneratorExp: "comprehensions are not supported",
    ast.Dict: "dictionaries `{...}` are not supported",
    ast.Set: "sets `{...}` are not supported; write a list `[...]` after `in`",
    ast.Tuple: "tuples are not supported; write a list `[...]` after `in`",
    ast.List: "a list `[...]` can only be the right side of `in` or `not in`",
    ast.JoinedStr: "f-strings are not supported",
    ast.NamedExpr: "assignments (`:=`) are not supported",
    ast.Starred: "`*` unpacking is not supported",
    ast.Slice: "slices are not supported; filter a table with `TABLE[condition]`",
    ast.Await: "`await` is not supported",
}
_SYNTAX_HINTS = (
    ("&&", "use `and`"),
    ("||", "use `or`"),
    ("!=", None),
    ("!", "use `not`"),
    ("==", None),
    ("=", "use `==` to compare"),
)


def parse(text: str) -> Expr:
    """Parse `text` into an expression tree; raise `ExprError` listing every problem."""
    issues = _precheck(text)
    if issues:
        raise ExprError(issues)
    flat = text.replace("\r", " ").replace("\n", " ")
    body = flat.lstrip(" \t\f")
    lead = len(flat) - len(body)
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as exc:
        raise ExprError([_syntax_issue(exc, text, lead)]) from None
    except (RecursionError, MemoryError):
        raise ExprError([_too_complex(text)]) from None
    except ValueError as exc:  # defensive: e.g. characters Python refuses outright
        raise ExprError([ExprIssue(E.SYNTAX, str(exc), 0, len(text))]) from None
    converter = _Converter(text, body, lead)
    expr = converter.convert(tree.body, 0)
    if converter.issues:
        raise ExprError(converter.issues)
    return expr


def _too_complex(text: str) -> ExprIssue:
    return ExprIssue(E.LIMIT, "the expression is too complex", 0, len(text))


def _precheck(text: str) -> list[ExprIssue]:
    if len(text) > MAX_LENGTH:
        return [
            ExprIssue(
                E.LIMIT,
                f"the expression is too long ({len(text)} characters, at most {MAX_LENGTH})",
                MAX_LENGTH,
                len(text),
            )
        ]
    if not text.strip():
        return [ExprIssue(E.SYNTAX, "the expression is empty", 0, len(text))]
    nul = text.find("\0")
    if nul >= 0:
        return [ExprIssue(E.SYNTAX, "the expression contains a NUL character", nul, nul + 1)]
    surrogate = _SURROGATE.search(text)
    if surrogate:
        at = surrogate.start()
        return [ExprIssue(E.SYNTAX, "the expression is not valid Unicode text", at, at + 1)]
    if "#" in text:
        comment = _find_comment(text)
        if comment is not None:
            return [
                ExprIssue(
                    E.SYNTAX,
                    "comments (`#`) are not allowed in an expression",
                    comment,
                    len(text) if text.find("\n", comment) < 0 else text.find("\n", comment),
                    "put comments on their own YAML line, outside the expression",
                )
            ]
    return []


def _find_comment(text: str) -> int | None:
    """Offset of a `#` outside string literals, if any."""
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote or ch in "\r\n":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return i
        i += 1
    return None


def _syntax_issue(exc: SyntaxError, text: str, lead: int) -> ExprIssue:
    message = re.sub(r" \(detected at line \d+\)", "", exc.msg or "invalid syntax")
    if not exc.offset and message == "invalid syntax":
        # Python gives no position when the text simply stops too early ("1 +").
        tail = re.search(r"(\S+)\s*$", text)
        first, last = (tail.start(1), tail.end(1)) if tail else (0, len(text))
        after = f" after `{tail.group(1)}`" if tail else ""
        return ExprIssue(
            E.SYNTAX,
            f"the expression ends too early: something is missing{after}",
            first,
            last,
            "complete the expression, e.g. `a + b`",
        )
    start = lead + (exc.offset - 1 if exc.offset else 0)
    start = max(0, min(start, len(text)))
    end_offset = exc.end_offset if exc.end_offset and exc.end_offset > (exc.offset or 0) else None
    end = lead + end_offset - 1 if end_offset else start + 1
    end = max(start, min(end, len(text)))
    if "Maybe you meant '==' instead of '='" in message:
        lone = re.compile(r"(?<![=!<>])=(?!=)").search(text, start)
        if lone is not None:  # point at the `=` itself, not at what it follows
            start, end = lone.start(), lone.end()
        message = "`=` is not a comparison"
    run = _full_width_run(text, start)
    if run > start:
        end = max(end, run)
    hint = _syntax_hint(text, start)
    if message == "too many nested parentheses":
        return ExprIssue(E.LIMIT, "the expression is nested too deeply", start, end)
    return ExprIssue(E.SYNTAX, message, start, end, hint)


def _syntax_hint(text: str, start: int) -> str | None:
    run = _full_width_run(text, start)
    if run > start + 1:  # `＞＝`, `＝＝`: the operator they spell
        typed = text[start:run]
        plain = unicodedata.normalize("NFKC", typed)
        return f"write `{plain}` instead of the full-width `{typed}`"
    if start < len(text) and text[start] == "\uff1d":  # a lone `＝` compares
        return "write `==` (to compare) instead of the full-width `＝`"
    if start < len(text) and not text[start].isascii():
        return _full_width_hint(text[start])
    for at in (start, start - 1):
        for token, hint in _SYNTAX_HINTS:
            if at >= 0 and text.startswith(token, at):
                return hint
    return None


def _full_width_run(text: str, start: int) -> int:
    """The end of the run of full-width operator characters (`＞＝`) at `start`."""
    end = start
    while end < len(text) and text[end] in "\uff1c\uff1d\uff1e\uff01":
        end += 1
    return end


def _full_width_hint(ch: str) -> str | None:
    """Chinese input methods type full-width punctuation; say what was meant."""
    plain = _LOOKALIKES.get(ch) or unicodedata.normalize("NFKC", ch)
    if plain == " ":
        return f"write an ordinary space instead of U+{ord(ch):04X}"
    if plain != ch and plain.isascii() and plain.isprintable():
        return f"write `{plain}` instead of the full-width `{ch}`"
    return None


class _Converter:
    """Converts a Python `ast` tree into our nodes, collecting issues."""

    def __init__(self, text: str, body: str, lead: int) -> None:
        self.text = text
        self.lead = lead
        self.issues: list[ExprIssue] = []
        self._too_deep = False
        self._chars: list[int] | None = None
        if not body.isascii():
            chars = []
            for index, ch in enumerate(body):
                chars.extend([index] * len(ch.encode("utf-8")))
            chars.append(len(body))
            self._chars = chars

    # -- positions -----------------------------------------------------------------

    def _offset(self, byte_col: int) -> int:
        chars = self._chars
        col = byte_col if chars is None else chars[min(byte_col, len(chars) - 1)]
        return self.lead + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        """The character span of an ast node in the original text."""
        start = self._offset(getattr(node, "col_offset", 0))
        end_col = getattr(node, "end_col_offset", None)
        end = self._offset(end_col) if end_col is not None else start
        return start, max(start, end)

    def issue(
        self, code: str, message: str, span: tuple[int, int], hint: str | None = None
    ) -> Null:
        """Record an issue; return a placeholder so that conversion can go on."""
        self.issues.append(ExprIssue(code, message, span[0], span[1], hint))
        return Null(start=span[0], end=span[1])

    # -- conversion ----------------------------------------------------------------

    def convert(self, node: ast.expr, depth: int) -> Expr:
        """Convert one ast expression (and its children) into our node tree."""
        span = self.span(node)
        if depth > MAX_DEPTH:
            if not self._too_deep:
                self._too_deep = True
                message = f"the expression is nested too deeply (more than {MAX_DEPTH} levels)"
                self.issue(E.LIMIT, message, span)
            return Null(start=span[0], end=span[1])
        start, end = span
        d = depth + 1
        match node:
            case ast.Constant(value=value):
                return self._constant(value, span)
            case ast.Name(id=name):
                return self._name(name, span)
            case ast.Attribute():
                return self._attribute(node, d)
            case ast.Subscript():
                return self._subscript(node, d)
            case ast.Call():
                return self._call(node, d)
            case ast.UnaryOp(op=op, operand=operand):
                if isinstance(op, ast.Invert):
                    return self.issue(E.UNSUPPORTED, "`~` is not supported; use `not`", span)
                uop: UnaryOp = (
                    "-" if isinstance(op, ast.USub) else "+" if isinstance(op, ast.UAdd) else "not"
                )
                return Unary(uop, self.convert(operand, d), start=start, end=end)
            case ast.BinOp(left=left, op=op, right=right):
                lhs, rhs = self.convert(left, d), self.convert(right, d)
                arith = _ARITH.get(type(op))
                if arith is None:
                    symbol, message = _BAD_ARITH.get(
                        type(op), ("", "this operator is not supported")
                    )
                    return self.issue(
                        E.UNSUPPORTED, message, self._operator(symbol, lhs, rhs, span)
                    )
                return Binary(arith, lhs, rhs, start=start, end=end)
            case ast.BoolOp(op=op, values=values):
                operands = tuple(self.convert(v, d) for v in values)
                logic: LogicOp = "and" if isinstance(op, ast.And) else "or"
                return Logical(logic, operands, start=start, end=end)
            case ast.Compare():
                return self._compare(node, d)
            case ast.IfExp(test=test, body=then, orelse=otherwise):
                return Conditional(
                    self.convert(then, d),
                    self.convert(test, d),
                    self.convert(otherwise, d),
                    start=start,
                    end=end,
                )
            case _:
                message = _UNSUPPORTED.get(type(node), "this construct is not supported")
                return self.issue(E.UNSUPPORTED, message, span)

    def _operator(
        self, symbol: str, lhs: Expr, rhs: Expr, span: tuple[int, int]
    ) -> tuple[int, int]:
        at = self.text.find(symbol, lhs.end, rhs.start) if symbol else -1
        return (at, at + len(symbol)) if at >= 0 else span

    def _constant(self, value: object, span: tuple[int, int]) -> Expr:
        start, end = span
        if isinstance(value, bool):
            return Boolean(value, start=start, end=end)
        if value is None:
            return Null(start=start, end=end)
        if isinstance(value, str):
            if "\n" in self.text[start:end] or "\r" in self.text[start:end]:
                return self.issue(E.SYNTAX, "a text literal cannot span lines", span)
            return String(value, start=start, end=end)
        if isinstance(value, int | float | complex):
            return self._number(span)
        if isinstance(value, bytes):
            return self.issue(E.UNSUPPORTED, "byte strings are not supported", span)
        return self.issue(E.UNSUPPORTED, "this literal is not supported", span)

    def _number(self, span: tuple[int, int]) -> Expr:
        start, end = span
        source = self.text[start:end]
        if _DECIMAL.fullmatch(source):
            whole, _, frac = source.partition(".")
            scale = 10 ** len(frac)
            value = Fraction(int(whole or "0") * scale + int(frac or "0"), scale)
            number = value.numerator if value.denominator == 1 else value
            return Number(number, start=start, end=end)
        lower = source.lower()
        if lower.startswith(("0x", "0o", "0b")):
            message = "hexadecimal, octal and binary numbers are not supported"
        elif "_" in source:
            message = "digit separators `_` are not supported in numbers"
        elif lower.endswith("j"):
            message = "imaginary numbers are not supported"
        elif "e" in lower:
            message = "exponents are not supported; write the number out in full"
        else:
            message = f"`{source}` is not a supported number"
        return self.issue(E.NUMBER, message, span)

    def _name(self, name: str, span: tuple[int, int]) -> Expr:
        start, end = span
        if name in ("true", "false"):
            return Boolean(name == "true", start=start, end=end)
        if name == "null":
            return Null(start=start, end=end)
        return Name(name, start=start, end=end)

    def _attribute(self, node: ast.Attribute, depth: int) -> Expr:
        start, end = self.span(node)
        base, attr = node.value, node.attr
        if isinstance(base, ast.Name) and base.id == "period":
            if attr == "start":
                return PeriodRef("start", start=start, end=end)
            if attr == "end":
                return PeriodRef("end", start=start, end=end)
            hint = did_you_mean(attr, ["start", "end"]) or "use `period.start` or `period.end`"
            return self.issue(E.NAME, f"`period` has no `{attr}`", (start, end), hint)
        if isinstance(base, ast.Name) and base.id == "subject":
            return SubjectRef(attr, start=start, end=end)
        if isinstance(base, ast.Name) and base.id not in _RESERVED_BASES:
            return TableColumn(base.id, attr, None, start=start, end=end)
        if isinstance(base, ast.Subscript) and isinstance(base.value, ast.Name):
            rows = self._subscript(base, depth)
            if isinstance(rows, TableRows):
                return TableColumn(rows.table, attr, rows.where, start=start, end=end)
            return rows
        if (
            isinstance(base, ast.Attribute)
            and isinstance(base.value, ast.Name)
            and base.value.id == "subject"
        ):
            # `subject.A.FIELD` in a row filter: the subject's own result of award A.
            return SubjectRef(f"{base.attr}.{attr}", start=start, end=end)
        message = (
            "attribute access is limited to `period.start`, `period.end`, `subject.NAME`, "
            "`TABLE.COLUMN`, `TABLE[condition].COLUMN`, `AWARD.FIELD` and `subject.AWARD.FIELD`"
        )
        return self.issue(E.UNSUPPORTED, message, (start, end))

    def _subscript(self, node: ast.Subscript, depth: int) -> Expr:
        span = self.span(node)
        base = node.value
        if not isinstance(base, ast.Name) or base.id in _RESERVED_BASES:
            message = "only a table can be filtered, as in `complaints[verified]`"
            return self.issue(E.UNSUPPORTED, message, span)
        if isinstance(node.slice, ast.Slice):
            return self.issue(E.UNSUPPORTED, _UNSUPPORTED[ast.Slice], self.span(node.slice))
        if isinstance(node.slice, ast.Tuple):
            message = "a filter takes one condition; join conditions with `and`"
            return self.issue(E.UNSUPPORTED, message, self.span(node.slice))
        where = self.convert(node.slice, depth)
        return TableRows(base.id, where, start=span[0], end=span[1])

    def _call(self, node: ast.Call, depth: int) -> Expr:
        span = self.span(node)
        if not isinstance(node.func, ast.Name):
            return self.issue(E.UNSUPPORTED, "only the built-in functions can be called", span)
        name = node.func.id
        spec = FUNCTIONS.get(name)
        for keyword in node.keywords:
            self.issue(E.UNSUPPORTED, "keyword arguments are not supported", self.span(keyword))
        args = tuple(self.convert(arg, depth) for arg in node.args)
        if spec is None:
            hint = did_you_mean(name, FUNCTIONS) or "functions: " + ", ".join(FUNCTIONS)
            return self.issue(E.FUNC, f"unknown function `{name}`", self.span(node.func), hint)
        count = len(node.args) + len(node.keywords)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            return self.issue(E.ARITY, _arity_message(name, count), span, _arity_hint(name))
        if name == "round" and len(args) == 2:
            self._int_literal(node.args[1], "round", "the number of decimals", MAX_ROUND_DIGITS)
        if name == "trimmed_mean":
            self._int_literal(node.args[1], "trimmed_mean", "the number to drop at each end", None)
        if name == "node" and not isinstance(args[0], String):
            message = "`node` takes a dotted path as a text literal"
            self.issue(E.LITERAL, message, self.span(node.args[0]), "like node('business.volume')")
        return Call(name, args, start=span[0], end=span[1])

    def _int_literal(self, node: ast.expr, func: str, what: str, cap: int | None) -> None:
        span = self.span(node)
        source = self.text[span[0] : span[1]]
        if not _DIGITS.fullmatch(source):
            message = f"{what} in `{func}` must be a non-negative integer literal"
            self.issue(E.LITERAL, message, span)
        elif cap is not None and int(source) > cap:
            self.issue(E.LITERAL, f"{what} in `{func}` must be at most {cap}", span)

    def _compare(self, node: ast.Compare, depth: int) -> Expr:
        start, end = self.span(node)
        left = self.convert(node.left, depth)
        ops: list[CompareOp] = []
        rights: list[Expr] = []
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            if rights and isinstance(rights[-1], ListExpr):
                message = "a list can only end a comparison: `a in [...]`"
                self.issue(E.UNSUPPORTED, message, (rights[-1].start, rights[-1].end))
            cop = _COMPARE[type(op)]
            ops.append(cop)
            rights.append(self._comparand(cop, comparator, depth))
        return Compare(left, tuple(ops), tuple(rights), start=start, end=end)

    def _comparand(self, op: CompareOp, node: ast.expr, depth: int) -> Expr:
        span = self.span(node)
        if op in ("in", "not in"):
            if isinstance(node, ast.List):
                items = tuple(self.convert(item, depth + 1) for item in node.elts)
                return ListExpr(items, start=span[0], end=span[1])
            if isinstance(node, ast.Tuple | ast.Set):
                return self.issue(E.UNSUPPORTED, "write the values as a list: `[...]`", span)
            message = f"`{op}` needs a list of values, like `level in ['city', 'province']`"
            return self.issue(E.UNSUPPORTED, message, span)
        if op in ("is", "is not"):
            right = self.convert(node, depth)
            if not isinstance(right, Null):
                message = f"`{op}` only tests for null (`a {op} null`); compare values with `==`"
                return self.issue(E.UNSUPPORTED, message, span)
            return right
        return self.convert(node, depth)


def _arity_message(name: str, count: int) -> str:
    spec = FUNCTIONS[name]
    if spec.max_args is None:
        expected = f"at least {spec.min_args}"
    elif spec.min_args == spec.max_args:
        expected = str(spec.min_args)
    else:
        expected = f"{spec.min_args} or {spec.max_args}"
    plural = "" if expected.endswith(" 1") or expected == "1" else "s"
    return f"`{name}` takes {expected} argument{plural}, got {count}"


def _arity_hint(name: str) -> str:
    if name == "min":
        return "for the smallest of several values use `least(a, b)`"
    if name == "max":
        return "for the largest of several values use `greatest(a, b)`"
    return f"like {FUNCTIONS[name].usage}"
