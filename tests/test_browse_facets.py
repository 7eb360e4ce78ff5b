"""`browse.facets` reads the ranked count, the histogram and the grades along
the effective order with binary searches; grouping every row (the way it was
read before, kept for an order that is not dense) must give the same facets,
for any number of bins (bin edges that fall between two hundredths included).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from export_reference import grouped_facets
from test_tui_paging import synthetic_store

from scoring import browse

AWARD = "pioneer_rider"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("facets") / "s.db"
    return path, synthetic_store(path, 3_001)


@pytest.mark.parametrize("bins", [40, 7, 13, 1, 333])
def test_facets_along_the_order_equal_grouping_every_row(
    store: tuple[Path, int], bins: int
) -> None:
    path, run = store
    with browse.Store(path).connect() as db:
        got = browse.facets(db, run, AWARD, bins)
        grouped = grouped_facets(db, run, AWARD, bins)
    assert got == grouped
    assert sum(got.histogram) == got.ranked == 3_001 - 3_001 // 50
    assert got.grades == ["优秀", "良好", "合格", "不合格"]


def test_an_award_without_rows_has_empty_facets(store: tuple[Path, int]) -> None:
    path, run = store
    with browse.Store(path).connect() as db:
        empty = browse.facets(db, run, "no_such_award")
    assert (empty.units, empty.grades, empty.subjects, empty.ranked) == ([], [], 0, 0)
    assert empty.histogram == [0] * 40
