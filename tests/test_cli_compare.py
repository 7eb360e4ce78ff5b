"""`pioneer demo`, `diff` and `whatif` through the real command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scoring.cli import cli

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "three_pioneers.yaml"
DATA = ROOT / "examples" / "qianyang"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("compare") / "x.db"
    result = run("score", str(RULES), "--data", str(DATA), "--db", str(db), "--period", "2022")
    assert result.exit_code == 0, result.output
    return db


def _runs(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])


def _changed_rules(tmp_path: Path) -> Path:
    text = RULES.read_text(encoding="utf-8")
    assert "linear: [0, 18000]" in text
    changed = tmp_path / "three_pioneers.yaml"
    changed.write_text(text.replace("linear: [0, 18000]", "linear: [0, 12000]"), encoding="utf-8")
    return changed


def test_demo_scores_both_campaigns_and_prints_each_ranking() -> None:
    result = run("demo")
    assert result.exit_code == 0, result.output
    for title in ("先锋骑手", "先锋班组", "先锋邮路", "优秀共产党员", "为民服务先锋"):
        assert title in result.output
    assert "入选" in result.output
    assert "Traceback" not in result.output


def test_whatif_shows_what_would_move_and_saves_nothing(store: Path, tmp_path: Path) -> None:
    before = _runs(store)
    result = run("whatif", str(_changed_rules(tmp_path)), "--db", str(store), "--run", "latest")
    assert result.exit_code == 0, result.output
    assert "pioneer_rider:" in result.output
    assert "rank " in result.output and "total " in result.output
    assert _runs(store) == before


def test_diff_of_a_run_with_itself_reports_no_change(store: Path) -> None:
    result = run("diff", "--db", str(store), "1", "latest")
    assert result.exit_code == 0, result.output
    assert "pioneer_rider: 0 changed, 0 newly selected, 0 no longer selected" in result.output


def test_diff_between_two_runs_lists_movers(store: Path, tmp_path: Path) -> None:
    changed = _changed_rules(tmp_path)
    scored = run("score", str(changed), "--db", str(store), "--period", "2022")
    assert scored.exit_code == 0, scored.output
    new_run = scored.output.strip().splitlines()[-1].removeprefix("run ")
    result = run("diff", "--db", str(store), "1", new_run)
    assert result.exit_code == 0, result.output
    assert f"run 1 -> run {new_run}" in result.output
    assert "pioneer_rider: 0 changed" not in result.output


def test_diff_of_an_unknown_run_exits_1(store: Path) -> None:
    result = run("diff", "--db", str(store), "1", "99")
    assert result.exit_code == 1
    assert "no run 99" in result.output
