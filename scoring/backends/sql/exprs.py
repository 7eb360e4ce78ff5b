"""Compile a checked expression tree into SQL with the language's exact semantics.

Numbers become `Ratio`s (exact integer pairs), the rest one SQL expression.
SQL's three-valued logic is the language's: `and`/`or`/`not`, comparisons
with null, `in` with a null in the list; the compiler adds what SQL does not
say the same way: division by zero is null, `x if c else y` takes `y` for a
null `c`, `least`/`greatest` skip nulls, `round` goes half away from zero.
Sub-expressions that depend only on literals and the period are folded in
Python by the interpreter itself, so date arithmetic such as
`period.end - days(180)` reaches SQL as a literal date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlglot import exp

from scoring.expr import CheckedExpr, DictEnv, compile_expr
from scoring.expr.functions import AGGREGATES, DURATIONS
from scoring.expr.kinds import ValueType
from scoring.expr.nodes import (
    Binary,
    Boolean,
    Call,
    Compare,
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
    render,
    walk,
)

from .datemath import DAY_MAX, DAY_MIN, DateMath, DateValue, Duration
from .rational import Arith, Ratio, const, lit, null_ratio
from .values import Kind, Scalar, SqlValue, Unsupported, is_null_test, paren

Resolver = Callable[[Expr], SqlValue]
"""Resolves a leaf the compiler cannot see by itself: names, aggregates, node()."""


def literal(value: Any, kind: ValueType) -> SqlValue:
    """A folded constant as SQL."""
    if value is None:
        return null_ratio() if kind == "number" else Scalar(exp.Null(), _kind(kind))
    if isinstance(value, bool):
        return Scalar(exp.true() if value else exp.false(), "bool")
    if isinstance(value, int | Fraction):
        return const(value)
    if isinstance(value, str):
        return Scalar(exp.Literal.string(value), "text")
    if isinstance(value, dt.date):
        return Scalar(exp.Literal.string(value.isoformat()), "date")
    raise Unsupported(f"a constant of type {type(value).__name__}")


def _kind(kind: ValueType) -> Any:
    if kind in ("bool", "text", "date", "null"):
        return kind
    raise Unsupported(f"a value of type {kind}")


class ExprCompiler:
    """Compiles the sub-trees of one checked expression."""

    def __init__(
        self,
        checked: CheckedExpr,
        arith: Arith,
        period: tuple[dt.date, dt.date],
        resolve: Resolver,
    ) -> None:
        self.checked = checked
        self.types: Mapping[Expr, ValueType] = checked.types
        self.arith = arith
        self.period = period
        self.resolve = resolve

    def compile(self, expr: Expr) -> SqlValue:
        if _foldable(expr):
            return literal(self._fold(expr), self.types.get(expr, "null"))
        return self._compile(expr)

    def boolean(self, expr: Expr) -> exp.Expression:
        value = self.compile(expr)
        if isinstance(value, Ratio):
            raise Unsupported("a number used as a condition")
        return value.sql

    def _fold(self, expr: Expr, duration: bool = False) -> Any:
        sub = CheckedExpr(
            expr=expr,
            type="null",
            reads=frozenset(),
            tables=frozenset(),
            nodes=frozenset(),
            types=self.types,
        )
        env = DictEnv(subject={}, period_start=self.period[0], period_end=self.period[1])
        value = compile_expr(sub)(env)
        if not duration and isinstance(value, dt.timedelta | relativedelta):
            raise Unsupported("a duration outside date arithmetic")
        return value

    def _compile(self, expr: Expr) -> SqlValue:
        match expr:
            case Name() | SubjectRef():
                return self.resolve(expr)
            case TableColumn(where=None):  # `A.FIELD`: an award result field
                return self.resolve(expr)
            case Call(func=func) if func in AGGREGATES or func == "node":
                return self.resolve(expr)
            case Unary(op="not", operand=operand):
                return Scalar(exp.Not(this=paren(self.boolean(operand))), "bool")
            case Unary(op="-", operand=operand):
                return self.arith.neg(self._number(operand))
            case Unary(operand=operand):
                return self.compile(operand)
            case Binary():
                return self._binary(expr)
            case Logical(op=op, operands=operands):
                parts = [paren(self.boolean(o)) for o in operands]
                joined = parts[0]
                for part in parts[1:]:
                    joined = (exp.And if op == "and" else exp.Or)(this=joined, expression=part)
                return Scalar(exp.Paren(this=joined), "bool")
            case Compare():
                return self._compare(expr)
            case Conditional(then=then, test=test, otherwise=otherwise):
                cond = self.boolean(test)
                a, b = self.compile(then), self.compile(otherwise)
                return self.choose([(cond, a)], b)
            case Call():
                return self._call(expr)
            case Number() | String() | Boolean() | Null() | PeriodRef():
                return literal(self._fold(expr), self.types.get(expr, "null"))
            case ListExpr() | TableRows() | TableColumn():
                raise Unsupported(f"`{render(expr)}` outside its place")
        raise Unsupported(f"`{render(expr)}`")  # pragma: no cover

    def _number(self, expr: Expr) -> Ratio:
        value = self.compile(expr)
        if isinstance(value, Scalar):
            if value.kind == "null":
                return null_ratio()
            raise Unsupported(f"arithmetic on {value.kind} (`{render(expr)}`)")
        return value

    def _binary(self, expr: Binary) -> SqlValue:
        kinds = (self.types.get(expr.left), self.types.get(expr.right))
        if "date" in kinds or "duration" in kinds:
            return self._date_arithmetic(expr)
        a, b = self._number(expr.left), self._number(expr.right)
        if expr.op == "+":
            return self.arith.add(a, b)
        if expr.op == "-":
            return self.arith.add(a, b, negate_b=True)
        if expr.op == "*":
            return self.arith.mul(a, b)
        return self.arith.div(a, b)

    # -- date arithmetic (`datemath`) ----------------------------------------------------

    def _date_arithmetic(self, expr: Binary) -> SqlValue:
        """`date ± duration` (a date) or `date − date` (a number of days)."""
        kind = self.types.get(expr)
        if kind == "date":
            return Scalar(self.date_value(expr).text(), "date")
        if kind == "number":
            a, b = self.date_value(expr.left), self.date_value(expr.right)
            days = exp.Sub(this=paren(a.day_number()), expression=paren(b.day_number()))
            return Ratio(exp.Paren(this=days), 1, DAY_MAX - DAY_MIN, 1)
        if kind == "null":
            return Scalar(exp.Null(), "null")
        raise Unsupported(f"a duration outside date arithmetic (`{render(expr)}`)")

    def date_value(self, expr: Expr) -> DateValue:
        """A date-typed expression in whichever form its arithmetic leaves it."""
        math = DateMath(self.arith.dialect)
        if _foldable(expr):
            value = self._fold(expr)
            if value is None:
                return DateValue(math, iso=exp.Null())
            return DateValue(
                math,
                iso=exp.Literal.string(value.isoformat()),
                ymd=(lit(value.year), lit(value.month), lit(value.day)),
            )
        if isinstance(expr, Binary) and self.types.get(expr) == "date":
            left_is_date = self.types.get(expr.left) in ("date", "null")
            base, by = (expr.left, expr.right) if left_is_date else (expr.right, expr.left)
            moved = self.duration(by)
            if expr.op == "-":
                moved = math.neg(moved)
            return self.date_value(base).shifted(moved)
        value = self.compile(expr)
        sql = value.sql if isinstance(value, Scalar) else exp.Null()
        return DateValue(math, iso=sql)

    def duration(self, expr: Expr) -> Duration:
        """`days(n)`, `months(n)`, `years(n)` and their sums and negations."""
        math = DateMath(self.arith.dialect)
        if _foldable(expr):
            value = self._fold(expr, duration=True)
            if value is None:
                return Duration(None, exp.Null(), calendar=False)
            if isinstance(value, dt.timedelta):
                return Duration(None, lit(value.days), calendar=False)
            months = value.years * 12 + value.months
            return Duration(lit(months) if months else None, lit(value.days), calendar=True)
        match expr:
            case Call(func=func, args=args) if func in DURATIONS:
                n = self._number(args[0])
                if func == "days":
                    return math.days(n)
                return math.months(n, 12 if func == "years" else 1)
            case Unary(op="-", operand=operand):
                return math.neg(self.duration(operand))
            case Unary(operand=operand):
                return self.duration(operand)
            case Binary(op=op, left=left, right=right):
                a, b = self.duration(left), self.duration(right)
                if op == "-" and a.calendar and not b.calendar:
                    # relativedelta - timedelta: the interpreter cannot compute it either
                    raise Unsupported(f"a calendar duration minus days (`{render(expr)}`)")
                return math.add(a, b, negate_b=op == "-")
        raise Unsupported(f"a duration chosen at run time (`{render(expr)}`)")

    def _compare(self, expr: Compare) -> SqlValue:
        operands = [expr.left, *expr.rights]
        links: list[exp.Expression] = []
        for i, op in enumerate(expr.ops):
            left, right = operands[i], operands[i + 1]
            links.append(paren(self._link(left, op, right)))
        joined = links[0]
        for link in links[1:]:
            joined = exp.And(this=joined, expression=link)
        return Scalar(joined, "bool")

    def _link(self, left: Expr, op: str, right: Expr) -> exp.Expression:
        a = self.compile(left)
        if op in ("is", "is not"):
            test = is_null_test(a)
            return test if op == "is" else exp.Not(this=paren(test))
        if op in ("in", "not in"):
            assert isinstance(right, ListExpr)
            found = self._member(a, right)
            return found if op == "in" else exp.Not(this=paren(found))
        computed = _computed_date(left, self.types) or _computed_date(right, self.types)
        dates = self.types.get(left) == self.types.get(right) == "date"
        if computed and dates and op in _SCALAR_COMPARE:
            this, that = self.date_value(left).comparable(self.date_value(right))
            return _SCALAR_COMPARE[op](this=paren(this), expression=paren(that))
        b = self.compile(right)
        if _null(a) or _null(b):
            return exp.Null()
        if isinstance(a, Ratio) and isinstance(b, Ratio):
            return self.arith.compare(a, op, b)
        if isinstance(a, Scalar) and isinstance(b, Scalar):
            return _SCALAR_COMPARE[op](this=paren(a.sql), expression=paren(b.sql))
        raise Unsupported(f"comparing {render(left)} with {render(right)}")

    def _member(self, a: SqlValue, items: ListExpr) -> exp.Expression:
        if not items.items:
            return exp.Case(
                ifs=[exp.If(this=is_null_test(a), true=exp.Null())], default=exp.false()
            )
        values = [self.compile(i) for i in items.items]
        if isinstance(a, Scalar) and all(isinstance(v, Scalar) for v in values):
            if a.kind == "null":
                return exp.Null()
            sqls = [v.sql for v in values if isinstance(v, Scalar)]
            return exp.In(this=paren(a.sql), expressions=sqls)
        tests: list[exp.Expression] = []
        for v in values:
            if _null(v):
                tests.append(exp.Null())
            elif isinstance(a, Ratio) and isinstance(v, Ratio):
                tests.append(paren(self.arith.compare(a, "==", v)))
            elif _null(a):
                tests.append(exp.Null())
            else:
                raise Unsupported("`in` over mixed types")
        joined = tests[0]
        for t in tests[1:]:
            joined = exp.Or(this=joined, expression=t)
        return exp.Paren(this=joined)

    def choose(self, cases: list[tuple[exp.Expression, SqlValue]], default: SqlValue) -> SqlValue:
        """CASE over values: the first true condition picks its value, else `default`."""
        all_values = [v for _, v in cases] + [default]
        if any(isinstance(v, Ratio) for v in all_values):
            ratios = [null_ratio() if _null(v) else v for v in all_values]
            if not all(isinstance(r, Ratio) for r in ratios):
                raise Unsupported("a conditional mixing numbers and other values")
            pairs = [(c, r) for (c, _), r in zip(cases, ratios, strict=False)]
            last = ratios[-1]
            assert isinstance(last, Ratio)
            return self.arith.choose(pairs, last)  # type: ignore[arg-type]
        scalars = [v for v in all_values if isinstance(v, Scalar)]
        kind: Kind = next((s.kind for s in scalars if s.kind != "null"), "null")
        ifs = [exp.If(this=c, true=v.sql) for c, v in cases if isinstance(v, Scalar)]
        assert isinstance(default, Scalar)
        return Scalar(exp.Case(ifs=ifs, default=default.sql), kind)

    def _call(self, expr: Call) -> SqlValue:
        func = expr.func
        if func == "abs":
            a = self._number(expr.args[0])
            return Ratio(exp.Abs(this=a.n), a.d, a.nmax, a.dmax)
        if func == "round":
            digits = 0
            if len(expr.args) == 2:
                lit_arg = expr.args[1]
                assert isinstance(lit_arg, Number) and isinstance(lit_arg.value, int)
                digits = lit_arg.value
            return self.arith.round_half_away(self._number(expr.args[0]), digits)
        args = [self.compile(a) for a in expr.args]
        if func == "coalesce":
            cases: list[tuple[exp.Expression, SqlValue]] = [
                (exp.Not(this=is_null_test(v)), v) for v in args[:-1]
            ]
            return self.choose(cases, args[-1])
        if func in ("least", "greatest"):
            return self._extreme(args, func)
        raise Unsupported(f"the function `{func}`")

    def _extreme(self, args: list[SqlValue], func: str) -> SqlValue:
        """least/greatest: nulls skipped; null only when every argument is."""
        op = "<=" if func == "least" else ">="
        best = args[0]
        for arg in args[1:]:
            if _null(arg):
                continue
            if _null(best):
                best = arg
                continue
            if isinstance(best, Ratio) and isinstance(arg, Ratio):
                wins = self.arith.compare(best, op, arg)
            elif isinstance(best, Scalar) and isinstance(arg, Scalar):
                wins = _SCALAR_COMPARE[op](this=paren(best.sql), expression=paren(arg.sql))
            else:
                raise Unsupported(f"`{func}` over mixed types")
            best = self.choose(
                [(is_null_test(arg), best), (is_null_test(best), arg), (wins, best)], arg
            )
        return best


def _computed_date(expr: Expr, types: Mapping[Expr, ValueType]) -> bool:
    """A date that date arithmetic computes in SQL (compared in the form it is computed in)."""
    return isinstance(expr, Binary) and types.get(expr) == "date" and not _foldable(expr)


def _null(value: SqlValue) -> bool:
    return isinstance(value, Scalar) and value.kind == "null"


_PURE = (
    Number,
    String,
    Boolean,
    Null,
    PeriodRef,
    Unary,
    Binary,
    Logical,
    Compare,
    Conditional,
    ListExpr,
)


def _foldable(expr: Expr) -> bool:
    """Whether `expr` depends on nothing but literals and the period (an allow-list:
    a node kind this module does not know is never folded, so it cannot turn silently
    into a constant)."""
    for node in walk(expr):
        if isinstance(node, _PURE):
            continue
        if isinstance(node, Call) and node.func not in AGGREGATES and node.func != "node":
            continue
        return False
    return not isinstance(expr, ListExpr)


_SCALAR_COMPARE: dict[str, type[exp.Expression]] = {
    "==": exp.EQ,
    "!=": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
}


Event = tuple[str, Call]
"""("node", call) or ("trim", call): what the interpreter does in order while evaluating."""


def evaluation_events(expr: Expr) -> list[Event]:
    """The `node('PATH')` reads and `trimmed_mean` calls (which may warn), in evaluation order.

    A `node()` read may sit under a condition: it only reads a figure the
    interpreter computed earlier in the plan's node order. A `trimmed_mean`
    under a condition raises `Unsupported` (whether it warns would then
    depend on the data).
    """
    out: list[Event] = []

    def visit(e: Expr, always: bool) -> None:
        match e:
            case Call(func="node"):
                out.append(("node", e))
            case Call(func="trimmed_mean"):
                if not always:
                    raise Unsupported("`trimmed_mean` under a condition")
                out.append(("trim", e))
            case Conditional(then=then, test=test, otherwise=otherwise):
                visit(test, always)
                visit(then, False)
                visit(otherwise, False)
            case Logical(operands=operands):
                visit(operands[0], always)
                for o in operands[1:]:
                    visit(o, False)
            case Call(func="coalesce", args=args):
                visit(args[0], always)
                for a in args[1:]:
                    visit(a, False)
            case Compare(left=left, rights=rights):
                for o in (left, *rights):
                    visit(o, always)
            case Binary(left=left, right=right):
                visit(left, always)
                visit(right, always)
            case Unary(operand=operand):
                visit(operand, always)
            case Call(func=func, args=args) if func not in AGGREGATES:
                for a in args:
                    visit(a, always)
            case ListExpr(items=items):
                for i in items:
                    visit(i, always)
            case _:
                pass

    visit(expr, True)
    return out


def node_target(call: Call) -> str:
    """The dotted path named by `node('PATH')`."""
    arg = call.args[0]
    return arg.value if isinstance(arg, String) else ""
