"""`pioneer sql`: the printed SQL is what runs, in every dialect, fallbacks as comments."""

from __future__ import annotations

import sqlite3
from fractions import Fraction
from pathlib import Path

import pytest
import sqlglot
from click.testing import CliRunner
from engine_helpers import campaign
from sql_helpers import interpret

from scoring import service
from scoring.cli import cli
from scoring.periods import parse_period

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "examples" / "qianyang"


def _statements(text: str) -> dict[str, str]:
    """award name -> its SQL (or its fallback comment)."""
    out: dict[str, str] = {}
    for block in text.split("\n\n")[1:]:
        head = block.splitlines()[0]
        assert head.startswith("-- award ")
        out[head.split()[2]] = block
    return out


@pytest.mark.parametrize("dialect", ["sqlite", "duckdb", "spark"])
def test_every_shipped_award_prints_as_sql(dialect: str) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "sql",
            str(ROOT / "rules" / "three_pioneers.yaml"),
            "--dialect",
            dialect,
            "--period",
            "2022",
        ],
    )
    assert result.exit_code == 0, result.output
    blocks = _statements(result.output)
    assert list(blocks) == ["pioneer_rider", "pioneer_crew", "pioneer_route"]
    assert all("falls back" not in b and "SELECT" in b for b in blocks.values())
    assert "reads upstream_pioneer_rider" in blocks["pioneer_crew"]
    if dialect == "spark":
        assert " DIV " in result.output and "//" not in result.output
    for block in blocks.values():  # each statement parses back in its dialect
        statement = "\n".join(x for x in block.splitlines() if not x.startswith("--"))
        assert sqlglot.parse_one(statement.rstrip(";"), read=dialect) is not None


def test_printed_sqlite_sql_runs_on_the_store_and_gives_the_interpreters_totals(
    tmp_path: Path,
) -> None:
    rules_path = ROOT / "rules" / "three_shows.yaml"
    rules = service.load(rules_path)
    store = tmp_path / "store.db"
    db = service.open_db(store, actor="tester")
    report = service.ingest_folder(db, rules, DATA, actor="tester")
    result = CliRunner().invoke(
        cli, ["sql", str(rules_path), "--db", str(store), "--period", "2022-H1"]
    )
    assert result.exit_code == 0, result.output
    assert f"-- dataset {report.dataset_id} sha256 " in result.output
    block = _statements(result.output)["excellent_member"]
    sql = "\n".join(line for line in block.splitlines() if not line.startswith("--"))
    con = sqlite3.connect(store)
    names = [d[0] for d in con.execute(sql.rstrip(";")).description]
    rows = con.execute(sql.rstrip(";")).fetchall()
    totals = {str(r[0]): Fraction(r[names.index("total")], 100) for r in rows}
    want = interpret(db, rules.plan, report.dataset_id, parse_period("2022-H1"))
    assert totals == {o.key: o.total for o in want["excellent_member"]}


def test_a_fallback_is_printed_as_a_comment_with_its_reason(tmp_path: Path) -> None:
    awards = """
a:
  title: 回退
  subjects: people
  criteria:
    n: {max: 10, metric: "count(records)", score: {formula: "1 if member else trimmed_mean(records.v, 1)"}}
    m: {max: 5, metric: "count(records)", score: {per: 1}}
"""
    scored = campaign(tmp_path, awards)
    rules_file = scored.tmp / "rules.yaml"
    result = CliRunner().invoke(cli, ["sql", str(rules_file), "--dialect", "duckdb"])
    assert result.exit_code == 0, result.output
    assert "-- falls back to the interpreter: `trimmed_mean` under a condition" in result.output


def test_bad_rules_or_period_exit_1_with_a_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["sql", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 1 and "no such file" in result.output
    rules_path = str(ROOT / "rules" / "three_shows.yaml")
    result = CliRunner().invoke(cli, ["sql", rules_path, "--period", "2022-13"])
    assert result.exit_code == 1 and "invalid period" in result.output
