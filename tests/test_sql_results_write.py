"""The SQL backend writes results itself (issue 7 items 1, 3, 6).

* rows placed, spelled and inserted by SQL are byte-identical to the
  interpreter's: the same `results_sha256`, over random awards with every
  quota shape (count, share, at_least, per, per_at_least, min_score, each
  boundary-tie policy), tie-breaks and grades;
* the hash a run records, built as its rows are written, equals the hash
  recomputed from the stored rows;
* a run that fails anywhere inside its write leaves nothing behind, on every
  engine, and the next run gives the same results.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import ACTOR, rules_text
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st
from review_helpers import in_review
from sqlite_utils import Database
from test_sql_differential import _dataset, awards, people, records

from scoring import service
from scoring.backend import Backend
from scoring.backends.interpreter import InterpreterBackend
from scoring.backends.sql.engines import backend_for
from scoring.backends.sql.sqlbackend import stored_dataset
from scoring.errors import RulesError
from scoring.runs import PublishedRun, guard_unpublished, results_hash

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "examples" / "qianyang"
ENGINES = ("sqlite", "duckdb")

QUOTAS = [
    "{count: 2, boundary_tie: flag}",
    "{count: 3, per: unit, boundary_tie: include_all}",
    "{share: 0.5, at_least: 1, per: grp, per_at_least: 1, boundary_tie: exclude_all}",
    "{count: 1, min_score: 2, boundary_tie: include_all}",
    "{share: 0.3, per: unit, min_score: 1, boundary_tie: flag}",
    "{count: 0}",
]
TIE_BREAKS = ["", "[n0]", "[-n0, n1]", "[g, -g.n0]", "[-deductions]", "[bonus, n0]"]
_serial = count()


def _with_quota(text: str, quota: str, tie_break: str) -> str:
    """An award of the differential generator with another quota and tie-break."""
    lines = text.splitlines()
    at = next((i for i, line in enumerate(lines) if line.startswith("b:")), len(lines))
    lines = [line for line in lines[:at] if not line.startswith("  quota:")] + lines[at:]
    extra = [f"  quota: {quota}", "  grades: {A: 6, B: 2, C: 0.5}"]
    extra = [line for line in extra if not any(x.startswith(line[:9]) for x in lines[:at])]
    if tie_break:
        extra.append(f"  ranking: {{tie_break: {tie_break}}}")
    return "\n".join(lines[:at] + extra + lines[at:]) + "\n"


def _score(db: Any, rules: Any, dataset_id: int, backend: Backend) -> Any:
    return service.score(db, rules, "2022", dataset_id=dataset_id, actor=ACTOR, backend=backend)


def _backend(engine: str, ref: Any, rules: Any) -> Backend:
    if engine == "interpreter":
        return InterpreterBackend()
    return backend_for(engine, ref, rules.plan.catalog)  # type: ignore[arg-type]


def _notes(db: Any, run_id: int) -> list[Any]:
    return db.execute(
        "SELECT award, ord, kind, message FROM run_notes WHERE run_id = ? ORDER BY award, ord",
        [run_id],
    ).fetchall()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
@given(
    award=awards(),
    quota=st.sampled_from(QUOTAS),
    tie_break=st.sampled_from(TIE_BREAKS),
    who=people,
    what=records,
    precision=st.integers(0, 3),
)
@example(  # the results query nests deeper than SQLite's parser allows: rows from outcomes
    award=(
        "a:\n  title: 差分\n  subjects: people\n  criteria:\n"
        '    n0: {max: 1, metric: "sum(records.v)", score: {per: 1}}\n'
        '    n1: {max: 1, metric: "sum(records.v)", score: {linear: [0, 1]}}\n'
        '    n2: {max: 1, metric: "sum(records.v)", score: {linear: [0, 1]}}\n'
        '    n3: {max: 1, metric: "sum(records.v)", score: {linear: [0, 1]}}\n'
        "  deductions:\n    max: 2\n    items:\n"
        '      i1: {max: 2, metric: "count(records[day >= subject.joined + months(1)])",'
        " score: {per: 0.75}}\n"
    ),
    quota="{count: 2, boundary_tie: flag}",
    tie_break="",
    who=[],
    what=[],
    precision=0,
)
def test_sql_written_results_equal_the_interpreters(
    award: str,
    quota: str,
    tie_break: str,
    who: list[dict[str, Any]],
    what: list[dict[str, Any]],
    precision: int,
) -> None:
    text = rules_text(_with_quota(award, quota, tie_break), precision=precision)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / f"w{next(_serial)}"
        folder.mkdir()
        (folder / "rules.yaml").write_text(text, encoding="utf-8")
        try:
            rules = service.load(folder / "rules.yaml")
        except RulesError:
            reject()  # a tie-break naming a node this award lacks, say
        _dataset(folder, text, who, what)
        db = service.open_db(folder / "store.db", actor=ACTOR)
        report = service.ingest_folder(db, rules, folder / "data", actor=ACTOR)
        want = _score(db, rules, report.dataset_id, InterpreterBackend())
        ref = stored_dataset(db, report.dataset_id)
        for engine in ENGINES:
            got = _score(db, rules, report.dataset_id, backend_for(engine, ref, rules.plan.catalog))
            assert got.results_sha256 == want.results_sha256, f"{engine}:\n{text}"
            assert got.results_sha256 == results_hash(db, got.run_id)
            assert (got.ranked, got.selected) == (want.ranked, want.selected)
            assert [n[1:] for n in _notes(db, got.run_id)] == [
                n[1:] for n in _notes(db, want.run_id)
            ]
        db.close()


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any, str]:
    rules = service.load(ROOT / "rules" / "three_pioneers.yaml")
    db = service.open_db(tmp_path_factory.mktemp("write") / "store.db", actor=ACTOR)
    report = service.ingest_folder(db, rules, DATA, actor=ACTOR)
    want = _score(db, rules, report.dataset_id, InterpreterBackend()).results_sha256
    return db, rules, stored_dataset(db, report.dataset_id), want


@pytest.mark.parametrize("engine", ["interpreter", *ENGINES])
def test_the_recorded_hash_is_the_hash_of_the_stored_rows(
    shipped: tuple[Any, Any, Any, str], engine: str
) -> None:
    db, rules, ref, want = shipped
    backend = _backend(engine, ref, rules)
    run = _score(db, rules, ref.dataset_id, backend)
    assert set(run.backends.values()) == {backend.name}
    stored = db.execute("SELECT results_sha256 FROM runs WHERE id = ?", [run.run_id]).fetchone()
    assert stored[0] == run.results_sha256 == results_hash(db, run.run_id) == want


class Crash(Exception):
    pass


def _crash(*args: Any, **kwargs: Any) -> Any:
    raise Crash("killed inside the write")


def _counts(db: Any) -> tuple[int, ...]:
    return tuple(
        db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("runs", "results", "audit", "run_notes", "sqlite_temp_master")
    )


# Where a run is stopped, for each engine: after the SQL engines have inserted an
# award's rows, while the interpreter's rows are being written, and at the very end.
STOPS: list[tuple[str, str, Callable[..., Any]]] = [
    ("sqlite", "scoring.backends.sql.writing._written", _crash),
    ("duckdb", "scoring.backends.sql.writing._written", _crash),
    ("interpreter", "scoring.run_notes.store_remainder_ties", _crash),
    ("duckdb", "scoring.pipeline.finish_run", _crash),
]


@pytest.mark.parametrize(("engine", "target", "stop"), STOPS)
def test_a_run_stopped_inside_its_write_leaves_nothing_behind(
    shipped: tuple[Any, Any, Any, str],
    monkeypatch: pytest.MonkeyPatch,
    engine: str,
    target: str,
    stop: Callable[..., Any],
) -> None:
    db, rules, ref, want = shipped
    backend = _backend(engine, ref, rules)
    before = _counts(db)
    with monkeypatch.context() as patch:
        patch.setattr(target, stop)
        with pytest.raises(Crash):
            _score(db, rules, ref.dataset_id, backend)
    assert _counts(db) == before
    assert _score(db, rules, ref.dataset_id, backend).results_sha256 == want


def test_a_killed_process_leaves_no_partial_run(tmp_path: Path) -> None:
    """The run's one transaction: a process that dies mid-write (no Python
    clean-up at all) leaves the store as it was."""
    import os
    import subprocess
    import sys

    store = tmp_path / "store.db"
    rules = service.load(ROOT / "rules" / "three_shows.yaml")
    db = service.open_db(store, actor=ACTOR)
    service.ingest_folder(db, rules, DATA, actor=ACTOR)
    db.close()
    script = (
        "import os, sys\n"
        "from scoring import service\n"
        "from scoring.backends.sql import writing\n"
        "from scoring.backends.sql.engines import backend_for\n"
        "from scoring.backends.sql.sqlbackend import stored_dataset\n"
        "writing._written = lambda *a, **k: os._exit(9)\n"
        f"db = service.open_db({str(store)!r}, actor={ACTOR!r})\n"
        f"rules = service.load({str(ROOT / 'rules' / 'three_shows.yaml')!r})\n"
        "ref = stored_dataset(db, 1)\n"
        "service.score(db, rules, '2022', actor=%r, backend=backend_for('sqlite', ref,"
        " rules.plan.catalog))\n" % ACTOR
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, env=os.environ.copy())
    assert done.returncode == 9
    conn = sqlite3.connect(store)
    assert conn.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0
    conn.close()


def test_the_publish_guard_refuses_rows_for_a_published_run(tmp_path: Path) -> None:
    """Checked once per run, before its rows (no trigger per inserted row)."""
    store = in_review(tmp_path)
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    db = Database(store.path)
    guard_unpublished(db, 1)  # on notice: still takes rows
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    with pytest.raises(PublishedRun, match="published results cannot change"):
        guard_unpublished(db, 1)
    with pytest.raises(PublishedRun):
        guard_unpublished(db, 99)  # no such run


def test_an_award_the_writer_cannot_spell_is_compiled_once(
    shipped: tuple[Any, Any, Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows from outcomes reuse the query `write_award` compiled (no second compile)."""
    from scoring.backends.sql import sqlbackend
    from scoring.backends.sql.values import Unsupported

    db, rules, ref, want = shipped
    compiled: list[str] = []
    compile_award = sqlbackend.compile_award

    def counted(plan: Any, award: Any, *args: Any, **kwargs: Any) -> Any:
        compiled.append(award.name)
        return compile_award(plan, award, *args, **kwargs)

    def unspellable(*args: Any) -> Any:
        raise Unsupported("not spelled here")

    monkeypatch.setattr(sqlbackend, "compile_award", counted)
    monkeypatch.setattr(sqlbackend, "ResultsQuery", unspellable)
    run = _score(db, rules, ref.dataset_id, _backend("sqlite", ref, rules))
    assert run.results_sha256 == want and set(run.backends.values()) == {"sqlite"}
    assert sorted(compiled) == sorted(a.name for a in rules.plan.awards)


def test_a_run_keeps_the_dataset_statistics_for_later_processes(
    shipped: tuple[Any, Any, Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statistics a run computed are read back from the store, not recomputed."""
    from scoring.backends.sql import stats

    db, rules, ref, want = shipped
    catalog = rules.plan.catalog
    assert _score(db, rules, ref.dataset_id, _backend("sqlite", ref, rules)).results_sha256 == want
    kept = db.execute("SELECT sha256 FROM sql_dataset_stats").fetchall()
    assert kept == [(ref.sha256,)]
    known = stats.dataset_stats(db, ref.dataset_id, ref.sha256, catalog)
    monkeypatch.setattr(stats, "_CACHE", {})  # a new process
    monkeypatch.setattr(stats, "_compute", _crash)
    assert stats.dataset_stats(db, ref.dataset_id, ref.sha256, catalog) == known
