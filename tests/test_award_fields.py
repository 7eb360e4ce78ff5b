"""Award result fields `A.total`, `A.grade`, `A.eligible`, `A.vetoed`, `A.ranked`,
`A.rank`, `A.selected` (SPEC §2.3), end to end: a later award reads the earlier
award's computed placements, per member in aggregates over a subject table and
for the subject's own result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine_helpers import D, Scored, campaign

TABLES = """\
people:
  key: id
  columns: {id: text, name: text, unit: text, level: number, member: bool, grp: text}
  links: {teams: grp}
teams: {key: id, columns: {id: text, name: text, unit: text}}
"""

# Declared before `base` on purpose: reading a field orders the awards like the total does.
AWARDS = """\
crew:
  title: 班组
  subjects: teams
  criteria:
    excellent: {max: 10, metric: "count(people[base.grade == '优秀'])", score: {per: 1}}
    ranked: {max: 10, metric: "share(people[base.ranked])", score: {linear: [0, 1]}}
    selected: {max: 10, metric: "count(people[base.selected])", score: {per: 1}}
    avg_eligible: {max: 100, metric: "avg(people[base.eligible].base)", score: {per: 1}}
    first: {max: 10, metric: "count(people[base.rank == 1])", score: {per: 1}}
probe:
  title: 探针
  subjects: people
  eligible: "base.grade == '优秀'"
  criteria:
    total: {max: 100, metric: base.total, score: {per: 1}}
    grade: {max: 1, metric: base.grade, score: {when: "x == '优秀'"}}
    rank: {max: 100, metric: base.rank, score: {per: 1}}
    eligible: {max: 1, metric: base.eligible, score: {when: x}}
    vetoed: {max: 1, metric: base.vetoed, score: {when: x}}
    ranked: {max: 1, metric: base.ranked, score: {when: x}}
    selected: {max: 1, metric: base.selected, score: {when: x}}
base:
  title: 基础
  subjects: people
  eligible: member
  veto: [{when: "level < 50", reason: 低于底线}]
  criteria:
    lvl: {max: 100, metric: level, score: {per: 1}}
  grades: {优秀: 90, 良好: 75}
  quota: {count: 1, boundary_tie: POLICY}
"""


def _person(key: str, level: int, member: bool, grp: str) -> dict[str, Any]:
    return {"id": key, "name": f"n{key}", "unit": "u", "level": level, "member": member, "grp": grp}


DATA: dict[str, Any] = {
    "people": [
        _person("P1", 95, True, "T1"),  # tied first with P2 on the only seat
        _person("P2", 95, True, "T1"),
        _person("P3", 80, True, "T1"),  # 良好
        _person("P4", 99, False, "T1"),  # ineligible: no grade, no rank
        _person("P5", 92, True, "T2"),  # 优秀, rank 3
        _person("P6", 40, True, "T2"),  # vetoed
    ],
    "teams": [{"id": "T1", "name": "一组", "unit": "u"}, {"id": "T2", "name": "二组", "unit": "u"}],
}


def _scored(tmp_path: Path, policy: str) -> Scored:
    return campaign(tmp_path, AWARDS.replace("POLICY", policy), DATA, tables=TABLES)


def test_fields_of_each_kind_of_subject(tmp_path: Path) -> None:
    scored = _scored(tmp_path, "flag")
    assert scored.ties("base") == {"P1", "P2"}
    m = {k: scored.metrics(k, "probe") for k in ("P1", "P3", "P4", "P5", "P6")}
    # a ranked subject in an open (flag) boundary tie: not selected yet
    assert m["P1"] == {
        "total": 95,
        "grade": "优秀",
        "rank": 1,
        "eligible": True,
        "vetoed": False,
        "ranked": True,
        "selected": False,
    }
    assert (m["P3"]["grade"], m["P3"]["rank"]) == ("良好", 4)
    assert (m["P5"]["grade"], m["P5"]["rank"], m["P5"]["selected"]) == ("优秀", 3, False)
    # unranked subjects: rank and grade null, ranked false, total still there
    assert m["P4"] == {
        "total": 99,
        "grade": None,
        "rank": None,
        "eligible": False,
        "vetoed": False,
        "ranked": False,
        "selected": False,
    }
    assert (m["P6"]["eligible"], m["P6"]["vetoed"], m["P6"]["ranked"]) == (True, True, False)
    assert (m["P6"]["rank"], m["P6"]["grade"]) == (None, None)
    assert scored.stored("P4", "probe").no_data.count("rank") == 1


def test_the_subjects_own_result_in_another_awards_eligible(tmp_path: Path) -> None:
    scored = _scored(tmp_path, "flag")
    eligible = {r["subject"] for r in scored.results("probe") if r["eligible"]}
    assert eligible == {"P1", "P2", "P5"}  # base.grade == '优秀'; P4 (99) has no grade


def test_aggregates_over_members_read_their_fields(tmp_path: Path) -> None:
    scored = _scored(tmp_path, "flag")
    t1, t2 = scored.metrics("T1", "crew"), scored.metrics("T2", "crew")
    assert (t1["excellent"], t2["excellent"]) == (2, 1)  # P4 reached 99 but is ineligible
    assert (t1["ranked"], t2["ranked"]) == (D("0.75"), D("0.5"))
    assert (t1["selected"], t2["selected"]) == (0, 0)  # the tie is still open
    assert (t1["avg_eligible"], t2["avg_eligible"]) == (90, 66)  # (95+95+80)/3, (92+40)/2
    assert (t1["first"], t2["first"]) == (2, 0)


def test_selected_follows_the_boundary_tie_policy(tmp_path: Path) -> None:
    scored = _scored(tmp_path, "include_all")
    assert scored.selected("base") == {"P1", "P2"}
    assert scored.metrics("P1", "probe")["selected"] is True
    assert scored.metrics("T1", "crew")["selected"] == 2


def test_the_plan_scores_the_read_award_first(tmp_path: Path) -> None:
    scored = _scored(tmp_path, "flag")
    order = [a.name for a in scored.rules.plan.awards]
    assert order.index("base") < order.index("probe")
    assert order.index("base") < order.index("crew")
