"""Type check aggregate calls: `count(T)`, `sum(T.col)`, `share(T[cond])`, ...

An aggregate's argument names a table linked to the subject (`T`), optionally
filtered (`T[cond]`, where bare names are T's columns and `subject.NAME` the
subject's), optionally narrowed to one column (`T.col`, `T[cond].col`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..catalog import Catalog, ColumnType, TableInfo
from ..diagnostics import did_you_mean
from . import issues as E
from .functions import FUNCTIONS
from .kinds import DESCRIBE, Inferred, ValueType
from .nodes import Call, Expr, Name, TableColumn, TableRows

_NUMBER_ONLY = frozenset({"sum", "avg", "median", "trimmed_mean"})


@dataclass(frozen=True)
class _Source:
    """What an aggregate reads: rows of `table`, maybe one `column` of them."""

    table: str
    column: str | None
    kind: Inferred | None
    filtered: bool


class _Context(Protocol):
    """What an aggregate needs of the expression's context (`ExprContext`)."""

    @property
    def catalog(self) -> Catalog: ...

    @property
    def subject_table(self) -> str: ...

    @property
    def x_type(self) -> ColumnType | None: ...


class Checker(Protocol):
    """What an aggregate needs of the type checker it works for (`TypeChecker`),
    so that this module does not import `typecheck` (which imports it)."""

    @property
    def ctx(self) -> _Context: ...

    types: dict[Expr, ValueType]
    tables: set[str]

    def issue(
        self, code: str, message: str, at: Expr | tuple[int, int], hint: str | None = None
    ) -> None: ...

    def read(self, table: str, column: str, at: tuple[int, int]) -> Inferred | None: ...

    def visible_columns(self, info: TableInfo) -> list[str]: ...

    def field_of_award_hint(
        self, info: TableInfo, name: str, table: str | None = None
    ) -> str | None: ...

    def expect(self, expr: Expr, actual: Inferred, allowed: tuple[str, ...], what: str) -> bool: ...

    def visit(self, expr: Expr, scope: str | None) -> Inferred: ...


class AggregateChecker:
    """Checks aggregate calls on behalf of a type checker."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.ctx = checker.ctx
        self.subject = checker.ctx.subject_table

    def linked_tables(self) -> list[str]:
        """Tables (other than the subject's) with a link column to the subject table."""
        return [
            name
            for name, info in self.ctx.catalog.tables.items()
            if name != self.subject and self.subject in info.links
        ]

    def column_hint(self, name: str) -> str | None:
        """A hint for a bare `name` that is a column of a linked table, not of the subject."""
        for table in self.linked_tables():
            if self.ctx.catalog.tables[table].column_type(name) is not None:
                return (
                    f"`{name}` is a column of `{table}`: aggregate it, like `sum({table}.{name})`"
                )
        return None

    def check(self, call: Call) -> Inferred:
        """The type of an aggregate call, recording issues, reads and tables."""
        func = call.func
        source = self._source(call)
        if func == "trimmed_mean":
            self.checker.visit(call.args[1], None)
        if source is None:
            return "error"
        if func == "count":
            return "number"
        if func == "share":
            if source.column is not None or not source.filtered:
                message = "`share` needs rows with a condition"
                hint = f"like `{self._example(func, source.table)}`"
                self.checker.issue(E.AGG, message, call.args[0], hint)
            return "number"
        if source.column is None:
            message = f"`{func}` needs a column of `{source.table}`"
            hint = f"like `{self._example(func, source.table)}`"
            self.checker.issue(E.AGG, message, call.args[0], hint)
            return "error"
        kind = source.kind
        if func == "count_distinct" or kind in (None, "error"):
            return "number" if func == "count_distinct" else "error"
        allowed = ("number",) if func in _NUMBER_ONLY else ("number", "date")
        if kind not in allowed:
            column = f"{source.table}.{source.column}"
            wanted = " or ".join(DESCRIBE[a] for a in allowed)
            message = f"`{func}` needs {wanted} column; `{column}` is {DESCRIBE[kind]}"
            self.checker.issue(E.TYPE, message, call.args[0])
            return "error"
        return "number" if func in _NUMBER_ONLY else kind

    # -- the argument ---------------------------------------------------------------

    def _source(self, call: Call) -> _Source | None:
        arg = call.args[0]
        tables = self.ctx.catalog.tables
        match arg:
            case Name(id=name) if name in tables:
                info = self._table(name, (arg.start, arg.end))
                return None if info is None else _Source(name, None, None, False)
            case Name(id=name):
                self._bare_name(call, arg)
                return None
            case TableRows(table=table, where=where):
                info = self._table(table, (arg.start, arg.start + len(table)))
                if info is None:
                    return None
                self._filter(where, table)
                return _Source(table, None, None, True)
            case TableColumn(table=table, column=column, where=where):
                info = self._table(table, (arg.start, arg.start + len(table)))
                if info is None:
                    return None
                if where is not None:
                    self._filter(where, table)
                span = (max(arg.start, arg.end - len(column)), arg.end)
                kind = self.checker.read(table, column, span)
                if kind is None:
                    hint = self.checker.field_of_award_hint(info, column, table) or did_you_mean(
                        column, self.checker.visible_columns(info)
                    )
                    self.checker.issue(E.NAME, f"`{table}` has no column `{column}`", span, hint)
                    return None
                if kind != "error":
                    self.checker.types[arg] = kind
                return _Source(table, column, kind, where is not None)
            case _:
                message = f"`{call.func}` takes a table or a table column"
                hint = f"like `{self._example(call.func, None)}`"
                self.checker.issue(E.AGG, message, arg, hint)
                return None

    def _bare_name(self, call: Call, arg: Name) -> None:
        name, func = arg.id, call.func
        subject_columns = self.checker.visible_columns(self.ctx.catalog.tables[self.subject])
        owners = [t for t in self.linked_tables() if self.ctx.catalog.tables[t].column_type(name)]
        if owners:
            message = f"aggregates take a table column, like `{func}({owners[0]}.{name})`"
            self.checker.issue(E.AGG, message, arg, f"did you mean `{owners[0]}.{name}`?")
        elif name in subject_columns or (name == "x" and self.ctx.x_type is not None):
            message = f"aggregates take a table column, like `{self._example(func, None)}`"
            hint = f"`{name}` is a single value of the subject, not a column of linked rows"
            self.checker.issue(E.AGG, message, arg, hint)
        else:
            unknown = f"unknown table `{name}`"
            self.checker.issue(E.NAME, unknown, arg, did_you_mean(name, self.linked_tables()))

    def _table(self, name: str, span: tuple[int, int]) -> TableInfo | None:
        info = self.ctx.catalog.tables.get(name)
        linked = self.linked_tables()
        if info is None:
            hint = did_you_mean(name, linked or self.ctx.catalog.tables)
            owner = self.ctx.catalog.award_table(name)
            if owner is not None:  # `sum(courier.grade)`: an award, not a table
                hint = (
                    f"`{name}` is an award over `{owner}`: aggregate its results over that "
                    f"table, like `avg({owner}.{name})` or "
                    f"`count({owner}[{name}.grade == 'GRADE'])`"
                )
            self.checker.issue(E.NAME, f"unknown table `{name}`", span, hint)
            return None
        if name == self.subject:
            message = f"`{name}` is the subject table itself"
            hint = "read the subject's own columns by bare name"
            self.checker.issue(E.LINK, message, span, hint)
            return None
        if self.subject not in info.links:
            message = f"table `{name}` has no link to `{self.subject}`"
            hint = f"tables linked to `{self.subject}`: {', '.join(linked)}" if linked else None
            self.checker.issue(E.LINK, message, span, hint)
            return None
        self.checker.tables.add(name)
        return info

    def _filter(self, where: Expr, table: str) -> None:
        kind = self.checker.visit(where, table)
        self.checker.expect(where, kind, ("bool",), "a row filter")

    def _example(self, func: str, table: str | None) -> str:
        """A call of `func` over the catalog's own tables, for hints."""
        candidates = [table] if table is not None else self.linked_tables()
        for name in candidates:
            info = self.ctx.catalog.tables[name]
            if func == "count":
                return f"count({name})"
            if func == "share":
                return f"share({name}[...])"
            for column, ctype in info.columns.items():
                if column in info.links.values():
                    continue
                fits = (
                    ctype in ("int", "number")
                    or (func in ("min", "max") and ctype == "date")
                    or func == "count_distinct"
                )
                if fits:
                    extra = ", 1" if func == "trimmed_mean" else ""
                    return f"{func}({name}.{column}{extra})"
        return FUNCTIONS[func].usage
