"""Exact rationals in SQL: a number is a pair of 64-bit integer expressions.

A `Ratio` is `n / d` with `d > 0` whenever `n` is not null; the value is
null exactly when `n` is null. A denominator known at compile time is kept
as a Python `int` (most are: powers of ten from column scales), so sums and
comparisons stay single multiplications. Every integer the SQL computes has
a proven upper bound on its magnitude (`nmax`, `dmax`, from the dataset's
column statistics); `Bounds.check` records any that could pass 2^63 - 1,
and such an award is left to the interpreter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from sqlglot import exp

from .dialects import Dialect

INT64_MAX = 2**63 - 1


class TooLarge(Exception):
    """An intermediate integer could pass 64 bits on this dataset."""


@dataclass
class Bounds:
    """Collects the magnitude bounds of every integer the SQL computes."""

    enforce: bool = True
    largest: int = 0
    where: list[str] = field(default_factory=list)

    def check(self, bound: int, what: str) -> int:
        if bound > self.largest:
            self.largest = bound
        if self.enforce and bound > INT64_MAX:
            raise TooLarge(f"{what} could reach {bound:.3e}, beyond 64-bit integers")
        return bound


def lit(value: int) -> exp.Expression:
    """An integer literal (negative ones as a negation, which every dialect reads alike)."""
    if value < 0:
        return exp.Paren(this=exp.Neg(this=exp.Literal.number(-value)))
    return exp.Literal.number(value)


def mul(a: exp.Expression, k: int) -> exp.Expression:
    """`a × k` for an integer constant, skipping × 1."""
    if k == 1:
        return a
    return exp.Mul(this=paren(a), expression=lit(k))


def paren(e: exp.Expression) -> exp.Expression:
    if isinstance(e, exp.Column | exp.Literal | exp.Paren | exp.Null):
        return e
    return exp.Paren(this=e)


@dataclass(frozen=True)
class Ratio:
    """`n / d`: null iff `n` is null; `d` an int constant or a positive SQL integer."""

    n: exp.Expression
    d: int | exp.Expression
    nmax: int
    dmax: int

    @property
    def constant_d(self) -> int | None:
        return self.d if isinstance(self.d, int) else None

    def d_sql(self) -> exp.Expression:
        return lit(self.d) if isinstance(self.d, int) else self.d

    def d_sql_value(self) -> int:
        """The constant denominator (for ratios known to have one)."""
        assert isinstance(self.d, int)
        return self.d

    def is_null(self) -> exp.Expression:
        return exp.Is(this=paren(self.n), expression=exp.Null())


def const(value: Fraction | int) -> Ratio:
    q = Fraction(value)
    return Ratio(lit(q.numerator), q.denominator, abs(q.numerator), q.denominator)


def null_ratio() -> Ratio:
    return Ratio(exp.Null(), 1, 0, 1)


def constant_value(r: Ratio) -> Fraction | None:
    """The value of a ratio that is a literal, else None."""
    n = r.n
    sign = 1
    if isinstance(n, exp.Paren) and isinstance(n.this, exp.Neg):
        n, sign = n.this.this, -1
    if isinstance(n, exp.Literal) and not n.is_string and isinstance(r.d, int):
        return Fraction(sign * int(n.this), r.d)
    return None


class Arith:
    """Ratio arithmetic that records the bounds of what it builds."""

    def __init__(self, dialect: Dialect, bounds: Bounds) -> None:
        self.dialect = dialect
        self.bounds = bounds

    def _common(self, a: Ratio, b: Ratio) -> tuple[exp.Expression, exp.Expression, int, int]:
        """Both numerators over one denominator: (a', b', bound a', bound b')."""
        da, db = a.constant_d, b.constant_d
        if da is not None and db is not None:
            lcm = da * db // math.gcd(da, db)
            ka, kb = lcm // da, lcm // db
            return mul(a.n, ka), mul(b.n, kb), a.nmax * ka, b.nmax * kb
        an = exp.Mul(this=paren(a.n), expression=paren(b.d_sql())) if db != 1 else a.n
        bn = exp.Mul(this=paren(b.n), expression=paren(a.d_sql())) if da != 1 else b.n
        return an, bn, a.nmax * b.dmax, b.nmax * a.dmax

    def _denominator(self, a: Ratio, b: Ratio) -> tuple[int | exp.Expression, int]:
        da, db = a.constant_d, b.constant_d
        if da is not None and db is not None:
            lcm = da * db // math.gcd(da, db)
            return lcm, lcm
        if da == 1:
            return b.d, b.dmax
        if db == 1:
            return a.d, a.dmax
        return exp.Mul(this=paren(a.d_sql()), expression=paren(b.d_sql())), a.dmax * b.dmax

    def add(self, a: Ratio, b: Ratio, negate_b: bool = False) -> Ratio:
        if constant_value(b) == 0:
            return a
        an, bn, ab, bb = self._common(a, b)
        d, dmax = self._denominator(a, b)
        n: exp.Expression = (
            exp.Sub(this=an, expression=paren(bn)) if negate_b else exp.Add(this=an, expression=bn)
        )
        self.bounds.check(ab, "a sum operand")
        self.bounds.check(bb, "a sum operand")
        self.bounds.check(dmax, "a denominator")
        return Ratio(n, d, self.bounds.check(ab + bb, "a sum"), dmax)

    def neg(self, a: Ratio) -> Ratio:
        return Ratio(exp.Neg(this=paren(a.n)), a.d, a.nmax, a.dmax)

    def mul(self, a: Ratio, b: Ratio) -> Ratio:
        ca, cb = constant_value(a), constant_value(b)
        if ca is not None and cb is not None:
            return const(ca * cb)
        if cb is None and ca is not None:
            a, b, ca, cb = b, a, cb, ca
        if cb is not None:  # a × p/q
            p, q = cb.numerator, cb.denominator
            da = a.constant_d
            if da is not None:
                g = math.gcd(abs(p), da) or 1
                p2, d = p // g, da // g * q
                return Ratio(mul(a.n, p2), d, self.bounds.check(a.nmax * abs(p2), "a product"), d)
            dmax = self.bounds.check(a.dmax * q, "a denominator")
            return Ratio(
                mul(a.n, p),
                exp.Mul(this=paren(a.d_sql()), expression=lit(q)) if q != 1 else a.d,
                self.bounds.check(a.nmax * abs(p), "a product"),
                dmax,
            )
        n = exp.Mul(this=paren(a.n), expression=paren(b.n))
        product_d, dmax = self._product_d(a, b)
        return Ratio(n, product_d, self.bounds.check(a.nmax * b.nmax, "a product"), dmax)

    def _product_d(self, a: Ratio, b: Ratio) -> tuple[int | exp.Expression, int]:
        da, db = a.constant_d, b.constant_d
        if da is not None and db is not None:
            return da * db, self.bounds.check(da * db, "a denominator")
        dmax = self.bounds.check(a.dmax * b.dmax, "a denominator")
        if da == 1:
            return b.d, dmax
        if db == 1:
            return a.d, dmax
        return exp.Mul(this=paren(a.d_sql()), expression=paren(b.d_sql())), dmax

    def div(self, a: Ratio, b: Ratio) -> Ratio:
        """`a / b`; null when `b` is zero (or null)."""
        cb = constant_value(b)
        if cb is not None:
            if cb == 0:
                return null_ratio()
            return self.mul(a, const(1 / cb))
        # a.n/a.d ÷ b.n/b.d = (a.n × b.d × sign b.n) / (a.d × |b.n|)
        num = exp.Mul(this=paren(a.n), expression=paren(b.d_sql())) if b.d != 1 else a.n
        nmax = self.bounds.check(a.nmax * b.dmax, "a quotient")
        positive = exp.GT(this=paren(b.n), expression=lit(0))
        negative = exp.LT(this=paren(b.n), expression=lit(0))
        n = exp.Case(
            ifs=[
                exp.If(this=positive, true=num),
                exp.If(this=negative, true=exp.Neg(this=paren(num))),
            ]
        )
        absb = exp.Abs(this=b.n)
        d = absb if a.d == 1 else exp.Mul(this=paren(a.d_sql()), expression=absb)
        dmax = self.bounds.check(a.dmax * b.nmax, "a denominator")
        return Ratio(n, d, nmax, dmax)

    def compare(self, a: Ratio, op: str, b: Ratio) -> exp.Expression:
        """`a op b` for `==`, `!=`, `<`, `<=`, `>`, `>=` (null when either is null)."""
        an, bn, ab, bb = self._common(a, b)
        self.bounds.check(max(ab, bb), "a comparison operand")
        return _COMPARE[op](this=an, expression=bn)

    def round_half_away(self, a: Ratio, digits: int) -> Ratio:
        """`round(a, digits)`: halves away from zero, exactly."""
        scale = 10**digits
        mag = self.half_up_units(exp.Abs(this=a.n), a.d, a.nmax, a.dmax, scale)
        n = exp.Case(
            ifs=[exp.If(this=exp.LT(this=paren(a.n), expression=lit(0)), true=exp.Neg(this=mag))],
            default=mag,
        )
        return Ratio(n, scale, (a.nmax * scale) // max(1, 1) + 1, scale)

    def half_up_units(
        self, n: exp.Expression, d: int | exp.Expression, nmax: int, dmax: int, scale: int
    ) -> exp.Expression:
        """floor(n × scale / d + 1/2) for a non-negative `n`: (2·n·scale + d) div (2·d)."""
        top_bound = 2 * nmax * scale + dmax
        self.bounds.check(top_bound, "a rounding step")
        self.bounds.check(2 * dmax, "a rounding step")
        if isinstance(d, int):
            top: exp.Expression = exp.Add(this=mul(n, 2 * scale), expression=lit(d))
            return self.dialect.int_div(top, lit(2 * d))
        top = exp.Add(this=mul(n, 2 * scale), expression=paren(d))
        return self.dialect.int_div(top, exp.Mul(this=lit(2), expression=paren(d)))

    def choose(self, cases: list[tuple[exp.Expression, Ratio]], default: Ratio) -> Ratio:
        """CASE over ratios: the first condition that is true picks its ratio."""
        all_d = [r.constant_d for _, r in cases] + [default.constant_d]
        if all(each is not None for each in all_d):
            lcm = 1
            for each in all_d:
                assert each is not None
                lcm = lcm * each // math.gcd(lcm, each)
            ifs = [exp.If(this=c, true=mul(r.n, lcm // (r.constant_d or 1))) for c, r in cases]
            n = exp.Case(ifs=ifs, default=mul(default.n, lcm // (default.constant_d or 1)))
            nmax = max(
                r.nmax * (lcm // (r.constant_d or 1)) for r in [*(r for _, r in cases), default]
            )
            return Ratio(n, lcm, self.bounds.check(nmax, "a choice"), lcm)
        n = exp.Case(ifs=[exp.If(this=c, true=r.n) for c, r in cases], default=default.n)
        dynamic = exp.Case(
            ifs=[exp.If(this=c, true=r.d_sql()) for c, r in cases], default=default.d_sql()
        )
        rs = [*(r for _, r in cases), default]
        return Ratio(n, dynamic, max(r.nmax for r in rs), max(r.dmax for r in rs))


_COMPARE: dict[str, type[exp.Expression]] = {
    "==": exp.EQ,
    "!=": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
}
