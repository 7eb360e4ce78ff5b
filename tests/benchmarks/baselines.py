"""The hand-written baselines every pioneer figure is divided by: what a
programmer would write for this one campaign with SQLite or DuckDB alone.

* Ingest: the CSV files into typed tables, nothing checked. SQLite: the
  `csv` module and `executemany` in one transaction, then the indexes the
  score query needs (a covering index per record table on the rider column:
  their build counts as ingest). DuckDB: one `read_csv` per file.
* Score: the `pioneer_rider` award as one query: the same aggregates, float
  scores, eligibility, vetoes and a RANK window. Floats, so not exact (at
  100,000 riders such a query got 41,405 ranks wrong, issue 7): the floor,
  not an equivalent.
* Export: the stored results of a run read back and written as JSON or as
  the 公示 CSV, with none of the review laid over them.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb

from scoring.catalog import Catalog, TableInfo

BATCH = 1000
TRUE = ("是", "true")
BOOLS = {"是": 1, "否": 0, "true": 1, "false": 0}
AFFINITY = {"text": "TEXT", "int": "INTEGER", "number": "REAL", "bool": "INTEGER", "date": "TEXT"}
DUCK = {"text": "VARCHAR", "int": "BIGINT", "number": "DOUBLE", "date": "VARCHAR"}

COVERING = {
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
"""The rider award's record tables: date column and the columns it reads."""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _header(info: TableInfo, column: str) -> str:
    return info.headers.get(column, column)


# ------------------------------------------------------------------ ingest
def _rows(path: Path, info: TableInfo) -> Iterator[list[Any]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        where = [header.index(_header(info, c)) for c in info.columns]
        bools = [i for i, c in enumerate(info.columns) if info.columns[c] == "bool"]
        for row in reader:
            cells = [row[i] or None for i in where]
            for i in bools:
                cells[i] = BOOLS.get(cells[i]) if cells[i] is not None else None
            yield cells


def ingest_sqlite(folder: Path, catalog: Catalog, path: Path) -> int:
    """Load every declared table's CSV into a new SQLite file; rows loaded."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    total = 0
    with conn:
        for name, info in catalog.tables.items():
            columns = ", ".join(f"{_q(c)} {AFFINITY[t]}" for c, t in info.columns.items())
            conn.execute(f"CREATE TABLE {_q(name)} ({columns})")
            marks = ", ".join("?" for _ in info.columns)
            rows = _rows(folder / f"{name}.csv", info)
            while batch := list(islice(rows, BATCH)):
                conn.executemany(f"INSERT INTO {_q(name)} VALUES ({marks})", batch)
                total += len(batch)
            if info.key is not None:
                conn.execute(f"CREATE UNIQUE INDEX {_q(name + '_key')} ON {_q(name)} ({info.key})")
            if name in COVERING:
                date, used = COVERING[name]
                cols = ", ".join(_q(c) for c in ["rider", date, *used])
                conn.execute(f"CREATE INDEX {_q(name + '_cover')} ON {_q(name)} ({cols})")
    conn.execute("ANALYZE")
    conn.close()
    return total


def ingest_duckdb(folder: Path, catalog: Catalog, path: Path) -> int:
    """Load every declared table's CSV into a new DuckDB file; rows loaded."""
    con = duckdb.connect(str(path))
    total = 0
    for name, info in catalog.tables.items():
        exprs = []
        for column, kind in info.columns.items():
            cell = _q(_header(info, column))
            if kind == "bool":
                listed = ", ".join(f"'{t}'" for t in TRUE)
                exprs.append(f"({cell} IN ({listed})) AS {_q(column)}")
            else:
                exprs.append(f"CAST({cell} AS {DUCK[kind]}) AS {_q(column)}")
        source = str(folder / f"{name}.csv").replace("'", "''")
        con.execute(
            f"CREATE TABLE {_q(name)} AS SELECT {', '.join(exprs)}"
            f" FROM read_csv('{source}', header = true, all_varchar = true)"
        )
        total += int(con.execute(f"SELECT COUNT(*) FROM {_q(name)}").fetchone()[0])  # type: ignore[index]
    con.close()
    return total


# ------------------------------------------------------------------ score
def rider_sql(least: str, greatest: str) -> str:
    """The rider award by hand: the same aggregates, float scores, eligibility,
    vetoes and a RANK window over the ranked riders."""
    inside = "BETWEEN '2022-01-01' AND '2022-12-31'"
    return f"""
    WITH d AS (SELECT rider, SUM(parcels) p, SUM(on_time) o FROM deliveries
               WHERE month {inside} GROUP BY rider),
    r AS (SELECT rider, AVG(stars) s, SUM(bad_reviews) b
          FROM ratings WHERE month {inside} GROUP BY rider),
    c AS (SELECT rider, SUM(CASE WHEN valid THEN 1 ELSE 0 END) n FROM complaints
          WHERE day {inside} GROUP BY rider),
    v AS (SELECT rider, COUNT(*) n FROM violations WHERE day {inside} GROUP BY rider),
    i AS (SELECT rider, SUM(CASE WHEN kind IN ('交通事故', '安全生产事故') AND severity = '重大'
                 AND responsible THEN 1 ELSE 0 END) a,
                 SUM(CASE WHEN kind IN ('违法犯罪', '平台封禁', '弄虚作假') THEN 1 ELSE 0 END) b
          FROM incidents WHERE day {inside} GROUP BY rider),
    g AS (SELECT rider, SUM(CASE WHEN kind = '迟报漏报' THEN 1 ELSE 0 END) late,
                 SUM(CASE WHEN kind IN ('着装不规范', '缺席安全例会') THEN 1 ELSE 0 END) conduct
          FROM discipline WHERE day {inside} GROUP BY rider),
    h AS (SELECT rider, SUM(CASE WHEN kind = '见义勇为' THEN 1 ELSE 0 END) brave,
                 SUM(CASE WHEN kind = '拾金不昧' THEN 1 ELSE 0 END) lost,
                 SUM(CASE WHEN kind = '表彰' AND level = '县级' THEN 1 ELSE 0 END) county,
                 SUM(CASE WHEN kind = '表彰' AND level IN ('市级', '省级', '国家级') THEN 1 ELSE 0 END) city
          FROM honors WHERE day {inside} GROUP BY rider),
    w AS (SELECT rider, SUM(hours) hrs, COUNT(DISTINCT CASE WHEN kind = '疫情防控' THEN day END) epi
          FROM volunteering WHERE day {inside} GROUP BY rider),
    z AS (SELECT rider, SUM(CASE WHEN valid THEN 1 ELSE 0 END) n FROM hazard_reports
          WHERE day {inside} GROUP BY rider),
    s AS (SELECT rider, AVG(CASE WHEN attended THEN 1.0 ELSE 0.0 END) sh FROM study
          WHERE day {inside} GROUP BY rider),
    scored AS (
      SELECT x.id,
        {least}(20.0, 20.0 * COALESCE(d.p, 0) / 18000.0)
        + CASE WHEN d.p > 0 AND 1.0 * d.o / d.p >= 0.98 THEN 20 WHEN d.p > 0 AND 1.0 * d.o / d.p >= 0.96 THEN 16
               WHEN d.p > 0 AND 1.0 * d.o / d.p >= 0.94 THEN 12 WHEN d.p > 0 AND 1.0 * d.o / d.p >= 0.92 THEN 8
               WHEN d.p > 0 AND 1.0 * d.o / d.p >= 0.9 THEN 4 ELSE 0 END
        + {greatest}(0, 10 - 5 * COALESCE(c.n, 0)) + {greatest}(0, 5 - COALESCE(r.b, 0))
        + {least}(5.0, {greatest}(0.0, 5 * (COALESCE(r.s, 4.5) - 4)))
        + {greatest}(0, 15 - 5 * COALESCE(v.n, 0))
        + {least}(10.0, COALESCE(w.hrs, 0)) + {least}(5, COALESCE(z.n, 0))
        + 10 * COALESCE(s.sh, 0)
        + {least}(10, 5 * COALESCE(h.brave, 0) + 2 * COALESCE(h.lost, 0) + 3 * COALESCE(h.county, 0)
              + 5 * COALESCE(h.city, 0) + COALESCE(w.epi, 0))
        - {least}(10, 2 * COALESCE(g.late, 0) + COALESCE(g.conduct, 0)) AS total,
        x.joined <= '2022-11-01' AND COALESCE(d.p, 0) >= 300 AND x.traffic_status != '红' AS eligible,
        COALESCE(i.a, 0) + COALESCE(i.b, 0) + (CASE WHEN COALESCE(v.n, 0) >= 2 THEN 1 ELSE 0 END) > 0
          AS vetoed
      FROM riders x
      LEFT JOIN d ON d.rider = x.id LEFT JOIN r ON r.rider = x.id LEFT JOIN c ON c.rider = x.id
      LEFT JOIN v ON v.rider = x.id LEFT JOIN i ON i.rider = x.id LEFT JOIN g ON g.rider = x.id
      LEFT JOIN h ON h.rider = x.id LEFT JOIN w ON w.rider = x.id LEFT JOIN z ON z.rider = x.id
      LEFT JOIN s ON s.rider = x.id)
    SELECT id, total, eligible, vetoed,
      CASE WHEN eligible AND NOT vetoed THEN
        RANK() OVER (PARTITION BY eligible AND NOT vetoed ORDER BY total DESC) END
    FROM scored ORDER BY id
    """


def score_sqlite(path: Path) -> int:
    """The rider award by hand on the baseline's SQLite file; riders scored."""
    conn = sqlite3.connect(path)
    try:
        return len(conn.execute(rider_sql("MIN", "MAX")).fetchall())
    finally:
        conn.close()


def score_duckdb(path: Path) -> int:
    """The rider award by hand on the baseline's DuckDB file; riders scored."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return len(con.execute(rider_sql("LEAST", "GREATEST")).fetchall())
    finally:
        con.close()


# ------------------------------------------------------------------ export
_FIELDS = (
    "subject, name, unit, eligible, veto, total, rank, grade, selected, boundary_tie,"
    " points, metrics"
)


def export_json(store: Path, run_id: int) -> bytes:
    """A run's stored results as a JSON document, award by award."""
    conn = sqlite3.connect(store)
    try:
        awards: dict[str, list[dict[str, Any]]] = {}
        for award, *r in conn.execute(
            f"SELECT award, {_FIELDS} FROM results WHERE run_id = ? ORDER BY award, ord",
            [run_id],
        ):
            awards.setdefault(award, []).append(
                {
                    "subject": r[0],
                    "name": r[1],
                    "unit": r[2],
                    "eligible": bool(r[3]),
                    "veto": json.loads(r[4]),
                    "total": float(r[5]),
                    "rank": r[6],
                    "grade": r[7],
                    "selected": bool(r[8]),
                    "boundary_tie": bool(r[9]),
                    "points": {k: float(v) for k, v in json.loads(r[10]).items()},
                    "metrics": json.loads(r[11]),
                }
            )
    finally:
        conn.close()
    return json.dumps({"awards": awards}, ensure_ascii=False, indent=2).encode("utf-8")


def export_csv(store: Path, run_id: int) -> bytes:
    """A run's selected subjects (the 公示 list) as CSV."""
    conn = sqlite3.connect(store)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["award", "rank", "name", "unit", "total", "grade"])
    try:
        writer.writerows(
            conn.execute(
                "SELECT award, rank, name, unit, total, grade FROM results"
                " WHERE run_id = ? AND selected = 1 ORDER BY award, ord",
                [run_id],
            )
        )
    finally:
        conn.close()
    return out.getvalue().encode("utf-8")
