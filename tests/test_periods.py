"""Scoring periods as typed after `--period` (SPEC §6)."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.periods import ACCEPTED_FORMS, Period, parse_period


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2022", date(2022, 1, 1), date(2022, 12, 31), "2022"),
        ("2022-H1", date(2022, 1, 1), date(2022, 6, 30), "2022-H1"),
        ("2022-H2", date(2022, 7, 1), date(2022, 12, 31), "2022-H2"),
        ("2022-h2", date(2022, 7, 1), date(2022, 12, 31), "2022-H2"),
        ("2022-Q1", date(2022, 1, 1), date(2022, 3, 31), "2022-Q1"),
        ("2022-Q2", date(2022, 4, 1), date(2022, 6, 30), "2022-Q2"),
        ("2022-Q3", date(2022, 7, 1), date(2022, 9, 30), "2022-Q3"),
        ("2022-Q4", date(2022, 10, 1), date(2022, 12, 31), "2022-Q4"),
        ("2022-q4", date(2022, 10, 1), date(2022, 12, 31), "2022-Q4"),
        ("2022-12", date(2022, 12, 1), date(2022, 12, 31), "2022-12"),
        ("2022-1", date(2022, 1, 1), date(2022, 1, 31), "2022-01"),
        ("2022-02", date(2022, 2, 1), date(2022, 2, 28), "2022-02"),
        ("2024-2", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),  # leap year
        (
            "2022-01-01..2022-06-30",
            date(2022, 1, 1),
            date(2022, 6, 30),
            "2022-01-01..2022-06-30",
        ),
        ("2022-1-1..2022-6-30", date(2022, 1, 1), date(2022, 6, 30), "2022-01-01..2022-06-30"),
        ("2022-03-05..2022-03-05", date(2022, 3, 5), date(2022, 3, 5), "2022-03-05..2022-03-05"),
        (
            "2021-12-01 .. 2022-02-28",
            date(2021, 12, 1),
            date(2022, 2, 28),
            "2021-12-01..2022-02-28",
        ),
        ("  2022-Q4\n", date(2022, 10, 1), date(2022, 12, 31), "2022-Q4"),
        (
            "２０２２－Ｑ４",
            date(2022, 10, 1),
            date(2022, 12, 31),
            "2022-Q4",
        ),  # full-width IME input
    ],
)
def test_parse_period(text: str, start: date, end: date, label: str) -> None:
    period = parse_period(text)
    assert period == Period(start, end, label)
    assert str(period) == label
    assert parse_period(period.label) == period  # the label is canonical


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", None),
        ("22", None),
        ("2022-H3", None),
        ("2022-Q0", None),
        ("2022-Q5", None),
        ("2022-13", "month 13 is not between 1 and 12"),
        ("2022-0", "month 0 is not between 1 and 12"),
        ("2022-123", None),
        ("0000", "year 0000 does not exist"),
        ("2022-02-30..2022-03-01", "2022-02-30 is not a date"),
        ("2022-07-01..2022-06-30", "starts on 2022-07-01 after it ends on 2022-06-30"),
        ("2022-01-01..", None),
        ("2022-01-01", None),  # a single day is written as a range
        ("2022/01", None),
        ("Q4 2022", None),
        ("２０２２年", None),
        ("٢٠٢٢", None),  # other scripts' digits are not accepted
    ],
)
def test_bad_period_names_the_accepted_forms(text: str, reason: str | None) -> None:
    with pytest.raises(ValueError) as caught:
        parse_period(text)
    message = str(caught.value)
    assert repr(text) in message
    assert ACCEPTED_FORMS in message
    assert "2022-Q4" in message and "2022-01-01..2022-06-30" in message
    if reason is not None:
        assert reason in message


def test_period_contains_its_bounds_only() -> None:
    period = parse_period("2022-Q4")
    assert date(2022, 10, 1) in period
    assert date(2022, 12, 31) in period
    assert date(2022, 9, 30) not in period
    assert date(2023, 1, 1) not in period
    assert "2022-11-01" not in period


def test_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="starts after it ends"):
        Period(date(2022, 2, 1), date(2022, 1, 1), "bad")
