"""Evaluate checked expressions: compile once into closures, call per subject.

Values are `None` (null), `bool`, `int` or `fractions.Fraction` (numbers, never
`float`), `str` and `datetime.date`; `datetime.timedelta` appears only inside
date arithmetic (`days(n)`; `months(n)` and `years(n)` are dateutil
`relativedelta`s), never as the value of a whole expression. Semantics follow SQL: three-valued logic, nulls
propagate through arithmetic and comparisons, aggregates skip nulls, division
by zero is null. Every operand of an operator is evaluated (so warnings such as
a too-small `trimmed_mean` panel do not depend on operand order); `and`, `or`,
`if ... else` and `coalesce` stop as soon as their result is known.

Inside the compiled closures values are typed `Any`: the type checker has
already proved each operation well typed, and the closures stay free of
per-call `isinstance` tests on the hot path.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from ..numbers import Value
from .aggregate_eval import compile_aggregate
from .dates import months, years
from .env import EvalEnv, Fn, Row
from .functions import AGGREGATES
from .kinds import ValueType
from .nodes import (
    LITERALS,
    Binary,
    Boolean,
    Call,
    Compare,
    CompareOp,
    Conditional,
    Expr,
    ListExpr,
    Logical,
    Name,
    Null,
    Number,
    PeriodRef,
    String,
    SubjectRef,
    TableColumn,
    TableRows,
    Unary,
    walk,
)
from .numeric import divide, round_half_away
from .typecheck import CheckedExpr

_NO_ROW: Row = MappingProxyType({})
_NO_ENV: Any = None  # constant folding evaluates closures that never look at the environment


def compile_expr(checked: CheckedExpr) -> Callable[[EvalEnv], Value]:
    """Compile a checked expression into a function of the environment."""
    fn = _Compiler(checked).compile(checked.expr, in_filter=False)

    def run(env: EvalEnv) -> Value:
        result: Value = fn(env, _NO_ROW)
        return result

    return run


def compile_row_filter(checked: CheckedExpr, where: Expr) -> Fn:
    """Compile `where`, the condition of a `T[where]` inside `checked`, as a
    test of one row of T: (environment, row) -> true, false or null."""
    return _Compiler(checked).compile(where, in_filter=True)


def evaluate(checked: CheckedExpr, env: EvalEnv) -> Value:
    """Evaluate once (compile with `compile_expr` to evaluate many times)."""
    return compile_expr(checked)(env)


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_CALENDAR: dict[str, Callable[[Any], Any]] = {"months": months, "years": years}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": divide,
}


class _Compiler:
    """Turns a checked tree into nested closures."""

    def __init__(self, checked: CheckedExpr) -> None:
        self.types: Mapping[Expr, ValueType] = checked.types
        self.metric_x = checked.reads_x

    def compile(self, expr: Expr, in_filter: bool) -> Fn:
        """The closure computing `expr`; `in_filter`: inside `T[...]`, names are row columns."""
        if not isinstance(expr, LITERALS) and _is_constant(expr):
            folded = self._compile(expr, in_filter)(_NO_ENV, _NO_ROW)
            return _constant(folded)
        return self._compile(expr, in_filter)

    def _compile(self, expr: Expr, in_filter: bool) -> Fn:
        match expr:
            case Number(value=value) | String(value=value) | Boolean(value=value):
                return _constant(value)
            case Null():
                return _constant(None)
            case PeriodRef(field="start"):
                return lambda env, row: env.period_start
            case PeriodRef():
                return lambda env, row: env.period_end
            case Name(id=name):
                return self._name(name, in_filter)
            case SubjectRef(column=column):
                return lambda env, row: env.subject.get(column)
            case Unary():
                return self._unary(expr, in_filter)
            case Binary():
                return self._binary(expr, in_filter)
            case Logical(op=op, operands=operands):
                fns = tuple(self.compile(o, in_filter) for o in operands)
                return _and(fns) if op == "and" else _or(fns)
            case Compare():
                return self._compare(expr, in_filter)
            case Conditional(then=then, test=test, otherwise=otherwise):
                return _conditional(
                    self.compile(test, in_filter),
                    self.compile(then, in_filter),
                    self.compile(otherwise, in_filter),
                )
            case Call(func=func) if func in AGGREGATES:
                return compile_aggregate(expr, lambda e: self.compile(e, in_filter=True))
            case Call():
                return self._call(expr, in_filter)
            case ListExpr(items=items):
                return self._list(items, in_filter)
            case TableColumn(table=award, column=name, where=None):
                # Outside an aggregate the checker admits only an award result field.
                return self._name(f"{award}.{name}", in_filter)
            case TableRows() | TableColumn():  # pragma: no cover - the checker rejects these
                raise TypeError(f"cannot compile {type(expr).__name__} here")

    def _name(self, name: str, in_filter: bool) -> Fn:
        if in_filter:
            return lambda env, row: row.get(name)
        if name == "x" and self.metric_x:
            return lambda env, row: env.x
        return lambda env, row: env.subject.get(name)

    def _list(self, items: tuple[Expr, ...], in_filter: bool) -> Fn:
        if all(isinstance(item, LITERALS) for item in items):
            values = [getattr(item, "value", None) for item in items]
            return _constant_members(_Members.of(values))
        fns = tuple(self.compile(item, in_filter) for item in items)
        return lambda env, row: _Members.of([fn(env, row) for fn in fns])

    def _unary(self, expr: Unary, in_filter: bool) -> Fn:
        inner = self.compile(expr.operand, in_filter)
        if expr.op == "not":

            def negate(env: EvalEnv, row: Row) -> Any:
                value = inner(env, row)
                return None if value is None else not value

            return negate
        if expr.op == "+":
            return inner

        def minus(env: EvalEnv, row: Row) -> Any:
            value = inner(env, row)
            return None if value is None else -value

        return minus

    def _binary(self, expr: Binary, in_filter: bool) -> Fn:
        left = self.compile(expr.left, in_filter)
        right = self.compile(expr.right, in_filter)
        kinds = (self.types.get(expr.left), self.types.get(expr.right))
        op = _ARITH[expr.op]
        if kinds == ("date", "date") and expr.op == "-":
            op = _days_between
        elif kinds == ("duration", "duration") and expr.op == "-":
            # `relativedelta - timedelta` is not defined; adding the negation is.
            op = _overflow_is_null(_minus_duration)
        elif "duration" in kinds:
            op = _overflow_is_null(op)

        def arith(env: EvalEnv, row: Row) -> Any:
            a = left(env, row)
            b = right(env, row)
            if a is None or b is None:
                return None
            return op(a, b)

        return arith

    def _compare(self, expr: Compare, in_filter: bool) -> Fn:
        operands = tuple(self.compile(o, in_filter) for o in (expr.left, *expr.rights))
        tests = tuple(_pair_test(op) for op in expr.ops)
        if len(tests) == 1 and expr.ops[0] in _COMPARE:
            return _single_compare(operands[0], operands[1], _COMPARE[expr.ops[0]])

        def chain(env: EvalEnv, row: Row) -> Any:
            values = [f(env, row) for f in operands]
            result: bool | None = True
            for i, test in enumerate(tests):
                outcome = test(values[i], values[i + 1])
                if outcome is False:
                    return False
                if outcome is None:
                    result = None
            return result

        return chain

    def _call(self, expr: Call, in_filter: bool) -> Fn:
        func = expr.func
        if func == "node":
            path = expr.args[0].value if isinstance(expr.args[0], String) else ""
            return lambda env, row: env.node_points(path)
        args = tuple(self.compile(a, in_filter) for a in expr.args)
        if func == "coalesce":
            return _coalesce(args)
        if func in ("least", "greatest"):
            return _extreme(args, min if func == "least" else max)
        inner = args[0]
        if func == "round":
            digits = 0
            if len(expr.args) == 2:
                literal = expr.args[1]
                assert isinstance(literal, Number) and isinstance(literal.value, int)
                digits = literal.value
            return _apply(inner, lambda v: round_half_away(v, digits))
        if func == "abs":
            return _apply(inner, abs)
        if func in _CALENDAR:
            return _apply(inner, _CALENDAR[func])
        return _apply(inner, _days)


def _is_constant(expr: Expr) -> bool:
    """Whether `expr` depends on nothing but literals (so it can be folded at compile time)."""
    for node in walk(expr):
        if isinstance(node, Name | PeriodRef | SubjectRef | TableRows | TableColumn):
            return False
        if isinstance(node, Call) and (node.func in AGGREGATES or node.func == "node"):
            return False
    return True


def _constant(value: Any) -> Fn:
    return lambda env, row: value


def _apply(inner: Fn, fn: Callable[[Any], Any]) -> Fn:
    def apply(env: EvalEnv, row: Row) -> Any:
        value = inner(env, row)
        return None if value is None else fn(value)

    return apply


def _days(value: Any) -> timedelta | None:
    if isinstance(value, Fraction) and value.denominator != 1:
        return None
    try:
        return timedelta(days=int(value))
    except OverflowError:
        return None


def _minus_duration(a: Any, b: Any) -> Any:
    return a + (-b)


def _days_between(a: date, b: date) -> int:
    return (a - b).days


def _overflow_is_null(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """Date and duration arithmetic: a result out of range (years 1..9999) is null.

    `timedelta` arithmetic raises OverflowError there, `relativedelta` (months,
    years) ValueError.
    """

    def checked(a: Any, b: Any) -> Any:
        try:
            return op(a, b)
        except (OverflowError, ValueError):
            return None

    return checked


def _and(fns: tuple[Fn, ...]) -> Fn:
    def conjunction(env: EvalEnv, row: Row) -> Any:
        result: bool | None = True
        for fn in fns:
            value = fn(env, row)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    return conjunction


def _or(fns: tuple[Fn, ...]) -> Fn:
    def disjunction(env: EvalEnv, row: Row) -> Any:
        result: bool | None = False
        for fn in fns:
            value = fn(env, row)
            if value is True:
                return True
            if value is None:
                result = None
        return result

    return disjunction


def _conditional(test: Fn, then: Fn, otherwise: Fn) -> Fn:
    def conditional(env: EvalEnv, row: Row) -> Any:
        return then(env, row) if test(env, row) is True else otherwise(env, row)

    return conditional


def _coalesce(fns: tuple[Fn, ...]) -> Fn:
    def coalesce(env: EvalEnv, row: Row) -> Any:
        for fn in fns:
            value = fn(env, row)
            if value is not None:
                return value
        return None

    return coalesce


def _extreme(fns: tuple[Fn, ...], pick: Callable[[list[Any]], Any]) -> Fn:
    def extreme(env: EvalEnv, row: Row) -> Any:
        values = [v for fn in fns if (v := fn(env, row)) is not None]
        return pick(values) if values else None

    return extreme


def _single_compare(left: Fn, right: Fn, op: Callable[[Any, Any], Any]) -> Fn:
    def compare(env: EvalEnv, row: Row) -> Any:
        a = left(env, row)
        b = right(env, row)
        if a is None or b is None:
            return None
        return op(a, b)

    return compare


def _pair_test(op: CompareOp) -> Callable[[Any, Any], Any]:
    """How one link of a comparison chain compares two values, with SQL nulls."""
    if op == "is":
        return lambda a, b: a is None
    if op == "is not":
        return lambda a, b: a is not None
    if op == "in":
        return _member
    if op == "not in":
        return _not_member
    compare = _COMPARE[op]

    def test(a: Any, b: Any) -> bool | None:
        return None if a is None or b is None else bool(compare(a, b))

    return test


@dataclass(frozen=True)
class _Members:
    """The evaluated right side of `in`: its non-null values, and whether it held a null."""

    values: frozenset[Any]
    has_null: bool

    @staticmethod
    def of(items: list[Any]) -> _Members:
        return _Members(frozenset(i for i in items if i is not None), None in items)


def _constant_members(members: _Members) -> Fn:
    return lambda env, row: members


def _member(value: Any, members: _Members) -> bool | None:
    if value is None:
        return None
    if value in members.values:
        return True
    return None if members.has_null else False


def _not_member(value: Any, members: _Members) -> bool | None:
    found = _member(value, members)
    return None if found is None else not found
