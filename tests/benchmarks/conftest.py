"""Shared fixtures of `make bench` and the table it prints at the end.

The size comes from `PIONEER_BENCH_SIZE` (S, M or L; `bench_data.py`). The
data set is generated once per size and cached; each run ingests it (timed:
`test_bench_ingest.py`) and the later steps reuse that store and the
baselines' files. Steps run in the order ingest, score, export, reads, so
the store the ingest benchmark made is the one that is scored and exported.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench_data import RULES, Size, award_only_rules, chosen_size, data_folder
from bench_report import REPORT

from scoring import service
from scoring.rules import Rules

ORDER = ("test_bench_ingest", "test_bench_score", "test_bench_export", "test_bench_browse")
MADE: dict[str, Path] = {}
"""What an earlier step left for later ones: the pioneer store and the
baselines' SQLite and DuckDB files ("store", "hand-sqlite", "hand-duckdb")."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def place(item: pytest.Item) -> int:
        name = item.module.__name__ if item.module else ""  # type: ignore[attr-defined]
        return ORDER.index(name) if name in ORDER else len(ORDER)

    items.sort(key=place)


@pytest.fixture(scope="session")
def size() -> Size:
    chosen = chosen_size()
    REPORT.size = chosen.name
    return chosen


@pytest.fixture(scope="session")
def data(size: Size) -> Path:
    """The generated CSV folder of this size (cached between runs)."""
    return data_folder(size.riders, size.shape)


@pytest.fixture(scope="session")
def rules() -> Rules:
    """The shipped three_pioneers campaign (what is ingested)."""
    return service.load(RULES)


@pytest.fixture(scope="session")
def rider_rules() -> Rules:
    """three_pioneers with only `pioneer_rider` (what the baselines compute)."""
    return service.load("pioneer_rider.yaml", award_only_rules())


@pytest.fixture(scope="session")
def work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where this run's stores live; removed at the end (they are large)."""
    folder = tmp_path_factory.mktemp("bench")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def remove_store(path: Path) -> None:
    """A store file with its WAL, shared memory and columnar copies."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(f"{path}.columnar", ignore_errors=True)


@pytest.fixture(scope="session")
def store(work: Path, data: Path, rules: Rules) -> Path:
    """A pioneer store holding the data set: the ingest benchmark's, or
    ingested here (untimed) when that benchmark did not run."""
    if "store" not in MADE:
        path = work / "pioneer.db"
        remove_store(path)
        db = service.open_db(path, actor="bench")
        service.ingest_folder(db, rules, data, actor="bench")
        db.close()
        MADE["store"] = path
    return MADE["store"]


@pytest.fixture(scope="session")
def hand_files(work: Path, data: Path, rules: Rules) -> dict[str, Path]:
    """The baselines' own SQLite and DuckDB files of the data set."""
    from baselines import ingest_duckdb, ingest_sqlite

    for engine, load in (("hand-sqlite", ingest_sqlite), ("hand-duckdb", ingest_duckdb)):
        if engine not in MADE:
            path = work / f"{engine}.db"
            remove_store(path)
            load(data, rules.plan.catalog, path)
            MADE[engine] = path
    return {e: MADE[e] for e in ("hand-sqlite", "hand-duckdb")}


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not REPORT.figures:
        return
    terminalreporter.write_sep("=", "pioneer against its baselines")
    for line in REPORT.table():
        terminalreporter.write_line(line)
