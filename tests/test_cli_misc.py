"""Smaller command-line paths: `rejects --dataset`, and progress output."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scoring import cli as cli_module
from scoring import service
from scoring.cli import cli, progress_bar

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "three_pioneers.yaml"
DATA = ROOT / "examples" / "qianyang"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("misc") / "x.db"
    assert run("ingest", str(DATA), "--rules", str(RULES), "--db", str(db)).exit_code == 0
    return db


def test_rejects_of_a_named_dataset(store: Path) -> None:
    result = run("rejects", "--db", str(store), "--dataset", "1")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "0 rejected row(s)"


def test_rejects_of_an_unknown_dataset_exits_1(store: Path) -> None:
    result = run("rejects", "--db", str(store), "--dataset", "7")
    assert result.exit_code == 1
    assert "no dataset 7" in result.output


def test_rejects_on_a_store_without_datasets_says_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    service.open_db(db).close()
    result = run("rejects", "--db", str(db))
    assert result.exit_code == 1
    assert "pioneer ingest" in result.output


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_silent_when_piped(monkeypatch: pytest.MonkeyPatch) -> None:
    piped = io.StringIO()
    monkeypatch.setattr(cli_module.sys, "stderr", piped)
    with progress_bar("score") as update:
        assert update is None
    assert piped.getvalue() == ""


def test_progress_counts_rows_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(cli_module.sys, "stderr", terminal)
    with progress_bar("ingest") as update:
        assert update is not None
        update("riders", 1000, 0)
    assert "ingest riders: 1000 rows" in terminal.getvalue()


def test_scoring_reports_progress_while_an_award_is_scored(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interpreter reports every so many subjects, not only when an award is done."""
    from scoring import pipeline
    from scoring.store import open_store

    monkeypatch.setattr(pipeline, "_EVERY", 100)
    seen: list[tuple[str, int, int]] = []
    db = open_store(store)
    service.score(db, service.load(RULES), "2022", progress=lambda *c: seen.append(c))
    riders = [done for award, done, _ in seen if award == "pioneer_rider"]
    assert riders[:3] == [100, 200, 300]
    assert riders[-1] == 360
