"""Ranking, grades, quota and boundary ties through the engine (SPEC §2.4):
a tiny campaign whose totals are set by the records, scored and exported."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import D, Scored, campaign

TEXT_KEYS = """
people:
  key: id
  columns: {id: text, name: text, unit: text, member: bool}
records:
  date: day
  links: {people: person}
  columns: {person: text, day: date, v: number, kind: text}
"""

INT_KEYS = """
people:
  key: id
  columns: {id: int, name: text, unit: text, member: bool}
records:
  date: day
  links: {people: person}
  columns: {person: int, day: date, v: number, kind: text}
"""


def award(extra: str = "", *, head: str = "") -> str:
    """Award `a`: total = sum(records.v) (0..1000), plus whatever `extra` adds."""
    lines = ["a:", "  title: 排名", "  subjects: people"]
    lines += ["  " + line for line in head.strip("\n").splitlines()]
    lines += [
        "  criteria:",
        "    k: {max: 1000, metric: \"sum(records[kind != 'd'].v)\", score: {per: 1}}",
    ]
    lines += ["  " + line for line in extra.strip("\n").splitlines()]
    return "\n".join(lines) + "\n"


def scored(
    tmp_path: Path,
    totals: dict[Any, Any],
    extra: str = "",
    *,
    units: dict[Any, str | None] | None = None,
    ineligible: tuple[Any, ...] = (),
    deductions: dict[Any, int] | None = None,
    tables: str = TEXT_KEYS,
    name: str = "c",
) -> Scored:
    """Subjects with the given criteria totals (None: no record)."""
    head = 'eligible: "member"'
    subjects = [
        {
            "id": key,
            "name": f"n{key}",
            "unit": (units or {}).get(key, "u"),
            "member": key not in ineligible,
        }
        for key in totals
    ]
    rows: list[dict[str, Any]] = []
    for key, total in totals.items():
        if total is not None:
            rows.append({"person": key, "day": "2022-05-05", "v": total, "kind": "k"})
        for _ in range((deductions or {}).get(key, 0)):
            rows.append({"person": key, "day": "2022-05-05", "v": 0, "kind": "d"})
    data = {"people": subjects, "records": rows}
    return campaign(tmp_path, award(extra, head=head), data, tables=tables, name=name)


def ranks(s: Scored) -> list[tuple[str, int | None]]:
    return [(r["subject"], r["rank"]) for r in s.results()]


# ------------------------------------------------------------------ ranks and order


def test_competition_ranks(tmp_path: Path) -> None:
    s = scored(tmp_path, {"A": 90, "C": 80, "B": 80, "D": 70, "E": 80, "F": 10})
    assert ranks(s) == [
        ("A", 1),
        ("B", 2),
        ("C", 2),
        ("E", 2),
        ("D", 5),
        ("F", 6),
    ]


def test_ranks_use_rounded_totals(tmp_path: Path) -> None:
    # 80.004 and 80.001 both publish as 80.00: a tie, ordered by key.
    s = scored(tmp_path, {"B": 80.004, "A": 80.001, "C": 80.005})
    assert ranks(s) == [("C", 1), ("A", 2), ("B", 2)]
    assert s.total("A") == s.total("B") == D("80.00")


DEDUCTIONS = """
deductions:
  max: 10
  items:
    d: {max: 10, metric: "count(records[kind == 'd'])", score: {per: 1}}
ranking:
  tie_break: [-deductions, k]
"""


def test_tie_break_lower_deductions_first(tmp_path: Path) -> None:
    # All totals 10: A = 12 − 2, C = 11 − 1, B = D = 10 − 0.
    s = scored(
        tmp_path,
        {"A": 12, "B": 10, "C": 11, "D": 10, "E": 20},
        DEDUCTIONS,
        deductions={"A": 2, "C": 1, "E": 10},
    )
    assert {k: s.total(k) for k in "ABCDE"} == dict.fromkeys("ABCDE", D("10.00"))
    assert ranks(s) == [("B", 1), ("D", 1), ("C", 3), ("A", 4), ("E", 5)]


def test_tie_break_higher_node_first_dotted_path(tmp_path: Path) -> None:
    extra = """
ranking:
  tie_break: [grp.x]
"""
    awards = """
a:
  title: 排名
  subjects: people
  criteria:
    grp:
      max: 20
      criteria:
        x: {max: 10, metric: "sum(records[kind == 'x'].v)", score: {per: 1}}
        y: {max: 10, metric: "sum(records[kind == 'y'].v)", score: {per: 1}}
""" + "\n".join("  " + line for line in extra.strip().splitlines())
    rows = [
        {"person": "A", "day": "2022-01-01", "v": 3, "kind": "x"},
        {"person": "A", "day": "2022-01-01", "v": 7, "kind": "y"},
        {"person": "B", "day": "2022-01-01", "v": 6, "kind": "x"},
        {"person": "B", "day": "2022-01-01", "v": 4, "kind": "y"},
        {"person": "C", "day": "2022-01-01", "v": 10, "kind": "y"},
    ]
    people = [{"id": k, "member": True} for k in "ABC"]
    s = campaign(tmp_path, awards + "\n", {"people": people, "records": rows}, tables=TEXT_KEYS)
    assert ranks(s) == [("B", 1), ("A", 2), ("C", 3)]


def test_int_keys_order_numerically_and_export_as_strings(tmp_path: Path) -> None:
    s = scored(
        tmp_path,
        {10: 5, 9: 5, 100: 5, 2: 5, 1: 7, 30: 1, 4: 1},
        ineligible=(30, 4),
        tables=INT_KEYS,
    )
    assert ranks(s) == [
        ("1", 1),
        ("2", 2),
        ("9", 2),
        ("10", 2),
        ("100", 2),
        ("4", None),
        ("30", None),
    ]
    assert all(isinstance(r["subject"], str) for r in s.results())
    assert '"subject": "9"' in s.json_text


def test_text_keys_order_by_code_point(tmp_path: Path) -> None:
    keys = ["b", "B", "a", "10", "9", "张", "Z", "é", "_"]
    s = scored(tmp_path, dict.fromkeys(keys, 5))
    assert [k for k, _ in ranks(s)] == sorted(keys)
    assert {r for _, r in ranks(s)} == {1}


def test_results_order_ranked_then_unranked_by_key(tmp_path: Path) -> None:
    s = scored(
        tmp_path,
        {"E": 50, "D": 90, "C": 100, "B": 50, "A": 99},
        ineligible=("C", "A"),
    )
    assert ranks(s) == [("D", 1), ("B", 2), ("E", 2), ("A", None), ("C", None)]


# ------------------------------------------------------------------ grades


def test_grades_by_threshold_whatever_their_order(tmp_path: Path) -> None:
    extra = "grades: {合格: 60, 优秀: 90, 良好: 75}"
    s = scored(
        tmp_path,
        {"A": 95, "B": 90, "C": 89.99, "D": 75, "E": 60, "F": 59.99, "G": 0, "X": 99},
        extra,
        ineligible=("X",),
    )
    grades = {r["subject"]: r["grade"] for r in s.results()}
    assert grades == {
        "A": "优秀",
        "B": "优秀",
        "C": "良好",
        "D": "良好",
        "E": "合格",
        "F": None,
        "G": None,
        "X": None,
    }


# ------------------------------------------------------------------ quota


def test_no_quota_nobody_selected(tmp_path: Path) -> None:
    s = scored(tmp_path, {"A": 90, "B": 80})
    assert s.selected() == set()
    assert s.summary.selected == {"a": 0}


@pytest.mark.parametrize(
    ("quota", "ranked", "expected"),
    [
        ("{share: 0.1}", 23, 2),
        ("{share: 0.1, at_least: 3}", 23, 3),
        ("{share: 0.1}", 5, 0),
        ("{share: 0.1, at_least: 1}", 5, 1),
        ("{share: 0.29}", 100, 29),
        ("{share: 1, at_least: 50}", 4, 4),
        ("{count: 50}", 4, 4),
    ],
)
def test_quota_share_floor(tmp_path: Path, quota: str, ranked: int, expected: int) -> None:
    totals: dict[Any, Any] = {f"S{i:03d}": 1000 - i for i in range(ranked)}
    totals.update({f"X{i}": 999 for i in range(5)})  # ineligible: not counted in N
    s = scored(tmp_path, totals, f"quota: {quota}", ineligible=tuple(f"X{i}" for i in range(5)))
    assert len(s.selected()) == expected
    assert s.selected() == {f"S{i:03d}" for i in range(expected)}
    assert s.summary.selected == {"a": expected}


def test_quota_per_unit_largest_remainder(tmp_path: Path) -> None:
    # 10 ranked: u1 6, u2 3, u3 1; 5 seats → 3, 1.5, 0.5 → u2 wins the remainder tie (larger).
    units = {**{f"a{i}": "u1" for i in range(6)}, **{f"b{i}": "u2" for i in range(3)}, "c0": "u3"}
    totals = {k: 100 - i for i, k in enumerate(units)}
    units["z0"] = "u3"  # ineligible: does not count for u3's share
    totals["z0"] = 500
    s = scored(tmp_path, totals, "quota: {count: 5, per: unit}", units=units, ineligible=("z0",))
    picked = Counter(units[k] for k in s.selected())
    assert picked == {"u1": 3, "u2": 2}
    assert s.selected() == {"a0", "a1", "a2", "b0", "b1"}


def test_quota_per_remainder_tie_by_value_then_null_first(tmp_path: Path) -> None:
    units = {"x1": "b", "x2": "a", "x3": "c"}
    s = scored(
        tmp_path, {"x1": 90, "x2": 10, "x3": 50}, "quota: {count: 1, per: unit}", units=units
    )
    assert s.selected() == {"x2"}  # equal remainders and sizes: 'a' first
    units2: dict[Any, str | None] = {"x1": "a", "x2": None}
    s2 = scored(
        tmp_path,
        {"x1": 90, "x2": 10},
        "quota: {count: 1, per: unit}",
        units=units2,
        name="null",
    )
    assert s2.selected() == {"x2"}  # the null group compares first


def test_min_score_leaves_seats_empty(tmp_path: Path) -> None:
    s = scored(
        tmp_path,
        {"A": 80, "B": 50, "C": 49.99, "D": 10},
        "quota: {count: 3, min_score: 50}",
    )
    assert s.selected() == {"A", "B"}
    assert s.ties() == set()
    units = {"A": "u1", "B": "u1", "C": "u2", "D": "u2"}
    s2 = scored(
        tmp_path,
        {"A": 80, "B": 70, "C": 40, "D": 30},
        "quota: {count: 2, per: unit, min_score: 50}",
        units=units,
        name="per",
    )
    assert s2.selected() == {"A"}  # u2's seat stays empty, it does not move to u1


# ------------------------------------------------------------------ boundary ties


@pytest.mark.parametrize(
    ("policy", "selected"),
    [
        ("flag", {"A"}),
        ("include_all", {"A", "B", "C"}),
        ("exclude_all", {"A"}),
    ],
)
def test_boundary_tie_policies(tmp_path: Path, policy: str, selected: set[str]) -> None:
    s = scored(
        tmp_path,
        {"A": 90, "B": 80, "C": 80, "D": 70},
        f"quota: {{count: 2, boundary_tie: {policy}}}",
    )
    assert s.selected() == selected
    assert s.ties() == {"B", "C"}
    assert s.summary.selected == {"a": len(selected)}


def test_flag_is_the_default_policy(tmp_path: Path) -> None:
    s = scored(tmp_path, {"A": 90, "B": 90, "C": 70}, "quota: {count: 1}")
    assert s.selected() == set()
    assert s.ties() == {"A", "B"}


def test_ties_that_fit_or_sit_below_the_line_are_not_boundary_ties(tmp_path: Path) -> None:
    fits = scored(tmp_path, {"A": 90, "B": 80, "C": 80, "D": 70}, "quota: {count: 3}")
    assert fits.selected() == {"A", "B", "C"} and fits.ties() == set()
    below = scored(
        tmp_path, {"A": 90, "B": 80, "C": 80, "D": 70}, "quota: {count: 1}", name="below"
    )
    assert below.selected() == {"A"} and below.ties() == set()


def test_tie_break_settles_what_would_be_a_boundary_tie(tmp_path: Path) -> None:
    s = scored(
        tmp_path,
        {"A": 90, "B": 81, "C": 80},
        DEDUCTIONS + "quota: {count: 1, boundary_tie: flag}",
        deductions={"B": 1},
    )
    # A 90; B 81 − 1 = 80 and C 80 tie on total, B has more deductions.
    assert s.total("B") == s.total("C") == D("80.00")
    assert ranks(s) == [("A", 1), ("C", 2), ("B", 3)]
    assert s.ties() == set()
    s2 = scored(
        tmp_path,
        {"A": 90, "B": 81, "C": 80},
        DEDUCTIONS + "quota: {count: 2, boundary_tie: flag}",
        deductions={"B": 1},
        name="two",
    )
    assert s2.selected() == {"A", "C"} and s2.ties() == set()


def test_boundary_tie_within_per_value(tmp_path: Path) -> None:
    units = {"A": "u1", "B": "u1", "C": "u1", "D": "u2", "E": "u2"}
    s = scored(
        tmp_path,
        {"A": 90, "B": 80, "C": 80, "D": 80, "E": 70},
        "quota: {count: 3, per: unit, boundary_tie: exclude_all}",
        units=units,
    )
    # u1 has 3 ranked → 1.8 → 2 seats? 3 × 3/5 = 1.8, u2 1.2 → floors 1, 1; remainder .8 → u1.
    # u1: A, then B and C tie for the second seat → excluded; u2: D alone.
    assert s.ties() == {"B", "C"}
    assert s.selected() == {"A", "D"}


def test_boundary_tie_among_candidates_above_min_score(tmp_path: Path) -> None:
    s = scored(
        tmp_path,
        {"A": 90, "B": 80, "C": 80, "D": 40},
        "quota: {count: 3, min_score: 80, boundary_tie: flag}",
    )
    assert s.selected() == {"A", "B", "C"} and s.ties() == set()
    s2 = scored(
        tmp_path,
        {"A": 90, "B": 80, "C": 80, "D": 40},
        "quota: {count: 2, min_score: 80, boundary_tie: include_all}",
        name="two",
    )
    assert s2.selected() == {"A", "B", "C"} and s2.ties() == {"B", "C"}
