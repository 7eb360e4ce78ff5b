"""Reading a 1,000,000-subject ranking back: `pioneer rank --limit 100`, the
reviewer UI's first page (the row count and the first 100 rows, what the
ranking opens with), the jump to the last row (ctrl+End) and the facets
(filter choices and the score histogram, loaded beside the first page),
each beside a hand-written query on the `results` table.

The run is synthetic (`tests/test_tui_paging.py::synthetic_store`: results
written straight into the tables, no dataset behind them): these are reads,
and what they read is the same. It is built once and cached beside the data
sets (keyed by the code that builds it), then copied for each run.

Targets (issue 7): `rank --limit 100` under 0.2 s, the first page under
0.5 s; the jump to the last row is held to the same 0.5 s as a page.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bench_data import AWARD, ROOT, cache_root
from bench_report import Target, measure

from scoring import browse, service

SUBJECTS = 1_000_000
ROUNDS = 5
PAGE = 100
BUILT_BY = ("tests/test_tui_paging.py", "scoring/runs.py", "scoring/review/ddl.py")


def _cached_store() -> Path:
    digest = hashlib.sha256(b"".join((ROOT / p).read_bytes() for p in BUILT_BY)).hexdigest()
    path = cache_root() / f"ranking-{SUBJECTS}-{digest[:12]}.db"
    if not path.is_file():
        sys.path.insert(0, str(ROOT / "tests"))
        from test_tui_paging import synthetic_store

        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic_store(partial, SUBJECTS)
        conn = sqlite3.connect(partial)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        partial.rename(path)
    return path


@pytest.fixture(scope="module")
def big(work: Path) -> tuple[Path, int]:
    path = work / "ranking.db"
    shutil.copyfile(_cached_store(), path)
    conn = sqlite3.connect(path)
    run = int(conn.execute("SELECT MAX(id) FROM runs").fetchone()[0])
    conn.close()
    return path, run


def _hand_page(path: Path, run: int, offset: int, count: bool) -> int:
    conn = sqlite3.connect(path)
    try:
        if count:
            conn.execute(
                "SELECT COUNT(*) FROM results WHERE run_id = ? AND award = ?", [run, AWARD]
            ).fetchone()
        rows = conn.execute(
            "SELECT subject, name, unit, total, rank, grade, selected FROM results"
            " WHERE run_id = ? AND award = ? ORDER BY ord LIMIT ? OFFSET ?",
            [run, AWARD, PAGE, offset],
        ).fetchall()
    finally:
        conn.close()
    return len(rows)


def test_rank_limit(benchmark: Any, big: tuple[Path, int]) -> None:
    path, run = big

    def rank() -> int:
        db = service.open_for_reading(path)  # as `pioneer rank` opens it
        try:
            return len(service.ranking(db, run, AWARD, PAGE)[1])
        finally:
            db.close()

    n = measure(
        benchmark,
        rank,
        step="rank --limit 100 (1M)",
        engine="pioneer",
        rounds=ROUNDS,
        baseline="hand-sqlite",
        targets=(Target("seconds", 0.2),),
    )
    assert n == PAGE


def _with_bytecode() -> None:
    """Compile the project's modules as an installed package has them (pip
    compiles a wheel's modules at install; an editable checkout run with
    PYTHONDONTWRITEBYTECODE would otherwise compile every module at every
    start, which no user's `pioneer` does)."""
    import compileall

    for package in ("scoring", "tui"):
        compileall.compile_dir(ROOT / package, quiet=1)


def test_rank_limit_whole_command(benchmark: Any, big: tuple[Path, int]) -> None:
    """The same through the command line: Python's start-up and imports included."""
    path, run = big
    _with_bytecode()
    command = [str(Path(sys.executable).with_name("pioneer")), "rank", "--db", str(path)]
    command += ["--run", str(run), "--award", AWARD, "--limit", str(PAGE)]

    def rank() -> int:
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        return len(done.stdout.splitlines())

    n = measure(
        benchmark,
        rank,
        step="rank --limit 100 (1M)",
        engine="pioneer process",
        rounds=3,
        baseline="hand-sqlite",
        targets=(Target("seconds", 0.2),),
        memory=False,
    )
    assert n == PAGE + 1


def test_python_start_up(benchmark: Any) -> None:
    """The floor of any whole command: the same interpreter doing nothing."""
    command = [sys.executable, "-c", "pass"]
    measure(
        benchmark,
        lambda: subprocess.run(command, check=True),
        step="rank --limit 100 (1M)",
        engine="python -c pass",
        rounds=3,
        memory=False,
    )


def test_rank_limit_by_hand(benchmark: Any, big: tuple[Path, int]) -> None:
    path, run = big
    n = measure(
        benchmark,
        lambda: _hand_page(path, run, 0, False),
        step="rank --limit 100 (1M)",
        engine="hand-sqlite",
        rounds=ROUNDS,
    )
    assert n == PAGE


def _page(path: Path, run: int, offset: int | None) -> int:
    """What the ranking widget reads: the count with the first page, or the page at `offset`."""
    with browse.Store(path).connect() as db:
        f = browse.RankFilter()
        if offset is None:
            browse.ranking_count(db, run, AWARD, f)
            offset = 0
        return len(browse.ranking_page(db, run, AWARD, f, offset, PAGE))


@pytest.mark.parametrize("where", ["first page", "last page"])
def test_tui_page(benchmark: Any, big: tuple[Path, int], where: str) -> None:
    path, run = big
    offset = None if where == "first page" else SUBJECTS - PAGE
    n = measure(
        benchmark,
        lambda: _page(path, run, offset),
        step=f"TUI {where} (1M)",
        engine="pioneer",
        rounds=ROUNDS,
        baseline="hand-sqlite",
        targets=(Target("seconds", 0.5),),
    )
    assert n == PAGE


@pytest.mark.parametrize("where", ["first page", "last page"])
def test_tui_page_by_hand(benchmark: Any, big: tuple[Path, int], where: str) -> None:
    path, run = big
    offset = 0 if where == "first page" else SUBJECTS - PAGE
    n = measure(
        benchmark,
        lambda: _hand_page(path, run, offset, where == "first page"),
        step=f"TUI {where} (1M)",
        engine="hand-sqlite",
        rounds=ROUNDS,
    )
    assert n == PAGE


def test_tui_facets(benchmark: Any, big: tuple[Path, int]) -> None:
    path, run = big

    def facets() -> int:
        with browse.Store(path).connect() as db:
            return browse.facets(db, run, AWARD).subjects

    n = measure(benchmark, facets, step="TUI facets (1M)", engine="pioneer", rounds=3)
    assert n == SUBJECTS
