"""The engine seam: any backend through the run function, what-if in memory,
re-ranking from stored results alone.

The store is scored once over the shipped example (frozen golden copy of
三个先锋), then each test looks at one promise of the seam.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from engine_helpers import campaign
from sqlite_utils import Database

from scoring import audit, service
from scoring.backend import DatasetRef, Outcome, Upstream
from scoring.backends.interpreter import InterpreterBackend
from scoring.expr.nodes import Node
from scoring.ingest.tables import data_table
from scoring.periods import Period
from scoring.plan import AwardPlan, CompiledExpr, Plan
from scoring.runs import results_hash

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "tests" / "fixtures" / "golden" / "three_pioneers.yaml"
DATA = ROOT / "examples" / "qianyang"
ACTOR = "seam"


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, int, str]:
    db = service.open_db(tmp_path_factory.mktemp("seam") / "seam.db", actor=ACTOR)
    rules = service.load(RULES)
    report = service.ingest_folder(db, rules, DATA, actor=ACTOR)
    summary = service.score(db, rules, "2022", dataset_id=report.dataset_id, actor=ACTOR)
    return db, summary.run_id, summary.results_sha256


class RecordingBackend:
    """A second backend: the interpreter behind a wrapper that records which
    awards it scored and hands its outcomes back in reverse-then-sorted order."""

    name = "recording"

    def __init__(self) -> None:
        self.inner = InterpreterBackend()
        self.scored: list[str] = []
        self.upstream_seen: dict[str, list[str]] = {}

    def unsupported(self, plan: Plan, award: AwardPlan) -> str | None:
        return None

    def score_award(
        self,
        plan: Plan,
        award: AwardPlan,
        dataset: DatasetRef,
        period: Period,
        upstream: Upstream,
    ) -> Iterator[Outcome]:
        self.scored.append(award.name)
        self.upstream_seen[award.name] = sorted(upstream)
        outcomes = list(self.inner.score_award(plan, award, dataset, period, upstream))
        return iter(outcomes)


class DecliningBackend(RecordingBackend):
    """A backend that cannot score one award: the run falls back to the interpreter."""

    name = "declining"

    def unsupported(self, plan: Plan, award: AwardPlan) -> str | None:
        return "no percentile support" if award.name == "pioneer_route" else None


def _counts(db: Database) -> dict[str, int]:
    return {t: db[t].count for t in db.table_names()}


def test_a_second_backend_plugs_in_and_gives_the_same_results(
    scored: tuple[Database, int, str],
) -> None:
    db, _, expected = scored
    backend = RecordingBackend()
    summary = service.score(db, service.load(RULES), "2022", actor=ACTOR, backend=backend)
    assert summary.results_sha256 == expected
    assert backend.scored == ["pioneer_rider", "pioneer_crew", "pioneer_route"]
    # the crew award reads the rider award's results, so they reach it as Upstream
    assert backend.upstream_seen["pioneer_crew"] == ["pioneer_rider"]
    assert summary.backends == dict.fromkeys(backend.scored, "recording")


def test_an_award_a_backend_declines_is_scored_by_the_interpreter(
    scored: tuple[Database, int, str],
) -> None:
    db, _, expected = scored
    backend = DecliningBackend()
    summary = service.score(db, service.load(RULES), "2022", actor=ACTOR, backend=backend)
    assert summary.results_sha256 == expected
    assert "pioneer_route" not in backend.scored
    assert summary.backends["pioneer_route"] == "interpreter"
    assert summary.fallbacks == [
        "pioneer_route: scored by the interpreter (declining: no percentile support)"
    ]


def test_whatif_writes_nothing(scored: tuple[Database, int, str], tmp_path: Path) -> None:
    db, run_id, _ = scored
    text = RULES.read_text(encoding="utf-8")
    assert "linear: [0, 18000]" in text
    changed = tmp_path / "changed.yaml"
    changed.write_text(text.replace("linear: [0, 18000]", "linear: [0, 12000]"), encoding="utf-8")
    before, head = _counts(db), audit.head(db)
    diff = service.whatif(db, service.load(changed), run_id)
    assert _counts(db) == before
    assert audit.head(db) == head
    assert diff.run_a == run_id and diff.run_b is None
    rider = next(a for a in diff.awards if a.award == "pioneer_rider")
    assert rider.moves, "a lower volume target moves riders"


def test_whatif_of_the_same_rules_finds_no_change(scored: tuple[Database, int, str]) -> None:
    db, run_id, _ = scored
    diff = service.whatif(db, service.load(RULES), run_id)
    assert [a.moves for a in diff.awards] == [[], [], []]


def test_reranking_after_review_reads_results_only(
    scored: tuple[Database, int, str], tmp_path: Path
) -> None:
    """The crew award splits its quota per unit: after the dataset's tables are
    gone, an approved adjustment still re-ranks it from `results` alone."""
    db, _, _ = scored
    fresh = service.open_db(tmp_path / "copy.db", actor=ACTOR)
    db.conn.backup(fresh.conn)
    run = fresh.execute("SELECT MAX(id), MAX(dataset_id) FROM runs").fetchone()
    run_id, dataset_id = int(run[0]), int(run[1])
    dropped = [t for t in fresh.table_names() if t.startswith(data_table(dataset_id, ""))]
    assert data_table(dataset_id, "teams") in dropped
    for table in dropped:
        fresh.execute(f'DROP TABLE "{table}"')
    top = fresh.execute(
        "SELECT subject, per_group FROM results WHERE run_id = ? AND award = 'pioneer_crew'"
        " AND rank IS NOT NULL ORDER BY ord LIMIT 1",
        [run_id],
    ).fetchone()
    assert top[1] is not None, "the crew's unit is stored with its result"
    service.grant_role(fresh, "second", "reviewer", actor=ACTOR)
    service.review_start(fresh, run_id, actor=ACTOR)
    adj = service.adjust(
        fresh, run_id, top[0], "total", "-50", reason="材料核减", award="pioneer_crew", actor=ACTOR
    )
    service.approve(fresh, run_id, adj.id, actor="second")
    moved = {s.subject: s for s in service.ranking(fresh, run_id, "pioneer_crew")[1]}
    assert moved[top[0]].rank != 1


def _values(obj: object, seen: set[int]) -> Iterator[object]:
    """Every value reachable from a plan through dataclass fields and containers."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if f.name in ("catalog", "checked"):  # the catalog and typed trees: data too
                continue
            yield from _values(getattr(obj, f.name), seen)
    elif isinstance(obj, Mapping):
        for k, v in obj.items():
            yield from _values(k, seen)
            yield from _values(v, seen)
    elif isinstance(obj, tuple | list | frozenset | set):
        for item in obj:
            yield from _values(item, seen)


def test_the_plan_is_pure_data_with_nothing_executable() -> None:
    plan = service.load(RULES).plan
    found = [v for v in _values(plan, set()) if callable(v) and not isinstance(v, type)]
    assert found == []
    exprs = [v for v in _values(plan, set()) if isinstance(v, CompiledExpr)]
    assert exprs and all(isinstance(e.checked.expr, Node) for e in exprs)


def test_plan_module_imports_no_evaluator() -> None:
    tree = ast.parse((ROOT / "scoring" / "plan.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
            imported.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    assert not any("backends" in m or "evaluate" in m or "compile_expr" in m for m in imported)


def test_ranking_columns_stay_out_of_the_results_hash(
    scored: tuple[Database, int, str], tmp_path: Path
) -> None:
    db, run_id, expected = scored
    copy = Database(tmp_path / "copy.db")
    db.conn.backup(copy.conn)
    row = copy.execute(
        "SELECT per_group, tie_break, key_number FROM results WHERE run_id = ?"
        " AND award = 'pioneer_crew' AND rank IS NOT NULL ORDER BY ord LIMIT 1",
        [run_id],
    ).fetchone()
    assert row[0] is not None and row[1].startswith('["') and row[2] is None  # a text key
    copy.execute("UPDATE results SET per_group = 'x', tie_break = '[]' WHERE run_id = ?", [run_id])
    assert results_hash(copy, run_id) == expected


INT_KEYS = """\
people:
  key: id
  columns: {id: int, name: text, unit: text}
records:
  date: day
  links: {people: person}
  columns: {person: int, day: date, v: number}
"""


def test_what_ranking_needs_is_stored_with_each_result(tmp_path: Path) -> None:
    """The `per` group, the tie-break figures and an int key as a number."""
    awards = """\
    a:
      title: 甲
      subjects: people
      criteria:
        volume: {max: 10, metric: sum(records.v), score: {per: 1}}
      ranking: {tie_break: [-volume]}
      quota: {count: 1, per: unit}
    """
    data: dict[str, list[dict[str, object]] | str] = {
        "people": [
            {"id": 10, "name": "甲", "unit": "城关镇"},
            {"id": 9, "name": "乙", "unit": None},
        ],
        "records": [{"person": 10, "day": "2022-03-01", "v": "2.5"}],
    }
    scored = campaign(tmp_path, awards, data, tables=INT_KEYS)
    rows = scored.db.execute(
        "SELECT subject, per_group, tie_break, key_number FROM results ORDER BY ord"
    ).fetchall()
    assert rows == [("10", "城关镇", '["2.50"]', 10), ("9", None, '["0.00"]', 9)]
