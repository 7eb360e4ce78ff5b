"""The pipeline's write of one award (`pipeline.store_award`), on every road.

* A published run takes no new results, whichever road would write them (the
  interpreter's outcomes, SQL on SQLite, SQL on DuckDB, a SQL backend's
  outcomes where SQL cannot spell the results): refused before any row.
* Where the SQL backend cannot write an award's results in SQL (here a quota
  split `per` a `bool` column), its outcomes are ranked and written in
  Python: the same `results_sha256` as the interpreter's, and `score` says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from engine_helpers import ACTOR, campaign, people, recs, rules_text
from review_helpers import AWARD, in_review
from sqlite_utils import Database

from scoring import service
from scoring.backend import Backend
from scoring.backends.interpreter import InterpreterBackend
from scoring.backends.sql.sqlbackend import SqlBackend, stored_dataset
from scoring.cli import cli
from scoring.periods import parse_period
from scoring.pipeline import store_award
from scoring.rules import load
from scoring.runs import PublishedRun

PER_MEMBER = """
b:
  title: 按党员分配
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
  quota: {count: 2, per: member}
"""
"""An award whose results SQL cannot spell: its quota splits `per` a bool column."""

ROADS: dict[str, tuple[str, Backend]] = {
    "interpreter outcomes": (AWARD.replace("\na:\n", "\nb:\n"), InterpreterBackend()),
    "SQL on SQLite": (AWARD.replace("\na:\n", "\nb:\n"), SqlBackend("sqlite")),
    "SQL on DuckDB": (AWARD.replace("\na:\n", "\nb:\n"), SqlBackend("duckdb")),
    "SQLite outcomes": (PER_MEMBER, SqlBackend("sqlite")),
    "DuckDB outcomes": (PER_MEMBER, SqlBackend("duckdb")),
}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose run 1 (award `a`) is published."""
    store = in_review(tmp_path_factory.mktemp("published"))
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    return store.path


@pytest.mark.parametrize("road", list(ROADS))
def test_a_published_run_takes_no_new_results_on_any_road(published: Path, road: str) -> None:
    awards, backend = ROADS[road]
    rules = load("b.yaml", rules_text(awards))
    award = rules.plan.award("b")
    db = Database(published)
    try:
        before = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        with pytest.raises(PublishedRun, match="run 1: published results cannot change"):
            store_award(
                rules.plan,
                award,
                stored_dataset(db, 1),
                parse_period("2022"),
                backend,
                {},
                run_id=1,
                keep=False,
            )
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == before
        assert db.execute("SELECT DISTINCT award FROM results").fetchall() == [("a",)]
    finally:
        db.conn.rollback()  # whatever a failing road wrote goes, for the next road
        db.close()


def _per_member(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The `PER_MEMBER` campaign's rule file, data folder and an empty store's path."""
    data = {
        "people": [
            {**p, "member": member}
            for p, member in zip(
                people("P1", "P2", "P3", "P4"), (True, False, True, False), strict=True
            )
        ],
        "records": [*recs("P1", 5, 3), *recs("P2", 7), *recs("P3", 1), *recs("P4", 4)],
    }
    scored = campaign(tmp_path, PER_MEMBER, data)
    return scored.tmp / "rules.yaml", scored.tmp / "data", tmp_path / "cli.db"


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_results_sql_cannot_spell_are_written_from_outcomes_and_said(
    tmp_path: Path, engine: str
) -> None:
    rules_path, data, _ = _per_member(tmp_path)
    db = Database(tmp_path / "c" / "store.db")
    rules = service.load(rules_path)
    oracle = service.score(db, rules, "2022", actor=ACTOR)
    run = service.score(db, rules, "2022", actor=ACTOR, backend=SqlBackend(engine))  # type: ignore[arg-type]
    assert run.results_sha256 == oracle.results_sha256
    assert run.backends == {"b": engine}
    assert run.fallbacks == [
        f"b: scored by {engine}, ranked and written in Python"
        f" ({engine} cannot write this award's results in SQL)"
    ]
    assert run.selected == oracle.selected == {"b": 2}


def test_score_prints_the_note_and_the_interpreters_hash(tmp_path: Path) -> None:
    rules_path, data, store = _per_member(tmp_path)
    runner = CliRunner()
    base = ["score", str(rules_path), "--db", str(store), "--period", "2022", "--as", ACTOR]
    first = runner.invoke(cli, [*base, "--data", str(data)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, [*base, "--engine", "sqlite"])
    assert second.exit_code == 0, second.output
    assert (
        "note: b: scored by sqlite, ranked and written in Python"
        " (sqlite cannot write this award's results in SQL)"
    ) in second.stderr
    assert "note:" not in first.stderr

    def hash_of(output: str) -> str:
        return next(x for x in output.splitlines() if x.startswith("results_sha256 "))

    assert hash_of(second.stdout) == hash_of(first.stdout)
