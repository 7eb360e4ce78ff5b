"""Features the SQL backend once left to the interpreter, now compiled: each gives exactly
the interpreter's outcomes on SQLite and DuckDB, with no fallback."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from engine_helpers import Scored, campaign
from sql_helpers import compare_all

from scoring.cli import cli

PEOPLE = [
    {"id": "P1", "name": "甲", "unit": "u1", "member": True, "level": "2", "joined": "2020-02-29"},
    {"id": "P2", "name": "乙", "unit": "u1", "member": False, "level": "1", "joined": "2022-01-31"},
    {"id": "P3", "name": "丙", "unit": "u2", "member": None, "level": None, "joined": None},
    {
        "id": "P4",
        "name": "丁",
        "unit": "u2",
        "member": True,
        "level": "0.5",
        "joined": "2022-08-31",
    },
]
RECORDS = [
    {"person": p, "day": d, "v": v, "n": n, "kind": k}
    for p, d, v, n, k in [
        ("P1", "2022-01-01", "3.5", 1, "a"),
        ("P1", "2022-02-28", "1.005", 2, "b"),
        ("P1", "2022-12-31", None, None, None),
        ("P2", "2022-02-28", "2", 3, "a"),
        ("P2", "2022-03-01", "2.5", -3, "a"),
        ("P2", "2022-07-31", "0", 0, "b"),
        ("P4", "2022-09-30", "10", 1, "a"),
        ("P4", "2022-12-15", "-1.5", 2, None),
    ]
]


def _matches(tmp_path: Path, awards: str, sqlite_refuses: str | None = None) -> Scored:
    scored = campaign(tmp_path, awards, {"people": PEOPLE, "records": RECORDS})
    results = compare_all(scored.db, scored.rules.plan, scored.report.dataset_id, "2022")
    assert results
    for r in results:
        refused = sqlite_refuses if r.engine == "sqlite" else None
        assert (r.award, r.engine, r.fallback, r.problems[:3]) == (r.award, r.engine, refused, [])
    return scored


def test_an_award_total_and_fields_read_as_subject_columns_in_a_row_filter(
    tmp_path: Path,
) -> None:
    awards = """
a:
  title: 前序
  subjects: people
  criteria:
    n: {max: 10, metric: "sum(records.v)", score: {per: 1}}
  grades: {A: 5, B: 1}
  quota: {count: 1}
b:
  title: 后续
  subjects: people
  criteria:
    f0: {max: 5, metric: "count(records[v <= subject.a])", score: {per: 1}}
    f1: {max: 5, metric: "sum(records[subject.a.grade == 'A'].n)", score: {per: 1}}
    f2: {max: 5, metric: "count(records[subject.a.ranked and not subject.a.selected])",
         score: {per: 1}}
    f3: {max: 5, metric: "count(records[n < coalesce(subject.a.rank, 9)])", score: {per: 1}}
"""
    _matches(tmp_path, awards)


def test_date_arithmetic_on_columns(tmp_path: Path) -> None:
    awards = """
a:
  title: 日期
  subjects: people
  eligible: "joined + years(1) <= period.end"
  veto:
    - {when: "joined - days(level * 2) > period.end - months(3)", reason: 入职太晚}
  criteria:
    f0: {max: 5, metric: "count(records[day >= subject.joined + months(6)])", score: {per: 1}}
    f1: {max: 5, metric: "count(records[day - subject.joined <= 400])", score: {per: 1}}
    f2: {max: 5, metric: "max(records.day) - joined", score: {per: 0.01}}
    f3: {max: 5, metric: "coalesce(joined + months(1) + days(1), period.start)",
         score: {when: "x >= period.start + days(40)"}}
    f5: {max: 5, metric: "count(records[day in [subject.joined + days(1), period.end]])",
         score: {per: 1}}
"""
    _matches(tmp_path, awards)


def test_a_month_count_read_per_record_is_too_deep_for_sqlite_only(tmp_path: Path) -> None:
    # the clamped month end of a per-row count nests past SQLite's parser stack: that
    # engine leaves the award to the interpreter and says why; DuckDB computes it
    awards = """
a:
  title: 日期
  subjects: people
  criteria:
    f0: {max: 5, metric: "count(records[day + years(subject.level) > period.end - months(n)])",
         score: {per: 1}}
"""
    reason = "expressions nested deeper than SQLite's parser allows"
    scored = _matches(tmp_path, awards, reason)
    rules_file = str(scored.tmp / "rules.yaml")
    printed = CliRunner().invoke(cli, ["sql", rules_file, "--dialect", "sqlite"]).output
    assert f"-- falls back to the interpreter: {reason}" in printed
    printed = CliRunner().invoke(cli, ["sql", rules_file, "--dialect", "duckdb"]).output
    assert "falls back" not in printed and "SELECT" in printed
