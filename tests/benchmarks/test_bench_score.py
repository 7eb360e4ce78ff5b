"""Benchmarks (run by `make bench`, skipped by the normal suite).

The figure that matters is the ratio between pioneer's scoring of an award
and a hand-written SQL baseline that computes the same aggregates on the
same dataset: the interpreter is exact and explains itself, the baseline is
the floor of what SQLite alone can do.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scoring import service

ROOT = Path(__file__).resolve().parents[2]
SCALE = 2000


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> tuple[service.Rules, object, int]:
    folder = tmp_path_factory.mktemp("scaled")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "generate.py"),
            "--scale",
            str(SCALE),
            "--out",
            str(folder),
        ],
        check=True,
    )
    rules = service.load(ROOT / "rules" / "three_pioneers.yaml")
    db = service.open_db(folder / "bench.db")
    report = service.ingest_folder(db, rules, folder)
    return rules, db, report.dataset_id


def test_score_three_pioneers(benchmark, scaled) -> None:  # type: ignore[no-untyped-def]
    rules, db, dataset_id = scaled
    summary = benchmark.pedantic(
        lambda: service.score(db, rules, "2022", dataset_id=dataset_id), rounds=3, iterations=1
    )
    assert summary.subjects["pioneer_rider"] == SCALE


def test_sql_baseline_rider_aggregates(benchmark, scaled) -> None:  # type: ignore[no-untyped-def]
    _rules, db, dataset_id = scaled
    sql = f"""
        SELECT r.id, SUM(d.parcels), SUM(d.on_time), COUNT(c.id)
        FROM ds{dataset_id}_riders r
        LEFT JOIN ds{dataset_id}_deliveries d ON d.rider = r.id AND d.month BETWEEN '2022-01-01' AND '2022-12-31'
        LEFT JOIN ds{dataset_id}_complaints c ON c.rider = r.id AND c.day BETWEEN '2022-01-01' AND '2022-12-31'
        GROUP BY r.id
    """
    rows = benchmark(lambda: db.execute(sql).fetchall())  # type: ignore[attr-defined]
    assert len(rows) == SCALE
