"""Benchmarks of the name and key search on a 1,000,000-subject ranking (run
by `make bench`): what one search reads (the count and the first page), by
the LIKE scan and from the run's search index, on two copies of the same
store, so the figure is a ratio; and the one-off build of the index (done
lazily on the run's first search, never by `score`)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_tui_paging import synthetic_store  # noqa: E402

from scoring import browse  # noqa: E402

SUBJECTS = 1_000_000
AWARD = "pioneer_rider"
QUERIES = ("王伟", "张", "王伟芳", "S00012")
"""A two-character name, a surname, a three-character name, a key fragment."""


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, int]:
    """The same synthetic run twice: without and with its search index."""
    folder = tmp_path_factory.mktemp("search")
    plain = folder / "scan.db"
    run = synthetic_store(plain, SUBJECTS)
    indexed = folder / "indexed.db"
    shutil.copy(plain, indexed)
    assert browse.build_search_index(browse.Store(indexed), run)
    return str(plain), str(indexed), run


def _search(path: str, run: int) -> list[int]:
    counts = []
    with browse.Store(path).connect() as db:
        for text in QUERIES:
            f = browse.RankFilter(name=text)
            counts.append(browse.ranking_count(db, run, AWARD, f))
            browse.ranking_page(db, run, AWARD, f, 0, 100)
    return counts


def test_search_by_like_scan(benchmark, stores) -> None:  # type: ignore[no-untyped-def]
    plain, indexed, run = stores
    counts = benchmark.pedantic(_search, args=(plain, run), rounds=3, iterations=1)
    assert counts == _search(indexed, run)


def test_search_from_the_index(benchmark, stores) -> None:  # type: ignore[no-untyped-def]
    plain, indexed, run = stores
    counts = benchmark.pedantic(_search, args=(indexed, run), rounds=3, iterations=1)
    assert counts == _search(plain, run)


def test_building_the_index(benchmark, stores, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plain, _, run = stores
    copies = iter(range(10))

    def fresh() -> tuple[tuple[browse.Store, int], dict[str, object]]:
        path = tmp_path / f"copy{next(copies)}.db"
        shutil.copy(plain, path)
        return (browse.Store(path), run), {}

    assert benchmark.pedantic(browse.build_search_index, setup=fresh, rounds=1, iterations=1)
