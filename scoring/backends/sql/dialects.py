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
from typing import Literal

from sqlglot import exp

DialectName = Literal["sqlite", "duckdb", "spark"]
DIALECTS: tuple[DialectName, ...] = ("sqlite", "duckdb", "spark")


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
        # canonical decimal text: '-12.5' at scale 2 -> '-12' || '50' -> -1250
        dot = exp.func("instr", column, exp.Literal.string("."))
        whole = exp.func(
            "substr", column, exp.Literal.number(1), exp.Sub(this=dot, expression=_one())
        )
        padded = exp.DPipe(
            this=exp.func("substr", column, exp.Add(this=dot, expression=_one())),
            expression=exp.Literal.string("0" * scale),
        )
        frac = exp.func("substr", padded, _one(), exp.Literal.number(scale))
        joined = exp.DPipe(this=whole, expression=frac) if scale else whole
        as_int = exp.Cast(this=joined, to=exp.DataType.build("BIGINT"))
        plain: exp.Expression = exp.Cast(this=column, to=exp.DataType.build("BIGINT"))
        if scale:
            plain = exp.Mul(this=plain, expression=exp.Literal.number(10**scale))
        return exp.Case(
            ifs=[exp.If(this=exp.EQ(this=dot, expression=exp.Literal.number(0)), true=plain)],
            default=as_int,
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
        return exp.DPipe(this=column, expression=exp.Literal.string(""))

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


def _paren(e: exp.Expression) -> exp.Expression:
    return e if isinstance(e, exp.Column | exp.Literal | exp.Paren) else exp.Paren(this=e)


SQLITE = Dialect("sqlite", numbers_scaled=False)
DUCKDB = Dialect("duckdb", numbers_scaled=True)
SPARK = Dialect("spark", numbers_scaled=True)
BY_NAME: dict[str, Dialect] = {"sqlite": SQLITE, "duckdb": DUCKDB, "spark": SPARK}
