"""One pass per linked table: every distinct aggregate of an award, grouped by the link.

`count(T[cond])` becomes `SUM(CASE WHEN cond THEN 1 ELSE 0 END)` in the
table's single GROUP BY, so an award reads each record table once however
many aggregates it has. Record tables keep only rows dated in the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp

from scoring.catalog import Catalog
from scoring.expr import CheckedExpr
from scoring.expr.nodes import (
    Call,
    Expr,
    Name,
    Number,
    SubjectRef,
    TableColumn,
    TableRows,
    render,
)

from . import upstream
from .exprs import ExprCompiler
from .rational import Arith, Ratio
from .stats import DatasetStats
from .values import Scalar, SqlValue, Unsupported, named, paren

TableRef = Callable[[str], exp.Table]
"""Logical table name (declared table, or `upstream_AWARD`) -> the table to read."""


@dataclass
class TablePass:
    """The aggregates read from one table, as columns of its GROUP BY subquery."""

    table: str
    alias: str
    columns: list[exp.Expression] = field(default_factory=list)  # aliased select items
    by_text: dict[str, SqlValue] = field(default_factory=dict)  # outer value per aggregate
    needs_subject: bool = False
    virtual: set[str] = field(default_factory=set)
    subject_virtual: set[str] = field(default_factory=set)  # awards read as `subject.A`
    window: WindowSpec | None = None  # median / trimmed_mean: a pass of its own


@dataclass
class WindowSpec:
    """`median` or `trimmed_mean`: the values ranked within each subject, then summed."""

    value: exp.Expression
    cond: exp.Expression | None
    trim: int | None  # None: median
    names: tuple[str, str, str]  # output columns: sum, kept count, value count


class Aggregates:
    """Collects an award's aggregates and builds one subquery per table."""

    def __init__(
        self,
        catalog: Catalog,
        subject_table: str,
        arith: Arith,
        stats: DatasetStats,
        period: tuple[dt.date, dt.date],
        precision: int,
        upstream_largest: Callable[[str], int],
        scan_whole: frozenset[str] = frozenset(),
    ) -> None:
        self.scan_whole = scan_whole  # tables read whole, not through their date index
        self.catalog = catalog
        self.subject = subject_table
        self.arith = arith
        self.stats = stats
        self.period = period
        self.precision = precision
        self.upstream_largest = upstream_largest
        self.passes: dict[str, TablePass] = {}
        self.counter = 0
        self.owner: dict[str, str] = {}  # aggregate column -> alias of its subquery
        self.trim_counts: dict[str, exp.Expression] = {}  # trimmed_mean text -> its value count

    def value(self, call: Call, checked: CheckedExpr) -> SqlValue:
        """The outer value of aggregate `call` (registering it in its table's pass)."""
        table, column, where = _source(call.args[0])
        text = f"{call.func}|{render(call)}"
        if call.func in ("median", "trimmed_mean"):
            found = self.passes.get(text)
            if found is not None:
                return found.by_text[text]
            window = self.passes[text] = TablePass(table, f"w_{len(self.passes)}")
            value = self._window(window, call, table, column, where, checked)
            window.by_text[text] = value
            return value
        tp = self.passes.get(table) or TablePass(table, f"t_{table}")
        self.passes[table] = tp
        if text in tp.by_text:
            return tp.by_text[text]
        value = self._build(tp, call, table, column, where, checked)
        tp.by_text[text] = value
        return value

    def _window(
        self,
        tp: TablePass,
        call: Call,
        table: str,
        column: str | None,
        where: Expr | None,
        checked: CheckedExpr,
    ) -> SqlValue:
        """median / trimmed_mean: ranked values summed in a pass of their own."""
        assert column is not None
        rows = self.stats.row_count(table)
        cond = None if where is None else self._filter(tp, where, checked)
        value, scale, largest = self._column(tp, table, column)
        trim: int | None = None
        if call.func == "trimmed_mean":
            arg = call.args[1]
            assert isinstance(arg, Number) and isinstance(arg.value, int)
            trim = arg.value
        names = (self._name(tp), self._name(tp), self._name(tp))
        tp.window = WindowSpec(value, cond, trim, names)
        unit = 10**scale
        summed = exp.column(names[0], quoted=True)
        kept = exp.column(names[1], quoted=True)
        d = kept if unit == 1 else exp.Mul(this=kept, expression=exp.Literal.number(unit))
        total = self.arith.bounds.check(rows * largest, f"{call.func}({table}.{column})")
        dmax = self.arith.bounds.check(max(rows, 1) * unit, "a mean's denominator")
        if trim is not None:
            self.trim_counts[f"{call.func}|{render(call)}"] = exp.Coalesce(
                this=exp.column(names[2], quoted=True), expressions=[exp.Literal.number(0)]
            )
        return Ratio(summed, d, total, dmax)

    def _name(self, tp: TablePass) -> str:
        self.counter += 1
        name = f"g{self.counter}"
        self.owner[name] = tp.alias
        return name

    def _add(self, tp: TablePass, agg: exp.Expression) -> exp.Column:
        name = self._name(tp)
        tp.columns.append(named(agg, name))
        return exp.column(name, quoted=True)

    def _build(
        self,
        tp: TablePass,
        call: Call,
        table: str,
        column: str | None,
        where: Expr | None,
        checked: CheckedExpr,
    ) -> SqlValue:
        func = call.func
        rows = self.stats.row_count(table)
        cond = None if where is None else self._filter(tp, where, checked)
        one = exp.Literal.number(1)
        zero = exp.Literal.number(0)
        if func == "share":
            assert cond is not None
            hits = self._add(tp, exp.Sum(this=_when(cond, one, zero)))
            every = self._add(tp, exp.Count(this=exp.Star()))
            return Ratio(hits, every, rows, max(rows, 1))
        if column is None:  # count(T) / count(T[cond])
            agg = (
                exp.Count(this=exp.Star()) if cond is None else exp.Sum(this=_when(cond, one, zero))
            )
            return Ratio(exp.Coalesce(this=self._add(tp, agg), expressions=[zero]), 1, rows, 1)
        ctype = self.catalog.tables[table].column_type(column)
        value, scale, largest = self._column(tp, table, column)
        picked = value if cond is None else _when(cond, value, None)
        # what COUNT counts: null exactly where `value` is, without reading a number's text
        raw = self._present(table, column, value)
        present = raw if cond is None else _when(cond, raw, None)
        if func == "count":
            return Ratio(
                exp.Coalesce(this=self._add(tp, exp.Count(this=present)), expressions=[zero]),
                1,
                rows,
                1,
            )
        if func == "count_distinct":
            distinct = exp.Count(this=exp.Distinct(expressions=[picked]))
            return Ratio(exp.Coalesce(this=self._add(tp, distinct), expressions=[zero]), 1, rows, 1)
        if ctype == "date":
            if func not in ("min", "max"):
                raise Unsupported(f"`{func}` over dates")
            extreme: exp.Expression = (
                exp.Min(this=picked) if func == "min" else exp.Max(this=picked)
            )
            return Scalar(self._add(tp, extreme), "date")
        if ctype not in ("int", "number"):
            raise Unsupported(f"`{func}` over a {ctype} column")
        unit = 10**scale
        total_bound = self.arith.bounds.check(rows * largest, f"sum({table}.{column})")
        if func == "sum":
            summed = self._add(tp, exp.Sum(this=picked))
            return Ratio(exp.Coalesce(this=summed, expressions=[zero]), unit, total_bound, unit)
        if func == "avg":
            summed = self._add(tp, exp.Sum(this=picked))
            counted = self._add(tp, exp.Count(this=present))
            d = counted if unit == 1 else exp.Mul(this=counted, expression=exp.Literal.number(unit))
            dmax = self.arith.bounds.check(max(rows, 1) * unit, "an average's denominator")
            return Ratio(summed, d, total_bound, dmax)
        if func in ("min", "max"):
            extreme = exp.Min(this=picked) if func == "min" else exp.Max(this=picked)
            return Ratio(self._add(tp, extreme), unit, largest, unit)
        raise Unsupported(f"the aggregate `{func}`")  # pragma: no cover

    def _column(self, tp: TablePass, table: str, column: str) -> tuple[exp.Expression, int, int]:
        """A column of the aggregated rows as SQL, with its scale and largest scaled value."""
        info = self.catalog.tables[table]
        read = upstream.split(info, column)
        if read is not None:
            award, fld = read
            tp.virtual.add(award)
            sql = upstream.field_sql(f"u_{award}", fld)
            if fld == "total":
                return sql, self.precision, self.upstream_largest(award)
            return sql, 0, max(self.stats.rows.values(), default=0)
        ref = exp.column(column, table="r", quoted=True)
        ctype = info.columns[column]
        if ctype == "number":
            cs = self.stats.column(table, column)
            return self.arith.dialect.scaled_number(ref, cs.scale), cs.scale, cs.largest
        if ctype == "int":
            return ref, 0, self.stats.column(table, column).largest
        return ref, 0, 0

    def _present(self, table: str, column: str, value: exp.Expression) -> exp.Expression:
        """An expression null exactly where `value` (the column as `_column` reads it) is:
        a stored `number` column itself rather than its text read as an integer."""
        info = self.catalog.tables[table]
        if upstream.split(info, column) is None and info.columns[column] == "number":
            return exp.column(column, table="r", quoted=True)
        return value

    def _filter(self, tp: TablePass, where: Expr, checked: CheckedExpr) -> exp.Expression:
        def resolve(e: Expr) -> SqlValue:
            if isinstance(e, SubjectRef):
                tp.needs_subject = True
                return self._subject_column(tp, e.column)
            if isinstance(e, Name) or (isinstance(e, TableColumn) and e.where is None):
                name = e.id if isinstance(e, Name) else f"{e.table}.{e.column}"
                value, scale, largest = self._column(tp, tp.table, name)
                ctype = self.catalog.tables[tp.table].column_type(name)
                if ctype in ("int", "number"):
                    return Ratio(value, 10**scale, largest, 10**scale)
                return Scalar(value, ctype)  # type: ignore[arg-type]
            raise Unsupported(f"`{render(e)}` inside a row filter")

        compiler = ExprCompiler(checked, self.arith, self.period, resolve)
        return compiler.boolean(where)

    def _subject_column(self, tp: TablePass, column: str) -> SqlValue:
        info = self.catalog.tables[self.subject]
        read = upstream.split(info, column)
        if read is not None:  # `subject.A` / `subject.A.FIELD`: the subject's own result in A
            award, fld = read
            tp.subject_virtual.add(award)
            sql = upstream.field_sql(f"su_{award}", fld)
            largest = self.upstream_largest(award)
            return upstream.field_value(sql, fld, self.precision, largest, self._most_rows())
        ref = exp.column(column, table="s", quoted=True)
        ctype = info.columns[column]
        if ctype == "number":
            cs = self.stats.column(self.subject, column)
            scaled = self.arith.dialect.scaled_number(ref, cs.scale)
            return Ratio(scaled, 10**cs.scale, cs.largest, 10**cs.scale)
        if ctype == "int":
            return Ratio(ref, 1, self.stats.column(self.subject, column).largest, 1)
        return Scalar(ref, ctype)

    def _most_rows(self) -> int:
        return max(self.stats.rows.values(), default=0)

    def subqueries(self, tables: TableRef) -> list[tuple[TablePass, exp.Select]]:
        """(pass, subquery keyed by `k`, the subject key) per pass."""
        out = []
        for tp in self.passes.values():
            info = self.catalog.tables[tp.table]
            link = info.links[self.subject]
            key = exp.column(link, table="r", quoted=True)
            if tp.window is None:
                query = exp.select(named(key, "k"), *tp.columns)
                query = self._rows(tp, query, key, tables).group_by(key, copy=False)
            else:
                query = self._window_query(tp, tp.window, key, tables)
            out.append((tp, query))
        return out

    def _rows(
        self, tp: TablePass, query: exp.Select, key: exp.Expression, tables: TableRef
    ) -> exp.Select:
        """FROM the table's linked rows (in the period), with the joins its filters need."""
        info = self.catalog.tables[tp.table]
        query = query.from_(exp.alias_(tables(tp.table), "r", quoted=True, copy=False)).where(
            exp.Not(this=exp.Is(this=key, expression=exp.Null())), copy=False
        )
        if info.kind == "record" and info.date is not None:
            day: exp.Expression = exp.column(info.date, table="r", quoted=True)
            if tp.table in self.scan_whole:
                day = self.arith.dialect.unindexed(day)
            query = query.where(
                exp.Between(
                    this=day,
                    low=exp.Literal.string(self.period[0].isoformat()),
                    high=exp.Literal.string(self.period[1].isoformat()),
                ),
                copy=False,
            )
        if tp.needs_subject:
            skey = self.catalog.tables[self.subject].key
            assert skey is not None
            subject_key = exp.column(skey, table="s", quoted=True)
            query = query.join(
                exp.alias_(tables(self.subject), "s", quoted=True, copy=False),
                on=exp.EQ(this=key, expression=subject_key),
            )
            for award in sorted(tp.subject_virtual):  # the subject's own result in `award`
                alias = f"su_{award}"
                query = query.join(
                    exp.alias_(
                        tables(upstream.upstream_table(award)), alias, quoted=True, copy=False
                    ),
                    on=exp.EQ(
                        this=exp.column("k", table=alias, quoted=True), expression=subject_key
                    ),
                    join_type="left",
                )
        for award in sorted(tp.virtual):
            own = info.key
            assert own is not None
            query = query.join(
                exp.alias_(
                    tables(upstream.upstream_table(award)), f"u_{award}", quoted=True, copy=False
                ),
                on=exp.EQ(
                    this=exp.column("k", table=f"u_{award}", quoted=True),
                    expression=exp.column(own, table="r", quoted=True),
                ),
                join_type="left",
            )
        return query

    def _window_query(
        self, tp: TablePass, spec: WindowSpec, key: exp.Expression, tables: TableRef
    ) -> exp.Select:
        v = exp.column("v", quoted=True)
        k = exp.column("k", quoted=True)
        rn = exp.column("rn", quoted=True)
        cnt = exp.column("cnt", quoted=True)
        part = exp.Window(
            this=exp.RowNumber(),
            partition_by=[k],
            order=exp.Order(expressions=[exp.Ordered(this=v)]),
        )
        every = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[k])
        inner = exp.select(named(key, "k"), named(spec.value, "v"))
        inner = self._rows(tp, inner, key, tables).where(
            exp.Not(this=exp.Is(this=paren(spec.value), expression=exp.Null())), copy=False
        )
        if spec.cond is not None:
            inner = inner.where(spec.cond, copy=False)
        ranked = exp.select(k, v, named(part, "rn"), named(every, "cnt")).from_(
            exp.alias_(exp.Subquery(this=inner), "i", quoted=True, copy=False)
        )
        one, two = exp.Literal.number(1), exp.Literal.number(2)
        if spec.trim is None:
            half = self.arith.dialect.int_div(exp.Add(this=cnt, expression=one), two)
            upper = exp.Add(this=self.arith.dialect.int_div(cnt, two), expression=one)
            picked = exp.In(this=rn, expressions=[half, upper])
            kept_count: exp.Expression = exp.Count(this=_when(picked, one, None))
            summed: exp.Expression = exp.Sum(this=_when(picked, v, None))
        else:
            t = exp.Literal.number(spec.trim)
            kept = exp.And(
                this=exp.GT(this=rn, expression=t),
                expression=exp.LTE(this=rn, expression=exp.Sub(this=cnt, expression=t)),
            )
            enough = exp.GT(this=exp.Max(this=cnt), expression=exp.Literal.number(2 * spec.trim))
            summed = _when(enough, exp.Sum(this=_when(kept, v, None)), None)
            kept_count = exp.Sub(
                this=exp.Max(this=cnt), expression=exp.Literal.number(2 * spec.trim)
            )
        s_name, c_name, n_name = spec.names
        tp.columns = [
            named(summed, s_name),
            named(kept_count, c_name),
            named(exp.Max(this=cnt), n_name),
        ]
        return (
            exp.select(named(k, "k"), *tp.columns)
            .from_(exp.alias_(exp.Subquery(this=ranked), "x", quoted=True, copy=False))
            .group_by(k, copy=False)
        )


def _when(
    cond: exp.Expression, then: exp.Expression, otherwise: exp.Expression | None
) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=cond, true=then)], default=otherwise)


def _source(arg: Expr) -> tuple[str, str | None, Expr | None]:
    match arg:
        case Name(id=table):
            return table, None, None
        case TableRows(table=table, where=where):
            return table, None, where
        case TableColumn(table=table, column=column, where=where):
            return table, column, where
    raise Unsupported(f"an aggregate over `{render(arg)}`")
