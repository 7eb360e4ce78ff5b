"""Exact half-up rounding of published figures."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.numbers import fixed, metric_text, plain, round_half_up


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Fraction("19.995"), 2, "20.00"),
        (Fraction("0.1") + Fraction("0.2"), 2, "0.30"),
        (15 * (Fraction(37, 12) - 3) / 2, 2, "0.63"),  # 0.625: a fixed-precision context flips it
        (Fraction(5, 2), 0, "3"),
        (Fraction(-5, 2), 0, "-3"),
        (Fraction(1, 3), 2, "0.33"),
        (Fraction(2, 3), 2, "0.67"),
        (Fraction(-1, 1000), 2, "0.00"),
        (Fraction(18), 2, "18.00"),
        (Fraction(1, 8), 6, "0.125000"),
    ],
)
def test_fixed_rounds_half_up_exactly(value: Fraction, places: int, text: str) -> None:
    assert fixed(value, places) == text


@given(
    st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**9),
    st.integers(min_value=0, max_value=6),
)
def test_fixed_agrees_with_exact_decimal_rounding(value: Fraction, places: int) -> None:
    with localcontext() as ctx:
        ctx.prec = 200
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        expected = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    assert Decimal(fixed(value, places)) == expected
    assert round_half_up(value, places) == Fraction(expected)


def test_metric_text_keeps_six_decimals_without_trailing_zeros() -> None:
    assert metric_text(Fraction(982, 1000)) == {"n": "0.982"}
    assert metric_text(Fraction(1, 3)) == {"n": "0.333333"}
    assert metric_text(Fraction(2, 3)) == {"n": "0.666667"}
    assert metric_text(5400) == {"n": "5400"}
    assert metric_text(True) is True
    assert metric_text(None) is None


def test_plain_shows_terminating_decimals_and_fractions() -> None:
    assert plain(Fraction(49, 50)) == "0.98"
    assert plain(Fraction(9, 2)) == "4.5"
    assert plain(Fraction(1, 3)) == "1/3"
    assert plain(18000) == "18000"
