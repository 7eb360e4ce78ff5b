"""Exact number helpers: numbers are `int` or `Fraction`, never `float`."""

from __future__ import annotations

from fractions import Fraction

from ..numbers import round_half_up

Num = int | Fraction


def normalize(value: Fraction) -> Num:
    """`value` as an `int` when it is integral, else unchanged."""
    return value.numerator if value.denominator == 1 else value


def divide(a: Num, b: Num) -> Num | None:
    """Exact `a / b`; null when `b` is zero."""
    if b == 0:
        return None
    return normalize(Fraction(a) / b)


def mean(total: Num, count: int) -> Num:
    """Exact `total / count` for a positive `count`."""
    return normalize(Fraction(total) / count)


def round_half_away(value: Num, digits: int) -> Num:
    """Round to `digits` decimals, halves away from zero (-2.5 -> -3), exactly
    (`scoring.numbers.round_half_up`, the one half-away rounding)."""
    if isinstance(value, int):
        return value
    return normalize(round_half_up(value, digits))
