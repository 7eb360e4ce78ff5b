"""The dialect differences the SQL backend spells out, proven on the real engines.

sqlglot prints trees per dialect but is not trusted for meaning: each test
shows an engine difference and that the backend's own spelling gives the
exact figure on SQLite and DuckDB alike.
"""

from __future__ import annotations

import sqlite3
from fractions import Fraction
from typing import Any

import duckdb
import pytest
from sqlglot import exp

from scoring.backends.sql.dialects import DUCKDB, SPARK, SQLITE, Dialect
from scoring.backends.sql.rational import Arith, Bounds, Ratio, TooLarge, const, lit

ENGINES = [SQLITE, DUCKDB]
BIG = 2**62 + 1  # beyond a float's 53-bit mantissa


def run(dialect: Dialect, tree: exp.Expression) -> Any:
    sql = "SELECT " + dialect.render(tree)
    if dialect.name == "sqlite":
        return sqlite3.connect(":memory:").execute(sql).fetchone()[0]
    return duckdb.connect().execute(sql).fetchone()[0]  # type: ignore[index]


def run_sql(dialect: Dialect, sql: str) -> Any:
    if dialect.name == "sqlite":
        return sqlite3.connect(":memory:").execute(sql).fetchone()[0]
    return duckdb.connect().execute(sql).fetchone()[0]  # type: ignore[index]


@pytest.mark.parametrize("dialect", ENGINES, ids=lambda d: d.name)
def test_integer_division_is_exact_beyond_53_bits(dialect: Dialect) -> None:
    quotient = dialect.int_div(lit(BIG + 2), lit(2))
    assert run(dialect, quotient) == (BIG + 2) // 2 == 2**61 + 1


def test_sqlglot_int_div_goes_through_a_float_on_sqlite() -> None:
    # why the backend never uses exp.IntDiv for SQLite
    tree = exp.IntDiv(this=lit(BIG), expression=lit(1))
    assert "REAL" in tree.sql(dialect="sqlite")
    assert run_sql(SQLITE, "SELECT " + tree.sql(dialect="sqlite")) != BIG


def test_division_spelling_per_dialect() -> None:
    a, b = exp.column("a"), exp.column("b")
    assert SQLITE.render(SQLITE.int_div(a, b)) == "a / b"
    assert DUCKDB.render(DUCKDB.int_div(a, b)) == "a // b"
    assert SPARK.render(SPARK.int_div(a, b)) == "a DIV b"
    assert run_sql(DUCKDB, "SELECT 5 / 2") == 2.5  # DuckDB's `/` is a float division


@pytest.mark.parametrize(
    ("text", "scale", "units"),
    [
        ("0", 2, 0),
        ("-0.5", 2, -50),
        ("12.5", 3, 12500),
        ("-12.345", 3, -12345),
        ("1234567890123.456789", 6, 1234567890123456789),
        ("7", 0, 7),
        ("-3", 4, -30000),
    ],
)
def test_number_text_reads_as_exact_scaled_integer_on_sqlite(
    text: str, scale: int, units: int
) -> None:
    tree = SQLITE.scaled_number(exp.Literal.string(text), scale)
    assert run(SQLITE, tree) == units


@pytest.mark.parametrize(
    ("text", "scale", "units"),
    [
        ("0.05", 2, 5),  # the dot's digits keep their leading zeros
        ("-0.05", 2, -5),
        ("-0.5", 1, -5),
        ("120", 3, 120000),
        ("4.62", 6, 4620000),
        (None, 2, None),
        ("1.23456789", 6, 1234567),  # more decimals than the (assumed) scale: cut
        ("7.5", 0, 7),
    ],
)
def test_number_text_reads_the_same_whatever_its_decimals(
    text: str | None, scale: int, units: int | None
) -> None:
    value = exp.Null() if text is None else exp.Literal.string(text)
    assert run(SQLITE, SQLITE.scaled_number(value, scale)) == units


def test_a_layer_is_evaluated_once_per_row_on_sqlite_only() -> None:
    """SQLite flattens a subquery into the query above it, copying its expressions into
    every reference; `layer` keeps it a subquery there (DuckDB and Spark: unchanged)."""
    inner = exp.select(exp.alias_(exp.Literal.number(1), "a")).from_("t")
    assert SQLITE.render(SQLITE.layer(inner.copy())).endswith("LIMIT -1 OFFSET 0")
    assert DUCKDB.render(DUCKDB.layer(inner.copy())) == DUCKDB.render(inner)
    day = exp.column("day", table="r", quoted=True)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE r (day TEXT)")
    conn.execute("CREATE INDEX r_day ON r (day)")
    test = exp.Between(
        this=SQLITE.unindexed(day.copy()),
        low=exp.Literal.string("2022-01-01"),
        high=exp.Literal.string("2022-12-31"),
    )
    plan = conn.execute(f"EXPLAIN QUERY PLAN SELECT * FROM r WHERE {SQLITE.render(test)}")
    assert "SCAN r" in plan.fetchall()[0][3]  # not SEARCH r USING INDEX r_day
    conn.execute("INSERT INTO r VALUES ('2022-05-01'), ('2023-01-01')")
    assert conn.execute(f"SELECT COUNT(*) FROM r WHERE {SQLITE.render(test)}").fetchone() == (1,)


def test_cast_rounding_differs_so_only_integer_digits_are_ever_cast() -> None:
    assert run_sql(SQLITE, "SELECT CAST(2.5 AS INTEGER)") == 2
    assert run_sql(DUCKDB, "SELECT CAST(2.5 AS BIGINT)") == 3
    sql = SQLITE.render(SQLITE.scaled_number(exp.column("v"), 2))
    assert "REAL" not in sql and "ROUND" not in sql.upper()


def test_greatest_with_null_differs_between_engines() -> None:
    assert run_sql(SQLITE, "SELECT MAX(1, NULL)") is None
    assert run_sql(DUCKDB, "SELECT GREATEST(1, NULL)") == 1


@pytest.mark.parametrize("dialect", ENGINES, ids=lambda d: d.name)
@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (Fraction(-5, 2), 0, -3),
        (Fraction(5, 2), 0, 3),
        (Fraction(19995, 1000), 2, Fraction(2000, 100)),
        (Fraction(-1, 200), 2, Fraction(-1, 100)),
        (Fraction(1, 3), 2, Fraction(33, 100)),
    ],
)
def test_round_goes_half_away_from_zero_exactly(
    dialect: Dialect, value: Fraction, digits: int, expected: Fraction
) -> None:
    rounded = Arith(dialect, Bounds()).round_half_away(const(value), digits)
    assert Fraction(run(dialect, rounded.n), rounded.d_sql_value()) == expected


@pytest.mark.parametrize("dialect", ENGINES, ids=lambda d: d.name)
def test_division_by_zero_is_null_and_comparisons_are_exact(dialect: Dialect) -> None:
    arith = Arith(dialect, Bounds())
    zero = Ratio(exp.Literal.number(0), 1, 0, 1)  # not folded: a column in real queries
    assert run(dialect, arith.div(const(1), zero).n) is None
    tenth = Ratio(exp.Literal.number(1), 10, 1, 10)
    fifth = Ratio(exp.Literal.number(2), 10, 2, 10)
    three_tenths = arith.add(tenth, fifth)
    assert run(dialect, arith.compare(three_tenths, "==", const(Fraction(3, 10))))


def test_a_bound_beyond_64_bits_is_refused() -> None:
    arith = Arith(SQLITE, Bounds())
    huge = Ratio(exp.column("v"), 1, 2**40, 1)
    with pytest.raises(TooLarge, match="64-bit"):
        arith.mul(huge, huge)
    # SQLite would have turned the overflow into a float without a word
    assert isinstance(run_sql(SQLITE, f"SELECT {2**62} * 4"), float)
