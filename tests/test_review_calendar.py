"""Notice windows in Chinese working days (holidays and 调休 make-up workdays)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from review_helpers import in_review

from scoring.errors import PioneerError
from scoring.review.calendar import is_workday, next_workday, notice_window

D = dt.date


def test_spec_example_national_day() -> None:
    """Started 2022-09-29, 5 days end on 2022-10-10 (Oct 1-7 off, Oct 8-9 worked)."""
    window = notice_window(D(2022, 9, 29), 5)
    assert window.first == D(2022, 9, 29)
    assert window.last == D(2022, 10, 10)
    assert window.publishable_from == D(2022, 10, 11)


def test_make_up_weekend_days_are_working_days() -> None:
    assert is_workday(D(2022, 10, 8)) and is_workday(D(2022, 10, 9))  # Sat, Sun 调休
    assert not is_workday(D(2022, 10, 3))  # National Day holiday, a Monday


def test_spring_festival_2023() -> None:
    """Jan 21-27 off, Sat Jan 28 and Sun Jan 29 worked."""
    window = notice_window(D(2023, 1, 20), 5)
    assert (window.first, window.last) == (D(2023, 1, 20), D(2023, 1, 31))


def test_start_on_a_holiday_counts_from_the_next_working_day() -> None:
    window = notice_window(D(2023, 1, 23), 5)  # the middle of the Spring Festival
    assert window.first == D(2023, 1, 28)
    assert window.last == D(2023, 2, 1)


def test_start_on_an_ordinary_weekend() -> None:
    assert next_workday(D(2022, 11, 5)) == D(2022, 11, 7)  # Sat -> Mon
    assert notice_window(D(2022, 11, 5), 1).last == D(2022, 11, 7)


def test_one_day_notice_on_a_working_day_ends_that_day() -> None:
    assert notice_window(D(2022, 11, 7), 1).last == D(2022, 11, 7)


def test_a_notice_lasts_at_least_one_day() -> None:
    with pytest.raises(PioneerError, match="at least 1 working day"):
        notice_window(D(2022, 11, 7), 0)


def test_a_year_the_calendar_does_not_know_is_a_clear_error() -> None:
    with pytest.raises(PioneerError, match=r"no data for 1999 .*chinesecalendar"):
        notice_window(D(1999, 6, 1), 5)


def test_notice_command_counts_working_days(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    out = store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    assert "2022-09-29 to 2022-10-10 (5 working days)" in out
    assert "publication possible from 2022-10-11" in out
    assert "notice 1: 2022-09-29 to 2022-10-10" in store.ok("status")


def test_notice_command_with_start_and_days(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    out = store.ok(
        "notice", "--as", "pat", "--today", "2023-01-10", "--start", "2023-01-23", "--days", "7"
    )
    assert "2023-01-28 to 2023-02-03 (7 working days)" in out


def test_notice_command_outside_the_calendar_is_refused(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    err = store.refused("notice", "--as", "pat", "--start", "1999-06-01")
    assert "no data for 1999" in err
    assert store.sql("SELECT status FROM runs") == [("in_review",)]
