"""Working days on the Chinese calendar, with its public holidays and the
make-up workdays (调休) that move weekends (SPEC §5).

Two sources, the store's first:

* the store's own calendar (`scoring.review.calendar_store`): days a user
  imported, each a `holiday` or a `workday` with its name; it fills in a year
  the package does not know yet (the State Council publishes each year's
  holidays in the November before) and overrides the package where both
  have a day;
* the `chinesecalendar` package.

A day the store names is what the store says. Otherwise a year the package
covers is counted by the package; a year only the store knows (it holds at
least one day of it) is counted as Monday–Friday working days plus the
store's days; a year neither knows cannot be counted (`UnknownYear`).

A 公示 of N working days: the start date is day 1 when it is a working day
(else the next working day is), and the notice ends on its N-th working day;
publication is possible from the day after. Started 2022-09-29, 5 days end on
2022-10-10 (Oct 1–7 are holidays, Oct 8–9 make-up workdays).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import chinese_calendar  # type: ignore[import-untyped]

from scoring.errors import PioneerError, Remedy

_DAY = dt.timedelta(days=1)
_SATURDAY = 5


class UnknownYear(PioneerError):
    """Working days of a year neither the package nor the store's calendar knows."""

    def __init__(self, year: int, covered: tuple[int, int]) -> None:
        first, last = covered
        super().__init__(
            f"the Chinese holiday calendar has no data for {year} (the `chinesecalendar` "
            f"package covers {first}–{last}, and the store's calendar has no day of {year}): "
            "working days cannot be counted",
            hint=f"import {year}'s holidays and make-up workdays, as published by the State "
            "Council, into the store's calendar, or update the `chinesecalendar` package to a "
            "release that covers that year",
            remedy=Remedy.IMPORT_CALENDAR,
        )
        self.year = year


def covered_years() -> tuple[int, int]:
    """The first and last year the installed calendar package has holiday data for."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def package_knows(year: int) -> bool:
    """True when the `chinesecalendar` package has holiday data for `year`."""
    first, last = covered_years()
    return first <= year <= last


@dataclass(frozen=True)
class StoreDay:
    """One day of the store's calendar."""

    day: dt.date
    kind: str  # holiday | workday
    name: str


@dataclass(frozen=True)
class WorkCalendar:
    """The working-day calendar: the store's days over the package (see module doc)."""

    days: Mapping[dt.date, StoreDay] = field(default_factory=dict)

    def store_years(self) -> frozenset[int]:
        return frozenset(d.year for d in self.days)

    def is_workday(self, day: dt.date) -> bool:
        """True on a working day (a make-up Saturday included, a holiday not)."""
        entry = self.days.get(day)
        if entry is not None:
            return entry.kind == "workday"
        if package_knows(day.year):
            return bool(chinese_calendar.is_workday(day))
        if day.year in self.store_years():
            return day.weekday() < _SATURDAY
        raise UnknownYear(day.year, covered_years())

    def next_workday(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the next working day."""
        while not self.is_workday(day):
            day += _DAY
        return day

    def notice_window(self, start: dt.date, days: int) -> NoticeWindow:
        """The window of a notice of `days` working days opened on `start`."""
        if days < 1:
            raise PioneerError(f"a notice lasts at least 1 working day, not {days}")
        first = last = self.next_workday(start)
        for _ in range(days - 1):
            last = self.next_workday(last + _DAY)
        return NoticeWindow(start, first, last, days)


PACKAGE_ONLY = WorkCalendar()
"""The package's calendar without any store days."""


@dataclass(frozen=True)
class NoticeWindow:
    """A notice of `days` working days from `first` (day 1) to `last` (day N)."""

    requested: dt.date
    first: dt.date
    last: dt.date
    days: int

    @property
    def publishable_from(self) -> dt.date:
        """The first day the run may be published: the day after the last."""
        return self.last + _DAY


def is_workday(day: dt.date, calendar: WorkCalendar = PACKAGE_ONLY) -> bool:
    """True on a Chinese working day (a make-up Saturday included, a holiday not)."""
    return calendar.is_workday(day)


def next_workday(day: dt.date, calendar: WorkCalendar = PACKAGE_ONLY) -> dt.date:
    """`day` itself when it is a working day, else the next working day."""
    return calendar.next_workday(day)


def notice_window(start: dt.date, days: int, calendar: WorkCalendar = PACKAGE_ONLY) -> NoticeWindow:
    """The window of a notice of `days` working days opened on `start`."""
    return calendar.notice_window(start, days)
