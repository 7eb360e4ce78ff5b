"""Warnings for ID numbers a spreadsheet destroyed (issue 8, point 4).

An 18-digit 身份证号 typed into a number-formatted cell comes back as
`6.10328198704183E+017` or `610328198704183000`. Such cells in `text` columns
are accepted and warned about: file, line, column and value, stored with the
dataset, counted in the ingest summary and listed by `pioneer rejects`.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_ingest_dataset import catalog
from test_ingest_pinned import EXAMPLE, GOLDEN
from test_ingest_stream import write_folder

from scoring import service
from scoring.cli import cli
from scoring.ingest import format_summary, ingest, list_rejects, list_warnings, load_rows
from scoring.ingest.suspect import NATIVE, SCIENTIFIC, ZEROS, rewritten_native, rewritten_text
from scoring.store import open_store

pytestmark = pytest.mark.usefixtures("ingest_reader")  # every test runs through both ingest paths

RULES = GOLDEN / "three_pioneers.yaml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6.10328198704183E+017", SCIENTIFIC),  # LibreOffice
        ("6.10328198704183E+17", SCIENTIFIC),  # Excel
        ("1.39E+10", SCIENTIFIC),
        ("-6.1e-05", SCIENTIFIC),
        ("610328198704183000", ZEROS),
        ("6222021234567890", ZEROS),  # a 16-digit card number after Excel
        ("610328198704182555", None),  # a genuine ID number
        ("61032819870418255X", None),
        ("13579188600", None),  # a phone number: 11 digits survive
        ("0000000000000000", None),
        ("610328198704183001", None),
        ("R0001", None),
        ("2E5", None),  # spreadsheets always write the exponent's sign
        ("", None),
        ("６１０３２８１９８７０４１８３０００", None),  # full-width: typed, not computed
    ],
)
def test_rewritten_text(text: str, expected: str | None) -> None:
    assert rewritten_text(text) == expected


def test_rewritten_native() -> None:
    assert rewritten_native(610328198704182555, "610328198704182555") == NATIVE
    assert rewritten_native(6.103281987041826e17, "610328198704182600") == NATIVE
    assert rewritten_native(13579188600, "13579188600") is None
    assert rewritten_native(1e-20, "0.00000000000000000001") is None
    assert rewritten_native(True, "true") is None


def _example(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE, tmp_path / "data"))


def _replace_cells(path: Path, edits: dict[tuple[int, int], str]) -> None:
    lines = path.read_text("utf-8").split("\n")
    for (line, column), value in edits.items():
        cells = lines[line - 1].split(",")
        cells[column] = value
        lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines), "utf-8")


def test_csv_warnings_are_counted_stored_and_listed(tmp_path: Path) -> None:
    folder = _example(tmp_path)
    riders = folder / "riders.csv"
    # 身份证号 is the fifth column; line 4 is also given a bad date, so it is rejected
    _replace_cells(
        riders,
        {
            (2, 4): "6.10328198704183E+017",
            (3, 4): "610328199602232000",
            (4, 4): "6.10328198704183E+17",
            (4, 9): "2021-02-30",
        },
    )
    db_path = tmp_path / "x.db"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["ingest", str(folder), "--rules", str(RULES), "--db", str(db_path)]
    )
    assert result.exit_code == 3, result.output  # the bad date is a reject
    assert "riders: 360 in, 359 accepted, 1 rejected" in result.output
    assert (
        "warnings: 2 cell(s) look like numbers a spreadsheet rewrote (riders 2); "
        "accepted, listed by `pioneer rejects`"
    ) in result.output.splitlines()

    db = open_store(db_path)
    warnings = list_warnings(db)
    assert [(Path(w.file).name, w.line, w.column, w.value, w.reason) for w in warnings] == [
        ("riders.csv", 2, "身份证号", "6.10328198704183E+017", SCIENTIFIC),
        ("riders.csv", 3, "身份证号", "610328199602232000", ZEROS),
    ]
    rows = {row["id"]: row for row in load_rows(db, 1, "riders")}
    assert rows["R0001"]["id_number"] == "6.10328198704183E+017"  # accepted as written
    assert "R0003" not in rows

    listing = runner.invoke(cli, ["rejects", "--db", str(db_path)])
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    heading = lines.index(
        "warnings (accepted, but the cell looks like a number a spreadsheet rewrote):"
    )
    assert lines[heading - 2] == f"{len(list_rejects(db))} rejected row(s)"  # links to R0003 too
    assert lines[heading + 1] == (f"{riders}:2: 身份证号: '6.10328198704183E+017': {SCIENTIFIC}")
    assert lines[heading + 2] == f"{riders}:3: 身份证号: '610328199602232000': {ZEROS}"
    assert lines[-1] == "2 warning(s)"


def _riders_workbook(source: Path, target: Path) -> None:
    """riders.csv as an office would keep it: dates as dates, numbers as numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    lines = source.read_text("utf-8").splitlines()
    sheet.append(lines[0].split(","))  # the Chinese headers
    for number, line in enumerate(lines[1:], start=2):
        cells: list[object] = list(line.split(","))
        cells[3] = int(str(cells[3]))  # 手机号 as a number: 11 digits, harmless
        cells[9] = dt.datetime.fromisoformat(str(cells[9]))  # 入职日期 as a date
        if number == 2:
            cells[4] = int(str(cells[4]))  # 身份证号 given as an integer
        elif number == 3:
            cells[4] = float(str(cells[4]))  # 身份证号 as Excel keeps it: a double
        sheet.append(cells)
    book.save(target)


def test_xlsx_ids_stored_as_numbers_are_warned(tmp_path: Path) -> None:
    folder = _example(tmp_path)
    _riders_workbook(folder / "riders.csv", folder / "riders.xlsx")
    (folder / "riders.csv").unlink()
    db = service.open_db(tmp_path / "x.db", actor="t")
    report = service.ingest_folder(db, service.load(RULES), folder, actor="t")
    assert report.rejected == 0
    assert report.counts("riders").accepted == 360
    workbook = str(folder / "riders.xlsx")
    assert [(w.file, w.line, w.column, w.value, w.reason) for w in report.cell_warnings] == [
        (workbook, 2, "身份证号", "610328198704182500", NATIVE),  # openpyxl kept a double
        (workbook, 3, "身份证号", "610328199602232200", NATIVE),
    ]
    assert format_summary(report).splitlines()[-1].startswith("warnings: 2 cell(s)")
    rows = {row["id"]: row for row in load_rows(db, report.dataset_id, "riders")}
    assert rows["R0001"]["joined"] == dt.date(2016, 3, 14)
    assert rows["R0001"]["phone"] == "19984915886"
    assert rows["R0002"]["id_number"] == "610328199602232200"  # the digits Excel kept
    assert list_warnings(db, report.dataset_id) == list(report.cell_warnings)


def test_warnings_do_not_fail_a_strict_ingest(tmp_path: Path) -> None:
    folder = _example(tmp_path)
    _replace_cells(folder / "riders.csv", {(2, 4): "610328198704183000"})
    db = open_store(tmp_path / "x.db")
    catalog = service.load(RULES).plan.catalog
    report = ingest(folder, catalog, db, strict=True)
    assert [(w.line, w.value) for w in report.cell_warnings] == [(2, "610328198704183000")]
    assert report.rejected == 0


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_full_width_key_is_judged_after_normalisation(tmp_path: Path, fmt: str) -> None:
    # a key is read after NFKC: full-width digits become the ASCII an ID number lost
    tables = {
        "teams": [
            ["６１０３２８１９８７０４１８３０００", "一队", "城关镇"],
            ["T2", "二队", "城关镇"],
        ],
        "riders": [["R1", "张三", "T2", "是", "2015-07-01"]],
        "deliveries": [],
        "ratings": [],
    }
    report = ingest(write_folder(tmp_path / fmt, tables, fmt), catalog(), open_store(":memory:"))
    assert [(w.table, w.line, w.column, w.value, w.reason) for w in report.cell_warnings] == [
        ("teams", 2, "id", "６１０３２８１９８７０４１８３０００", ZEROS)
    ]
