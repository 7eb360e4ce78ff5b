"""The expression tree: frozen nodes, each with its character span.

`start` and `end` are character offsets into the expression text (0-based,
`end` exclusive), so a diagnostic can put a caret under any sub-expression.
Nodes compare by value (positions included) and are hashable. `render` prints
a tree back as canonical expression text (the plan's printable form);
`children` and `walk` traverse it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from ..numbers import decimal_text

CompareOp = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"]
ArithOp = Literal["+", "-", "*", "/"]
UnaryOp = Literal["-", "+", "not"]
LogicOp = Literal["and", "or"]


@dataclass(frozen=True, kw_only=True)
class Node:
    """Base of every node: the span of source text it was parsed from."""

    start: int
    end: int


@dataclass(frozen=True)
class Number(Node):
    """A number literal, exact: an `int` or a `Fraction` built from its digits."""

    value: int | Fraction


@dataclass(frozen=True)
class String(Node):
    """A text literal."""

    value: str


@dataclass(frozen=True)
class Boolean(Node):
    """`true` / `false` (also `True` / `False`)."""

    value: bool


@dataclass(frozen=True)
class Null(Node):
    """`null` (also `None`)."""


@dataclass(frozen=True)
class ListExpr(Node):
    """A list `[a, b, ...]`; only the right side of `in` / `not in`."""

    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Name(Node):
    """A bare name: a column (of the subject, or of the filtered table), `x`, or a table."""

    id: str


@dataclass(frozen=True)
class PeriodRef(Node):
    """`period.start` or `period.end`."""

    field: Literal["start", "end"]


@dataclass(frozen=True)
class SubjectRef(Node):
    """`subject.NAME` inside a row filter: a column of the subject being scored."""

    column: str


@dataclass(frozen=True)
class TableRows(Node):
    """`T[cond]`: the rows of table T linked to the subject where cond is true."""

    table: str
    where: Expr


@dataclass(frozen=True)
class TableColumn(Node):
    """`T.col` or `T[cond].col`: a column of the linked rows, as aggregate input.

    `column` may be `A.FIELD` (`riders.pioneer_rider.grade`): an award result
    field of T's rows. Outside an aggregate, `A.FIELD` with no `where` is an
    award result field of the subject (or, inside a row filter, of the row):
    `table` then names the award (`base.grade`, SPEC §2.3); the type checker
    tells the two readings apart against the catalog.
    """

    table: str
    column: str
    where: Expr | None = None


@dataclass(frozen=True)
class Unary(Node):
    """`-a`, `+a` or `not a`."""

    op: UnaryOp
    operand: Expr


@dataclass(frozen=True)
class Binary(Node):
    """`a + b`, `a - b`, `a * b`, `a / b`."""

    op: ArithOp
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Logical(Node):
    """`a and b and ...` or `a or b or ...` (SQL three-valued logic)."""

    op: LogicOp
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Compare(Node):
    """A comparison chain `a < b <= c`: `ops[i]` compares operand i with `rights[i]`."""

    left: Expr
    ops: tuple[CompareOp, ...]
    rights: tuple[Expr, ...]


@dataclass(frozen=True)
class Conditional(Node):
    """`then if test else otherwise`; a null test takes `otherwise`."""

    then: Expr
    test: Expr
    otherwise: Expr


@dataclass(frozen=True)
class Call(Node):
    """A call of one of the fixed functions (see `scoring.expr.functions`)."""

    func: str
    args: tuple[Expr, ...]


Expr = (
    Number
    | String
    | Boolean
    | Null
    | ListExpr
    | Name
    | PeriodRef
    | SubjectRef
    | TableRows
    | TableColumn
    | Unary
    | Binary
    | Logical
    | Compare
    | Conditional
    | Call
)

LITERALS = (Number, String, Boolean, Null)


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of `expr`, in source order."""
    match expr:
        case ListExpr(items=items):
            return items
        case TableRows(where=where):
            return (where,)
        case TableColumn(where=where):
            return () if where is None else (where,)
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Logical(operands=operands):
            return operands
        case Compare(left=left, rights=rights):
            return (left, *rights)
        case Conditional(then=then, test=test, otherwise=otherwise):
            return (then, test, otherwise)
        case Call(args=args):
            return args
        case _:
            return ()


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents before children."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


_ATOM = 9
_PREC: dict[str, int] = {"or": 2, "and": 3, "not": 4, "+": 6, "-": 6, "*": 7, "/": 7}
_COMPARE = 5
_UNARY = 8
_CONDITIONAL = 1


def _precedence(expr: Expr) -> int:
    match expr:
        case Conditional():
            return _CONDITIONAL
        case Logical(op=op):
            return _PREC[op]
        case Unary(op="not"):
            return _PREC["not"]
        case Unary():
            return _UNARY
        case Compare():
            return _COMPARE
        case Binary(op=op):
            return _PREC[op]
        case Number(value=value) if value < 0:
            return _UNARY
        case _:
            return _ATOM


def _number(value: int | Fraction) -> str:
    text = decimal_text(value)
    if text is not None:
        return text
    sign = "-" if value < 0 else ""
    return f"({sign}{abs(value.numerator)} / {value.denominator})"


def _wrap(expr: Expr, minimum: int) -> str:
    text = render(expr)
    return f"({text})" if _precedence(expr) < minimum else text


def render(expr: Expr) -> str:
    """Canonical text of `expr`; parsing it again gives the same tree up to positions."""
    match expr:
        case Number(value=value):
            return _number(value)
        case String(value=value):
            return repr(value)
        case Boolean(value=value):
            return "true" if value else "false"
        case Null():
            return "null"
        case ListExpr(items=items):
            return "[" + ", ".join(render(i) for i in items) + "]"
        case Name(id=name):
            return name
        case PeriodRef(field=field):
            return f"period.{field}"
        case SubjectRef(column=column):
            return f"subject.{column}"
        case TableRows(table=table, where=where):
            return f"{table}[{render(where)}]"
        case TableColumn(table=table, column=column, where=where):
            rows = table if where is None else f"{table}[{render(where)}]"
            return f"{rows}.{column}"
        case Unary(op="not", operand=operand):
            return "not " + _wrap(operand, _PREC["not"])
        case Unary(op=op, operand=operand):
            return op + _wrap(operand, _UNARY)
        case Binary(op=op, left=left, right=right):
            prec = _PREC[op]
            return f"{_wrap(left, prec)} {op} {_wrap(right, prec + 1)}"
        case Logical(op=op, operands=operands):
            return f" {op} ".join(_wrap(o, _PREC[op] + 1) for o in operands)
        case Compare(left=left, ops=ops, rights=rights):
            parts = [_wrap(left, _COMPARE + 1)]
            for cop, right in zip(ops, rights, strict=True):
                parts.append(f"{cop} {_wrap(right, _COMPARE + 1)}")
            return " ".join(parts)
        case Conditional(then=then, test=test, otherwise=otherwise):
            body = _wrap(then, _CONDITIONAL + 1)
            cond = _wrap(test, _CONDITIONAL + 1)
            return f"{body} if {cond} else {_wrap(otherwise, _CONDITIONAL)}"
        case Call(func=func, args=args):
            return f"{func}(" + ", ".join(render(a) for a in args) + ")"
