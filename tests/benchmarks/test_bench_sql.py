"""Scoring benchmarks at S (10,000 riders, ≈ 1,000,000 records): one award, every engine,
beside hand-written baselines on the same data, in one run (`make bench`).

The award is `pioneer_rider` of the shipped three_pioneers campaign (ten
record tables, twenty leaves, five vetoes). Each benchmark produces every
subject's figures for it:

* interpreter: the reference engine (rows into Python, Fraction arithmetic);
* sql-sqlite / sql-duckdb: the SQL backend (one compiled query, exact integers;
  DuckDB on its columnar copy, built before timing: a one-off per dataset);
* hand-sqlite / hand-duckdb: one hand-written query per engine with the same
  aggregates, float scoring and a RANK window, over covering indexes
  (SQLite; their build counts as ingest, not score). Floats: not exact, the floor.

The last test prints the medians as ratios to the hand-written SQLite query.
Scale with PIONEER_BENCH_SCALE (default 10000).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scoring import service
from scoring.backend import DatasetRef
from scoring.backends.interpreter import InterpreterBackend
from scoring.backends.sql import SqlBackend
from scoring.backends.sql.columnar import open_copy
from scoring.backends.sql.sqlbackend import stored_dataset
from scoring.backends.sql.stats import dataset_stats
from scoring.periods import parse_period

ROOT = Path(__file__).resolve().parents[2]
SCALE = int(os.environ.get("PIONEER_BENCH_SCALE", "10000"))
PERIOD = parse_period("2022")
MEDIANS: dict[str, float] = {}

TABLES = {
    "deliveries": ("month", ["parcels", "on_time"]),
    "ratings": ("month", ["stars", "bad_reviews"]),
    "complaints": ("day", ["valid"]),
    "violations": ("day", []),
    "incidents": ("day", ["kind", "severity", "responsible"]),
    "discipline": ("day", ["kind"]),
    "honors": ("day", ["kind", "level"]),
    "volunteering": ("day", ["hours", "kind"]),
    "hazard_reports": ("day", ["valid"]),
    "study": ("day", ["attended"]),
}


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("s")
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
        stdout=subprocess.DEVNULL,
    )
    rules = service.load(ROOT / "rules" / "three_pioneers.yaml")
    db = service.open_db(folder / "bench.db", actor="bench")
    report = service.ingest_folder(db, rules, folder, actor="bench")
    ref = stored_dataset(db, report.dataset_id)
    for table, (date, cols) in TABLES.items():  # covering indexes for the baseline
        name = f"ds{report.dataset_id}_{table}"
        columns = ", ".join(["rider", date, *cols])
        db.execute(f'CREATE INDEX IF NOT EXISTS "{name}__cover" ON "{name}" ({columns})')
    db.execute("ANALYZE")
    stats = dataset_stats(db, ref.dataset_id, ref.sha256, rules.plan.catalog)
    open_copy(db, ref.dataset_id, ref.sha256, rules.plan.catalog, stats).close()
    return {"rules": rules, "db": db, "ref": ref, "stats": stats}


def _record(name: str, benchmark: Any) -> None:
    MEDIANS[name] = float(benchmark.stats.stats.median)


def _interpret(bench: dict[str, Any]) -> int:
    plan = bench["rules"].plan
    award = plan.award("pioneer_rider")
    return sum(1 for _ in InterpreterBackend().score_award(plan, award, bench["ref"], PERIOD, {}))


def _sql(bench: dict[str, Any], engine: str) -> int:
    plan = bench["rules"].plan
    backend = SqlBackend(engine)  # type: ignore[arg-type]
    return sum(
        1 for _ in backend.score_award(plan, plan.award("pioneer_rider"), bench["ref"], PERIOD, {})
    )


def _hand_sql(table: Any, number: Any, least: str = "MIN", greatest: str = "MAX") -> str:
    """The rider award by hand: the same aggregates, float scores, a RANK window."""
    inside = "BETWEEN '2022-01-01' AND '2022-12-31'"
    return f"""
    WITH d AS (SELECT rider, SUM(parcels) p, SUM(on_time) o FROM {table("deliveries")}
               WHERE month {inside} GROUP BY rider),
    r AS (SELECT rider, AVG({number("stars", "ratings")}) s, SUM(bad_reviews) b
          FROM {table("ratings")} WHERE month {inside} GROUP BY rider),
    c AS (SELECT rider, SUM(CASE WHEN valid THEN 1 ELSE 0 END) n FROM {table("complaints")}
          WHERE day {inside} GROUP BY rider),
    v AS (SELECT rider, COUNT(*) n FROM {table("violations")} WHERE day {inside} GROUP BY rider),
    i AS (SELECT rider, SUM(CASE WHEN kind IN ('交通事故', '安全生产事故') AND severity = '重大'
                 AND responsible THEN 1 ELSE 0 END) a,
                 SUM(CASE WHEN kind IN ('违法犯罪', '平台封禁', '弄虚作假') THEN 1 ELSE 0 END) b
          FROM {table("incidents")} WHERE day {inside} GROUP BY rider),
    g AS (SELECT rider, SUM(CASE WHEN kind = '迟报漏报' THEN 1 ELSE 0 END) late,
                 SUM(CASE WHEN kind IN ('着装不规范', '缺席安全例会') THEN 1 ELSE 0 END) conduct
          FROM {table("discipline")} WHERE day {inside} GROUP BY rider),
    h AS (SELECT rider, SUM(CASE WHEN kind = '见义勇为' THEN 1 ELSE 0 END) brave,
                 SUM(CASE WHEN kind = '拾金不昧' THEN 1 ELSE 0 END) lost,
                 SUM(CASE WHEN kind = '表彰' AND level = '县级' THEN 1 ELSE 0 END) county,
                 SUM(CASE WHEN kind = '表彰' AND level IN ('市级', '省级', '国家级') THEN 1 ELSE 0 END) city
          FROM {table("honors")} WHERE day {inside} GROUP BY rider),
    w AS (SELECT rider, SUM({number("hours", "volunteering")}) hrs,
                 COUNT(DISTINCT CASE WHEN kind = '疫情防控' THEN day END) epi
          FROM {table("volunteering")} WHERE day {inside} GROUP BY rider),
    z AS (SELECT rider, SUM(CASE WHEN valid THEN 1 ELSE 0 END) n FROM {table("hazard_reports")}
          WHERE day {inside} GROUP BY rider),
    s AS (SELECT rider, AVG(CASE WHEN attended THEN 1.0 ELSE 0.0 END) sh FROM {table("study")}
          WHERE day {inside} GROUP BY rider),
    scored AS (
      SELECT x.id,
        {least}(20.0, 20.0 * COALESCE(d.p, 0) / 18000.0)
        + CASE WHEN d.p > 0 AND 1.0 * d.o / d.p >= 0.98 THEN 20 WHEN d.p > 0 AND 1.0 * d.o / d.p >= 0.94 THEN 12 ELSE 0 END
        + {greatest}(0, 10 - 5 * COALESCE(c.n, 0)) + {greatest}(0, 5 - COALESCE(r.b, 0))
        + {least}(5.0, {greatest}(0.0, 5 * (COALESCE(r.s, 4.5) - 4)))
        + {greatest}(0, 15 - 5 * COALESCE(v.n, 0))
        + {least}(10.0, COALESCE(w.hrs, 0)) + {least}(5, COALESCE(z.n, 0))
        + 10 * COALESCE(s.sh, 0)
        + {least}(10, 5 * COALESCE(h.brave, 0) + 2 * COALESCE(h.lost, 0) + 3 * COALESCE(h.county, 0)
              + 5 * COALESCE(h.city, 0) + COALESCE(w.epi, 0))
        - {least}(10, 2 * COALESCE(g.late, 0) + COALESCE(g.conduct, 0)) AS total,
        COALESCE(i.a, 0) + COALESCE(i.b, 0) + (CASE WHEN COALESCE(v.n, 0) >= 2 THEN 1 ELSE 0 END) AS vetoed
      FROM {table("riders")} x
      LEFT JOIN d ON d.rider = x.id LEFT JOIN r ON r.rider = x.id LEFT JOIN c ON c.rider = x.id
      LEFT JOIN v ON v.rider = x.id LEFT JOIN i ON i.rider = x.id LEFT JOIN g ON g.rider = x.id
      LEFT JOIN h ON h.rider = x.id LEFT JOIN w ON w.rider = x.id LEFT JOIN z ON z.rider = x.id
      LEFT JOIN s ON s.rider = x.id)
    SELECT id, total, vetoed, RANK() OVER (ORDER BY total DESC) FROM scored ORDER BY id
    """


def test_interpreter(benchmark: Any, bench: dict[str, Any]) -> None:
    n = benchmark.pedantic(lambda: _interpret(bench), rounds=3, iterations=1)
    _record("interpreter", benchmark)
    assert n == SCALE


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_sql_backend(benchmark: Any, bench: dict[str, Any], engine: str) -> None:
    n = benchmark.pedantic(lambda: _sql(bench, engine), rounds=5, iterations=1)
    _record(f"sql-{engine}", benchmark)
    assert n == SCALE


def _rider_rules(bench: dict[str, Any]) -> Any:
    """The campaign with `pioneer_rider` only (the award the hand-written queries compute)."""
    import yaml

    path = Path(bench["ref"].db.conn.execute("PRAGMA database_list").fetchone()[2])
    doc = yaml.safe_load((ROOT / "rules" / "three_pioneers.yaml").read_text(encoding="utf-8"))
    doc["awards"] = {"pioneer_rider": doc["awards"]["pioneer_rider"]}
    rider = path.parent / "rider.yaml"
    rider.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return service.load(rider)


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_sql_run_with_results_stored(benchmark: Any, bench: dict[str, Any], engine: str) -> None:
    """A whole `pioneer score --engine ENGINE` run of the rider award: compile, score,
    rank, results written to the store and hashed, the audit entry, the commit."""
    rules = _rider_rules(bench)
    ref: DatasetRef = bench["ref"]
    backend = SqlBackend(engine)  # type: ignore[arg-type]

    def run() -> Any:
        return service.score(
            ref.db, rules, PERIOD, dataset_id=ref.dataset_id, actor="bench", backend=backend
        )

    summary = benchmark.pedantic(run, rounds=5, iterations=1)
    _record(f"run-{engine}", benchmark)
    assert summary.subjects == {"pioneer_rider": SCALE}
    assert summary.backends == {"pioneer_rider": engine}


def test_hand_written_sqlite(benchmark: Any, bench: dict[str, Any]) -> None:
    ref: DatasetRef = bench["ref"]
    sql = _hand_sql(lambda t: f'"ds{ref.dataset_id}_{t}"', lambda c, t: f"CAST({c} AS REAL)")
    rows = benchmark.pedantic(lambda: ref.db.execute(sql).fetchall(), rounds=5, iterations=1)
    _record("hand-sqlite", benchmark)
    assert len(rows) == SCALE


def test_hand_written_duckdb(benchmark: Any, bench: dict[str, Any]) -> None:
    ref: DatasetRef = bench["ref"]
    stats = bench["stats"]
    con = open_copy(ref.db, ref.dataset_id, ref.sha256, bench["rules"].plan.catalog, stats)

    def number(column: str, table: str) -> str:
        return f"({column} / {10 ** stats.column(table, column).scale}.0)"

    sql = _hand_sql(lambda t: f'"{t}"', number, "LEAST", "GREATEST")
    rows = benchmark.pedantic(lambda: con.execute(sql).fetchall(), rounds=5, iterations=1)
    con.close()
    _record("hand-duckdb", benchmark)
    assert len(rows) == SCALE


def ratio_lines() -> list[str]:
    """The medians of this run beside the hand-written SQLite query (same run, same data)."""
    if "hand-sqlite" not in MEDIANS:
        return []
    base = MEDIANS["hand-sqlite"]
    lines = [f"score pioneer_rider at scale {SCALE}: median seconds, ratio to hand-sqlite"]
    for name, median in sorted(MEDIANS.items(), key=lambda item: item[1]):
        lines.append(f"  {name:<12} {median:8.3f} s  {median / base:6.2f}x")
    return lines
