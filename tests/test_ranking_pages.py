"""A page of a ranking (`rank --limit`, the TUI's pages and counts) is read
along an index (issue 7: 1,000,000 subjects), and still shows the effective
order: the computed one before any review, the review's once an approved
adjustment has moved a subject (here P6, last with 50, to first with 100).
"""

from __future__ import annotations

from pathlib import Path

from review_helpers import Store, invoke, reviewed_store

from scoring import browse, effective, service
from scoring.browse import RankFilter

COMPUTED = ["P1", "P2", "P3", "P4", "P5", "P6"]
REVIEWED = ["P6", "P1", "P2", "P3", "P4", "P5"]


def _rank(store: Store, limit: int) -> list[str]:
    out = invoke("rank", "--db", store.path, "--run", "1", "--award", "a", "--limit", str(limit))
    assert out.exit_code == 0, out.stderr
    return [line.split()[1] for line in out.stdout.splitlines()[1:]]


def _pages(path: Path, size: int) -> list[str]:
    with browse.Store(path).connect() as db:
        count = browse.ranking_count(db, 1, "a", RankFilter())
        keys: list[str] = []
        for offset in range(0, count, size):
            keys += [r.subject for r in browse.ranking_page(db, 1, "a", RankFilter(), offset, size)]
    return keys


def _whole(path: Path) -> list[str]:
    db = service.open_existing(path)
    try:
        return [r.subject for r in effective.read(db, 1, "a")]
    finally:
        db.close()


def test_pages_follow_the_computed_order_then_the_reviewed_one(tmp_path: Path) -> None:
    store = reviewed_store(tmp_path)
    assert _rank(store, 3) == COMPUTED[:3]
    assert _pages(store.path, 4) == _whole(store.path) == COMPUTED
    store.ok("review-start", "--as", "alice")
    store.ok("adjust", "--subject", "P6", "--target", "total", "--delta", "+50",
             "--reason", "材料核实", "--as", "alice")  # fmt: skip
    store.ok("approve", "1", "--as", "bob")
    assert _rank(store, 3) == REVIEWED[:3]
    assert _pages(store.path, 4) == _whole(store.path) == REVIEWED
    with browse.Store(store.path).connect() as db:
        top = browse.ranking_page(db, 1, "a", RankFilter(grade="优秀"), 0, 10)
        assert [r.subject for r in top] == ["P6", "P1"]  # 100 and 90: graded after the review
        assert browse.ranking_count(db, 1, "a", RankFilter(status="adjusted")) == 1
        assert browse.facets(db, 1, "a").high == 100


def test_an_unknown_award_is_still_refused_by_name(tmp_path: Path) -> None:
    store = reviewed_store(tmp_path)
    out = invoke("rank", "--db", store.path, "--run", "1", "--award", "nope", "--limit", "3")
    assert out.exit_code == 1
    assert "no award `nope`" in out.stderr
