"""`quota.per_at_least` (每单位至少 K 名, SPEC §2.4) and the remainder-tie report,
from the spec's wording: floors min(K, ranked of the value); N raised to the
floors' sum when they exceed it; largest remainder; every value below its floor
gets exactly its floor and is set aside, all at once; the rest split afresh."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.ranking import (
    Entry,
    QuotaSpec,
    RemainderTie,
    place,
    place_award,
    split_seats,
    split_seats_with_floors,
)


def unit_entries(sizes: dict[str, int], total: F = F(80)) -> list[Entry]:
    """`n` ranked subjects per unit, totals falling by unit then member (no ties)."""
    out = []
    for u, n in sizes.items():
        for i in range(n):
            out.append(Entry(f"{u}{i:02d}", None, True, total - i, group=u))
    return out


def seats_by_unit(entries: list[Entry], quota: QuotaSpec) -> dict[str | None, int]:
    placements = place(entries, tie_desc=[], grades={}, quota=quota)
    group = {e.key: e.group for e in entries}
    return dict(Counter(group[p.key] for p in placements if p.selected))


# -- the split itself --------------------------------------------------------------


def test_spec_example_n5() -> None:
    split = split_seats_with_floors(5, {"a": 10, "b": 3, "c": 2}, 1)
    assert split.seats == {"a": 3, "b": 1, "c": 1}
    assert split.total == 5


def test_spec_example_n2_raises_n_to_the_floors() -> None:
    split = split_seats_with_floors(2, {"a": 10, "b": 3, "c": 2}, 1)
    assert split.seats == {"a": 1, "b": 1, "c": 1}
    assert split.total == 3


def test_floors_exceeding_n() -> None:
    split = split_seats_with_floors(1, {"a": 4, "b": 4, "c": 1, "d": 2}, 2)
    # floors 2, 2, 1, 2 = 7 > 1: N becomes 7 and every value gets exactly its floor
    assert split.seats == {"a": 2, "b": 2, "c": 1, "d": 2}
    assert split.total == 7


def test_a_value_with_fewer_ranked_than_k_gets_all_of_them() -> None:
    # floors a: 3, b: min(3, 1) = 1; N = 4: the plain split gives a 4, b 0 (remainders
    # 40/11 and 4/11); b is set aside with 1 and a gets the 3 left.
    split = split_seats_with_floors(4, {"a": 10, "b": 1}, 3)
    assert split.seats == {"a": 3, "b": 1}
    assert split_seats(4, {"a": 10, "b": 1}) == {"a": 4, "b": 0}


def test_set_aside_rounds_repeat_until_no_value_is_below_its_floor() -> None:
    # N = 6 over 20, 3, 3, 2 with K = 2: round 1 gives 4, 1, 1, 0 -> the three small
    # values are set aside at 2 each; 0 seats are left for the big one... which is below
    # its floor of 2 in round 2, so it takes its floor too and N is their sum 8.
    split = split_seats_with_floors(6, {"big": 20, "s1": 3, "s2": 3, "s3": 2}, 2)
    assert split.seats == {"big": 2, "s1": 2, "s2": 2, "s3": 2}
    assert split.total == 8
    # the same with room to spare: 10 seats, floors 8; round 1 gives 7, 1, 1, 1
    split = split_seats_with_floors(10, {"big": 20, "s1": 3, "s2": 3, "s3": 2}, 2)
    assert split.seats == {"big": 4, "s1": 2, "s2": 2, "s3": 2}
    assert split.total == 10


def test_without_floors_it_is_the_plain_split() -> None:
    sizes: dict[str | None, int] = {"a": 7, "b": 2, None: 3}
    assert split_seats_with_floors(5, sizes, None).seats == split_seats(5, sizes)


def test_empty_values_have_no_floor() -> None:
    split = split_seats_with_floors(2, {"a": 5, "b": 0}, 1)
    assert split.seats == {"a": 2, "b": 0}


SIZES = st.dictionaries(
    st.sampled_from(["城关镇", "南寨镇", "B", "C", "D", None]), st.integers(0, 12), max_size=6
)


@settings(max_examples=200, deadline=None)
@given(SIZES, st.data(), st.integers(1, 5))
def test_split_with_floors_properties(
    sizes: dict[str | None, int], data: st.DataObject, k: int
) -> None:
    total_size = sum(sizes.values())
    n = data.draw(st.integers(0, total_size))
    split = split_seats_with_floors(n, sizes, k)
    floors = {g: min(k, size) for g, size in sizes.items()}
    assert split.total == max(n, sum(floors.values()))  # N, raised only for the floors
    assert sum(split.seats.values()) == split.total
    assert set(split.seats) == set(sizes)
    for g, size in sizes.items():
        assert floors[g] <= split.seats[g] <= size  # every floor met, never more than ranked


# -- through the ranking ---------------------------------------------------------------


def test_every_unit_gets_a_seat_with_count() -> None:
    entries = unit_entries({"城关镇": 10, "南寨镇": 3, "水沟镇": 2})
    quota = QuotaSpec(count=2, per=True, per_at_least=1)
    assert seats_by_unit(entries, quota) == {"城关镇": 1, "南寨镇": 1, "水沟镇": 1}
    without = QuotaSpec(count=2, per=True)  # shares 4/3, 2/5, 4/15: 水沟镇 gets none
    assert seats_by_unit(entries, without) == {"城关镇": 1, "南寨镇": 1}


def test_share_and_at_least_then_floors() -> None:
    entries = unit_entries({"a": 12, "b": 2, "c": 1})
    # 10% of 15 = 1, at_least 2 -> 2; floors 1 + 1 + 1 = 3 > 2 -> 3 seats, one each
    quota = QuotaSpec(share=F(1, 10), at_least=2, per=True, per_at_least=1)
    assert seats_by_unit(entries, quota) == {"a": 1, "b": 1, "c": 1}
    # 50% of 15 = 7: round 1 gives a 6, b 1, c 0 (shares 5.6, 0.93, 0.47); c is set
    # aside at its floor 1, and the 6 left split afresh over a and b: 5.14, 0.86 -> 5, 1
    quota = QuotaSpec(share=F(1, 2), per=True, per_at_least=1)
    assert seats_by_unit(entries, quota) == {"a": 5, "b": 1, "c": 1}


def test_min_score_still_applies_within_each_value() -> None:
    entries = [*unit_entries({"a": 5}), *unit_entries({"b": 2}, total=F(50))]
    quota = QuotaSpec(count=2, per=True, per_at_least=1, min_score=F(60))
    # b's floor seat exists, but nobody in b reaches 60: it stays empty
    assert seats_by_unit(entries, quota) == {"a": 1}


def test_unranked_subjects_do_not_earn_a_floor() -> None:
    entries = [
        *unit_entries({"a": 5}),
        Entry("b00", None, False, F(99), group="b"),  # vetoed or ineligible
    ]
    quota = QuotaSpec(count=1, per=True, per_at_least=1)
    assert seats_by_unit(entries, quota) == {"a": 1}


def test_per_at_least_needs_per() -> None:
    with pytest.raises(ValueError, match="per_at_least goes with per only"):
        QuotaSpec(count=2, per_at_least=1)


# -- remainder ties ---------------------------------------------------------------------


def test_a_seat_decided_by_the_remainder_tie_break_is_reported() -> None:
    # three stations of 2 ranked couriers each share 2 seats: remainders 2/3 each
    entries = unit_entries({"东站": 2, "南站": 2, "西站": 2})
    placing = place_award(entries, tie_desc=[], grades={}, quota=QuotaSpec(count=2, per=True))
    assert placing.remainder_ties == (RemainderTie(F(2, 3), ("东站", "南站"), ("西站",)),)
    assert placing.remainder_ties[0].message() == (
        "a seat was decided by the remainder tie-break: 东站, 南站 and 西站 had the same "
        "remainder; 东站, 南站 got a seat each by the value in text order"
    )


def test_size_decides_a_remainder_tie_and_is_reported() -> None:
    split = split_seats_with_floors(3, {"a": 3, "b": 1, "c": 2}, None)
    # shares 1.5, 0.5, 1: a and b tie on 1/2, one seat left goes to the larger a
    assert split.seats == {"a": 2, "b": 0, "c": 1}
    assert split.remainder_ties == (RemainderTie(F(1, 2), ("a",), ("b",), by_size=True),)
    assert split.remainder_ties[0].message().endswith("a got the seat by more ranked subjects")


def test_no_report_when_the_remainders_decide() -> None:
    placing = place_award(
        unit_entries({"a": 10, "b": 3, "c": 2}),
        tie_desc=[],
        grades={},
        quota=QuotaSpec(count=5, per=True),
    )
    assert placing.remainder_ties == ()


def test_no_report_when_every_tied_value_gets_its_seat() -> None:
    split = split_seats_with_floors(3, {"a": 1, "b": 1, "c": 1}, None)
    assert split.seats == {"a": 1, "b": 1, "c": 1}
    assert split.remainder_ties == ()
    split = split_seats_with_floors(2, {"a": 2, "b": 1, "c": 1}, None)
    # shares 1, 1/2, 1/2: one seat left for two equal remainders
    assert split.remainder_ties == (RemainderTie(F(1, 2), ("b",), ("c",)),)


def test_without_per_there_is_no_split_and_no_tie() -> None:
    placing = place_award(unit_entries({"a": 3}), tie_desc=[], grades={}, quota=QuotaSpec(count=1))
    assert placing.remainder_ties == ()
    assert [p.key for p in placing.placements if p.selected] == ["a00"]


@st.composite
def unit_awards(draw: st.DrawFn) -> tuple[list[Entry], QuotaSpec]:
    groups = st.sampled_from(["城关镇", "南寨镇", "B", None])
    figures = st.integers(0, 6).map(lambda n: F(n, 2))
    keys = draw(st.lists(st.text("abc张", min_size=1, max_size=3), unique=True, max_size=14))
    entries = [
        Entry(k, None, draw(st.booleans() | st.just(True)), draw(figures), group=draw(groups))
        for k in keys
    ]
    quota = draw(
        st.builds(
            QuotaSpec,
            count=st.integers(0, 6),
            per=st.just(True),
            per_at_least=st.integers(1, 3),
            min_score=st.none() | figures,
            boundary_tie=st.just("include_all"),
        )
    )
    return entries, quota


@settings(max_examples=150, deadline=None)
@given(unit_awards())
def test_every_value_gets_its_floor_of_candidates(award: tuple[list[Entry], QuotaSpec]) -> None:
    entries, quota = award
    assert quota.per_at_least is not None
    placements = place(entries, tie_desc=[], grades={}, quota=quota)
    chosen = {p.key for p in placements if p.selected}
    ranked = [e for e in entries if e.ranked]
    least = quota.min_score
    for g in {e.group for e in ranked}:
        members = [e for e in ranked if e.group == g]
        candidates = [e for e in members if least is None or e.total >= least]
        floor = min(quota.per_at_least, len(members))
        got = sum(e.key in chosen for e in members)
        assert got >= min(floor, len(candidates))  # include_all never leaves a floor seat
    assert chosen <= {e.key for e in ranked}
