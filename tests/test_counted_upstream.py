"""The records `explain` says a rule counted, where the rule reads earlier awards'
results of the subject table's rows (`scoring.counted`): each row carries every
award it reads, as the run computed them, for every linked row."""

from __future__ import annotations

from pathlib import Path

from engine_helpers import campaign

from scoring import service

TABLES = """
teams: {key: id, columns: {id: text, name: text, unit: text}}
people:
  key: id
  columns: {id: text, name: text, unit: text, team: text, v: int, n: int}
  links: {teams: team}
"""

AWARDS = """
a:
  title: 个人一
  subjects: people
  criteria:
    k: {max: 10, metric: "v", score: {per: 1}}
  grades: {优: 6, 良: 0}
b:
  title: 个人二
  subjects: people
  criteria:
    k: {max: 10, metric: "n", score: {per: 1}}
  quota: {count: 3}
team:
  title: 集体
  subjects: teams
  criteria:
    good: {max: 10, metric: "count(people[a.grade == '优'])", score: {per: 1}}
    chosen: {max: 10, metric: "count(people[b.selected])", score: {per: 1}}
    both: {max: 10, metric: "count(people[a >= 5 and b.rank <= 2])", score: {per: 1}}
"""

PEOPLE = [  # (id, team, v, n)
    ("P1", "T1", 9, 1),
    ("P2", "T1", 2, 9),
    ("P3", "T1", 7, 8),
    ("P4", "T1", 1, 0),
    ("P5", "T2", 8, 7),
]


def test_counted_rows_read_every_upstream_award_of_every_linked_row(tmp_path: Path) -> None:
    data = {
        "teams": [
            {"id": "T1", "name": "一队", "unit": "u"},
            {"id": "T2", "name": "二队", "unit": "u"},
        ],
        "people": [
            {"id": k, "name": k, "unit": "u", "team": t, "v": v, "n": n} for k, t, v, n in PEOPLE
        ],
    }
    scored = campaign(tmp_path, AWARDS, data, tables=TABLES)
    ex = service.explain(scored.db, scored.run_id, "team", "T1")
    rows = next(e.rows for e in ex.evidence if e.table == "people")
    at = {str(r["id"]): i for i, r in enumerate(rows)}
    assert sorted(at) == ["P1", "P2", "P3", "P4"]
    counted = ex.counted["people"]
    # a: graded 优 from 6 points (P1 9, P3 7); b: 3 seats by n (P2 9, P3 8, P5 7: P5 is in T2)
    assert counted["good"] == {at["P1"], at["P3"]}
    assert counted["chosen"] == {at["P2"], at["P3"]}
    assert counted["both"] == {at["P3"]}  # a >= 5 (P1, P3) and b ranked 1 or 2 (P2, P3)
    assert scored.points("T1", "team") == {"good": 2, "chosen": 2, "both": 1}
