"""Working days on the Chinese calendar, with its public holidays and the
make-up workdays (调休) that move weekends, from the `chinesecalendar` package.

A 公示 of N working days: the start date is day 1 when it is a working day
(else the next working day is), and the notice ends on its N-th working day;
publication is possible from the day after. Started 2022-09-29, 5 days end on
2022-10-10 (Oct 1–7 are holidays, Oct 8–9 make-up workdays).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar  # type: ignore[import-untyped]

from scoring.errors import PioneerError

_DAY = dt.timedelta(days=1)


def covered_years() -> tuple[int, int]:
    """The first and last year the installed calendar has holiday data for."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def is_workday(day: dt.date) -> bool:
    """True on a Chinese working day (a make-up Saturday included, a holiday not)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        first, last = covered_years()
        raise PioneerError(
            f"the Chinese holiday calendar has no data for {day.year} (it covers "
            f"{first}–{last}): working days cannot be counted; update the "
            "`chinesecalendar` package to a release that covers that year"
        ) from None


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


def next_workday(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the next working day."""
    while not is_workday(day):
        day += _DAY
    return day


def notice_window(start: dt.date, days: int) -> NoticeWindow:
    """The window of a notice of `days` working days opened on `start`."""
    if days < 1:
        raise PioneerError(f"a notice lasts at least 1 working day, not {days}")
    first = last = next_workday(start)
    for _ in range(days - 1):
        last = next_workday(last + _DAY)
    return NoticeWindow(start, first, last, days)
