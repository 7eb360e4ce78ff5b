"""Type check an expression against the declared tables.

`check(text, ctx)` parses the text, resolves every name against the catalog
(subject columns, `x`, table columns inside filters, `subject.NAME`, `period`),
infers a type for every sub-expression and collects every issue it finds; it
raises one `ExprError` with all of them, or returns a `CheckedExpr` that the
evaluator (and the SQL backend) can compile without further checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..catalog import AWARD_FIELDS, Catalog, ColumnType, TableInfo, award_field
from ..diagnostics import did_you_mean
from . import issues as E
from .aggregates import AggregateChecker
from .functions import AGGREGATES, DURATIONS
from .issues import ExprError, ExprIssue
from .kinds import DESCRIBE as _DESCRIBE
from .kinds import ExprType, Inferred, ValueType, value_type
from .nodes import (
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
)
from .parse import parse


@dataclass(frozen=True)
class ExprContext:
    """Where an expression is used: what its names and functions may refer to."""

    catalog: Catalog
    subject_table: str  # the award's subject table
    x_type: ColumnType | None = None  # type of `x`; None means `x` is not available here
    node_paths: frozenset[str] | None = None  # valid node('PATH') targets; None: node() not allowed
    hidden_virtual: frozenset[str] = frozenset()  # award totals this expression may NOT read


@dataclass(frozen=True)
class CheckedExpr:
    """A parsed expression that passed the type check, with what it reads.

    `types` gives the type of every value sub-expression (and of each
    `T.col` aggregate input); backends use it to pick date or number
    arithmetic without looking at values.
    """

    expr: Expr
    type: ExprType
    reads: frozenset[tuple[str, str]]  # (table, column) pairs read, subject and virtual included
    tables: frozenset[str]  # tables aggregated over (for listing evidence records)
    nodes: frozenset[str]  # node('PATH') targets
    reads_x: bool = False  # whether bare `x` (the node's metric) is read
    types: Mapping[Expr, ValueType] = field(default_factory=dict, compare=False, repr=False)


def check(text: str, ctx: ExprContext) -> CheckedExpr:
    """Parse and type check `text` in `ctx`; raise `ExprError` with every issue found."""
    if ctx.subject_table not in ctx.catalog.tables:
        raise ValueError(f"subject table {ctx.subject_table!r} is not in the catalog")
    expr = parse(text)
    checker = TypeChecker(text, ctx)
    result = checker.visit(expr, None)
    if result == "duration":
        message = "a duration (`days(n)`, `months(n)`, `years(n)`) is not a value"
        hint = "use it in date arithmetic, like `period.end - days(180)` or `joined + years(1)`"
        checker.issue(E.TYPE, message, expr, hint)
    if checker.issues or result in ("duration", "error"):
        raise ExprError(checker.issues)
    assert result != "duration" and result != "error"
    return CheckedExpr(
        expr=expr,
        type=result,
        reads=frozenset(checker.reads),
        tables=frozenset(checker.tables),
        nodes=frozenset(checker.nodes),
        reads_x=checker.reads_x,
        types=checker.types,
    )


class TypeChecker:
    """One pass over the tree: resolve names, infer types, collect issues."""

    def __init__(self, text: str, ctx: ExprContext) -> None:
        self.text = text
        self.ctx = ctx
        self.subject: TableInfo = ctx.catalog.tables[ctx.subject_table]
        self.issues: list[ExprIssue] = []
        self.reads: set[tuple[str, str]] = set()
        self.tables: set[str] = set()
        self.nodes: set[str] = set()
        self.types: dict[Expr, ValueType] = {}
        self.reads_x = False
        self.aggregates = AggregateChecker(self)

    # -- helpers shared with the aggregate checker ------------------------------------

    def issue(
        self, code: str, message: str, at: Expr | tuple[int, int], hint: str | None = None
    ) -> None:
        """Record an issue at a node or a (start, end) span."""
        start, end = (at.start, at.end) if not isinstance(at, tuple) else at
        self.issues.append(ExprIssue(code, message, start, end, hint))

    def source(self, expr: Expr) -> str:
        """The source text of a node, shortened for messages."""
        snippet = " ".join(self.text[expr.start : expr.end].split())
        return snippet if len(snippet) <= 40 else snippet[:37] + "..."

    def read(self, table: str, column: str, at: tuple[int, int]) -> Inferred | None:
        """The type of `table.column` (recording the read), or None if there is no such column."""
        info = self.ctx.catalog.tables[table]
        ctype = info.column_type(column)
        if ctype is None:
            return None
        if column not in info.columns:
            # A virtual column: an award's total or one of its result fields.
            parts = award_field(column)
            award = column if parts is None else parts[0]
            if award in self.ctx.hidden_virtual:
                what = "total" if parts is None else "result"
                message = f"the award {what} `{column}` cannot be read here"
                hint = "an award's eligibility, vetoes and scores cannot depend on its own result"
                self.issue(E.NAME, message, at, hint)
                return "error"
            self.reads.add((table, award))  # a field depends on the award like its total
            return value_type(ctype)
        self.reads.add((table, column))
        return value_type(ctype)

    def field_hint(self, info: TableInfo, column: str) -> str | None:
        """A hint for `A.FIELD` naming no field of award A (or None when A is no award here)."""
        parts = award_field(column)
        if parts is None or parts[0] not in info.virtual:
            return None
        return did_you_mean(parts[1], list(AWARD_FIELDS)) or _FIELDS_HINT

    def visible_columns(self, info: TableInfo) -> list[str]:
        """Columns of `info` this expression may read, for hints."""
        return [
            c for c in info.all_columns() if c in info.columns or c not in self.ctx.hidden_virtual
        ]

    def expect(self, expr: Expr, actual: Inferred, allowed: tuple[str, ...], what: str) -> bool:
        """Issue a type error unless `actual` is one of `allowed` (null and errors pass)."""
        if actual in allowed or actual in ("null", "error"):
            return True
        wanted = " or ".join(_DESCRIBE[a] for a in allowed)
        message = f"{what} needs {wanted}; `{self.source(expr)}` is {_DESCRIBE[actual]}"
        self.issue(E.TYPE, message, expr)
        return False

    # -- the visit ------------------------------------------------------------------

    def visit(self, expr: Expr, scope: str | None) -> Inferred:
        """Infer the type of `expr`; `scope` is the filtered table inside `T[...]`."""
        result = self._infer(expr, scope)
        if result != "error":
            self.types[expr] = result
        return result

    def _infer(self, expr: Expr, scope: str | None) -> Inferred:
        match expr:
            case Number():
                return "number"
            case String():
                return "text"
            case Boolean():
                return "bool"
            case Null():
                return "null"
            case PeriodRef():
                return "date"
            case Name():
                return self._name(expr, scope)
            case SubjectRef():
                return self._subject_ref(expr, scope)
            case TableColumn(where=None) if expr.table not in self.ctx.catalog.tables:
                return self._award_field(expr, scope)
            case TableRows() | TableColumn():
                example = f"count({self.source(expr)})"
                if isinstance(expr, TableColumn):
                    example = f"sum({self.source(expr)})"
                message = f"`{self.source(expr)}` stands for many rows; use it inside an aggregate"
                self.issue(E.SCOPE, message, expr, f"like `{example}`")
                return "error"
            case ListExpr():
                self.issue(E.UNSUPPORTED, "a list can only follow `in` or `not in`", expr)
                return "error"
            case Unary():
                return self._unary(expr, scope)
            case Binary():
                return self._binary(expr, scope)
            case Logical(op=op, operands=operands):
                for operand in operands:
                    self.expect(operand, self.visit(operand, scope), ("bool",), f"`{op}`")
                return "bool"
            case Compare():
                return self._compare(expr, scope)
            case Conditional():
                return self._conditional(expr, scope)
            case Call(func=func) if func in AGGREGATES:
                if scope is not None:
                    message = "aggregates cannot be used inside a row filter"
                    self.issue(E.SCOPE, message, expr)
                    return "error"
                return self.aggregates.check(expr)
            case Call():
                return self._scalar_call(expr, scope)

    def _name(self, expr: Name, scope: str | None) -> Inferred:
        name, span = expr.id, (expr.start, expr.end)
        ctx = self.ctx
        if scope is not None:
            found = self.read(scope, name, span)
            if found is not None:
                return found
            table = ctx.catalog.tables[scope]
            hint = did_you_mean(name, self.visible_columns(table))
            if name == "x" or name in ctx.catalog.tables:
                message = f"`{name}` cannot be used inside a row filter"
                self.issue(E.SCOPE, message, expr, f"a filter sees the columns of `{scope}`")
                return "error"
            if name in self.visible_columns(self.subject):
                hint = f"the subject's own column is `subject.{name}`"
            hint = self.field_of_award_hint(table, name) or hint
            self.issue(E.NAME, f"`{scope}` has no column `{name}`", expr, hint)
            return "error"
        if name == "x" and ctx.x_type is not None:
            self.reads_x = True
            return value_type(ctx.x_type)
        found = self.read(ctx.subject_table, name, span)
        if found is not None:
            return found
        if name in ctx.catalog.tables:
            message = f"table `{name}` must be aggregated"
            self.issue(E.SCOPE, message, expr, f"like `count({name})`")
        elif name == "x":
            message = "`x` (the node's metric) is not available here"
            hint = "only the `formula` or `when` of a node with a `metric` can read `x`"
            self.issue(E.SCOPE, message, expr, hint)
        elif name == "period":
            self.issue(
                E.NAME, "`period` is not a value", expr, "use `period.start` or `period.end`"
            )
        elif name == "subject":
            message = "`subject` is not a value"
            self.issue(E.NAME, message, expr, "outside row filters write the column name alone")
        else:
            candidates = self.visible_columns(self.subject)
            if ctx.x_type is not None:
                candidates.append("x")
            hint = (
                self.field_of_award_hint(self.subject, name)
                or self.aggregates.column_hint(name)
                or did_you_mean(name, candidates)
            )
            self.issue(E.NAME, f"unknown column `{name}` of `{ctx.subject_table}`", expr, hint)
        return "error"

    def field_of_award_hint(
        self, info: TableInfo, name: str, table: str | None = None
    ) -> str | None:
        """For a bare `grade`, `rank`, ...: how to read that field of an award
        readable here; over the rows of `table`, with a whole example."""
        if name not in AWARD_FIELDS:
            return None
        awards = [a for a in info.virtual if a not in self.ctx.hidden_virtual]
        if not awards:
            return None
        said = f"an award's {name} is read as `AWARD.{name}`"
        if table is not None and name == "grade":
            return f"{said}: count them with `count({table}[{awards[0]}.grade == 'GRADE'])`"
        if table is not None and AWARD_FIELDS[name] == "bool":
            return f"{said}: count them with `count({table}[{awards[0]}.{name}])`"
        return f"{said}, like `{awards[0]}.{name}`"

    def _award_field(self, expr: TableColumn, scope: str | None) -> Inferred:
        """`A.FIELD`: a field of award A's computed result, for the subject or the filter row."""
        award, name = expr.table, expr.column
        catalog = self.ctx.catalog
        table = scope if scope is not None else self.ctx.subject_table
        info = catalog.tables[table]
        if award in info.virtual:
            found = self.read(table, f"{award}.{name}", (expr.start, expr.end))
            if found is not None:
                return found
            dot = expr.start + len(award) + 1
            hint = did_you_mean(name, list(AWARD_FIELDS)) or _FIELDS_HINT
            self.issue(E.NAME, f"award `{award}` has no field `{name}`", (dot, expr.end), hint)
            return "error"
        owner = catalog.award_table(award)
        if owner is not None:
            self._foreign_award(expr, owner, table, scope)
        elif award in info.columns or (scope is None and award == "x"):
            message = f"`{award}` is a value, it has no field `{name}`"
            hint = "fields like `.grade` belong to awards: `AWARD.grade`"
            self.issue(E.UNSUPPORTED, message, expr, hint)
        else:
            readable = [a for a in info.virtual if a not in self.ctx.hidden_virtual]
            message = f"unknown award or table `{award}`"
            near = did_you_mean(award, [*readable, *catalog.tables])
            self.issue(E.NAME, message, (expr.start, expr.start + len(award)), near)
        return "error"

    def _foreign_award(self, expr: TableColumn, owner: str, table: str, scope: str | None) -> None:
        """`A.FIELD` where A scores another subject table: say where A can be read."""
        award, name = expr.table, expr.column
        message = f"`{award}` is an award over `{owner}`, not over `{table}`"
        if scope is not None and owner == self.ctx.subject_table:
            hint = f"the subject's own result is `subject.{award}.{name}`"
        elif owner in self.aggregates.linked_tables():
            if name == "total":
                hint = f"aggregate its {owner}, like `avg({owner}.{award})`"
            else:
                test = {"grade": f"{award}.grade == '优秀'", "rank": f"{award}.rank <= 3"}.get(
                    name, f"{award}.{name}"
                )
                hint = f"count its {owner}, like `count({owner}[{test}])`"
        else:
            hint = f"no table links `{owner}` to `{self.ctx.subject_table}`"
        self.issue(E.SCOPE, message, expr, hint)

    def _subject_ref(self, expr: SubjectRef, scope: str | None) -> Inferred:
        if scope is None:
            message = f"`subject.{expr.column}` is only for row filters"
            self.issue(E.SCOPE, message, expr, f"outside them write `{expr.column}`")
            return "error"
        found = self.read(self.ctx.subject_table, expr.column, (expr.start, expr.end))
        if found is not None:
            return found
        hint = self.field_hint(self.subject, expr.column) or did_you_mean(
            expr.column, self.visible_columns(self.subject)
        )
        message = f"unknown column `{expr.column}` of `{self.ctx.subject_table}`"
        self.issue(E.NAME, message, expr, hint)
        return "error"

    def _unary(self, expr: Unary, scope: str | None) -> Inferred:
        inner = self.visit(expr.operand, scope)
        if expr.op == "not":
            self.expect(expr.operand, inner, ("bool",), "`not`")
            return "bool"
        if not self.expect(expr.operand, inner, ("number", "duration"), f"unary `{expr.op}`"):
            return "error"
        return inner

    def _binary(self, expr: Binary, scope: str | None) -> Inferred:
        left, right = self.visit(expr.left, scope), self.visit(expr.right, scope)
        op = expr.op
        if "error" in (left, right):
            return "error"
        if op in ("*", "/"):
            ok = self.expect(expr.left, left, ("number",), f"`{op}`")
            ok = self.expect(expr.right, right, ("number",), f"`{op}`") and ok
            return ("null" if "null" in (left, right) else "number") if ok else "error"
        for operand, kind in ((expr.left, left), (expr.right, right)):
            if kind in ("text", "bool"):
                message = (
                    f"`{op}` works on numbers (or a date and `days(n)`, `months(n)`, `years(n)`); "
                    f"`{self.source(operand)}` is {_DESCRIBE[kind]}"
                )
                self.issue(E.TYPE, message, operand)
                return "error"
        if "null" in (left, right):
            return "null"
        result = _ARITHMETIC.get((op, left, right))
        if result is not None:
            return result
        verb = "add" if op == "+" else "subtract"
        message = (
            f"cannot {verb} {_DESCRIBE[right]} {'to' if op == '+' else 'from'} {_DESCRIBE[left]}"
        )
        hint = None
        if "date" in (left, right) and "number" in (left, right):
            hint = (
                "count days with `days(n)`, like `period.end - days(180)`; "
                "calendar months and years with `months(n)`, `years(n)`"
            )
        self.issue(E.TYPE, message, expr, hint)
        return "error"

    def _compare(self, expr: Compare, scope: str | None) -> Inferred:
        operands = [expr.left, *expr.rights]
        kinds: list[Inferred] = [self.visit(expr.left, scope)]
        for op, right in zip(expr.ops, expr.rights, strict=True):
            left, left_kind = operands[len(kinds) - 1], kinds[-1]
            if isinstance(right, ListExpr):
                for item in right.items:
                    item_kind = self.visit(item, scope)
                    if not _compatible(left_kind, item_kind):
                        message = (
                            f"`{self.source(item)}` is {_DESCRIBE[item_kind]}, "
                            f"but `{self.source(left)}` is {_DESCRIBE[left_kind]}"
                        )
                        self.issue(E.TYPE, message, item)
                kinds.append("error")
                continue
            right_kind = self.visit(right, scope)
            kinds.append(right_kind)
            if op in ("is", "is not"):
                continue
            span = (left.start, right.end)
            if not _compatible(left_kind, right_kind):
                message = f"cannot compare {_DESCRIBE[left_kind]} with {_DESCRIBE[right_kind]}"
                self.issue(E.TYPE, message, span, _compare_hint(left, right, left_kind, right_kind))
            elif "duration" in (left_kind, right_kind):
                message = "durations cannot be compared"
                self.issue(E.TYPE, message, span, "compare dates, or numbers of days")
            elif op not in ("==", "!=") and "bool" in (left_kind, right_kind):
                self.issue(E.TYPE, f"`{op}` cannot order true/false values", span)
        return "bool"

    def _conditional(self, expr: Conditional, scope: str | None) -> Inferred:
        then = self.visit(expr.then, scope)
        self.expect(expr.test, self.visit(expr.test, scope), ("bool",), "the condition of `if`")
        otherwise = self.visit(expr.otherwise, scope)
        unified = _unify(then, otherwise)
        if unified is None:
            message = f"the branches of `if ... else` differ: {_DESCRIBE[then]} and {_DESCRIBE[otherwise]}"
            self.issue(E.TYPE, message, expr)
            return "error"
        return unified

    def _scalar_call(self, expr: Call, scope: str | None) -> Inferred:
        func, args = expr.func, expr.args
        kinds = [self.visit(arg, scope) for arg in args]
        if func in ("abs", "round"):
            self.expect(args[0], kinds[0], ("number",), f"`{func}`")
            return "number" if kinds[0] != "null" else "null"
        if func in DURATIONS:
            self.expect(args[0], kinds[0], ("number",), f"`{func}`")
            return "duration"
        if func == "node":
            return self._node(expr, scope)
        unified: Inferred = "null"
        for arg, kind in zip(args, kinds, strict=True):
            merged = _unify(unified, kind)
            if merged is None:
                message = (
                    f"`{func}` needs values of one type; `{self.source(arg)}` is {_DESCRIBE[kind]}"
                )
                self.issue(E.TYPE, message, arg, f"the earlier arguments are {_DESCRIBE[unified]}")
                return "error"
            unified = merged
        if func in ("least", "greatest"):
            allowed = ("number", "date", "text")
            if not self.expect(expr, unified, allowed, f"`{func}`"):
                return "error"
        return unified

    def _node(self, expr: Call, scope: str | None) -> Inferred:
        paths = self.ctx.node_paths
        arg = expr.args[0]
        if paths is None or scope is not None:
            message = "`node()` is not available here"
            hint = "only a criterion's `formula` or `when` can read other nodes' points"
            self.issue(E.SCOPE, message, expr, hint)
            return "error"
        if not isinstance(arg, String):
            return "error"
        if arg.value not in paths:
            unknown = f"unknown criteria node `{arg.value}`"
            self.issue(E.NODE, unknown, arg, did_you_mean(arg.value, paths))
            return "error"
        self.nodes.add(arg.value)
        return "number"


_FIELDS_HINT = "an award's fields: " + ", ".join(AWARD_FIELDS)

_ARITHMETIC: dict[tuple[str, str, str], Inferred] = {
    ("+", "number", "number"): "number",
    ("+", "date", "duration"): "date",
    ("+", "duration", "date"): "date",
    ("+", "duration", "duration"): "duration",
    ("-", "number", "number"): "number",
    ("-", "date", "date"): "number",
    ("-", "date", "duration"): "date",
    ("-", "duration", "duration"): "duration",
}


def _compatible(left: Inferred, right: Inferred) -> bool:
    return left == right or "null" in (left, right) or "error" in (left, right)


def _unify(left: Inferred, right: Inferred) -> Inferred | None:
    if "error" in (left, right):
        return "error"
    if left == "null":
        return right
    if right in ("null", left):
        return left
    return None


def _compare_hint(left: Expr, right: Expr, left_kind: Inferred, right_kind: Inferred) -> str | None:
    kinds = {left_kind, right_kind}
    if kinds == {"text", "number"}:
        literal = left if isinstance(left, String) else right if isinstance(right, String) else None
        if literal is not None and literal.value.strip().replace(".", "", 1).isdigit():
            return "write the number without quotes"
        return "a text column compares with text in quotes, a number column with a number"
    if kinds == {"text", "date"}:
        return (
            "there are no date literals; compare with `period.start`, `period.end` or another date"
        )
    return None
