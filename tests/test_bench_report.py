"""The table `make bench` ends with: each figure beside its baseline of the
same run, as a ratio, and a verdict per target of issue 7 (starred when the
issue sets the target for another size than the one measured)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmarks"))

from bench_report import GB, Figure, Report, Target  # noqa: E402


def _report(size: str) -> Report:
    r = Report(size=size)
    r.add(Figure("score", "hand-sqlite", 0.5, 5, 100 * 2**20))
    r.add(
        Figure("score", "sql-sqlite", 0.75, 5, 3 * GB, "hand-sqlite", (Target("ratio", 1.0, "M"),))
    )
    r.add(Figure("score", "sql-duckdb", 0.4, 5, None, "hand-duckdb", (Target("ratio", 2.0, "M"),)))
    r.add(Figure("ingest", "pioneer", 10.0, 1, 900 * 2**20, "hand-sqlite",
                 (Target("rate", 500_000), Target("memory", 1 * GB)), rows=6_000_000))  # fmt: skip
    r.add(Figure("read", "pioneer", 0.15, 5, None, targets=(Target("seconds", 0.2),)))
    return r


def test_ratios_and_verdicts() -> None:
    r = _report("M")
    sql = r.find("score", "sql-sqlite")
    assert sql is not None and r.ratio(sql) == 1.5
    assert r.verdict(sql, sql.targets[0]) == "no"
    duck = r.find("score", "sql-duckdb")
    assert duck is not None and r.verdict(duck, duck.targets[0]) == "?"  # no hand-duckdb figure
    ingest = r.find("ingest", "pioneer")
    assert ingest is not None
    assert [r.verdict(ingest, t) for t in ingest.targets] == ["yes", "yes"]  # 600k rows/s
    read = r.find("read", "pioneer")
    assert read is not None and r.verdict(read, read.targets[0]) == "yes"


def test_the_table_lines_up_and_stars_targets_of_another_size() -> None:
    lines = _report("S").table()
    assert lines[0].startswith("pioneer benchmarks, size S")
    row = next(line for line in lines if line.startswith("score") and "sql-sqlite" in line)
    assert "hand-sqlite 500.0 ms" in row and "1.50x" in row and row.endswith("no*")
    assert "3,072 MB" in row
    assert "(600k rows/s)" in next(line for line in lines if line.startswith("ingest"))
    assert lines[-1].startswith("* the issue sets this target at another size than S")
    header, first = lines[1], lines[2]
    assert header.index("median") == first.index("500.0 ms")  # columns line up


def test_peak_memory_says_how_far_it_rose_above_the_start() -> None:
    r = Report(size="S")
    r.add(Figure("export", "pioneer", 1.0, 1, 2_200 * 2**20, start=200 * 2**20))
    assert "2,200 MB (+2,000)" in r.table()[2]


def test_a_figure_measured_again_replaces_the_first() -> None:
    r = _report("S")
    r.add(Figure("score", "hand-sqlite", 1.5, 5, None))
    base = [f for f in r.figures if (f.step, f.engine) == ("score", "hand-sqlite")]
    assert len(base) == 1 and base[0].median == 1.5
    sql = r.find("score", "sql-sqlite")
    assert sql is not None and r.ratio(sql) == 0.5
