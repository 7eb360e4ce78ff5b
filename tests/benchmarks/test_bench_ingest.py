"""Ingest of the generated data set (the three_pioneers tables) into a fresh
store, beside the hand-written SQLite and DuckDB loads of the same files.

Targets (issue 7, at M): at least 500,000 rows per second, peak memory under
1 GB. The last round's store is the one the later steps score and export.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from baselines import ingest_duckdb, ingest_sqlite
from bench_data import Size
from bench_report import GB, Target, measure
from conftest import MADE, remove_store

from scoring import service
from scoring.catalog import Catalog
from scoring.rules import Rules

STEP = "ingest"


def _rounds(folder: Path, name: str) -> Callable[[], tuple[tuple[Any, ...], dict[str, Any]]]:
    """A setup giving each round a fresh file (and removing the previous one)."""
    made: list[Path] = []

    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        for old in made:
            remove_store(old)
        path = folder / f"{name}-{len(made)}.db"
        remove_store(path)
        made.append(path)
        return (path,), {}

    return setup


def test_ingest_pioneer(benchmark: Any, size: Size, data: Path, rules: Rules, work: Path) -> None:
    def ingest(path: Path) -> tuple[Path, int]:
        db = service.open_db(path, actor="bench")
        report = service.ingest_folder(db, rules, data, actor="bench")
        db.close()
        return path, report.rows_in

    path, rows = measure(
        benchmark,
        ingest,
        step=STEP,
        engine="pioneer",
        rounds=size.slow_rounds,
        setup=_rounds(work, "pioneer"),
        baseline="hand-sqlite",
        targets=(Target("rate", 500_000, "M"), Target("memory", 1 * GB, "M")),
        rows=lambda result: result[1],
    )
    MADE["store"] = path
    assert rows > 45 * size.riders


def _hand(
    benchmark: Any,
    size: Size,
    data: Path,
    catalog: Catalog,
    work: Path,
    engine: str,
    load: Callable[[Path, Catalog, Path], int],
) -> None:
    def ingest(path: Path) -> tuple[Path, int]:
        return path, load(data, catalog, path)

    path, rows = measure(
        benchmark,
        ingest,
        step=STEP,
        engine=engine,
        rounds=size.slow_rounds,
        setup=_rounds(work, engine),
        rows=lambda result: result[1],
    )
    MADE[engine] = path
    assert rows > 45 * size.riders


def test_ingest_hand_sqlite(
    benchmark: Any, size: Size, data: Path, rules: Rules, work: Path
) -> None:
    _hand(benchmark, size, data, rules.plan.catalog, work, "hand-sqlite", ingest_sqlite)


def test_ingest_hand_duckdb(
    benchmark: Any, size: Size, data: Path, rules: Rules, work: Path
) -> None:
    _hand(benchmark, size, data, rules.plan.catalog, work, "hand-duckdb", ingest_duckdb)
