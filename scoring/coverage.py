"""Coverage of a rule file by its unit tests: which paths through the rules
the tests' subjects took, and which none did.

The paths, by dotted name: each band of a `bands` leaf (the first band that
holds); the sides of each `linear` and `per` clamp (below: 0 points, inside,
at the cap: full marks; a `per` whose one unit spans the whole `max` has no
inside); both branches of a `when`; each veto held and not
held; eligible and not; and, with a quota, selected, not selected and in a
boundary tie. They are read from the results (a node's metric `x` with the
rule's parameters, eligibility, vetoes, selection), not from inside the
engine, so any backend that produces the same results gives the same
coverage. Metrics are the stored ones (exact to 6 decimals).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from scoring.model import Award, Band, Bands, Linear, Node, Per, RuleFile, When

BELOW, INSIDE, CAP = "below (0 points)", "inside", "at the cap (full marks)"


@dataclass(frozen=True, order=True)
class Target:
    """One path through the rules that a test can exercise."""

    award: str
    where: str  # dotted path inside the award: `business.on_time`, `veto[2]`, `quota`
    outcome: str  # `band 1 {min: 0.99}`, `inside`, `true`, `held`, `selected`, ...

    def label(self) -> str:
        where = f"{self.award}.{self.where}" if self.where else self.award
        return f"{where}: {self.outcome}"


@dataclass
class Coverage:
    """The targets of one rule file and the ones the tests reached."""

    rules: str
    targets: list[Target] = field(default_factory=list)
    hit: set[Target] = field(default_factory=set)

    @property
    def missed(self) -> list[Target]:
        return [t for t in self.targets if t not in self.hit]

    @property
    def percent(self) -> Fraction:
        if not self.targets:
            return Fraction(100)
        return Fraction(100 * len(self.hit & set(self.targets)), len(self.targets))

    def observe(self, model: RuleFile, document: dict[str, Any]) -> None:
        """Mark what the subjects of one scored case reached (an export document)."""
        for name, award in model.awards.items():
            rows = document["awards"].get(name, {}).get("results", [])
            for row in rows:
                self.hit.update(_reached(name, award, row))


def targets_of(model: RuleFile) -> list[Target]:
    """Every path of a rule file, in rule-file order."""
    out: list[Target] = []
    for name, award in model.awards.items():
        if award.eligible is not None:
            out += [Target(name, "eligible", "true"), Target(name, "eligible", "false")]
        for i, _ in enumerate(award.veto):
            out += [Target(name, f"veto[{i}]", "held"), Target(name, f"veto[{i}]", "not held")]
        for path, node in _leaves(award):
            out += [Target(name, path, o) for o in _outcomes(node)]
        if award.quota is not None:
            out += [Target(name, "quota", o) for o in ("selected", "not selected", "boundary tie")]
    return out


def _leaves(award: Award) -> Iterator[tuple[str, Node]]:
    def walk(nodes: dict[str, Node], prefix: str) -> Iterator[tuple[str, Node]]:
        for key, node in nodes.items():
            path = f"{prefix}{key}"
            if node.criteria is not None:
                yield from walk(node.criteria, f"{path}.")
            else:
                yield path, node

    yield from walk(award.criteria, "")
    for block in ("bonus", "deductions"):
        items = getattr(award, block)
        if items is not None:
            yield from walk(items.items, f"{block}.")


def _band_label(i: int, band: Band) -> str:
    bounds = [f"{k}: {v}" for k, v in (("min", band.min), ("max", band.max)) if v is not None]
    return f"band {i + 1} {{{', '.join(bounds) or 'fallback'}}}"


def _outcomes(node: Node) -> list[str]:
    score = node.score
    if isinstance(score, Bands):
        return [_band_label(i, b) for i, b in enumerate(score.bands)]
    if isinstance(score, Per) and node.max is not None and abs(score.per) >= node.max:
        return [BELOW, CAP]  # one unit spans the whole range: nothing lies inside
    if isinstance(score, Linear | Per):
        return [BELOW, INSIDE, CAP]
    if isinstance(score, When):
        return ["true", "false"]
    return []


def _reached(name: str, award: Award, row: dict[str, Any]) -> Iterator[Target]:
    if award.eligible is not None:
        yield Target(name, "eligible", "true" if row["eligible"] else "false")
    held = set(row["veto"])
    for i, veto in enumerate(award.veto):
        yield Target(name, f"veto[{i}]", "held" if veto.reason in held else "not held")
    for path, node in _leaves(award):
        outcome = _leaf_outcome(node, row["metrics"].get(path), row["points"].get(path))
        if outcome is not None:
            yield Target(name, path, outcome)
    ranked = row["eligible"] and not row["veto"]
    if award.quota is not None and ranked:
        if row["boundary_tie"]:
            yield Target(name, "quota", "boundary tie")
        yield Target(name, "quota", "selected" if row["selected"] else "not selected")


def _number(value: Any) -> Fraction | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal):
        return Fraction(value)
    return None


def _leaf_outcome(node: Node, metric: Any, points: Any) -> str | None:
    score = node.score
    if isinstance(score, When):
        got = _number(points)
        return None if got is None else ("true" if got > 0 else "false")
    x = _number(metric)
    top = Fraction(node.max) if node.max is not None else None
    if x is None or top is None:
        return None  # no data: no band, no side
    if isinstance(score, Bands):
        for i, band in enumerate(score.bands):
            low = band.min is None or Fraction(band.min) <= x
            if low and (band.max is None or x <= Fraction(band.max)):
                return _band_label(i, band)
        return None
    if isinstance(score, Linear):
        lo, hi = (Fraction(v) for v in score.linear)
        return _side((x - lo) / (hi - lo), Fraction(1))
    if isinstance(score, Per):
        k = Fraction(score.per)
        return _side(k * x if k > 0 else top + k * x, top)
    return None


def _side(raw: Fraction, cap: Fraction) -> str:
    if raw <= 0:
        return BELOW
    return CAP if raw >= cap else INSIDE


def merge_coverage(into: dict[str, Coverage], cov: Coverage) -> None:
    """Add one test file's coverage to its rule file's (several test files may
    test the same rule file)."""
    if cov.rules in into:
        into[cov.rules].hit |= cov.hit
    else:
        into[cov.rules] = Coverage(cov.rules, list(cov.targets), set(cov.hit))


def render_coverage(cov: Coverage, *, every: bool) -> list[str]:
    """`coverage of R: 96.4% (54 of 56 paths)`, then every path (`every`) or
    only the ones no test reached."""
    reached = len(cov.hit & set(cov.targets))
    percent = float(cov.percent)
    out = [f"coverage of {cov.rules}: {percent:.1f}% ({reached} of {len(cov.targets)} paths)"]
    for t in cov.targets:
        if t in cov.hit and every:
            out.append(f"  ran      {t.label()}")
        elif t not in cov.hit:
            out.append(f"  not run  {t.label()}")
    return out
