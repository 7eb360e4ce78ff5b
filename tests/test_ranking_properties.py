"""Properties of ranking and selection that hold for every input (hypothesis)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.ranking import (
    BOUNDARY_POLICIES,
    Entry,
    Placement,
    QuotaSpec,
    boundary_ties,
    place,
    quota_seats,
    split_seats,
)

# Few distinct figures, so that ties are common; mostly halves, sometimes any
# small fraction (thirds, sevenths...) to exercise exact comparison.
ODD_FIGURES = [Fraction(s) for s in ("1/3", "2/3", "4/3", "3/7", "9/7", "0.17", "1.51", "3.99")]
FIGURES = st.integers(0, 8).map(lambda n: Fraction(n, 2)) | st.sampled_from(ODD_FIGURES)
GROUPS = st.sampled_from(["城关镇", "南寨镇", "B", None])
FAST = settings(max_examples=100, deadline=None)


@dataclass(frozen=True)
class Award:
    entries: list[Entry]
    tie_desc: tuple[bool, ...]
    grades: dict[str, Fraction]
    quota: QuotaSpec | None

    def place(self, resolved: dict[str, bool] | None = None) -> list[Placement]:
        return place(
            self.entries,
            tie_desc=self.tie_desc,
            grades=self.grades,
            quota=self.quota,
            resolved=resolved,
        )

    def sort_tuple(self, entry: Entry) -> tuple[Fraction, ...]:
        """What the ranking orders by, smaller first."""
        tie = (-p if desc else p for p, desc in zip(entry.tie, self.tie_desc, strict=True))
        return (-entry.total, *tie)


QUOTAS = st.one_of(
    st.none(),
    st.builds(
        QuotaSpec,
        count=st.integers(0, 8),
        min_score=st.none() | FIGURES,
        per=st.booleans(),
        boundary_tie=st.sampled_from(BOUNDARY_POLICIES),
    ),
    st.builds(
        QuotaSpec,
        share=st.fractions(0, 1, max_denominator=10),
        at_least=st.none() | st.integers(0, 4),
        min_score=st.none() | FIGURES,
        per=st.booleans(),
        boundary_tie=st.sampled_from(BOUNDARY_POLICIES),
    ),
)


@st.composite
def awards(draw: st.DrawFn) -> Award:
    numeric = draw(st.booleans())
    n_ties = draw(st.integers(0, 2))
    if numeric:
        numbers = draw(st.lists(st.integers(0, 120), unique=True, max_size=12))
        keys: list[tuple[str, int | None]] = [(str(k), k) for k in numbers]
    else:
        texts = draw(st.lists(st.text("9a1Z张", min_size=1, max_size=3), unique=True, max_size=12))
        keys = [(k, None) for k in texts]
    entries = [
        Entry(
            key=key,
            key_number=number,
            ranked=draw(st.booleans() | st.just(True)),
            total=draw(FIGURES),
            tie=tuple(draw(FIGURES) for _ in range(n_ties)),
            group=draw(GROUPS),
        )
        for key, number in keys
    ]
    tie_desc = tuple(draw(st.booleans()) for _ in range(n_ties))
    grades = draw(st.dictionaries(st.sampled_from("ABCD"), FIGURES, max_size=4))
    return Award(entries, tie_desc, grades, draw(QUOTAS))


def candidates(award: Award) -> dict[str, Entry]:
    """Ranked subjects at or above min_score: the only ones that may be selected."""
    q = award.quota
    return {
        e.key: e
        for e in award.entries
        if e.ranked and (q is None or q.min_score is None or e.total >= q.min_score)
    }


@FAST
@given(awards())
def test_ranks_agree_with_totals_and_tie_breaks(award: Award) -> None:
    result = award.place()
    by_key = {e.key: e for e in award.entries}
    ranked = [p for p in result if p.rank is not None]
    assert all(p.rank is None for p in result[len(ranked) :])  # unranked last
    assert {p.key for p in ranked} == {e.key for e in award.entries if e.ranked}
    tuples = [award.sort_tuple(by_key[p.key]) for p in ranked]
    assert tuples == sorted(tuples)  # total and tie figures never improve down the list
    for p, t in zip(ranked, tuples, strict=True):
        assert p.rank == 1 + sum(u < t for u in tuples)  # standard competition rank
    for (p, t), (q, u) in pairwise(zip(ranked, tuples, strict=True)):
        assert (p.rank == q.rank) == (t == u)  # shared rank iff equal figures
    for p in ranked:
        reached = [(m, label) for label, m in award.grades.items() if by_key[p.key].total >= m]
        assert p.grade == (min(reached, key=lambda ml: (-ml[0], ml[1]))[1] if reached else None)


@FAST
@given(awards())
def test_selection_respects_the_quota(award: Award) -> None:
    result = award.place()
    chosen = [p for p in result if p.selected]
    allowed = candidates(award)
    assert all(p.key in allowed for p in chosen)  # unranked, below min_score: never
    q = award.quota
    if q is None:
        assert not chosen and not any(p.boundary_tie for p in result)
        return
    seats = quota_seats(q, sum(e.ranked for e in award.entries))
    ties = boundary_ties(award.entries, tie_desc=award.tie_desc, quota=q)
    if not (q.boundary_tie == "include_all" and ties):
        assert len(chosen) <= seats
    outright = [p for p in chosen if not p.boundary_tie]
    assert len(outright) + sum(t.seats for t in ties) <= seats
    assert {p.key for p in result if p.boundary_tie} == {k for t in ties for k in t.keys}
    for t in ties:
        assert 0 < t.seats < len(t.keys)


@FAST
@given(awards())
def test_no_candidate_is_passed_over_for_a_lower_rank(award: Award) -> None:
    q = award.quota
    result = award.place()
    allowed = candidates(award)
    rank = {p.key: p.rank for p in result}
    chosen = [p for p in result if p.selected]
    for p in chosen:
        for key, entry in allowed.items():
            same_unit = q is None or not q.per or entry.group == allowed[p.key].group
            better = (rank[key] or 0) < (p.rank or 0)
            if same_unit and better:
                assert key in {c.key for c in chosen}


@FAST
@given(awards(), st.data())
def test_resolving_every_tie_with_its_seats_fills_the_quota_exactly(
    award: Award, data: st.DataObject
) -> None:
    q = award.quota
    ties = boundary_ties(award.entries, tie_desc=award.tie_desc, quota=q)
    resolved: dict[str, bool] = {}
    for t in ties:
        picked = set(data.draw(st.permutations(t.keys))[: t.seats])
        resolved.update({k: k in picked for k in t.keys})
    result = award.place(resolved)
    if q is None:
        assert not any(p.selected for p in result)
        return
    seats = quota_seats(q, sum(e.ranked for e in award.entries))
    assert sum(p.selected for p in result) <= seats
    assert {p.key for p in result if p.selected and p.boundary_tie} == {
        k for k, v in resolved.items() if v
    }


@FAST
@given(awards(), st.randoms(use_true_random=False))
def test_same_inputs_in_any_order_give_the_same_output(award: Award, rnd: random.Random) -> None:
    shuffled = list(award.entries)
    rnd.shuffle(shuffled)
    grades = dict(reversed(list(award.grades.items())))
    again = place(shuffled, tie_desc=award.tie_desc, grades=grades, quota=award.quota)
    assert again == award.place()


@FAST
@given(st.dictionaries(GROUPS, st.integers(0, 30), max_size=4), st.data())
def test_split_seats_is_a_fair_largest_remainder_split(
    sizes: dict[str | None, int], data: st.DataObject
) -> None:
    total = sum(sizes.values())
    seats = data.draw(st.integers(0, total))
    result = split_seats(seats, sizes)
    assert set(result) == set(sizes)
    assert sum(result.values()) == seats
    for group, size in sizes.items():
        exact = Fraction(seats * size, total) if total else Fraction(0)
        assert math.floor(exact) <= result[group] <= math.ceil(exact)  # the quota rule
        assert result[group] <= size
    assert split_seats(seats, dict(reversed(list(sizes.items())))) == result
