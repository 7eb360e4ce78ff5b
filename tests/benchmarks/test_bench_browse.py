"""Benchmarks of the reviewer UI's reads on a 1,000,000-subject ranking (run
by `make bench`): the first page with its count, and the page at the last
row (what ctrl+End reads), beside a hand-written SQL baseline that reads the
same last page straight from `results`, so the figure is a ratio."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_tui_paging import synthetic_store  # noqa: E402

from scoring import browse  # noqa: E402

SUBJECTS = 1_000_000


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    path = tmp_path_factory.mktemp("browse") / "million.db"
    return str(path), synthetic_store(path, SUBJECTS)


def test_first_page_with_its_count(benchmark, big) -> None:  # type: ignore[no-untyped-def]
    path, run = big

    def first() -> int:
        with browse.Store(path).connect() as db:
            f = browse.RankFilter()
            count = browse.ranking_count(db, run, "pioneer_rider", f)
            browse.ranking_page(db, run, "pioneer_rider", f, 0, 100)
        return count

    assert benchmark.pedantic(first, rounds=3, iterations=1) == SUBJECTS


def test_jump_to_the_last_page(benchmark, big) -> None:  # type: ignore[no-untyped-def]
    path, run = big

    def last() -> int:
        with browse.Store(path).connect() as db:
            rows = browse.ranking_page(
                db, run, "pioneer_rider", browse.RankFilter(), SUBJECTS - 100, 100
            )
        return len(rows)

    assert benchmark.pedantic(last, rounds=3, iterations=1) == 100


def test_baseline_last_page_from_results(benchmark, big) -> None:  # type: ignore[no-untyped-def]
    path, run = big

    def baseline() -> int:
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute(
                "SELECT subject, total FROM results WHERE run_id = ? AND award = ?"
                " ORDER BY ord LIMIT 100 OFFSET ?",
                [run, "pioneer_rider", SUBJECTS - 100],
            ).fetchall()
        finally:
            conn.close()
        return len(rows)

    assert benchmark.pedantic(baseline, rounds=3, iterations=1) == 100
