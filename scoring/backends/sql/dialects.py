"""What differs between the SQL dialects pioneer renders, spelled out explicitly.

sqlglot builds and prints the trees, but it is not trusted for meaning:
integer division, integer width and casts differ between engines, so the
compiler asks the dialect for each of them instead of relying on a
transpilation. Every choice here is proven by `tests/test_sql_dialects.py`.

* Integer division: SQLite's `/` of two integers truncates; DuckDB's `/` is
  a float division (its integer division is `//`); Spark's is `DIV`. The
  compiler only divides a non-negative integer by a positive one, where
  truncation and floor agree. (sqlglot's own `IntDiv` renders for SQLite as
  `CAST(CAST(a AS REAL) / b AS INTEGER)`, a float: never used.)
* Integer width: 64 bits everywhere; SQLite turns an overflow into a float
  silently, DuckDB raises, Spark wraps. The compiler bounds every integer it
  computes and leaves an award to the interpreter when a bound could pass
  2^63 (see `rational.Bounds`).
* `number` columns: the SQLite store keeps them as canonical decimal text;
  they are read as scaled integers by exact text surgery (never a cast
  through REAL). The DuckDB copy and Spark tables hold them already scaled.
* `GREATEST`/`LEAST` and `CAST` are never emitted for numbers: null handling
  and rounding of those differ; the compiler writes CASE expressions.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlglot import exp

from .names import DIALECTS as DIALECTS  # re-exported: dialects.DIALECTS
from .names import DialectName


@dataclass(frozen=True)
class Dialect:
    """How one engine spells the operations whose meaning differs."""

    name: DialectName
    numbers_scaled: bool  # `number` columns already stored as scaled integers

    def int_div(self, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        """Integer division of a non-negative `a` by a positive `b`."""
        if self.name == "sqlite":
            return exp.Div(this=_paren(a), expression=_paren(b), typed=True)
        return exp.IntDiv(this=_paren(a), expression=_paren(b))

    def scaled_number(self, column: exp.Expression, scale: int) -> exp.Expression:
        """A `number` column as an integer count of 10^-scale units (null stays null)."""
        if self.numbers_scaled:
            return column
        # canonical decimal text (no exponent): its digits without the dot, times the
        # power of ten its decimals lack: '-12.5' at scale 2 -> -125 * 10 -> -1250
        dot = exp.func("instr", column, exp.Literal.string("."))
        digits = exp.Cast(
            this=exp.func("replace", column, exp.Literal.string("."), exp.Literal.string("")),
            to=exp.DataType.build("BIGINT"),
        )
        decimals = exp.Sub(this=exp.func("length", column), expression=dot)
        shifts = [
            exp.If(this=exp.Literal.number(d), true=_times(digits, 10 ** (scale - d)))
            for d in range(1, scale + 1)
        ]
        # more decimals than `scale` (only where the scale is assumed): cut to `scale`
        cut = exp.Cast(
            this=exp.DPipe(
                this=exp.func(
                    "substr", column, exp.Literal.number(1), exp.Sub(this=dot, expression=_one())
                ),
                expression=exp.func(
                    "substr",
                    column,
                    exp.Add(this=dot, expression=_one()),
                    exp.Literal.number(scale),
                ),
            ),
            to=exp.DataType.build("BIGINT"),
        )
        fraction = exp.Case(this=decimals, ifs=shifts, default=cut) if shifts else cut
        plain = _times(exp.Cast(this=column, to=exp.DataType.build("BIGINT")), 10**scale)
        return exp.Case(
            this=dot, ifs=[exp.If(this=exp.Literal.number(0), true=plain)], default=fraction
        )

    def date_text(self, days: exp.Expression) -> exp.Expression:
        """ISO text of the date `days` days after 1970-01-01, for a day number inside
        years 1..9999 (the caller guards the range; every engine here reaches further).

        SQLite counts whole seconds from the epoch (`'unixepoch'`: integers, no
        Julian-day float); DuckDB adds an INTEGER to a DATE; Spark `date_add`s. Each
        prints a year below 1000 with four digits (`tests/test_sql_dates.py`)."""
        if self.name == "sqlite":
            seconds = exp.Mul(this=_paren(days), expression=exp.Literal.number(86400))
            return exp.Anonymous(
                this="date", expressions=[seconds, exp.Literal.string("unixepoch")]
            )
        epoch = exp.Cast(this=exp.Literal.string("1970-01-01"), to=exp.DataType.build("DATE"))
        count = exp.Cast(this=days, to=exp.DataType.build("INT"))
        if self.name == "duckdb":
            moved: exp.Expression = exp.Paren(this=exp.Add(this=epoch, expression=count))
        else:
            moved = exp.Anonymous(this="date_add", expressions=[epoch, count])
        return exp.Cast(this=moved, to=exp.DataType.build("TEXT"))

    def unindexed(self, column: exp.Expression) -> exp.Expression:
        """The same text value, hidden from SQLite's planner so it scans rather than
        looking up most of a table's rows through a date index (no-op elsewhere)."""
        if self.name != "sqlite":
            return column
        return exp.Anonymous(this="+", expressions=[column])  # unary plus: `+(column)`

    def layer(self, query: exp.Select) -> exp.Select:
        """`query` as a subquery SQLite evaluates once per row (a co-routine) instead of
        flattening it into the query above, which would copy each of its expressions
        into every reference to it (no-op elsewhere)."""
        if self.name != "sqlite":
            return query
        return query.limit(-1, copy=False).offset(0, copy=False)

    def render(self, tree: exp.Expression, pretty: bool = False, copy: bool = True) -> str:
        """The tree as SQL text of this dialect (`copy=False`: a tree used once, rendered
        without sqlglot's defensive copy, which costs more than the rendering)."""
        return tree.sql(dialect=self.name, pretty=pretty, copy=copy)


def sqlite_parser_refuses(sql: str) -> str | None:
    """Why SQLite's parser refuses `sql` (its stack holds only about 20 nested CASEs or
    100 parentheses), or None. Parsing needs no tables: an unknown table is fine here."""
    try:
        sqlite3.connect(":memory:").execute("EXPLAIN " + sql).close()
    except sqlite3.OperationalError as exc:
        if is_parser_overflow(exc):
            return "expressions nested deeper than SQLite's parser allows"
    return None


def is_parser_overflow(exc: sqlite3.OperationalError) -> bool:
    """Whether SQLite refused a statement because its parser's stack overflowed."""
    return "stack overflow" in str(exc)


def _one() -> exp.Expression:
    return exp.Literal.number(1)


def _times(e: exp.Expression, factor: int) -> exp.Expression:
    return e if factor == 1 else exp.Mul(this=e, expression=exp.Literal.number(factor))


def _paren(e: exp.Expression) -> exp.Expression:
    return e if isinstance(e, exp.Column | exp.Literal | exp.Paren) else exp.Paren(this=e)


SQLITE = Dialect("sqlite", numbers_scaled=False)
DUCKDB = Dialect("duckdb", numbers_scaled=True)
SPARK = Dialect("spark", numbers_scaled=True)
BY_NAME: dict[str, Dialect] = {"sqlite": SQLITE, "duckdb": DUCKDB, "spark": SPARK}
