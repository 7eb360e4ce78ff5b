"""`pioneer score --engine`: every engine stores byte-identical results (same results_sha256)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from engine_helpers import campaign

from scoring import service
from scoring.backends.sql.engines import backend_for
from scoring.backends.sql.sqlbackend import stored_dataset
from scoring.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "examples" / "qianyang"


@pytest.mark.parametrize("campaign_name", ["three_pioneers", "three_shows"])
def test_every_engine_gives_the_interpreters_results_sha256(
    tmp_path: Path, campaign_name: str
) -> None:
    rules = service.load(ROOT / "rules" / f"{campaign_name}.yaml")
    db = service.open_db(tmp_path / "store.db", actor="tester")
    report = service.ingest_folder(db, rules, DATA, actor="tester")
    ref = stored_dataset(db, report.dataset_id)
    for period in ("2022", "2022-Q3"):
        want = service.score(db, rules, period, actor="tester")
        for engine in ("sqlite", "duckdb", "auto"):
            backend = backend_for(engine, ref, rules.plan.catalog)
            got = service.score(db, rules, period, actor="tester", backend=backend)
            assert got.results_sha256 == want.results_sha256, (engine, period)
            assert got.fallbacks == [], got.fallbacks
            assert set(got.backends.values()) == {backend.name}


def test_score_engine_on_the_command_line(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    rules_path = str(ROOT / "rules" / "three_shows.yaml")
    runner = CliRunner()
    first = runner.invoke(
        cli, ["score", rules_path, "--db", str(store), "--period", "2022", "--data", str(DATA)]
    )
    assert first.exit_code == 0, first.output
    sha = [x for x in first.output.splitlines() if x.startswith("results_sha256")]
    for engine in ("sqlite", "duckdb", "auto"):
        result = runner.invoke(
            cli, ["score", rules_path, "--db", str(store), "--period", "2022", "--engine", engine]
        )
        assert result.exit_code == 0, result.output
        assert [x for x in result.output.splitlines() if x.startswith("results_sha256")] == sha
    bad = runner.invoke(
        cli, ["score", rules_path, "--db", str(store), "--period", "2022", "--engine", "spark"]
    )
    assert bad.exit_code == 2


def test_an_award_the_data_would_overflow_falls_back_and_the_run_says_so(
    tmp_path: Path,
) -> None:
    awards = """
a:
  title: 大数
  subjects: people
  criteria:
    n: {max: 10, metric: "sum(records.v) * sum(records.v)", score: {linear: [0, 10]}}
"""
    people = [{"id": "P1", "name": "甲", "unit": "u"}]
    records = [{"person": "P1", "day": "2022-03-01", "v": "900000000000000.123456"}]
    scored = campaign(tmp_path, awards, {"people": people, "records": records})
    ref = stored_dataset(scored.db, scored.report.dataset_id)
    backend = backend_for("sqlite", ref, scored.rules.plan.catalog)
    run = service.score(scored.db, scored.rules, "2022", actor="tester", backend=backend)
    assert run.results_sha256 == scored.summary.results_sha256
    assert run.backends == {"a": "interpreter"}
    assert len(run.fallbacks) == 1 and "64-bit" in run.fallbacks[0]
