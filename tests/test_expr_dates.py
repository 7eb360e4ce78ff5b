"""`months(n)` and `years(n)` (SPEC §2.3): calendar arithmetic that clamps the
day to the month's end, type-checked like `days(n)`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from engine_helpers import campaign

from scoring.catalog import Catalog, TableInfo
from scoring.expr import DictEnv, ExprContext, ExprError, check, evaluate

CATALOG = Catalog(
    {
        "people": TableInfo(
            "people",
            "subject",
            {"id": "text", "joined": "date", "n": "int", "level": "number"},
            key="id",
        )
    }
)


def value(text: str, joined: date | None = None, n: object = None) -> object:
    checked = check(text, ExprContext(CATALOG, "people"))
    env = DictEnv({"joined": joined, "n": n}, date(2022, 1, 1), date(2022, 12, 31))  # type: ignore[dict-item]
    return evaluate(checked, env)


@pytest.mark.parametrize(
    ("text", "joined", "expected"),
    [
        ("joined - years(1)", date(2024, 2, 29), date(2023, 2, 28)),  # the spec's own example
        ("joined + years(4)", date(2024, 2, 29), date(2028, 2, 29)),  # leap day to leap day
        ("joined + years(1)", date(2024, 2, 29), date(2025, 2, 28)),
        ("joined + months(1)", date(2022, 1, 31), date(2022, 2, 28)),
        ("joined + months(1)", date(2024, 1, 31), date(2024, 2, 29)),  # leap February
        ("joined - months(1)", date(2022, 3, 31), date(2022, 2, 28)),
        ("joined + months(2)", date(2022, 1, 31), date(2022, 3, 31)),  # no carry from February
        ("joined + months(1)", date(2022, 4, 30), date(2022, 5, 30)),
        ("joined + months(12)", date(2022, 5, 15), date(2023, 5, 15)),
        ("joined + months(-13)", date(2022, 5, 15), date(2021, 4, 15)),
        ("joined - months(0)", date(2022, 5, 31), date(2022, 5, 31)),
        ("joined + -years(1)", date(2024, 2, 29), date(2023, 2, 28)),
        ("years(1) + joined", date(2024, 2, 29), date(2025, 2, 28)),
        # a calendar duration minus a day count: the months first, then the days
        ("joined + (months(1) - days(1))", date(2022, 1, 31), date(2022, 2, 27)),
        ("joined - (months(1) - days(1))", date(2022, 3, 31), date(2022, 3, 1)),
        ("joined + (days(1) - months(1))", date(2022, 3, 31), date(2022, 3, 1)),
    ],
)
def test_calendar_arithmetic_clamps_to_the_month_end(
    text: str, joined: date, expected: date
) -> None:
    assert value(text, joined) == expected


def test_period_end_minus_a_year() -> None:
    assert value("period.end - years(1)") == date(2021, 12, 31)
    assert value("period.end - months(6)") == date(2022, 6, 30)  # December 31 -> June 30
    assert value("joined <= period.end - years(1)", date(2021, 12, 31)) is True
    assert value("joined <= period.end - years(1)", date(2022, 1, 1)) is False


def test_months_then_days_in_one_duration() -> None:
    # months move first (and clamp), then the days: Jan 31 -> Feb 28 -> Mar 1
    assert value("joined + (months(1) + days(1))", date(2022, 1, 31)) == date(2022, 3, 1)
    assert value("joined + months(1) + days(1)", date(2022, 1, 31)) == date(2022, 3, 1)
    assert value("joined + days(1) + months(1)", date(2022, 1, 31)) == date(2022, 3, 1)
    assert value("joined + years(1) - months(12)", date(2024, 2, 29)) == date(2024, 2, 28)


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("joined + months(n)", None),  # null n: null, as for days(n)
        ("joined + months(level)", "1.5"),  # not an integer: null
        ("joined + years(n)", 10000),  # beyond year 9999: null, never a crash
        ("joined - years(n)", 2022),  # before year 1
        ("joined + months(n)", 10**30),
    ],
)
def test_null_when_n_is_null_fractional_or_out_of_range(text: str, n: object) -> None:
    from fractions import Fraction

    given = Fraction(n) if isinstance(n, str) else n
    checked = check(text, ExprContext(CATALOG, "people"))
    env = DictEnv(
        {"joined": date(2022, 5, 15), "n": given, "level": given},  # type: ignore[dict-item]
        date(2022, 1, 1),
        date(2022, 12, 31),
    )
    assert evaluate(checked, env) is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("joined + months('1')", "`months` needs a number"),
        ("joined + years(joined)", "`years` needs a number"),
        ("years(1)", "is not a value"),
        ("months(1) < months(2)", "durations cannot be compared"),
        ("joined + 1", "months(n)"),
        ("months(1) * 2", "`*` needs a number"),
        ("months()", "`months` takes 1 argument"),
    ],
)
def test_type_errors_like_days(text: str, fragment: str) -> None:
    with pytest.raises(ExprError) as caught:
        check(text, ExprContext(CATALOG, "people"))
    rendered = " ".join(f"{i.message} {i.hint or ''}" for i in caught.value.issues)
    assert fragment in rendered


def test_types_of_the_calls() -> None:
    checked = check("joined - years(1)", ExprContext(CATALOG, "people"))
    assert checked.type == "date"
    kinds = {str(type(e).__name__): t for e, t in checked.types.items()}
    assert kinds["Call"] == "duration"


def test_eligibility_by_join_date_in_a_leap_period(tmp_path: Path) -> None:
    """A period ending on a leap day: a year back is 2023-02-28, a month back 2024-01-29."""
    awards = """\
    a:
      title: 测试
      subjects: people
      eligible: "joined <= period.end - years(1)"
      criteria:
        lvl: {max: 100, metric: level, score: {per: 1}}
    b:
      title: 测试二
      subjects: people
      eligible: "joined > period.end - months(1)"
      criteria:
        lvl: {max: 100, metric: level, score: {per: 1}}
    """
    rows = [
        {"id": "P1", "name": "甲", "unit": "u", "level": 1, "joined": "2023-02-28"},
        {"id": "P2", "name": "乙", "unit": "u", "level": 1, "joined": "2023-03-01"},
        {"id": "P3", "name": "丙", "unit": "u", "level": 1, "joined": "2024-01-29"},
        {"id": "P4", "name": "丁", "unit": "u", "level": 1, "joined": "2024-01-30"},
    ]
    scored = campaign(tmp_path, awards, {"people": rows}, period="2024-02")
    assert {r["subject"] for r in scored.results("a") if r["eligible"]} == {"P1"}
    assert {r["subject"] for r in scored.results("b") if r["eligible"]} == {"P4"}
