"""The streaming ingest (issue 7, item 5): same dataset whatever the path, bounded memory.

CSV rows go through the column-wise batch path; JSON Lines and xlsx rows go
through the per-row path. The same content in each format must give the same
dataset SHA-256 and the same reject report, whatever the cells hold and
wherever the batches are cut.
"""

from __future__ import annotations

import csv
import json
import re
import tracemalloc
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database
from test_ingest_dataset import catalog

from scoring.ingest import IngestReport, dataset, encoding, ingest
from scoring.ingest.cells import WHITESPACE
from scoring.ingest.readers import open_source
from scoring.store import open_store

pytestmark = pytest.mark.usefixtures("ingest_reader")  # every test runs through both ingest paths

HEADERS = {
    "teams": ["id", "名称", "unit"],
    "riders": ["id", "姓名", "team", "党员", "入党日期"],
    "deliveries": ["骑手", "team", "day", "parcels", "准时率"],
    "ratings": ["骑手", "day", "stars", "verified"],
}


def write_folder(folder: Path, tables: dict[str, list[list[str]]], fmt: str) -> Path:
    folder.mkdir()
    for name, rows in tables.items():
        header = HEADERS[name]
        if fmt == "csv":
            with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows([header, *rows])
        elif fmt == "jsonl":  # a blank first line, so that row i is on line i + 2 as in CSV
            lines = [
                json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) for row in rows
            ]
            (folder / f"{name}.jsonl").write_text("\n" + "".join(f"{x}\n" for x in lines), "utf-8")
        else:
            book = openpyxl.Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.append(header)
            for row in rows:
                sheet.append(row)
            book.save(folder / f"{name}.xlsx")
    return folder


def outcome(report: IngestReport) -> tuple[Any, ...]:
    """What must not depend on the format: the reasons may name a file, not its suffix."""
    return (
        report.sha256,
        [(c.table, c.rows_in, c.accepted, c.rejected) for c in report.tables],
        [
            (r.table, r.line, r.column, r.value, re.sub(r"\.(csv|jsonl|xlsx) ", ".* ", r.reason))
            for r in report.rejects
        ],
        [(w.table, w.line, w.column, w.value, w.reason) for w in report.cell_warnings],
    )


TRICKY = st.sampled_from(
    [
        "",
        " ",
        "张三",
        "a],[b",
        '"q"',
        "back\\slash",
        "tab\there",
        "R1",
        "T1",
        "Ｔ１",
        "\u3000x\u3000",
        "6.10328198704183E+017",
        "６１０３２８１９８７０４１８３０００",
        "610328198704183000",
        "1,234",
        "95%",
        "3.0",
        "x",
        "2022-03-01",
        "2022年3月1日",
        "是",
        "否",
        "maybe",
        "R9",
        "\u200bR1",
        "99999999999999999999",
    ]
)


FIRST = TRICKY.filter(lambda cell: bool(cell.strip(WHITESPACE)))  # a blank row is no row in CSV


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    riders=st.lists(st.tuples(FIRST, TRICKY, TRICKY, TRICKY, TRICKY), max_size=12),
    deliveries=st.lists(st.tuples(FIRST, TRICKY, TRICKY, TRICKY, TRICKY), max_size=30),
    batch=st.integers(min_value=1, max_value=8),
)
def test_csv_batches_and_jsonl_rows_give_the_same_dataset(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    riders: list[tuple[str, ...]],
    deliveries: list[tuple[str, ...]],
    batch: int,
) -> None:
    monkeypatch.setattr(dataset, "BATCH", batch)
    tables = {
        "teams": [["T1", "一队", "城关镇"], ["T2", "二队", "张家塬镇"]],
        "riders": [["R1", "张三", "T1", "是", "2015-07-01"]] + [list(r) for r in riders],
        "deliveries": [list(d) for d in deliveries],
        "ratings": [["R1", "2022-03-01", "4.5", "是"]],
    }
    results = []
    for fmt in ("csv", "jsonl"):
        folder = write_folder(tmp_path_factory.mktemp(fmt) / "data", tables, fmt)
        results.append(outcome(ingest(folder, catalog(), open_store(":memory:"))))
    csv_outcome, jsonl_outcome = results
    assert csv_outcome[0] == jsonl_outcome[0]
    assert csv_outcome[1:] == jsonl_outcome[1:]


def test_csv_and_xlsx_give_the_same_dataset_over_many_batches(tmp_path: Path) -> None:
    tables = {
        "teams": [["T1", "一队", "城关镇"], ["T2", "二队", "张家塬镇"]],
        "riders": [
            [f"R{i:04d}", f"骑手{i}", f"T{i % 2 + 1}", "是", "2015-07-01"] for i in range(300)
        ],
        "deliveries": [
            [
                f"R{i % 310:04d}",
                f"T{i % 3}",
                f"2022-{i % 12 + 1}-{i % 28 + 1}",
                str(i),
                f"{i % 100}%",
            ]
            for i in range(3500)
        ],
        "ratings": [["R0001", "2022-03-01", "4.5", "是"]],
    }
    outcomes = []
    for fmt in ("csv", "xlsx"):
        folder = write_folder(tmp_path / fmt, tables, fmt)
        outcomes.append(outcome(ingest(folder, catalog(), open_store(":memory:"))))
    assert outcomes[0] == outcomes[1]
    counts = outcomes[0][1]
    assert counts[2][0] == "deliveries" and counts[2][3] > 0  # R0300.. and T0 dangle


def test_record_links_have_a_link_and_date_index(tmp_path: Path) -> None:
    tables = {
        "teams": [["T1", "一队", "城关镇"]],
        "riders": [["R1", "张三", "T1", "是", "2015-07-01"]],
        "deliveries": [["R1", "T1", "2022-03-01", "3", "95%"]],
        "ratings": [],
    }
    db: Database = open_store(":memory:")
    report = ingest(write_folder(tmp_path / "d", tables, "csv"), catalog(), db)
    table = f"ds{report.dataset_id}_deliveries"
    columns = {
        name: [row[2] for row in db.execute(f"PRAGMA index_info({name})")]
        for (_, name, *_rest) in db.execute(f"PRAGMA index_list({table})")
    }
    assert columns == {
        f"{table}__rider": ["rider", "day"],
        f"{table}__team": ["team", "day"],
        f"{table}__day": ["day"],
    }


def _peak(tmp_path: Path, rows: int) -> int:
    folder = tmp_path / f"n{rows}"
    folder.mkdir()
    (folder / "teams.csv").write_text("id,名称,unit\nT1,一队,城关镇\n", "utf-8")
    (folder / "riders.csv").write_text(
        "id,姓名,team,党员,入党日期\n"
        + "".join(f"R{i},骑手{i},T1,是,2015-07-01\n" for i in range(100)),
        "utf-8",
    )
    (folder / "ratings.csv").write_text("骑手,day,stars,verified\n", "utf-8")
    with (folder / "deliveries.csv").open("w", encoding="utf-8") as handle:
        handle.write("骑手,team,day,parcels,准时率\n")
        for i in range(rows):
            handle.write(f"R{i % 100},T1,2022-{i % 12 + 1}-{i % 28 + 1},{i % 500},{i % 100}%\n")
    db = open_store(tmp_path / f"n{rows}.db")
    tracemalloc.start()
    try:
        report = ingest(folder, catalog(), db)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        db.close()
    assert report.counts("deliveries").accepted == rows
    return peak


def test_peak_memory_does_not_grow_with_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encoding, "CHUNK", 1 << 15)  # both files span many read chunks
    small, large = _peak(tmp_path, 10_000), _peak(tmp_path, 40_000)
    assert large < small * 1.25 + 1_000_000  # four times the rows, about the same memory


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_rows_come_in_batches_in_file_order(tmp_path: Path, fmt: str) -> None:
    tables = {"riders": [[f"R{i}", "张三", "T1", "是", "2015-07-01"] for i in range(5)]}
    folder = write_folder(tmp_path / fmt, tables, fmt)
    source = open_source(folder / f"riders.{fmt}")
    try:
        batches = list(source.batches(2))
    finally:
        source.close()
    assert [[row.line for row in batch] for batch in batches] == [[2, 3], [4, 5], [6]]
    assert [row.cells[0] for batch in batches for row in batch] == [f"R{i}" for i in range(5)]
