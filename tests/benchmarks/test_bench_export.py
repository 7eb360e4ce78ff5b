"""Exporting a scored run (`pioneer export --format json|csv`: every result
with its breakdown, or the 公示 list) beside a hand-written read of the same
stored results. The exported run is the last one the score benchmarks made
(results are byte-identical whichever engine scored them, so the export does
not depend on the engine); without one, the run is scored here first.

`pioneer` writes the export to a file as `pioneer export -o` does
(`service.export_to`, streamed); `pioneer before` is the computation it
replaced (`tests/export_reference.py`: the whole document in memory, open
boundary ties found by ranking the award again), measured in the same run.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
from baselines import export_csv, export_json
from bench_data import AWARD, PERIOD, ROOT, Size
from bench_report import measure

from scoring import service
from scoring.rules import Rules

TODAY = dt.date(2023, 1, 5)


@pytest.fixture(scope="module")
def run(store: Path, rider_rules: Rules) -> int:
    db = service.open_db(store, actor="bench")
    try:
        row = db.execute("SELECT MAX(run_id) FROM results WHERE award = ?", [AWARD]).fetchone()
        if row[0] is not None:
            return int(row[0])
        return service.score(db, rider_rules, PERIOD, actor="bench").run_id
    finally:
        db.close()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export(benchmark: Any, size: Size, store: Path, work: Path, run: int, fmt: str) -> None:
    db = service.open_db(store, actor="bench")
    target = work / f"export.{fmt}"

    def export() -> bytes:
        with target.open("wb") as out:
            service.export_to(db, run, fmt, out, today=TODAY)
        return b""

    measure(
        benchmark,
        export,
        step=f"export {fmt}",
        engine="pioneer",
        rounds=size.slow_rounds,
        baseline="hand-sqlite",
    )
    if size.name != "L":  # the streamed export is the one computed before
        assert target.read_bytes() == _reference(db, run, fmt)
    db.close()
    with target.open("rb") as written:
        lines = sum(block.count(b"\n") for block in iter(lambda: written.read(1 << 20), b""))
    assert lines > (size.riders if fmt == "json" else size.riders // 20)


def _reference(db: Any, run: int, fmt: str) -> bytes:
    sys.path.insert(0, str(ROOT / "tests"))
    from export_reference import reference_export

    return reference_export(db, run, fmt, TODAY)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_before(benchmark: Any, size: Size, store: Path, run: int, fmt: str) -> None:
    if size.name == "L":
        pytest.skip("the replaced computation holds the whole document: about 20 GB at L")
    db = service.open_db(store, actor="bench")
    out = measure(
        benchmark,
        lambda: _reference(db, run, fmt),
        step=f"export {fmt}",
        engine="pioneer before",
        rounds=size.slow_rounds,
        baseline="hand-sqlite",
    )
    db.close()
    assert out.count(b"\n") > (size.riders if fmt == "json" else size.riders // 20)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_by_hand(benchmark: Any, size: Size, store: Path, run: int, fmt: str) -> None:
    write = export_json if fmt == "json" else export_csv
    out = measure(
        benchmark,
        lambda: write(store, run),
        step=f"export {fmt}",
        engine="hand-sqlite",
        rounds=size.slow_rounds,
    )
    assert out.count(b"\n") > (size.riders if fmt == "json" else size.riders // 20)
