"""Scoring `pioneer_rider` end to end (`service.score`: every subject scored,
ranked, graded, selected and written to the store as a run), per engine,
beside the hand-written query for the same award on the baselines' files.

Engines: the interpreter (at S only: it takes minutes at M), the SQL backend
on SQLite and on DuckDB (`--engine sqlite|duckdb`). The first run of an
engine on a dataset is timed on its own ("score, cold"): it includes what is
built once per dataset (statistics; for DuckDB its columnar copy).

Targets (issue 7, at M): SQLite engine at most 1.0x the hand-written SQLite
query, DuckDB engine at most 2x the hand-written DuckDB query; at L, DuckDB
under 10 s with a peak under 2 GB.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from baselines import score_duckdb, score_sqlite
from bench_data import AWARD, PERIOD, Size
from bench_report import GB, Target, measure, once

from scoring import service
from scoring.backend import Backend
from scoring.backends.sql.engines import backend_for
from scoring.data import dataset_ref
from scoring.rules import Rules

STEP = "score pioneer_rider"
ENGINES = ("interpreter", "sql-sqlite", "sql-duckdb")
BASELINE = {"interpreter": "hand-sqlite", "sql-sqlite": "hand-sqlite", "sql-duckdb": "hand-duckdb"}
TARGETS = {
    "interpreter": (),
    "sql-sqlite": (Target("ratio", 1.0, "M"),),
    "sql-duckdb": (
        Target("ratio", 2.0, "M"),
        Target("seconds", 10, "L"),
        Target("memory", 2 * GB, "L"),
    ),
}


def _backend(db: Any, rules: Rules, engine: str) -> Backend | None:
    if engine == "interpreter":
        return None
    ref = dataset_ref(db, service.latest_dataset(db, rules))
    return backend_for(engine.removeprefix("sql-"), ref, rules.plan.catalog)  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ENGINES)
def test_score(benchmark: Any, size: Size, store: Path, rider_rules: Rules, engine: str) -> None:
    if engine == "interpreter" and size.name != "S":
        pytest.skip("the interpreter is benchmarked at S only")
    db = service.open_db(store, actor="bench")
    backend = _backend(db, rider_rules, engine)

    def score() -> Any:
        return service.score(db, rider_rules, PERIOD, actor="bench", backend=backend)

    once(f"{STEP}, cold", engine, score, note="first run on this dataset: includes one-off work")
    rounds = size.slow_rounds if engine == "interpreter" else size.rounds
    summary = measure(
        benchmark,
        score,
        step=STEP,
        engine=engine,
        rounds=rounds,
        baseline=BASELINE[engine],
        targets=TARGETS[engine],
    )
    db.close()
    assert summary.subjects[AWARD] == size.riders
    assert summary.ranked[AWARD] > size.riders // 2


@pytest.mark.parametrize("engine", ["hand-sqlite", "hand-duckdb"])
def test_score_by_hand(
    benchmark: Any, size: Size, hand_files: dict[str, Path], engine: str
) -> None:
    run = score_sqlite if engine == "hand-sqlite" else score_duckdb
    path = hand_files[engine]
    n = measure(benchmark, lambda: run(path), step=STEP, engine=engine, rounds=size.rounds)
    assert n == size.riders
