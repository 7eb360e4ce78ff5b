"""Date arithmetic in SQL, in integers, spelled the same way in every dialect.

Dates are ISO text (`YYYY-MM-DD`) in every engine. No engine's own date
functions are used: SQLite's `date(d, '+1 month')` overflows into the next
month (2022-01-31 → 2022-03-03) where the language clamps (→ 2022-02-28),
DuckDB and Spark accept years beyond 9999 where the interpreter's result
is null, and the three spell every function differently. Instead a date
is taken apart with `substr`, moved with integer arithmetic (month
arithmetic on year × 12 + month; a civil date to a day number after Howard
Hinnant's `days_from_civil`, only non-negative integer divisions) and put
back together with `substr` and `||`, which mean the same in SQLite,
DuckDB and Spark (`tests/test_sql_dates.py`). The one step spelled per
dialect is a day number back to ISO text (`Dialect.date_text`): done in
integers it takes a few hundred references to the day number, since SQL
has no local names.

The interpreter's meaning (`scoring.expr.dates`, `scoring.expr.evaluate`):
`days(n)` is a `timedelta` (null for a non-integer n or |n| > 999,999,999),
`months(n)` / `years(n)` move the calendar month and clamp the day to the
month's end (null for a non-integer n or more than 12 × 9999 months); a
sum of calendar and day durations moves the month first, then the days; a
date outside years 1..9999 — also half-way, after the month move — is null;
`date − date` is the number of days between them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlglot import exp

from .dialects import Dialect
from .rational import Ratio, lit, paren

DAY_MIN = -719162  # 0001-01-01, in days from 1970-01-01
DAY_MAX = 2932896  # 9999-12-31
TIMEDELTA_DAYS = 999_999_999  # the most days a `timedelta` holds
MONTHS_LIMIT = 12 * 9999  # `scoring.expr.dates._MONTHS_LIMIT`


@dataclass(frozen=True)
class Duration:
    """`months` calendar months, then `days` days (null when either is null).

    `calendar` is False for a pure `days(n)` duration (a `timedelta`, whose
    day count is bounded); `months` is None when it is statically zero."""

    months: exp.Expression | None
    days: exp.Expression
    calendar: bool


_SUMS = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod)
_PRODUCTS = (exp.Mul, exp.Div, exp.IntDiv, exp.Mod)


def _left(e: exp.Expression, free: tuple[type[exp.Expression], ...]) -> exp.Expression:
    """A left operand: operators binding at least as tightly (all left-associative)
    need no parentheses, which keeps SQLite's parser stack shallow."""
    return e if isinstance(e, free) else paren(e)


def _add(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.Add(this=_left(a, _SUMS), expression=_left(b, _PRODUCTS))


def _sub(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.Sub(this=_left(a, _SUMS), expression=_left(b, _PRODUCTS))


def _mul(a: exp.Expression, b: exp.Expression | int) -> exp.Expression:
    right = lit(b) if isinstance(b, int) else paren(b)
    return exp.Mul(this=_left(a, _PRODUCTS), expression=right)


def _mod(a: exp.Expression, k: int) -> exp.Expression:
    return exp.Mod(this=paren(a), expression=lit(k))


def _substr(text: exp.Expression, start: int, length: int) -> exp.Expression:
    return cast(exp.Expression, exp.func("substr", text, lit(start), lit(length)))


def _int(e: exp.Expression) -> exp.Expression:
    return exp.Cast(this=e, to=exp.DataType.build("BIGINT"))


def _case(
    cond: exp.Expression, then: exp.Expression, default: exp.Expression | None = None
) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=cond, true=then)], default=default)


def _between(e: exp.Expression, low: int, high: int) -> exp.Expression:
    return exp.Between(this=paren(e), low=lit(low), high=lit(high))


def _is_zero(e: exp.Expression) -> bool:
    return isinstance(e, exp.Literal) and not e.is_string and e.this == "0"


class DateMath:
    """Builds the integer SQL of date arithmetic for one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def div(self, a: exp.Expression, k: int) -> exp.Expression:
        """`a div k` for a non-negative `a`."""
        return self.dialect.int_div(paren(a), lit(k))

    # -- durations -----------------------------------------------------------------

    def whole(self, value: Ratio, limit: int) -> exp.Expression:
        """`value` as an integer: null unless it is a whole number with |value| <= limit.

        The quotient is taken only when the division is exact, where SQLite's and
        Spark's truncation and DuckDB's floor agree whatever the sign."""
        n = paren(value.n)
        if value.d == 1:
            return _case(_between(n, -limit, limit), n)
        d = paren(value.d_sql())
        if isinstance(value.d, int):
            in_range = _between(n, -limit * value.d, limit * value.d)
        else:
            in_range = exp.LTE(this=exp.Abs(this=n), expression=_mul(d, limit))
        divides = exp.EQ(this=_mod_expr(n, d), expression=lit(0))
        quotient = self.dialect.int_div(n, d)
        return _case(exp.And(this=divides, expression=in_range), quotient)

    def days(self, n: Ratio) -> Duration:
        """`days(n)`."""
        return Duration(None, self.whole(n, TIMEDELTA_DAYS), calendar=False)

    def months(self, n: Ratio, factor: int) -> Duration:
        """`months(n)` (factor 1) or `years(n)` (factor 12)."""
        count = self.whole(n, MONTHS_LIMIT // factor)
        return Duration(count if factor == 1 else _mul(count, factor), lit(0), calendar=True)

    def add(self, a: Duration, b: Duration, negate_b: bool = False) -> Duration:
        """`a + b` (or `a − b`): a sum of day durations is null beyond a timedelta's range."""
        op = _sub if negate_b else _add
        months = None
        if a.months is not None or b.months is not None:
            months = op(a.months if a.months is not None else lit(0), b.months or lit(0))
        days = op(a.days, b.days)
        if not a.calendar and not b.calendar:
            days = _case(_between(days, -TIMEDELTA_DAYS, TIMEDELTA_DAYS), days)
        return Duration(months, days, a.calendar or b.calendar)

    def neg(self, a: Duration) -> Duration:
        """`-a`."""
        months = None if a.months is None else exp.Paren(this=exp.Neg(this=paren(a.months)))
        return Duration(months, exp.Paren(this=exp.Neg(this=paren(a.days))), a.calendar)

    # -- dates ---------------------------------------------------------------------

    def parts(self, text: exp.Expression) -> tuple[exp.Expression, exp.Expression, exp.Expression]:
        """(year, month, day) of ISO date text, as integers."""
        y, m, d = (_int(_substr(text, start, length)) for start, length in ((1, 4), (6, 2), (9, 2)))
        return y, m, d

    def day_number(self, y: exp.Expression, m: exp.Expression, d: exp.Expression) -> exp.Expression:
        """Days from 1970-01-01 of a civil date with year >= 1 (days_from_civil)."""
        yy = _sub(y, self.div(_sub(lit(14), m), 12))  # one less in January and February
        era = self.div(yy, 400)
        yoe = _mod(yy, 400)
        mp = _mod(_add(m, lit(9)), 12)
        doy = _add(self.div(_add(_mul(mp, 153), lit(2)), 5), _sub(d, lit(1)))
        doe = _add(_sub(_add(_mul(yoe, 365), self.div(yoe, 4)), self.div(yoe, 100)), doy)
        return _sub(_add(_mul(era, 146097), doe), lit(719468))

    def text(self, y: exp.Expression, m: exp.Expression, d: exp.Expression) -> exp.Expression:
        """ISO text of a civil date with year 1..9999: each part zero-padded by adding
        10^width and dropping the leading 1."""
        pieces: list[exp.Expression] = []
        for part, width in ((y, 4), (m, 2), (d, 2)):
            as_text = exp.Cast(this=_add(part, lit(10**width)), to=exp.DataType.build("TEXT"))
            if pieces:
                pieces.append(exp.Literal.string("-"))
            pieces.append(_substr(as_text, 2, width))
        joined = pieces[0]
        for piece in pieces[1:]:
            joined = exp.DPipe(this=joined, expression=piece)
        return exp.Paren(this=joined)

    def month_days(self, y: exp.Expression, m: exp.Expression) -> exp.Expression:
        """The number of days of month m (1..12) of year y >= 0, in integer arithmetic
        (no CASE: SQLite's parser allows only a few levels of nested CASE):
        28 + (m + m div 8) % 2 + 2 % m + 2 × (1 div m), plus one in February of a
        leap year; `1 − (y % k + k − 1) div k` is 1 exactly when k divides y."""

        def divides(k: int) -> exp.Expression:
            return _sub(lit(1), self.div(_add(_mod(y, k), lit(k - 1)), k))

        leap = _add(_sub(divides(4), divides(100)), divides(400))
        february = _sub(lit(1), self.div(_add(_mod(_add(m, lit(10)), 12), lit(11)), 12))
        base = _add(
            _add(_add(lit(28), _mod(_add(m, self.div(m, 8)), 2)), _mod_expr(lit(2), m)),
            _mul(self.dialect.int_div(lit(1), paren(m)), 2),
        )
        return _add(base, _mul(february, leap))

    def least(self, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        """min(a, b) of two non-negative integers: (a + b − |a − b|) div 2."""
        return self.div(_sub(_add(a, b), exp.Abs(this=_sub(a, b))), 2)


def _mod_expr(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.Paren(this=exp.Mod(this=paren(a), expression=paren(b)))


@dataclass(frozen=True)
class DateValue:
    """A date in the SQL: ISO text, a civil (year, month, day) triple, or a day number.

    Each form converts to the others on demand; `valid` (when set) is the
    condition under which the value lies in years 1..9999 (null otherwise)."""

    math: DateMath
    iso: exp.Expression | None = None
    ymd: tuple[exp.Expression, exp.Expression, exp.Expression] | None = None
    dn: exp.Expression | None = None
    valid: exp.Expression | None = None

    def _guard(self, e: exp.Expression) -> exp.Expression:
        return e if self.valid is None else _case(self.valid, e)

    def text(self) -> exp.Expression:
        """ISO text (null outside years 1..9999)."""
        if self.iso is not None:
            return self.iso
        if self.dn is not None:
            return self._guard(self.math.dialect.date_text(self.dn))
        return self._guard(self.math.text(*self._ymd()))

    def day_number(self) -> exp.Expression:
        """Days from 1970-01-01 (null outside years 1..9999)."""
        if self.ymd is not None and all(isinstance(p, exp.Literal) for p in self.ymd):
            y, m, d = (int(p.this) for p in self.ymd)
            return lit((dt.date(y, m, d) - dt.date(1970, 1, 1)).days)  # a constant date
        if self.dn is not None:
            return self._guard(self.dn)
        return self._guard(self.math.day_number(*self._ymd()))

    def comparable(self, other: DateValue) -> tuple[exp.Expression, exp.Expression]:
        """Both dates in one form that orders them: ISO text (cheap from text and civil
        dates), or day numbers when either is one already."""
        if self.dn is None and other.dn is None:
            return self.text(), other.text()
        return self.day_number(), other.day_number()

    def _ymd(self) -> tuple[exp.Expression, exp.Expression, exp.Expression]:
        if self.ymd is not None:
            return self.ymd
        if self.iso is not None:
            return self.math.parts(self.iso)
        assert self.dn is not None
        return self.math.parts(self.math.dialect.date_text(self.dn))

    def shifted(self, by: Duration) -> DateValue:
        """This date moved by a duration: the months first (day clamped), then the days."""
        math = self.math
        start = self
        if by.months is not None:
            y, m, d = self._ymd()
            total = _add(_add(_mul(y, 12), _sub(m, lit(1))), by.months)
            ny = math.div(total, 12)
            nm = _add(_mod(_add(_mod(total, 12), lit(12)), 12), lit(1))  # 1..12 whatever the sign
            nd = math.least(d, math.month_days(ny, nm))
            valid = _between(total, 12, 12 * 10000 - 1)
            if self.valid is not None:
                valid = exp.And(this=exp.Paren(this=self.valid), expression=valid)
            start = DateValue(math, ymd=(ny, nm, nd), valid=valid)
        if _is_zero(by.days):
            return start
        moved = _add(start.day_number(), by.days)
        return DateValue(math, dn=moved, valid=_between(moved, DAY_MIN, DAY_MAX))
