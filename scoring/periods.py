"""Scoring periods: the text a user types after `--period`, as a date range.

Accepted forms (SPEC §6): a year `2022`, a half `2022-H1`/`2022-H2`, a quarter
`2022-Q1`..`2022-Q4`, a month `2022-12` (or `2022-1`), and an explicit range
`2022-01-01..2022-06-30` (both bounds inclusive, zero padding optional, start
not after end). Input is trimmed and NFKC-normalised, so full-width digits
typed with a Chinese input method work; `h`/`q` may be lower case. Every
period has a canonical `label` (`2022-Q4`, `2022-01`, `2022-01-01..2022-06-30`);
parsing a label gives back the same period.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

ACCEPTED_FORMS = "2022, 2022-H1, 2022-Q4, 2022-12 or 2022-01-01..2022-06-30"

_YEAR = re.compile(r"(\d{4})", re.ASCII)
_HALF = re.compile(r"(\d{4})-H([12])", re.ASCII | re.IGNORECASE)
_QUARTER = re.compile(r"(\d{4})-Q([1-4])", re.ASCII | re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
_DAY = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_RANGE = re.compile(rf"{_DAY}\s*\.\.\s*{_DAY}", re.ASCII)


@dataclass(frozen=True)
class Period:
    """A scoring period: `start` and `end` inclusive, with its canonical text."""

    start: date
    end: date
    label: str

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period {self.label!r} starts after it ends")

    def __str__(self) -> str:
        return self.label

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _months(year: int, first: int, count: int) -> tuple[date, date]:
    """First day of month `first` to the last day of the `count`-th month from it."""
    last = first + count  # the month after the period, possibly January next year
    after = date(year + 1, 1, 1) if last == 13 else date(year, last, 1)
    return date(year, first, 1), after - timedelta(days=1)


def _error(text: str, reason: str | None = None) -> ValueError:
    why = f" ({reason})" if reason else ""
    return ValueError(f"invalid period {text!r}{why}; expected one of: {ACCEPTED_FORMS}")


def _date(text: str, parts: tuple[str, str, str]) -> date:
    year, month, day = (int(p) for p in parts)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _error(text, f"{'-'.join(parts)} is not a date: {exc}") from None


def _year(text: str, digits: str) -> int:
    year = int(digits)
    if year < 1:
        raise _error(text, "year 0000 does not exist")
    return year


def parse_period(text: str) -> Period:
    """Parse a period such as `2022-Q4`; raise ValueError naming the accepted forms."""
    value = unicodedata.normalize("NFKC", text).strip()
    if m := _YEAR.fullmatch(value):
        year = _year(text, m[1])
        return Period(date(year, 1, 1), date(year, 12, 31), f"{year:04d}")
    if m := _HALF.fullmatch(value):
        year, half = _year(text, m[1]), int(m[2])
        return Period(*_months(year, 6 * half - 5, 6), f"{year:04d}-H{half}")
    if m := _QUARTER.fullmatch(value):
        year, quarter = _year(text, m[1]), int(m[2])
        return Period(*_months(year, 3 * quarter - 2, 3), f"{year:04d}-Q{quarter}")
    if m := _MONTH.fullmatch(value):
        year, month = _year(text, m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise _error(text, f"month {month} is not between 1 and 12")
        return Period(*_months(year, month, 1), f"{year:04d}-{month:02d}")
    if m := _RANGE.fullmatch(value):
        start = _date(text, (m[1], m[2], m[3]))
        end = _date(text, (m[4], m[5], m[6]))
        if start > end:
            raise _error(text, f"it starts on {start} after it ends on {end}")
        return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")
    raise _error(text)
