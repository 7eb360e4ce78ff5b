"""Exact numbers: conversions to `Fraction` and half-up rounding to text.

Every figure the engine publishes is the half-up rounding of an exact
rational; no float is ever involved.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

Value = None | bool | int | Fraction | str | dt.date
"""A value of the rule language and of a dataset cell: null, true/false, an
exact number (never a float), text or a date. The one `Value` type."""


def to_fraction(value: Decimal | int | Fraction) -> Fraction:
    """An exact Fraction from a Decimal, int or Fraction."""
    if isinstance(value, Fraction):
        return value
    return Fraction(value)


def _scaled_half_up(value: Fraction | int, places: int) -> int:
    """`value × 10^places` rounded half away from zero, as an integer."""
    q = Fraction(value)
    numerator: int = q.numerator
    denominator: int = q.denominator
    scale: int = 10**places
    whole, rest = divmod(abs(numerator) * scale, denominator)
    if 2 * rest >= denominator:
        whole += 1
    return whole if numerator >= 0 else -whole


def round_half_up(value: Fraction, places: int) -> Fraction:
    """Round half up (四舍五入, away from zero at .5) to `places` decimals."""
    return Fraction(_scaled_half_up(value, places), 10**places)


def fixed(value: Fraction, places: int) -> str:
    """Text of a Fraction rounded half up to exactly `places` decimals: '18.00'."""
    units = _scaled_half_up(value, places)
    sign = "-" if units < 0 else ""
    units = abs(units)
    if places == 0:
        return f"{sign}{units}"
    scale = 10**places
    return f"{sign}{units // scale}.{units % scale:0{places}d}"


def decimal_of(value: Fraction, places: int) -> Decimal:
    """A Decimal with exactly `places` decimals (for JSON export)."""
    return Decimal(fixed(value, places))


def metric_text(value: Value) -> Any:
    """A metric as stored and exported: numbers half up to 6 decimals as
    canonical text without trailing zeros, dates as ISO strings."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    text = fixed(Fraction(value), 6)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return {"n": "0" if text == "-0" else text}


def metric_export(stored: Any) -> Any:
    """The JSON value of a stored metric (numbers become Decimals)."""
    if isinstance(stored, dict) and "n" in stored:
        return Decimal(stored["n"])
    return stored


def decimal_text(value: Fraction | int) -> str | None:
    """The exact decimal spelling of a number whose decimals terminate
    ('0.95', '1234', '-12.5'; no exponent, no trailing zeros), or None when
    they do not (1/3). The one fraction-to-text of pioneer."""
    q = Fraction(value)
    rest, twos, fives = q.denominator, 0, 0
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        return None
    return fixed(q, max(twos, fives))


def plain(value: Fraction | int) -> str:
    """A number for people: exact decimals when they terminate ('0.98'), else a
    fraction ('1/3')."""
    q = Fraction(value)
    text = decimal_text(q)
    return text if text is not None else f"{q.numerator}/{q.denominator}"
