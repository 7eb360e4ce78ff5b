"""`compare_rows` on plain per-subject rows: what changed and why."""

from __future__ import annotations

from dataclasses import replace

from scoring.diff import compare_rows, diff_document, node_changes, render_diff
from scoring.results import ResultRow

BASE = ResultRow(
    award="a",
    subject="S1",
    name="张三",
    unit="城关镇",
    eligible=True,
    veto=[],
    total="80.00",
    rank=1,
    grade="良好",
    selected=True,
    boundary_tie=False,
    points={"work": "50.00", "work.volume": "30.00", "work.days": "20.00", "bonus": "0.00"},
    metrics={},
    no_data=[],
    warnings=[],
)


def test_only_the_deepest_changed_nodes_explain_a_move() -> None:
    after = {**BASE.points, "work": "55.00", "work.volume": "35.00", "bonus": "2.00"}
    changes = node_changes(BASE.points, after)
    assert [(c.path, str(c.delta)) for c in changes] == [("bonus", "2.00"), ("work.volume", "5.00")]


def test_a_veto_and_lost_eligibility_are_reasons() -> None:
    vetoed = replace(BASE, veto=["发生事故"], rank=None, grade=None, selected=False)
    d = compare_rows(1, 2, {"a": [BASE]}, {"a": [vetoed]})
    (move,) = d.awards[0].moves
    assert move.reasons == ("veto now holds: 发生事故",)
    assert move.grade_changed and move.nodes == ()
    text = render_diff(d)
    assert "  - not selected S1 张三  rank 1 -> -" in text
    assert "  ~ grade        S1 张三  良好 -> - (total 80.00 -> 80.00)" in text
    assert "S1 张三: rank 1 -> -, total 80.00 -> 80.00 (0.00): veto now holds: 发生事故" in text
    ineligible = replace(BASE, eligible=False, rank=None, grade=None, selected=False)
    (move,) = compare_rows(1, 2, {"a": [BASE]}, {"a": [ineligible]}).awards[0].moves
    assert move.reasons == ("no longer eligible",)


def test_unchanged_subjects_and_award_differences() -> None:
    d = compare_rows(1, 2, {"a": [BASE], "old": []}, {"a": [BASE], "new": []})
    assert d.awards[0].moves == []
    assert (d.only_a, d.only_b) == (["old"], ["new"])
    doc = diff_document(d)
    assert doc["awards"]["a"]["changed"] == 0
