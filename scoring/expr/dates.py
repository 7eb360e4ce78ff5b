"""Calendar durations: `months(n)` and `years(n)` (SPEC §2.3).

`days(n)` is a plain `timedelta`; months and years move the calendar date
and clamp the day to the end of the month, so 2024-02-29 − years(1) is
2023-02-28 and 2022-01-31 + months(1) is 2022-02-28. dateutil's
`relativedelta` does exactly that, and combines with `timedelta` and with
itself (`months(1) + days(1)` moves the month first, then the days).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from dateutil.relativedelta import relativedelta

_MONTHS_LIMIT = 12 * 9999
"""No date arithmetic moves further than this many months; beyond it the result is null."""


def months(value: Any) -> relativedelta | None:
    """`months(n)`: n calendar months; null for a non-integer or out-of-range n."""
    return _shift(value, 1)


def years(value: Any) -> relativedelta | None:
    """`years(n)`: n calendar years (12 n months); null for a non-integer or out-of-range n."""
    return _shift(value, 12)


def _shift(value: Any, factor: int) -> relativedelta | None:
    if isinstance(value, Fraction):
        if value.denominator != 1:
            return None
        value = value.numerator
    count = int(value) * factor
    if abs(count) > _MONTHS_LIMIT:
        return None
    return relativedelta(months=count)
