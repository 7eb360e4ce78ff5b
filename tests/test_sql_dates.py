"""Date arithmetic in integer SQL (`scoring.backends.sql.datemath`) gives the interpreter's
dates on SQLite and DuckDB: month ends clamped, leap days, years 1 and 9999, nulls
for out-of-range results and non-integer counts, months before days."""

from __future__ import annotations

import datetime as dt
import sqlite3
from fractions import Fraction
from typing import Any

import duckdb
import pytest
from sqlglot import exp

from scoring.backends.sql.datemath import DateMath, DateValue, Duration
from scoring.backends.sql.dialects import DUCKDB, SPARK, SQLITE, Dialect
from scoring.backends.sql.rational import const
from scoring.expr.dates import months, years

DATES = ["2024-02-29", "2022-01-31", "0001-01-01", "9999-12-31", "1900-02-28", "2000-12-31"]
KINDS = ["days", "months", "years", "months+days"]
EDGES: list[int | Fraction] = [-366, 9999, 119988, 3_000_000, Fraction(1, 2)]


def _duration(kind: str, n: int | Fraction) -> Any:
    """What the interpreter adds for `kind(n)` (None: a null duration)."""
    if kind == "days":
        if isinstance(n, Fraction) and n.denominator != 1:
            return None
        return dt.timedelta(days=int(n)) if abs(n) <= 999_999_999 else None
    if kind == "months+days":
        m = months(n)
        return None if m is None else m + dt.timedelta(days=int(n))
    return months(n) if kind == "months" else years(n)


def _expected(day: str, kind: str, n: int | Fraction) -> str | None:
    moved = _duration(kind, n)
    if moved is None:
        return None
    try:
        return (dt.date.fromisoformat(day) + moved).isoformat()
    except (OverflowError, ValueError):
        return None


def _sql_duration(math: DateMath, kind: str, n: int | Fraction) -> Duration:
    count = const(n)
    if kind == "days":
        return math.days(count)
    if kind == "months+days":
        return math.add(math.months(count, 1), math.days(count))
    return math.months(count, 12 if kind == "years" else 1)


def _run(dialect: Dialect, items: list[exp.Expression]) -> tuple[Any, ...]:
    sql = "SELECT " + ", ".join(dialect.render(i) for i in items)
    if dialect.name == "sqlite":
        return tuple(sqlite3.connect(":memory:").execute(sql).fetchone())
    return tuple(duckdb.connect().execute(sql).fetchone() or ())


CASES = [(d, k, n) for d in DATES for k in KINDS for n in (1, -13)] + [
    (d, k, n) for d in ("0001-01-01", "9999-12-31") for k in ("days", "years") for n in EDGES
]


@pytest.mark.parametrize("dialect", [SQLITE, DUCKDB], ids=lambda d: d.name)
def test_dates_move_exactly_as_the_interpreter_moves_them(dialect: Dialect) -> None:
    math = DateMath(dialect)
    items = []
    for day, kind, n in CASES:
        # the column form (text taken apart) and, for the days, a day number put together
        start = DateValue(math, iso=exp.Literal.string(day))
        items.append(start.shifted(_sql_duration(math, kind, n)).text())
    got = _run(dialect, items)
    want = tuple(_expected(d, k, n) for d, k, n in CASES)
    wrong = [(c, g, w) for c, g, w in zip(CASES, got, want, strict=True) if g != w]
    assert wrong == []


@pytest.mark.parametrize("dialect", [SQLITE, DUCKDB], ids=lambda d: d.name)
def test_days_between_two_dates_and_a_null_date(dialect: Dialect) -> None:
    math = DateMath(dialect)
    pairs = [
        ("2024-03-01", "2024-02-28"),
        ("0001-01-01", "9999-12-31"),
        ("1970-01-01", "1969-12-31"),
    ]
    items = [
        exp.Sub(
            this=exp.Paren(this=DateValue(math, iso=exp.Literal.string(a)).day_number()),
            expression=exp.Paren(this=DateValue(math, iso=exp.Literal.string(b)).day_number()),
        )
        for a, b in pairs
    ]
    null_date = DateValue(math, iso=exp.Null())
    items.append(null_date.shifted(math.months(const(1), 1)).text())
    items.append(null_date.shifted(math.days(const(1))).text())
    want = [(dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days for a, b in pairs]
    assert _run(dialect, items) == (*want, None, None)


def test_the_spark_spelling_uses_only_integer_division_substr_and_concatenation() -> None:
    math = DateMath(SPARK)
    moved = DateValue(math, iso=exp.column("joined")).shifted(math.months(const(6), 1))
    sql = SPARK.render(moved.text())
    assert " DIV " in sql and "SUBSTR" in sql.upper() and "CAST(" in sql
    assert "ADD_MONTHS" not in sql.upper() and "DATE_ADD" not in sql.upper()
