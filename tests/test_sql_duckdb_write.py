"""DuckDB's write path (`scoring.backends.sql.writing.write_duckdb`), issue 7 item 3.

The rows are spelled over the scored figures cast to 64 bits, fetched in
chunks and inserted as they come, their hash lines kept as bytes (spilled to
a file when large); these tests show that none of it changes a
byte of the results: chunk boundaries anywhere give the same `results_sha256`,
and a figure that does not fit the narrow type makes DuckDB raise, the rows
already inserted are rolled back and the award is spelled again from the
wide figures, with the same results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from engine_helpers import ACTOR

from scoring import service
from scoring.backends.interpreter import InterpreterBackend
from scoring.backends.sql import writing
from scoring.backends.sql.engines import backend_for
from scoring.backends.sql.sqlbackend import stored_dataset
from scoring.runs import results_hash

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any, str]:
    rules = service.load(ROOT / "rules" / "three_pioneers.yaml")
    db = service.open_db(tmp_path_factory.mktemp("duckwrite") / "store.db", actor=ACTOR)
    report = service.ingest_folder(db, rules, ROOT / "examples" / "qianyang", actor=ACTOR)
    want = service.score(db, rules, "2022", actor=ACTOR, backend=InterpreterBackend())
    return db, rules, stored_dataset(db, report.dataset_id), want.results_sha256


def _duckdb_run(shipped: tuple[Any, Any, Any, str]) -> Any:
    db, rules, ref, _ = shipped
    backend = backend_for("duckdb", ref, rules.plan.catalog)
    return service.score(db, rules, "2022", actor=ACTOR, backend=backend)


def _rows(db: Any, run_id: int) -> int:
    return int(db.execute("SELECT COUNT(*) FROM results WHERE run_id = ?", [run_id]).fetchone()[0])


@pytest.mark.parametrize(("chunk", "spool"), [(5, 100), (7, 32 << 20), (1_000_000, 100)])
def test_any_chunk_size_gives_the_same_results(
    shipped: tuple[Any, Any, Any, str], monkeypatch: pytest.MonkeyPatch, chunk: int, spool: int
) -> None:
    """Chunks of any size, hash lines held in memory or in a file beyond `spool` bytes."""
    db, _, _, want = shipped
    monkeypatch.setattr(writing, "_CHUNK", chunk)
    monkeypatch.setattr(writing, "_SPOOL", spool)
    run = _duckdb_run(shipped)
    assert run.results_sha256 == results_hash(db, run.run_id) == want
    assert _rows(db, run.run_id) == sum(run.subjects.values())


def test_a_figure_too_wide_for_the_narrow_type_is_spelled_from_the_wide_one(
    shipped: tuple[Any, Any, Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A narrow type that overflows on real figures (TINYINT here, so that
    the example's parcel counts do not fit)."""
    db, _, _, want = shipped
    tries: list[str] = []

    narrowed = writing._narrowed

    def too_narrow(con: duckdb.DuckDBPyConnection, sql: str) -> str:
        tries.append("narrow")
        return narrowed(con, sql).replace("AS BIGINT", "AS TINYINT")

    spell = writing._spell_and_insert

    def spell_noting(con: duckdb.DuckDBPyConnection, *args: Any) -> Any:
        types = {row[1] for row in con.execute(f'DESCRIBE "{writing.SCORED}"').fetchall()}
        tries.append("spell narrow" if "TINYINT" in types else "spell wide")
        return spell(con, *args)

    monkeypatch.setattr(writing, "_narrowed", too_narrow)
    monkeypatch.setattr(writing, "_spell_and_insert", spell_noting)
    run = _duckdb_run(shipped)
    assert tries[:2] == ["narrow", "spell wide"]  # the narrow table failed: scored again wide
    assert run.results_sha256 == results_hash(db, run.run_id) == want
    assert _rows(db, run.run_id) == sum(run.subjects.values())


def test_an_error_while_fetching_leaves_no_rows_of_the_award(
    shipped: tuple[Any, Any, Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows inserted from earlier chunks are undone when a later chunk fails."""
    db, _, _, want = shipped
    monkeypatch.setattr(writing, "_CHUNK", 50)
    inserted: list[int] = []
    written = writing._written

    def failing_late(rows: Any, *args: Any) -> Any:
        inserted.append(len(rows))
        if len(inserted) == 2:
            raise duckdb.OutOfRangeException("a product past 64 bits")
        return written(rows, *args)

    monkeypatch.setattr(writing, "_written", failing_late)
    run = _duckdb_run(shipped)
    assert len(inserted) > 2  # the first award failed once and was written again
    assert run.results_sha256 == results_hash(db, run.run_id) == want
    assert _rows(db, run.run_id) == sum(run.subjects.values())
