"""The engine's scoring of tiny hand-made campaigns (SPEC §2.1–2.5), read back
from the §4.1 export: every scoring function at its edges, defaults and no
data, exact half-up rounding, gates, blocks, aggregates, periods and crews."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import D, Scored, campaign, people, recs

# ------------------------------------------------------------------ helpers


def award(criteria: str, *, head: str = "", block: str = "", subjects: str = "people") -> str:
    """The YAML of one award `a` over `subjects` with the given criteria block."""
    crit = "\n".join("    " + line for line in criteria.strip("\n").splitlines())
    extra = "\n".join("  " + line for line in head.strip("\n").splitlines()) if head else ""
    tail = "\n".join("  " + line for line in block.strip("\n").splitlines()) if block else ""
    parts = ["a:", "  title: 测试奖", f"  subjects: {subjects}"]
    if extra:
        parts.append(extra)
    parts += ["  criteria:", crit]
    if tail:
        parts.append(tail)
    return "\n".join(parts) + "\n"


def per_subject(values: dict[str, list[Any] | None], **extra: Any) -> dict[str, Any]:
    """Subjects P.. with records of `v` (None: the subject has no record at all)."""
    rows: list[dict[str, Any]] = []
    for key, vs in values.items():
        if vs:
            rows += recs(key, *vs, **extra)
    return {"people": people(*values), "records": rows}


def leaf(
    tmp_path: Path,
    score: str,
    values: dict[str, list[Any] | None],
    *,
    mx: int | str = 10,
    metric: str = "sum(records.v)",
    more: str = "",
) -> Scored:
    """One leaf `k` scored over subjects with the given record values."""
    crit = f'k: {{max: {mx}, metric: "{metric}", score: {score}{more}}}'
    return campaign(tmp_path, award(crit), per_subject(values))


def pts(scored: Scored, node: str = "k") -> dict[str, Decimal]:
    return {r["subject"]: r["points"][node] for r in scored.results()}


def mets(scored: Scored, node: str = "k") -> dict[str, Any]:
    return {r["subject"]: r["metrics"][node] for r in scored.results()}


# ------------------------------------------------------------------ linear


def test_linear_edges_lo_hi_beyond(tmp_path: Path) -> None:
    s = leaf(
        tmp_path,
        "{linear: [20, 120]}",
        {"A": [20], "B": [120], "C": [500], "D": [-3], "E": [70], "F": [45]},
    )
    assert pts(s) == {
        "A": D("0.00"),
        "B": D("10.00"),
        "C": D("10.00"),
        "D": D("0.00"),
        "E": D("5.00"),
        "F": D("2.50"),
    }
    assert mets(s)["D"] == D("-3")


def test_linear_lower_is_better(tmp_path: Path) -> None:
    s = leaf(
        tmp_path,
        "{linear: [15, 2]}",
        {"A": [2], "B": [15], "C": [1], "D": [40], "E": [8.5]},
        mx=4,
    )
    assert pts(s) == {
        "A": D("4.00"),
        "B": D("0.00"),
        "C": D("4.00"),
        "D": D("0.00"),
        "E": D("2.00"),
    }


# ------------------------------------------------------------------ bands


BANDS = (
    "{bands: [{min: 0.9, points: 8}, {max: 0.2, points: 3},"
    " {min: 0.4, max: 0.6, points: 5}, {points: 1}]}"
)


def test_bands_min_max_both_fallback_inclusive(tmp_path: Path) -> None:
    s = leaf(
        tmp_path,
        BANDS,
        {
            "A": [0.9],
            "B": [0.95],
            "C": [0.2],
            "D": [-1],
            "E": [0.4],
            "F": [0.6],
            "G": [0.61],
            "H": [0.3],
            "I": [0.39],
        },
    )
    assert pts(s) == {
        "A": D("8.00"),
        "B": D("8.00"),
        "C": D("3.00"),
        "D": D("3.00"),
        "E": D("5.00"),
        "F": D("5.00"),
        "G": D("1.00"),
        "H": D("1.00"),
        "I": D("1.00"),
    }


def test_bands_first_band_that_holds_wins(tmp_path: Path) -> None:
    s = leaf(
        tmp_path,
        "{bands: [{min: 5, points: 2}, {min: 3, points: 9}]}",
        {"A": [6], "B": [4]},
    )
    assert pts(s) == {"A": D("2.00"), "B": D("9.00")}


def test_bands_no_hit_gives_zero(tmp_path: Path) -> None:
    s = leaf(
        tmp_path,
        "{bands: [{min: 0.9, points: 8}, {max: 0.2, points: 3}]}",
        {"A": [0.5], "B": [0.9], "C": [0.2]},
    )
    assert pts(s) == {"A": D("0.00"), "B": D("8.00"), "C": D("3.00")}


# ------------------------------------------------------------------ per


def test_per_positive_clamped(tmp_path: Path) -> None:
    s = leaf(
        tmp_path,
        "{per: 2}",
        {"A": [3], "B": [7], "C": [-1], "D": [5], "E": None, "F": [0.25]},
    )
    assert pts(s) == {
        "A": D("6.00"),
        "B": D("10.00"),
        "C": D("0.00"),
        "D": D("10.00"),
        "E": D("0.00"),
        "F": D("0.50"),
    }


def test_per_negative_deducts_from_full_marks(tmp_path: Path) -> None:
    s = leaf(
        tmp_path,
        "{per: -5}",
        {"A": None, "B": [1], "C": [3], "D": [-1], "E": [0.5]},
        metric="sum(records.v)",
    )
    assert pts(s) == {
        "A": D("10.00"),
        "B": D("5.00"),
        "C": D("0.00"),
        "D": D("10.00"),
        "E": D("7.50"),
    }


# ------------------------------------------------------------------ percentile


def test_percentile_ties_and_population(tmp_path: Path) -> None:
    # avg over no records is null: E is outside the population, with no data.
    s = leaf(
        tmp_path,
        "{percentile: {}}",
        {"A": [10], "B": [20], "C": [20], "D": [30], "E": None},
        mx=9,
        metric="avg(records.v)",
    )
    assert pts(s) == {
        "A": D("0.00"),
        "B": D("3.00"),
        "C": D("3.00"),
        "D": D("9.00"),
        "E": D("0.00"),
    }
    assert mets(s)["E"] is None
    assert "k" in s.stored("E").no_data
    assert "k" not in s.stored("A").no_data


def test_percentile_single_subject_gets_max(tmp_path: Path) -> None:
    s = leaf(tmp_path, "{percentile: {}}", {"A": [10], "B": None}, mx=9, metric="avg(records.v)")
    assert pts(s) == {"A": D("9.00"), "B": D("0.00")}


def test_percentile_within_unit_and_null_group(tmp_path: Path) -> None:
    crit = 'k: {max: 6, metric: "sum(records.v)", score: {percentile: {within: unit}}}'
    data = {
        "people": people(("A", "u1"), ("B", "u1"), ("C", "u1"), ("D", "u2"))
        + [{"id": "E", "name": "e"}, {"id": "F", "name": "f"}],
        "records": recs("A", 1)
        + recs("B", 2)
        + recs("C", 3)
        + recs("D", 1)
        + recs("E", 100)
        + recs("F", 50),
    }
    s = campaign(tmp_path, award(crit), data)
    # u1: 0, 1/2, 1; u2 alone: 1; the null unit is a group of its own: F 0, E 1.
    assert pts(s) == {
        "A": D("0.00"),
        "B": D("3.00"),
        "C": D("6.00"),
        "D": D("6.00"),
        "E": D("6.00"),
        "F": D("0.00"),
    }


def test_percentile_unranked_get_zero_but_metric_reported(tmp_path: Path) -> None:
    crit = 'k: {max: 10, metric: "sum(records.v)", score: {percentile: {}}}'
    head = (
        'eligible: "member"\nveto:\n  - {when: "count(records[kind == \'x\']) > 0", reason: 否决}'
    )
    data = {
        "people": [
            {"id": "A", "member": True},
            {"id": "B", "member": True},
            {"id": "C", "member": True},
            {"id": "X", "member": False},
            {"id": "Y", "member": True},
        ],
        "records": recs("A", 1)
        + recs("B", 2)
        + recs("C", 3)
        + recs("X", 100)
        + recs("Y", 99, kind="x"),
    }
    s = campaign(tmp_path, award(crit, head=head), data)
    # Only A, B, C form the population (X ineligible, Y vetoed).
    assert pts(s) == {
        "C": D("10.00"),
        "B": D("5.00"),
        "A": D("0.00"),
        "X": D("0.00"),
        "Y": D("0.00"),
    }
    assert mets(s)["X"] == D("100")
    assert mets(s)["Y"] == D("99")
    assert "k" in s.stored("X").no_data
    assert "k" in s.stored("Y").no_data


def test_percentile_defaulted_metric_joins_population(tmp_path: Path) -> None:
    s = leaf(
        tmp_path,
        "{percentile: {}}",
        {"A": [1], "B": [3], "C": None},
        mx=4,
        metric="avg(records.v)",
        more=", default: 2",
    )
    assert pts(s) == {"A": D("0.00"), "B": D("4.00"), "C": D("2.00")}
    assert mets(s)["C"] == D("2")


# ------------------------------------------------------------------ formula and when


FORMULA = """
other: {max: 5, metric: "count(records)", score: {per: 1}}
f: {max: 10, metric: "sum(records.v)", score: {formula: "x * 2 + level + node('other')"}}
third: {max: 1, metric: "count(records)", score: {linear: [0, 3]}}
g: {max: 10, metric: "count(records)", score: {formula: "node('third') * 3"}}
"""


def test_formula_reads_x_node_and_columns_clipped(tmp_path: Path) -> None:
    data = {
        "people": [
            {"id": "A", "level": 1},
            {"id": "B", "level": 0},
            {"id": "C", "level": -100},
        ],
        "records": recs("A", 1, 0.5) + recs("B", 100) + recs("C", 1),
    }
    s = campaign(tmp_path, award(FORMULA), data)
    a = s.points("A")
    # x = 1.5; other = 2 → 3 + 1 + 2 = 6.
    assert a["f"] == D("6.00")
    assert s.points("B")["f"] == D("10.00")  # 200 + 0 + 1, clipped to max
    assert s.points("C")["f"] == D("0.00")  # negative, clipped to 0
    # node() reads rounded points: third = 2/3 → 0.67, so g = 2.01 (not 2.00).
    assert a["third"] == D("0.67")
    assert a["g"] == D("2.01")
    assert s.points("C")["third"] == D("0.33")
    assert s.points("C")["g"] == D("0.99")


def test_formula_null_gives_zero_and_no_data(tmp_path: Path) -> None:
    crit = """
f: {max: 10, metric: "count(records)", score: {formula: "level * 2"}}
fx: {max: 10, metric: "avg(records.v)", score: {formula: "5"}}
nm: {max: 10, score: {formula: "level + 1"}}
"""
    data = {"people": [{"id": "A"}, {"id": "B", "level": 2}], "records": recs("B", 7)}
    s = campaign(tmp_path, award(crit), data)
    assert s.points("A") == {"f": D("0.00"), "fx": D("0.00"), "nm": D("0.00")}
    assert set(s.stored("A").no_data) >= {"f", "fx", "nm"}
    assert s.metrics("A")["f"] == 0
    assert s.metrics("A")["fx"] is None
    assert s.points("B") == {"f": D("4.00"), "fx": D("5.00"), "nm": D("3.00")}
    assert s.stored("B").no_data == []
    assert "no data" in s.explain("A")


def test_when_true_false_null(tmp_path: Path) -> None:
    crit = """
w: {max: 7, metric: "count(records)", score: {when: "x >= 2"}}
c: {max: 3, metric: "count(records)", score: {when: "level > 1"}}
"""
    data = {
        "people": [{"id": "T", "level": 5}, {"id": "F", "level": 0}, {"id": "N"}],
        "records": recs("T", 1, 2) + recs("F", 1) + recs("N", 1, 2, 3),
    }
    s = campaign(tmp_path, award(crit), data)
    assert s.points("T") == {"w": D("7.00"), "c": D("3.00")}
    assert s.points("F") == {"w": D("0.00"), "c": D("0.00")}
    assert s.points("N") == {"w": D("7.00"), "c": D("0.00")}  # null level: the when is null


def test_conditional_with_null_condition_yields_else(tmp_path: Path) -> None:
    crit = 'k: {max: 10, metric: "count(records)", score: {formula: "5 if level > 1 else 2"}}'
    data = {"people": [{"id": "N"}, {"id": "Y", "level": 3}, {"id": "F", "level": 0}]}
    s = campaign(tmp_path, award(crit), data)
    assert pts(s) == {"Y": D("5.00"), "N": D("2.00"), "F": D("2.00")}


# ------------------------------------------------------------------ default / no data


def test_default_vs_no_default(tmp_path: Path) -> None:
    crit = """
dflt: {max: 10, metric: "avg(records.v)", default: 3, score: {linear: [0, 5]}}
none: {max: 10, metric: "avg(records.v)", score: {linear: [0, 5]}}
"""
    data = {"people": people("A", "B"), "records": recs("B", 4)}
    s = campaign(tmp_path, award(crit), data)
    assert s.points("A") == {"dflt": D("6.00"), "none": D("0.00")}
    assert s.metrics("A") == {"dflt": D("3"), "none": None}
    assert s.stored("A").no_data == ["none"]
    assert s.points("B") == {"dflt": D("8.00"), "none": D("8.00")}
    assert s.metrics("B") == {"dflt": D("4"), "none": D("4")}
    text = s.explain("A")
    assert "no data" in text


@pytest.mark.parametrize("score", ["{per: -5}", "{bands: [{points: 4}]}", "{when: 'true'}"])
def test_null_metric_scores_zero_under_every_function(tmp_path: Path, score: str) -> None:
    s = leaf(tmp_path, score, {"A": None, "B": [0]}, metric="avg(records.v)")
    assert pts(s)["A"] == D("0.00")
    assert mets(s)["A"] is None
    assert pts(s)["B"] > 0


def test_division_by_zero_is_null(tmp_path: Path) -> None:
    crit = """
ratio: {max: 10, metric: "sum(records.v) / count(records)", score: {linear: [0, 1]}}
zero: {max: 10, metric: "sum(records.v) / 0", default: 1, score: {linear: [0, 1]}}
"""
    data = {"people": people("A", "B"), "records": recs("B", 0.5, 0.25)}
    s = campaign(tmp_path, award(crit), data)
    assert s.metrics("A")["ratio"] is None
    assert s.points("A")["ratio"] == D("0.00")
    assert "ratio" in s.stored("A").no_data
    assert s.metrics("B")["ratio"] == D("0.375")
    assert s.points("B")["ratio"] == D("3.75")
    assert s.metrics("A")["zero"] == D("1")  # null after / 0, then the default
    assert s.points("A")["zero"] == D("10.00")


# ------------------------------------------------------------------ rounding


def test_leaf_at_19_995_rounds_half_up(tmp_path: Path) -> None:
    s = leaf(tmp_path, "{per: 1}", {"A": [19.995], "B": [19.994999]}, mx=20)
    assert pts(s) == {"A": D("20.00"), "B": D("19.99")}
    assert s.total("A") == D("20.00")
    assert mets(s)["A"] == D("19.995")


def test_point_one_plus_point_two_is_exact(tmp_path: Path) -> None:
    crit = """
k: {max: 10, metric: "sum(records.v)", score: {per: 1}}
band: {max: 5, metric: "sum(records.v)", score: {bands: [{max: 0.3, points: 5}]}}
eq: {max: 2, metric: "sum(records.v)", score: {when: "x == 0.3"}}
lin: {max: 1, metric: "sum(records.v) * 10", score: {linear: [0, 3]}}
"""
    s = campaign(tmp_path, award(crit), per_subject({"A": [0.1, 0.2]}))
    assert s.points("A") == {
        "k": D("0.30"),
        "band": D("5.00"),
        "eq": D("2.00"),
        "lin": D("1.00"),
    }
    assert s.metrics("A")["k"] == D("0.3")


def test_fixed_precision_trap_0_625_rounds_up(tmp_path: Path) -> None:
    # avg = 37/12; 15 × (37/12 − 3) / 2 = 0.625 exactly → 0.63.
    s = leaf(
        tmp_path,
        "{linear: [3, 5]}",
        {"A": [3] * 11 + [4]},
        mx=15,
        metric="avg(records.v)",
    )
    assert pts(s) == {"A": D("0.63")}
    assert mets(s)["A"] == D("3.083333")


def test_parent_adds_rounded_leaves(tmp_path: Path) -> None:
    crit = """
grp:
  max: 3
  criteria:
    a: {max: 1, metric: "count(records)", score: {linear: [0, 3]}}
    b: {max: 1, metric: "count(records)", score: {linear: [0, 3]}}
    c: {max: 1, metric: "count(records)", score: {linear: [0, 3]}}
capped:
  max: 4
  criteria:
    x: {max: 3, metric: "count(records)", score: {per: 3}}
    y: {max: 3, metric: "count(records)", score: {per: 3}}
"""
    s = campaign(tmp_path, award(crit), per_subject({"A": [1]}))
    p = s.points("A")
    assert p["grp.a"] == p["grp.b"] == p["grp.c"] == D("0.33")
    assert p["grp"] == D("0.99")  # sum of printed leaves, not round(1)
    assert p["capped.x"] == p["capped.y"] == D("3.00")
    assert p["capped"] == D("4.00")  # 6 clipped to the parent's max
    assert s.total("A") == D("4.99") == p["grp"] + p["capped"]
    assert list(p) == ["grp", "grp.a", "grp.b", "grp.c", "capped", "capped.x", "capped.y"]


def test_precision_zero_and_three(tmp_path: Path) -> None:
    crit = 'k: {max: 10, metric: "sum(records.v)", score: {per: 1}}'
    data = per_subject({"A": [2.5], "B": [2.4995]})
    s0 = campaign(tmp_path, award(crit), data, precision=0, name="p0")
    assert pts(s0) == {"A": D("3"), "B": D("2")}
    s3 = campaign(tmp_path, award(crit), data, precision=3, name="p3")
    assert pts(s3) == {"A": D("2.500"), "B": D("2.500")}
    assert s3.json_text.count("2.500") >= 2


# ------------------------------------------------------------------ tables and aggregates


def test_empty_record_tables(tmp_path: Path) -> None:
    crit = """
cnt: {max: 10, metric: "count(records)", score: {per: -2}}
total: {max: 10, metric: "sum(records.v)", score: {per: 1}}
mean: {max: 10, metric: "avg(records.v)", score: {per: 1}}
sh: {max: 10, metric: "share(records[ok])", score: {linear: [0, 1]}}
dist: {max: 10, metric: "count_distinct(records.kind)", score: {per: 1}}
"""
    s = campaign(tmp_path, award(crit), {"people": people("A", "B")})
    for key in ("A", "B"):
        assert s.metrics(key) == {"cnt": 0, "total": 0, "mean": None, "sh": None, "dist": 0}
        assert s.points(key)["cnt"] == D("10.00")
        assert s.total(key) == D("10.00")
    assert s.summary.outside_period == {"records": 0}


def test_count_column_skips_nulls(tmp_path: Path) -> None:
    crit = """
rows: {max: 10, metric: "count(records)", score: {per: 1}}
vals: {max: 10, metric: "count(records.v)", score: {per: 1}}
okv: {max: 10, metric: "count(records[ok].v)", score: {per: 1}}
sm: {max: 10, metric: "sum(records[kind == 'n'].v)", score: {per: 1}}
av: {max: 10, metric: "avg(records[kind == 'n'].v)", score: {per: 1}}
mn: {max: 10, metric: "min(records.v)", score: {per: 1}}
mx: {max: 10, metric: "max(records.v)", score: {per: 1}}
"""
    rows = [
        {"person": "A", "day": "2022-03-01", "v": 1, "ok": True},
        {"person": "A", "day": "2022-03-02", "ok": True, "kind": "n"},
        {"person": "A", "day": "2022-03-03", "v": 2, "ok": False},
        {"person": "A", "day": "2022-03-04", "v": 4},
        {"person": "A", "day": "2022-03-05", "kind": "n"},
    ]
    s = campaign(tmp_path, award(crit), {"people": people("A"), "records": rows})
    assert s.metrics("A") == {
        "rows": 5,
        "vals": 3,
        "okv": 1,
        "sm": 0,
        "av": None,
        "mn": 1,
        "mx": 4,
    }


def test_share(tmp_path: Path) -> None:
    crit = 'k: {max: 10, metric: "share(records[ok])", score: {linear: [0, 1]}}'
    rows = [
        {"person": "A", "day": "2022-01-02", "ok": True},
        {"person": "A", "day": "2022-01-03"},
        {"person": "A", "day": "2022-01-04", "ok": False},
        {"person": "A", "day": "2022-01-05", "ok": True},
        {"person": "B", "day": "2022-01-05", "ok": True},
    ]
    s = campaign(tmp_path, award(crit), {"people": people("A", "B", "C"), "records": rows})
    assert mets(s) == {"B": 1, "A": D("0.5"), "C": None}
    assert pts(s) == {"B": D("10.00"), "A": D("5.00"), "C": D("0.00")}


def test_trimmed_mean_and_too_few_values_warns(tmp_path: Path) -> None:
    crit = """
panel:
  max: 10
  criteria:
    tm: {max: 10, metric: "trimmed_mean(records.v, 1)", score: {linear: [0, 100]}}
md: {max: 10, metric: "median(records.v)", score: {linear: [0, 100]}}
"""
    data = per_subject({"A": [1, 50, 100, 60], "B": [90, 95], "C": [70, 10, 40]})
    s = campaign(tmp_path, award(crit), data)
    assert s.metrics("A")["panel.tm"] == D("55")
    assert s.points("A")["panel.tm"] == D("5.50")
    assert s.metrics("C")["panel.tm"] == D("40")
    assert s.metrics("B")["panel.tm"] is None
    assert s.points("B")["panel.tm"] == D("0.00")
    warnings = s.stored("B").warnings
    assert warnings and any("panel.tm" in w for w in warnings), warnings
    assert s.stored("A").warnings == []
    assert "warnings" not in s.row("A")
    if "warnings" in s.row("B"):  # the export carries them when the schema has the field
        assert s.row("B")["warnings"] == warnings
    assert "panel.tm" in s.explain("B").split("warnings:")[1]
    # median: even count → mean of the two middle values.
    assert s.metrics("A")["md"] == D("55")
    assert s.metrics("B")["md"] == D("92.5")
    assert s.metrics("C")["md"] == D("40")


def test_in_with_null_in_list(tmp_path: Path) -> None:
    crit = """
hit: {max: 10, metric: "count(records[kind in ['a', null]])", score: {per: 1}}
miss: {max: 10, metric: "count(records[kind not in ['a', null]])", score: {per: 1}}
plain: {max: 10, metric: "count(records[kind not in ['a']])", score: {per: 1}}
"""
    rows = recs("A", 1, kind="a") + recs("A", 1, 2, kind="b") + recs("A", 1)
    s = campaign(tmp_path, award(crit), {"people": people("A"), "records": rows})
    # 'b' not in ['a', null] is null (not true): kept by neither filter.
    assert s.metrics("A") == {"hit": 1, "miss": 0, "plain": 2}


SELF_VOTE_TABLES = """
people:
  key: id
  columns: {id: text, name: text, unit: text}
votes:
  date: day
  links: {people: target}
  columns: {target: text, voter: text, day: date, good: bool}
"""


def test_self_vote_excluded_with_subject_id(tmp_path: Path) -> None:
    crit = """
votes: {max: 10, metric: "count(votes[good and voter != subject.id])", score: {per: 1}}
all: {max: 10, metric: "count(votes[good])", score: {per: 1}}
"""
    votes = [
        {"target": "A", "voter": "A", "day": "2022-02-01", "good": True},
        {"target": "A", "voter": "B", "day": "2022-02-01", "good": True},
        {"target": "A", "voter": "C", "day": "2022-02-01", "good": False},
        {"target": "A", "day": "2022-02-01", "good": True},  # null voter: null != id is null
        {"target": "B", "voter": "A", "day": "2022-02-01", "good": True},
        {"target": "B", "voter": "B", "day": "2022-02-01", "good": True},
    ]
    s = campaign(
        tmp_path,
        award(crit),
        {"people": people("A", "B"), "votes": votes},
        tables=SELF_VOTE_TABLES,
    )
    assert s.metrics("A") == {"votes": 1, "all": 3}
    assert s.metrics("B") == {"votes": 1, "all": 2}


def test_records_outside_period_not_counted(tmp_path: Path) -> None:
    crit = 'k: {max: 100, metric: "sum(records.v)", score: {per: 1}}'
    rows = [
        {"person": "A", "day": "2021-12-31", "v": 1},
        {"person": "A", "day": "2022-01-01", "v": 10},
        {"person": "A", "day": "2022-12-31", "v": 20},
        {"person": "A", "day": "2023-01-01", "v": 40},
        {"person": "B", "day": "2020-05-05", "v": 5},
        {"person": "B", "day": "2022-07-01", "v": 3},
    ]
    s = campaign(tmp_path, award(crit), {"people": people("A", "B"), "records": rows})
    assert mets(s) == {"A": 30, "B": 3}
    assert s.summary.outside_period == {"records": 3}
    h2 = campaign(
        tmp_path,
        award(crit),
        {"people": people("A", "B"), "records": rows},
        period="2022-H2",
        name="h2",
    )
    assert mets(h2) == {"A": 20, "B": 3}
    assert h2.summary.outside_period == {"records": 4}


# ------------------------------------------------------------------ gates


GATES = """
eligible: "member"
veto:
  - {when: "count(records[kind == 'x']) > 0", reason: 第一否决}
  - {when: "count(records[kind == 'never']) > 0", reason: 不成立}
  - {when: "count(records) >= 1", reason: 第三否决}
  - {when: "level > 1", reason: 空值不否决}
"""


def test_ineligible_and_vetoed_subject_scored_not_ranked(tmp_path: Path) -> None:
    crit = 'k: {max: 10, metric: "sum(records.v)", score: {per: 1}}'
    data = {
        "people": [
            {"id": "A", "member": True},
            {"id": "Z", "member": False, "level": 5},
            {"id": "N"},
            {"id": "V", "member": True},
        ],
        "records": recs("Z", 7, kind="x") + recs("V", 2),
    }
    block = "grades: {好: 0}\nquota: {count: 4}"
    s = campaign(tmp_path, award(crit, head=GATES, block=block), data)
    z = s.row("Z")
    assert z["eligible"] is False
    assert z["veto"] == ["第一否决", "第三否决", "空值不否决"]
    assert z["points"]["k"] == D("7.00") and z["total"] == D("7.00")
    assert (z["rank"], z["grade"], z["selected"]) == (None, None, False)
    n = s.row("N")  # member null → not eligible; level null → that veto does not hold
    assert n["eligible"] is False and n["veto"] == []
    assert (n["rank"], n["grade"], n["selected"]) == (None, None, False)
    v = s.row("V")
    assert v["eligible"] is True and v["veto"] == ["第三否决"]
    assert v["rank"] is None and v["selected"] is False
    a = s.row("A")
    assert (a["rank"], a["grade"], a["selected"]) == (1, "好", True)
    assert s.order() == ["A", "N", "V", "Z"]
    assert s.summary.ranked == {"a": 1}
    assert s.summary.subjects == {"a": 4}


# ------------------------------------------------------------------ bonus and deductions


BLOCKS = """
bonus:
  max: 5
  items:
    b1: {max: 4, metric: "count(records[kind == 'b1'])", score: {per: 2}}
    b2: {max: 3, metric: "count(records[kind == 'b2'])", score: {per: 3}}
deductions:
  max: 6
  items:
    d1: {max: 4, metric: "count(records[kind == 'd1'])", score: {per: 1}}
    d2: {max: 4, metric: "count(records[kind == 'd2'])", score: {per: 2}}
"""


def test_bonus_and_deductions_caps_and_floor(tmp_path: Path) -> None:
    crit = 'k: {max: 10, metric: "sum(records.v)", score: {per: 1}}'
    rows = (
        recs("A", 0, 0, 0, kind="b1")
        + recs("A", 0, kind="b2")
        + recs("A", 6)
        + recs("B", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, kind="d1")
        + recs("B", 0, 0, kind="d2")
        + recs("B", 2)
        + recs("C", 0, kind="b1")
        + recs("C", 0, kind="d2")
        + recs("C", 5)
    )
    s = campaign(
        tmp_path, award(crit, block=BLOCKS), {"people": people("A", "B", "C"), "records": rows}
    )
    a = s.points("A")
    assert (a["bonus.b1"], a["bonus.b2"], a["bonus"]) == (D("4.00"), D("3.00"), D("5.00"))
    assert a["deductions"] == D("0.00")
    assert s.total("A") == D("11.00")
    assert s.metrics("A")["bonus.b1"] == 3
    b = s.points("B")
    assert (b["deductions.d1"], b["deductions.d2"], b["deductions"]) == (
        D("4.00"),
        D("4.00"),
        D("6.00"),
    )
    assert s.total("B") == D("0.00")  # 2 − 6, never below 0
    c = s.points("C")
    assert (c["bonus"], c["deductions"]) == (D("2.00"), D("2.00"))
    assert s.total("C") == D("5.00")
    assert list(a) == [
        "k",
        "bonus",
        "bonus.b1",
        "bonus.b2",
        "deductions",
        "deductions.d1",
        "deductions.d2",
    ]
    assert all(v >= 0 for r in s.results() for v in r["points"].values())
    assert set(s.metrics("A")) == {"k", "bonus.b1", "bonus.b2", "deductions.d1", "deductions.d2"}


def test_award_without_blocks_has_no_block_keys(tmp_path: Path) -> None:
    crit = 'k: {max: 10, metric: "sum(records.v)", score: {per: 1}}'
    only_deductions = (
        "deductions:\n  max: 2\n  items:\n    d: {max: 2, metric: count(records), score: {per: 1}}"
    )
    s = campaign(tmp_path, award(crit), per_subject({"A": [3]}))
    assert set(s.points("A")) == {"k"}
    d = campaign(tmp_path, award(crit, block=only_deductions), per_subject({"A": [3]}), name="d")
    assert set(d.points("A")) == {"k", "deductions", "deductions.d"}
    assert d.total("A") == D("2.00")


# ------------------------------------------------------------------ crews


CREW_TABLES = """
crews:
  key: id
  columns: {id: text, name: text, unit: text}
members:
  key: id
  columns: {id: text, name: text, unit: text, crew: text}
  links: {crews: crew}
work:
  date: day
  links: {members: member, crews: crew}
  columns: {member: text, crew: text, day: date, v: number}
"""

CREW_AWARDS = """
crew_b:
  title: 先锋班组
  subjects: crews
  criteria:
    avg_members: {max: 10, metric: "avg(members.award_a)", score: {per: 1}}
    good_members: {max: 5, metric: "count(members[award_a >= 5])", score: {per: 1}}
    crew_work: {max: 100, metric: "sum(work.v)", score: {per: 1}}
    size: {max: 10, metric: "count(members)", score: {per: 1}}
award_a:
  title: 先锋个人
  subjects: members
  eligible: "sum(work.v) > 0"
  criteria:
    own: {max: 10, metric: "sum(work.v)", score: {per: 1}}
"""


def test_crew_award_reads_member_totals_and_record_crews(tmp_path: Path) -> None:
    data = {
        "crews": [{"id": "C1", "unit": "u"}, {"id": "C2", "unit": "u"}, {"id": "C3", "unit": "u"}],
        "members": [
            {"id": "M1", "crew": "C2"},  # moved from C1 to C2 during the year
            {"id": "M2", "crew": "C2"},
            {"id": "M3", "crew": "C1"},
            {"id": "M4"},  # no crew
        ],
        "work": [
            {"member": "M1", "crew": "C1", "day": "2022-02-01", "v": 4},
            {"member": "M1", "crew": "C2", "day": "2022-09-01", "v": 3},
            {"member": "M2", "crew": "C2", "day": "2022-09-01", "v": 2},
            {"member": "M3", "crew": "C1", "day": "2022-09-01", "v": 1},
            {"member": "M4", "day": "2022-09-01", "v": 9},
            {"member": "M3", "crew": "C1", "day": "2021-09-01", "v": 50},  # outside
        ],
    }
    s = campaign(tmp_path, CREW_AWARDS, data, tables=CREW_TABLES)
    assert s.total("M1", "award_a") == D("7.00")
    assert s.total("M2", "award_a") == D("2.00")
    c1, c2, c3 = (s.row(k, "crew_b") for k in ("C1", "C2", "C3"))
    # current members: C1 = {M3}, C2 = {M1, M2}; records follow the crew of the record.
    assert c2["metrics"]["avg_members"] == D("4.5")
    assert c2["metrics"]["good_members"] == 1
    assert c2["metrics"]["size"] == 2
    assert c2["metrics"]["crew_work"] == 5  # 3 + 2: M1's C1 record stays with C1
    assert c1["metrics"]["avg_members"] == D("1")
    assert c1["metrics"]["crew_work"] == 5  # 4 (M1 at the time) + 1
    assert c3["metrics"]["avg_members"] is None
    assert c3["metrics"]["size"] == 0
    assert c3["points"]["avg_members"] == D("0.00")
    assert s.total("C2", "crew_b") == D("4.50") + D("1.00") + D("5.00") + D("2.00")
    assert list(s.doc["awards"]) == ["crew_b", "award_a"]  # rule order in the export


def test_crew_average_includes_unranked_members(tmp_path: Path) -> None:
    data = {
        "crews": [{"id": "C1"}],
        "members": [{"id": "M1", "crew": "C1"}, {"id": "M2", "crew": "C1"}],
        "work": [{"member": "M1", "crew": "C1", "day": "2022-02-01", "v": 6}],
    }
    s = campaign(tmp_path, CREW_AWARDS, data, tables=CREW_TABLES)
    assert s.row("M2", "award_a")["eligible"] is False
    # every linked subject counts, ranked or not: (6 + 0) / 2.
    assert s.metrics("C1", "crew_b")["avg_members"] == D("3")


def test_eligible_reads_another_awards_total(tmp_path: Path) -> None:
    awards = """
second:
  title: 二
  subjects: people
  eligible: "first >= 5"
  criteria:
    k: {max: 10, metric: "count(records)", score: {per: 1}}
first:
  title: 一
  subjects: people
  criteria:
    k: {max: 10, metric: "sum(records.v)", score: {per: 1}}
"""
    s = campaign(tmp_path, awards, per_subject({"A": [5], "B": [4.99], "C": None}))
    assert {k: s.row(k, "second")["eligible"] for k in "ABC"} == {
        "A": True,
        "B": False,
        "C": False,
    }
    assert s.row("A", "second")["rank"] == 1


def test_eligible_with_dates(tmp_path: Path) -> None:
    crit = 'k: {max: 10, metric: "count(records)", score: {per: 1}}'
    head = 'eligible: "joined <= period.end - days(180)"'
    data = {
        "people": [
            {"id": "A", "joined": "2022-07-04"},  # exactly 180 days before 2022-12-31
            {"id": "B", "joined": "2022-07-05"},
            {"id": "C"},
        ]
    }
    s = campaign(tmp_path, award(crit, head=head), data)
    assert {k: s.row(k)["eligible"] for k in "ABC"} == {"A": True, "B": False, "C": False}


# ------------------------------------------------------------------ metric export


def test_metric_values_exported_exactly(tmp_path: Path) -> None:
    crit = """
third: {max: 10, metric: "sum(records.v) / 3", score: {per: 1}}
twothirds: {max: 10, metric: "sum(records.v) * 2 / 3", score: {per: 1}}
tiny: {max: 10, metric: "sum(records.v) / 2000000", score: {per: 1}}
neg: {max: 10, metric: "0 - sum(records.v) / 2500000", score: {per: 1}}
flag: {max: 10, metric: "member", score: {when: "x"}}
last: {max: 10, metric: "max(records.day)", score: {when: "x >= period.start"}}
"""
    data = {
        "people": [{"id": "A", "member": True}, {"id": "B", "member": False}, {"id": "C"}],
        "records": recs("A", 1, day="2022-03-04") + recs("B", 1, day="2022-11-30"),
    }
    s = campaign(tmp_path, award(crit), data)
    a = s.metrics("A")
    assert a["third"] == D("0.333333")
    assert a["twothirds"] == D("0.666667")
    assert a["tiny"] == D("0.000001")  # 0.0000005, half up
    assert a["neg"] == 0  # −0.0000004 rounds to zero, written without a sign
    assert a["flag"] is True and s.metrics("B")["flag"] is False
    assert s.metrics("C")["flag"] is None
    assert a["last"] == "2022-03-04" and s.metrics("B")["last"] == "2022-11-30"
    assert s.metrics("C")["last"] is None
    assert s.points("A")["flag"] == D("10.00") and s.points("B")["flag"] == D("0.00")
    assert s.points("A")["last"] == D("10.00")
    assert '"neg": 0,' in s.json_text or '"neg": 0\n' in s.json_text


def test_functions_in_formulas(tmp_path: Path) -> None:
    crit = """
r: {max: 10, metric: "sum(records.v)", score: {formula: "round(x) + 5"}}
r1: {max: 10, metric: "sum(records.v)", score: {formula: "round(x, 1) * 2 + 5"}}
lg: {max: 10, metric: "avg(records.v)", score: {formula: "least(x, level, 8)"}}
gr: {max: 10, metric: "avg(records.v)", score: {formula: "greatest(x, level)"}}
co: {max: 10, metric: "avg(records.v)", score: {formula: "coalesce(level, 4)"}}
ab: {max: 10, metric: "sum(records.v)", score: {formula: "abs(x)"}}
"""
    data = {
        "people": [{"id": "A"}, {"id": "B", "level": 6}],
        "records": recs("A", -2.5) + recs("B", 2.45),
    }
    s = campaign(tmp_path, award(crit), data)
    a, b = s.points("A"), s.points("B")
    assert a["r"] == D("2.00")  # round(−2.5) = −3, half away from zero
    assert b["r"] == D("7.00")  # round(2.45) = 2
    assert a["r1"] == D("0.00")  # −2.5*2+5 = 0
    assert b["r1"] == D("10.00")  # round(2.45, 1) = 2.5 → 10
    assert a["lg"] == D("0.00")  # least(−2.5, null, 8) = −2.5 → clipped
    assert b["lg"] == D("2.45")
    assert a["gr"] == D("0.00") and b["gr"] == D("6.00")
    assert a["co"] == D("4.00") and b["co"] == D("6.00")
    assert a["ab"] == D("2.50")


def test_formula_reads_later_inner_and_percentile_nodes(tmp_path: Path) -> None:
    awards = """
b:
  title: 乙
  subjects: people
  veto:
    - {when: "a > 5", reason: 甲奖高分}
  criteria:
    f: {max: 10, metric: "avg(records.v)", default: 3, score: {formula: "x * 2"}}
    g: {max: 20, score: {formula: "node('grp') + node('pc')"}}
    grp:
      max: 10
      criteria:
        x1: {max: 5, metric: "count(records[day >= period.start + days(10)])", score: {per: 1}}
        x2: {max: 5, metric: "count(records[v > subject.level])", score: {per: 1}}
    pc: {max: 4, metric: "sum(records.v)", score: {percentile: {}}}
a:
  title: 甲
  subjects: people
  criteria:
    k: {max: 10, metric: "sum(records.v)", score: {per: 1}}
"""
    data = {
        "people": [{"id": "P1", "level": 1}, {"id": "P2", "level": 5}, {"id": "P3"}],
        "records": recs("P1", 10, day="2022-01-05")
        + recs("P1", 0.5, day="2022-01-11")
        + recs("P2", 3)
        + recs(None, 100),  # an empty link: no subject's record
    }
    s = campaign(tmp_path, awards, data)
    p1, p2, p3 = (s.row(k, "b") for k in ("P1", "P2", "P3"))
    assert p1["veto"] == ["甲奖高分"] and p1["rank"] is None  # a = 10 > 5
    assert p1["points"]["grp.x1"] == D("1.00")  # 01-11 is period.start + 10 days
    assert p1["points"]["grp.x2"] == D("1.00")  # 10 > 1; 0.5 is not
    assert p1["points"]["pc"] == D("0.00")  # vetoed: no percentile
    assert p1["points"]["g"] == D("2.00")
    assert p1["points"]["f"] == D("10.00")  # avg 5.25 × 2, clipped
    assert p2["points"]["pc"] == D("4.00") and p3["points"]["pc"] == D("0.00")
    assert p2["points"]["g"] == D("5.00")  # grp 1 + pc 4
    assert p3["metrics"]["f"] == D("3") and p3["points"]["f"] == D("6.00")
    assert s.total("P1", "a") == D("10.00") and s.total("P3", "a") == D("0.00")


def test_linear_figure_exactly_at_half_a_cent(tmp_path: Path) -> None:
    # 15 × 1/200 = 0.075 exactly (a binary float would make it 0.0749…) → 0.08.
    s = leaf(tmp_path, "{linear: [0, 200]}", {"A": [1], "B": [3]}, mx=15)
    assert pts(s) == {"A": D("0.08"), "B": D("0.23")}  # 0.225 → 0.23


def test_number_columns_kept_exact(tmp_path: Path) -> None:
    crit = """
k: {max: 10, metric: "sum(records.v)", score: {per: 1}}
big: {max: 10, metric: "sum(records.v) - 12345678901234567", score: {per: 1}}
"""
    data = {
        "people": people("A", "B"),
        "records": recs("A", "0.1234567890123456789") + recs("B", "12345678901234567.89"),
    }
    s = campaign(tmp_path, award(crit), data)
    assert s.metrics("A")["k"] == D("0.123457")
    assert s.metrics("B")["k"] == D("12345678901234567.89")
    assert s.metrics("B")["big"] == D("0.89")  # no float could keep these digits
    assert s.points("B")["big"] == D("0.89")


def test_range_period_bounds_inclusive(tmp_path: Path) -> None:
    crit = 'k: {max: 100, metric: "count(records)", score: {per: 1}}'
    days = ["2021-12-31", "2022-01-01", "2022-06-30", "2022-07-01"]
    rows = [{"person": "A", "day": d, "v": 1} for d in days]
    s = campaign(
        tmp_path,
        award(crit),
        {"people": people("A"), "records": rows},
        period="2022-01-01..2022-06-30",
    )
    assert s.metrics("A")["k"] == 2
    assert s.doc["run"]["period"] == {"start": "2022-01-01", "end": "2022-06-30"}
    assert s.summary.outside_period == {"records": 2}
    q = campaign(
        tmp_path, award(crit), {"people": people("A"), "records": rows}, period="2022-Q3", name="q"
    )
    assert q.metrics("A")["k"] == 1
