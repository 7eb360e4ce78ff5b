"""Which path reads each file at ingest, and what `pioneer ingest` says about it.

DuckDB reads a CSV file only when asked (`PIONEER_INGEST=duckdb`) or, under
`auto`, when the file is large; every file it declines goes to the Python
path, and a decline the user asked against is said on standard error
(`note: TABLE: python (why)`). Whichever path reads a file, the dataset is
the same: the same SHA-256 as the Python path's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from engine_helpers import declared_columns, rules_text, write_tables
from test_cli_engine import TINY_AWARDS

from scoring.cli import cli
from scoring.ingest import duckpath

PEOPLE = [{"id": f"P{i}", "name": f"名{i}", "unit": "城关镇"} for i in range(1, 4)]
RECORDS = [
    {"person": f"P{i % 3 + 1}", "day": f"2022-03-0{i}", "n": i, "kind": "甲"} for i in range(1, 7)
]


def _folder(tmp_path: Path) -> tuple[Path, Path]:
    """The rule file and a data folder of two clean CSV files (people, records)."""
    text = rules_text(TINY_AWARDS)
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    write_tables(tmp_path / "data", text, {"people": PEOPLE, "records": RECORDS})
    return rules, tmp_path / "data"


def _ingest(rules: Path, data: Path, store: Path, reader: str) -> Result:
    result = CliRunner().invoke(
        cli,
        ["ingest", str(data), "--rules", str(rules), "--db", str(store)],
        env={"PIONEER_INGEST": reader},
    )
    assert result.exit_code == 0, result.output
    return result


def _sha(result: Result) -> str:
    return next(x for x in result.stdout.splitlines() if x.startswith("dataset ")).split()[-1]


def _notes(result: Result) -> list[str]:
    return [x for x in result.stderr.splitlines() if x.startswith("note: ")]


def _records(data: Path, change: Callable[[bytes], bytes]) -> None:
    path = data / "records.csv"
    path.write_bytes(change(path.read_bytes()))


def _lone_cr(raw: bytes) -> bytes:
    return raw.replace(b"\n", b"\r", 1)  # the header line ends with a lone CR


def _mixed(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n", 1)  # one CR LF, then LF


def _separator(raw: bytes) -> bytes:
    return raw.replace("甲".encode(), "甲\x1f乙".encode(), 1)  # U+001F inside a text cell


def _gb18030(raw: bytes) -> bytes:
    return raw.decode("utf-8").encode("gb18030")


DECLINED = {
    "a lone CR": (_lone_cr, "a carriage return that ends no line feed"),
    "CR LF and LF": (_mixed, "lines end both with CR LF and with LF"),
    "a unit separator": (_separator, "a NUL byte or a unit separator (U+001F) in the file"),
}


@pytest.mark.parametrize("case", list(DECLINED))
def test_a_file_duckdb_would_read_differently_goes_to_python_and_is_said(
    tmp_path: Path, case: str
) -> None:
    change, why = DECLINED[case]
    rules, data = _folder(tmp_path)
    _records(data, change)
    duck = _ingest(rules, data, tmp_path / "duck.db", "duckdb")
    assert _notes(duck) == [
        "note: read through DuckDB: people",
        f"note: records: python (DuckDB cannot read it exactly: {why})",
    ]
    python = _ingest(rules, data, tmp_path / "python.db", "python")
    assert _notes(python) == []
    assert _sha(duck) == _sha(python)


def test_without_duckdb_every_csv_goes_to_python_and_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duckpath, "duckdb_installed", lambda: False)
    rules, data = _folder(tmp_path)
    result = _ingest(rules, data, tmp_path / "store.db", "duckdb")
    assert _notes(result) == [
        "note: people: python (DuckDB is not installed)",
        "note: records: python (DuckDB is not installed)",
    ]


def test_auto_reads_small_files_with_python_silently_and_large_ones_with_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules, data = _folder(tmp_path)
    small = _ingest(rules, data, tmp_path / "small.db", "auto")
    assert _notes(small) == []  # small files: Python is faster than starting DuckDB
    monkeypatch.setattr(duckpath, "LARGE", (data / "records.csv").stat().st_size)
    large = _ingest(rules, data, tmp_path / "large.db", "auto")
    assert _notes(large) == ["note: read through DuckDB: records"]  # people.csv is smaller
    assert _sha(large) == _sha(small)


def test_a_gb18030_file_is_still_read_by_duckdb(tmp_path: Path) -> None:
    rules, data = _folder(tmp_path)
    _records(data, _gb18030)
    duck = _ingest(rules, data, tmp_path / "duck.db", "duckdb")
    assert _notes(duck) == ["note: read through DuckDB: people, records"]
    assert _sha(duck) == _sha(_ingest(rules, data, tmp_path / "python.db", "python"))


@pytest.mark.parametrize("kind", ["xlsx", "jsonl"])
def test_an_xlsx_or_jsonl_file_is_read_by_python_whatever_is_asked(
    tmp_path: Path, kind: str
) -> None:
    rules, data = _folder(tmp_path)
    (data / "records.csv").unlink()
    columns = declared_columns(rules.read_text(encoding="utf-8"))["records"]
    if kind == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(columns)
        for row in RECORDS:
            sheet.append([row.get(c) for c in columns])
        book.save(data / "records.xlsx")
    else:
        lines = [
            json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) for row in RECORDS
        ]
        (data / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    duck = _ingest(rules, data, tmp_path / "duck.db", "duckdb")
    assert _notes(duck) == ["note: read through DuckDB: people"]  # the CSV only
    assert "records: 6 in, 6 accepted, 0 rejected" in duck.stdout
    assert _sha(duck) == _sha(_ingest(rules, data, tmp_path / "python.db", "python"))
