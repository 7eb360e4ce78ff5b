"""Ranking, grades and quota selection (SPEC §2.4, §2.5): table-driven cases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction as F

import pytest

from scoring.ranking import (
    BoundaryTie,
    Entry,
    Placement,
    QuotaSpec,
    boundary_ties,
    place,
    quota_seats,
    split_seats,
)

GRADES = {"合格": F(60), "优秀": F(90), "不合格": F(0), "良好": F(75)}  # not highest first


def e(
    key: str,
    total: int | str,
    *tie: int | str,
    ranked: bool = True,
    group: str | None = None,
    numeric: bool = False,
) -> Entry:
    """A short way to write an entry: totals and tie figures as exact decimals."""
    return Entry(
        key=key,
        key_number=int(key) if numeric else None,
        ranked=ranked,
        total=F(total),
        tie=tuple(F(p) for p in tie),
        group=group,
    )


def run(
    entries: Sequence[Entry],
    quota: QuotaSpec | None = None,
    *,
    tie_desc: Sequence[bool] = (),
    grades: Mapping[str, F] | None = None,
    resolved: Mapping[str, bool] | None = None,
) -> list[Placement]:
    return place(
        entries,
        tie_desc=tie_desc,
        grades=GRADES if grades is None else grades,
        quota=quota,
        resolved=resolved,
    )


def keys(placements: Sequence[Placement]) -> list[str]:
    return [p.key for p in placements]


def ranks(placements: Sequence[Placement]) -> dict[str, int | None]:
    return {p.key: p.rank for p in placements}


def selected(placements: Sequence[Placement]) -> set[str]:
    return {p.key for p in placements if p.selected}


def tied(placements: Sequence[Placement]) -> set[str]:
    return {p.key for p in placements if p.boundary_tie}


# ---------------------------------------------------------------- order and ranks


@pytest.mark.parametrize(
    ("entries", "tie_desc", "order", "expected_ranks"),
    [
        pytest.param(
            [e("c", 85), e("a", 90), e("d", 80), e("b", 85)],
            (),
            ["a", "b", "c", "d"],
            [1, 2, 2, 4],
            id="competition-ranks-1-2-2-4",
        ),
        pytest.param(
            [e("b", 70), e("c", 70), e("a", 70)],
            (),
            ["a", "b", "c"],
            [1, 1, 1],
            id="all-equal-share-rank-1",
        ),
        pytest.param(
            [e("a", 80, 10), e("b", 80, 30), e("c", 80, 20), e("d", 90, 0)],
            (True,),
            ["d", "b", "c", "a"],
            [1, 2, 3, 4],
            id="tie-break-higher-first",
        ),
        pytest.param(
            [e("a", 80, 10), e("b", 80, 30), e("c", 80, 20)],
            (False,),
            ["a", "c", "b"],
            [1, 2, 3],
            id="tie-break-minus-path-lower-first",
        ),
        pytest.param(
            [e("a", 80, 5, 1), e("b", 80, 5, 3), e("c", 80, 7, 9), e("d", 80, 5, 1)],
            (False, True),
            ["b", "a", "d", "c"],
            [1, 2, 2, 4],
            id="two-tie-breaks-then-shared-rank",
        ),
        pytest.param(
            [e("a", "87.25", "35.50"), e("b", "87.25", "35.5")],
            (True,),
            ["a", "b"],
            [1, 1],
            id="equal-fractions-written-differently-tie",
        ),
        pytest.param(
            [e("10", 80, numeric=True), e("9", 80, numeric=True), e("100", 80, numeric=True)],
            (),
            ["9", "10", "100"],
            [1, 1, 1],
            id="int-key-numeric-order",
        ),
        pytest.param(
            [e("10", 80), e("9", 80), e("100", 80)],
            (),
            ["10", "100", "9"],
            [1, 1, 1],
            id="text-key-code-point-order",
        ),
        pytest.param(
            [e("张三", 80), e("R0002", 80), e("r0001", 80)],
            (),
            ["R0002", "r0001", "张三"],
            [1, 1, 1],
            id="text-key-code-point-not-locale",
        ),
    ],
)
def test_order_and_competition_ranks(
    entries: list[Entry], tie_desc: tuple[bool, ...], order: list[str], expected_ranks: list[int]
) -> None:
    result = run(entries, tie_desc=tie_desc)
    assert keys(result) == order
    assert [p.rank for p in result] == expected_ranks


def test_unranked_come_last_in_key_order_without_rank_grade_or_selection() -> None:
    entries = [
        e("9", 100, ranked=False, numeric=True),
        e("3", 50, numeric=True),
        e("10", 95, ranked=False, numeric=True),
        e("4", 60, numeric=True),
    ]
    result = run(entries, QuotaSpec(count=4, boundary_tie="include_all"))
    assert result[2:] == [
        Placement("9", None, None, False, False),
        Placement("10", None, None, False, False),
    ]
    assert keys(result[:2]) == ["4", "3"]
    assert [p.rank for p in result[:2]] == [1, 2]
    assert selected(result) == {"3", "4"}


def test_unranked_do_not_count_for_ranks_or_tie_figures() -> None:
    entries = [e("a", 99, ranked=False), e("b", 80, 1), e("c", 70, 2)]
    result = run(entries, tie_desc=(True,))
    assert ranks(result) == {"b": 1, "c": 2, "a": None}


def test_empty_award() -> None:
    assert run([], QuotaSpec(share=F(1, 10), at_least=1)) == []


# ---------------------------------------------------------------- grades


@pytest.mark.parametrize(
    ("total", "grades", "grade"),
    [
        ("95", GRADES, "优秀"),
        ("90", GRADES, "优秀"),
        ("89.99", GRADES, "良好"),
        ("75", GRADES, "良好"),
        ("60", GRADES, "合格"),
        ("59.99", GRADES, "不合格"),
        ("0", GRADES, "不合格"),
        ("59.99", {"合格": F(60), "优秀": F(90)}, None),
        ("100", {}, None),
        ("80", {"B": F(60), "A": F(60)}, "A"),  # equal minima: code-point order
    ],
)
def test_grade_by_threshold_whatever_the_mapping_order(
    total: str, grades: dict[str, F], grade: str | None
) -> None:
    (placement,) = run([e("a", total)], grades=grades)
    assert placement.grade == grade


# ---------------------------------------------------------------- seats


@pytest.mark.parametrize(
    ("quota", "ranked", "seats"),
    [
        (QuotaSpec(count=3), 10, 3),
        (QuotaSpec(count=15), 10, 10),
        (QuotaSpec(count=0), 10, 0),
        (QuotaSpec(share=F(1, 10)), 23, 2),  # floors, not rounding
        (QuotaSpec(share=F(1, 10)), 9, 0),
        (QuotaSpec(share=F(1, 10), at_least=1), 9, 1),
        (QuotaSpec(share=F(1, 10), at_least=1), 23, 2),
        (QuotaSpec(share=F(1, 10), at_least=5), 3, 3),  # never above the number ranked
        (QuotaSpec(share=F(1, 10), at_least=1), 0, 0),
        (QuotaSpec(share=F("0.29")), 100, 29),  # a float would give 28.999…
        (QuotaSpec(share=F(1, 3)), 9, 3),
        (QuotaSpec(share=F(1)), 7, 7),
    ],
)
def test_quota_seats(quota: QuotaSpec, ranked: int, seats: int) -> None:
    assert quota_seats(quota, ranked) == seats


def test_quota_seats_rejects_negative_ranked() -> None:
    with pytest.raises(ValueError, match="negative"):
        quota_seats(QuotaSpec(count=1), -1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of count and share"),
        ({"count": 1, "share": F(1, 2)}, "exactly one of count and share"),
        ({"count": 2, "at_least": 1}, "at_least goes with share only"),
        ({"count": -1}, "must not be negative"),
        ({"share": F(3, 2)}, r"share must lie in \[0, 1\]"),
        ({"share": F(-1, 2)}, r"share must lie in \[0, 1\]"),
        ({"share": F(1, 2), "at_least": -1}, "must not be negative"),
        ({"count": 1, "boundary_tie": "coin_toss"}, "expected one of: flag, include_all"),
    ],
)
def test_quota_spec_rejects_degenerate_quotas(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        QuotaSpec(**kwargs)  # type: ignore[arg-type]


def test_min_score_leaves_seats_empty() -> None:
    entries = [e("a", 90), e("b", 80), e("c", 70), e("d", 60)]
    result = run(entries, QuotaSpec(count=3, min_score=F(75)))
    assert selected(result) == {"a", "b"}
    assert tied(result) == set()


def test_min_score_is_inclusive() -> None:
    entries = [e("a", 90), e("b", "75.00"), e("c", "74.99")]
    assert selected(run(entries, QuotaSpec(count=3, min_score=F(75)))) == {"a", "b"}


def test_without_quota_no_one_is_selected() -> None:
    result = run([e("a", 90), e("b", 90)])
    assert selected(result) == set()
    assert tied(result) == set()
    assert boundary_ties([e("a", 90), e("b", 90)], tie_desc=(), quota=None) == []


# ---------------------------------------------------------------- split across units


@pytest.mark.parametrize(
    ("seats", "sizes", "expected"),
    [
        pytest.param(10, {"a": 5, "b": 3, "c": 2}, {"a": 5, "b": 3, "c": 2}, id="exact"),
        pytest.param(3, {"a": 4, "b": 3, "c": 2}, {"a": 1, "b": 1, "c": 1}, id="largest-remainder"),
        pytest.param(
            5, {"a": 1, "b": 3, "c": 6}, {"a": 0, "b": 2, "c": 3}, id="tied-remainder-larger-wins"
        ),
        pytest.param(1, {"b": 1, "a": 1}, {"a": 1, "b": 0}, id="tied-remainder-text-order"),
        pytest.param(1, {"a": 1, None: 1}, {None: 1, "a": 0}, id="tied-remainder-null-first"),
        pytest.param(1, {"城关镇": 2, "南寨镇": 2}, {"南寨镇": 1, "城关镇": 0}, id="code-point"),
        pytest.param(1, {"B": 3, "a": 3}, {"B": 1, "a": 0}, id="upper-before-lower"),
        pytest.param(2, {"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 0}, id="two-of-three"),
        pytest.param(0, {"a": 4, "b": 0}, {"a": 0, "b": 0}, id="no-seats"),
        pytest.param(0, {}, {}, id="no-groups"),
        pytest.param(3, {"a": 3, "b": 0}, {"a": 3, "b": 0}, id="empty-group-gets-nothing"),
        pytest.param(4, {"a": 2, "b": 2}, {"a": 2, "b": 2}, id="every-seat"),
    ],
)
def test_split_seats(
    seats: int, sizes: dict[str | None, int], expected: dict[str | None, int]
) -> None:
    result = split_seats(seats, sizes)
    assert result == expected
    assert list(result) == sorted(result, key=lambda g: (g is not None, g or ""))


@pytest.mark.parametrize(
    ("seats", "sizes", "message"),
    [
        (3, {"a": 2}, "cannot split 3 seats across 2 subjects"),
        (1, {}, "cannot split 1 seats across 0 subjects"),
        (-1, {"a": 2}, "seats must not be negative"),
        (1, {"a": 2, "b": -1}, "sizes must not be negative"),
    ],
)
def test_split_seats_rejects(seats: int, sizes: dict[str | None, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_seats(seats, sizes)


def test_per_unit_selection_follows_the_split() -> None:
    entries = [
        e("x1", 95, group="城关镇"),
        e("x2", 90, group="城关镇"),
        e("x3", 85, group="城关镇"),
        e("x4", 50, group="城关镇"),
        e("y1", 60, group="南寨镇"),
        e("y2", 55, group="南寨镇"),
        e("n1", 40, group=None),
        e("z9", 99, group="草碧镇", ranked=False),  # unranked: no share of the seats
    ]
    # 3 seats over 7 ranked: 南寨镇 6/7 → 0 + 1 (largest remainder), 城关镇 12/7 → 1 + 1
    # (next largest), null 3/7 → 0.
    result = run(entries, QuotaSpec(count=3, per=True))
    assert selected(result) == {"x1", "x2", "y1"}
    assert ranks(result)["y1"] == 4  # ranks stay award-wide


def test_per_unit_min_score_keeps_a_units_seat_empty() -> None:
    entries = [e("x1", 95, group="a"), e("x2", 90, group="a"), e("y1", 60, group="b")]
    result = run(entries, QuotaSpec(count=2, per=True, min_score=F(75)))
    assert selected(result) == {"x1"}  # b's seat stays empty; a does not take it


def test_per_false_ignores_groups() -> None:
    entries = [e("x1", 95, group="a"), e("x2", 90, group="a"), e("y1", 60, group="b")]
    assert selected(run(entries, QuotaSpec(count=2))) == {"x1", "x2"}


# ---------------------------------------------------------------- boundary ties

POLICIES = ("flag", "include_all", "exclude_all")


@pytest.mark.parametrize(
    ("totals", "count", "outright", "boundary"),
    [
        pytest.param(
            [90, 80, 80, 70], 2, {"a"}, BoundaryTie(None, 2, ("b", "c"), 1), id="tie-across-line"
        ),
        pytest.param(
            [90, 80, 80, 80, 70],
            3,
            {"a"},
            BoundaryTie(None, 2, ("b", "c", "d"), 2),
            id="tie-straddles-2-of-3",
        ),
        pytest.param(
            [80, 80, 80], 1, set(), BoundaryTie(None, 1, ("a", "b", "c"), 1), id="all-tied-1-seat"
        ),
        pytest.param([90, 80, 80, 70], 3, {"a", "b", "c"}, None, id="tie-ends-at-last-seat"),
        pytest.param([90, 80, 80, 70], 4, {"a", "b", "c", "d"}, None, id="tie-inside-quota"),
        pytest.param([90, 80, 70, 70], 2, {"a", "b"}, None, id="tie-just-below-the-line"),
        pytest.param([90, 90, 80], 2, {"a", "b"}, None, id="tie-fills-the-quota"),
        pytest.param([90, 90, 80], 0, set(), None, id="no-seats-no-tie"),
        pytest.param([90, 80, 80], 5, {"a", "b", "c"}, None, id="more-seats-than-subjects"),
    ],
)
@pytest.mark.parametrize("policy", POLICIES)
def test_boundary_tie_policies(
    totals: list[int], count: int, outright: set[str], boundary: BoundaryTie | None, policy: str
) -> None:
    entries = [e(chr(ord("a") + i), t) for i, t in enumerate(totals)]
    quota = QuotaSpec(count=count, boundary_tie=policy)  # type: ignore[arg-type]
    result = run(entries, quota)
    tie = set(boundary.keys) if boundary else set()
    assert tied(result) == tie  # marked whatever the policy
    assert selected(result) == (outright | tie if policy == "include_all" else outright)
    assert boundary_ties(entries, tie_desc=(), quota=quota) == ([boundary] if boundary else [])


def test_default_policy_is_flag() -> None:
    result = run([e("a", 90), e("b", 80), e("c", 80)], QuotaSpec(count=2))
    assert selected(result) == {"a"}
    assert tied(result) == {"b", "c"}


def test_tie_break_removes_the_boundary_tie() -> None:
    entries = [e("a", 90, 0), e("b", 80, 3), e("c", 80, 5)]
    result = run(entries, QuotaSpec(count=2), tie_desc=(False,))  # -deductions: fewer first
    assert selected(result) == {"a", "b"}
    assert tied(result) == set()


def test_tie_below_min_score_is_not_a_boundary_tie() -> None:
    entries = [e("a", 90), e("b", 70), e("c", 70)]
    result = run(entries, QuotaSpec(count=2, min_score=F(75)))
    assert selected(result) == {"a"}
    assert tied(result) == set()


def test_per_unit_tie_is_judged_within_the_unit() -> None:
    entries = [
        e("x1", 90, group="X"),
        e("x2", 80, group="X"),
        e("x3", 80, group="X"),
        e("y1", 80, group="Y"),
        e("y2", 70, group="Y"),
    ]
    # 2 seats: X 6/5 → 1, Y 4/5 → 0 + 1. x2, x3 and y1 share rank 2 award-wide, but
    # X's last seat is x1 and Y's is y1: neither unit has a boundary tie.
    result = run(entries, QuotaSpec(count=2, per=True))
    assert selected(result) == {"x1", "y1"}
    assert tied(result) == set()
    # 4 seats: X 12/5 → 2, Y 8/5 → 1 + 1. X's last seat x2 ties with x3; y1 is not part
    # of that tie although it shares the rank.
    quota = QuotaSpec(count=4, per=True, boundary_tie="include_all")
    result = run(entries, quota)
    assert tied(result) == {"x2", "x3"}
    assert selected(result) == {"x1", "x2", "x3", "y1", "y2"}
    assert boundary_ties(entries, tie_desc=(), quota=quota) == [
        BoundaryTie("X", 2, ("x2", "x3"), 1)
    ]


def test_ties_in_several_units_null_unit_first() -> None:
    entries = [
        e("1", 80, group="B", numeric=True),
        e("2", 80, group="B", numeric=True),
        e("10", 70, group=None, numeric=True),
        e("3", 70, group=None, numeric=True),
    ]
    quota = QuotaSpec(count=2, per=True)
    assert boundary_ties(entries, tie_desc=(), quota=quota) == [
        BoundaryTie(None, 3, ("3", "10"), 1),
        BoundaryTie("B", 1, ("1", "2"), 1),
    ]
    assert selected(run(entries, quota)) == set()


@pytest.mark.parametrize(
    ("policy", "resolved", "expected"),
    [
        ("flag", {"c": True, "b": False}, {"a", "c"}),
        ("exclude_all", {"c": True, "b": False}, {"a", "c"}),
        ("include_all", {"c": True, "b": False}, {"a", "c"}),
        ("flag", {"c": True}, {"a", "c"}),  # the rest of the tie follows the policy
        ("include_all", {"b": False}, {"a", "c"}),
        ("flag", {}, {"a"}),
        ("flag", {"a": False, "d": True}, {"a"}),  # outside the tie: ignored
    ],
)
def test_resolved_decides_the_tie(
    policy: str, resolved: dict[str, bool], expected: set[str]
) -> None:
    entries = [e("a", 90), e("b", 80), e("c", 80), e("d", 70)]
    quota = QuotaSpec(count=2, boundary_tie=policy)  # type: ignore[arg-type]
    result = run(entries, quota, resolved=resolved)
    assert selected(result) == expected
    assert tied(result) == {"b", "c"}  # still marked after resolution


# ---------------------------------------------------------------- inputs


def test_output_does_not_depend_on_input_order() -> None:
    entries = [e("d", 70, 1), e("b", 80, 2), e("a", 90, 0), e("c", 80, 2), e("e", 99, ranked=False)]
    quota = QuotaSpec(count=2)
    expected = run(entries, quota, tie_desc=(True,))
    assert run(entries[::-1], quota, tie_desc=(True,)) == expected
    assert keys(expected) == ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize(
    ("entries", "tie_desc", "message"),
    [
        ([e("a", 1), e("a", 2)], (), "duplicate subject key 'a'"),
        ([e("1", 1, numeric=True), e("b", 2)], (), "every entry or none has a key_number"),
        ([e("a", 1, 1, 2)], (True,), "has 2 tie-break figures, expected 1"),
        ([e("a", 1)], (True,), "has 0 tie-break figures, expected 1"),
    ],
)
def test_place_rejects_inconsistent_entries(
    entries: list[Entry], tie_desc: tuple[bool, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        run(entries, tie_desc=tie_desc)


def test_unranked_entries_need_no_tie_figures() -> None:
    result = run([e("a", 1, 5), e("b", 2, ranked=False)], tie_desc=(True,))
    assert ranks(result) == {"a": 1, "b": None}
