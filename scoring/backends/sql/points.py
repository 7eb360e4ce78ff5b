"""Scoring functions as SQL: points in integer units of 10^-precision, exactly.

Each leaf's raw value is clipped to [0, max] and rounded half up, as the
interpreter does; inner nodes and blocks add rounded figures and clip.
Everything is CASE expressions over integers (no GREATEST/LEAST: their
null handling differs between engines).
"""

from __future__ import annotations

from fractions import Fraction

from sqlglot import exp

from scoring.plan import NodePlan, ScorePlan

from .rational import Arith, Ratio, const, lit, paren
from .rational import mul as mul_const


def half_up_units(value: Fraction, scale: int) -> int:
    """round_half_up(value) in units of 1/scale (value ≥ 0)."""
    q = Fraction(value) * scale
    whole, rest = divmod(q.numerator, q.denominator)
    return whole + (1 if 2 * rest >= q.denominator else 0)


def add_all(parts: list[exp.Expression]) -> exp.Expression:
    """`a + b + …` (0 for none)."""
    if not parts:
        return exp.Literal.number(0)
    total = parts[0]
    for p in parts[1:]:
        total = exp.Add(this=total, expression=p)
    return total


class Points:
    """Builds the points expressions of one award (precision fixed)."""

    def __init__(self, arith: Arith, scale: int) -> None:
        self.arith = arith
        self.scale = scale

    def clip_sum(self, units: exp.Expression, maximum: Fraction) -> exp.Expression:
        """Rounded points of a sum of rounded figures, clipped to [0, max]."""
        scaled = maximum * self.scale
        ceiling = -((-scaled.numerator) // scaled.denominator)
        top = half_up_units(maximum, self.scale)
        zero = exp.Literal.number(0)
        return exp.Case(
            ifs=[
                exp.If(this=exp.GTE(this=paren(units), expression=lit(ceiling)), true=lit(top)),
                exp.If(this=exp.LT(this=paren(units), expression=zero), true=zero),
            ],
            default=units,
        )

    def clip_round(self, raw: Ratio, maximum: Fraction) -> exp.Expression:
        """Units of round_half_up(clamp(raw, 0, max)) (null when raw is null)."""
        zero = exp.Literal.number(0)
        top = half_up_units(maximum, self.scale)
        at_most_zero = exp.LTE(this=paren(raw.n), expression=zero)
        above = self.arith.compare(raw, ">=", const(maximum))
        rounded = self.arith.half_up_units(raw.n, raw.d, raw.nmax, raw.dmax, self.scale)
        return exp.Case(
            ifs=[exp.If(this=at_most_zero, true=zero), exp.If(this=above, true=lit(top))],
            default=rounded,
        )

    def linear(self, x: Ratio, node: NodePlan, score: ScorePlan) -> exp.Expression:
        """`max × clamp((x − lo)/(hi − lo), 0, 1)`."""
        assert score.lo is not None and score.hi is not None
        factor = node.max / (score.hi - score.lo)
        shifted = self.arith.add(x, const(score.lo), negate_b=True)
        return self.clip_round(self.arith.mul(shifted, const(factor)), node.max)

    def per(self, x: Ratio, node: NodePlan, score: ScorePlan) -> exp.Expression:
        """`k × x`, or `max + k × x` for a negative k, clipped."""
        assert score.per is not None
        raw = self.arith.mul(x, const(score.per))
        if score.per < 0:
            raw = self.arith.add(const(node.max), raw)
        return self.clip_round(raw, node.max)

    def bands(self, x: Ratio, node: NodePlan, score: ScorePlan) -> exp.Expression:
        """The first band that holds (bounds inclusive); no hit gives 0."""
        ifs = []
        for band in score.bands:
            tests = []
            if band.min is not None:
                tests.append(paren(self.arith.compare(const(band.min), "<=", x)))
            if band.max is not None:
                tests.append(paren(self.arith.compare(x, "<=", const(band.max))))
            cond: exp.Expression = exp.true() if not tests else tests[0]
            for t in tests[1:]:
                cond = exp.And(this=cond, expression=t)
            units = half_up_units(min(max(band.points, Fraction(0)), node.max), self.scale)
            ifs.append(exp.If(this=cond, true=lit(units)))
        return exp.Case(ifs=ifs, default=exp.Literal.number(0))

    def when(self, cond: exp.Expression, node: NodePlan) -> exp.Expression:
        """Full marks when the condition is true, else 0."""
        top = half_up_units(node.max, self.scale)
        return exp.Case(ifs=[exp.If(this=cond, true=lit(top))], default=exp.Literal.number(0))

    def percentile(
        self,
        x: Ratio,
        node: NodePlan,
        ranked: exp.Expression,
        group: exp.Expression | None,
        people: int,
    ) -> exp.Expression:
        """max × percent_rank(x) among ranked subjects with a non-null x (within `group`):
        (number with a strictly smaller x) ÷ (n − 1), and 1 when n = 1."""
        inside = exp.And(this=ranked, expression=exp.Not(this=x.is_null()))
        partition: list[exp.Expression] = [exp.Paren(this=inside)]
        if group is not None:
            partition.append(group)
        order = exp.Order(expressions=[exp.Ordered(this=self.sort_key(x))])
        rank = exp.Sub(
            this=exp.Window(this=exp.Anonymous(this="RANK"), partition_by=partition, order=order),
            expression=exp.Literal.number(1),
        )
        count = exp.Window(this=exp.Count(this=exp.Star()), partition_by=list(partition))
        bounds = self.arith.bounds
        share = Ratio(
            mul_const(rank, node.max.numerator),
            exp.Mul(
                this=exp.Paren(this=exp.Sub(this=count, expression=exp.Literal.number(1))),
                expression=lit(node.max.denominator),
            ),
            bounds.check(people * node.max.numerator, "a percentile"),
            bounds.check(people * node.max.denominator, "a percentile"),
        )
        top = half_up_units(node.max, self.scale)
        zero = exp.Literal.number(0)
        return exp.Case(
            ifs=[
                exp.If(this=exp.Not(this=ranked), true=zero),
                exp.If(this=exp.EQ(this=count, expression=exp.Literal.number(1)), true=lit(top)),
            ],
            default=self.clip_round(share, node.max),
        )

    def sort_key(self, x: Ratio) -> exp.Expression:
        """An integer that orders the values of `x` exactly, ties only for equal values.

        With a constant denominator, the numerator. Else trunc(n × K / d) with
        K = dmax²: distinct values n1/d1, n2/d2 differ by at least 1/(d1·d2)
        ≥ 1/K, so their keys differ by at least 1 (truncation keeps this on
        both sides of zero, since a non-zero |x| ≥ 1/dmax gives |x|·K ≥ 1)."""
        if x.constant_d is not None:
            return x.n
        k = max(x.dmax, 1) ** 2
        self.arith.bounds.check(x.nmax * k, "a percentile's sort key")
        magnitude = self.arith.dialect.int_div(mul_const(exp.Abs(this=x.n), k), x.d_sql())
        negative = exp.LT(this=paren(x.n), expression=exp.Literal.number(0))
        return exp.Case(
            ifs=[exp.If(this=negative, true=exp.Neg(this=paren(magnitude)))], default=magnitude
        )
