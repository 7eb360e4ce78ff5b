"""The DuckDB reader converts the clean common spellings in SQL, and they come out as
the Python path reads them: same stored rows, same dataset SHA-256."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_ingest_dataset import catalog

from scoring.ingest import duckload, ingest
from scoring.ingest.readers import RawRow
from scoring.store import open_store

TEAMS = "id,名称,unit\r\nT1,一队,城关镇\r\nＴ２,二队, 草碧镇\u3000\r\n"
RIDERS = (
    "id,姓名,team,党员,入党日期\n"
    "R001,张三,T1,是,2015年7月1日\n"
    "Ｒ００２,\u3000李四\u3000,Ｔ２,否,2018/3/5\n"
    "R003,王五,T1,TRUE,2019-03-01 08:30\n"
    "R004,赵六,,y,\n"
    " R005 ,钱七,T1,对,2020-1-2\n"
)
DELIVERIES = (
    "骑手,team,day,parcels,准时率\n"
    "R001,T1,2022-03-01,1,95%\n"
    "R002,T2,2022-03-02T09:15:00,１２３,0.975\n"
    "\n"
    "R003,T1,2022年3月3日,-0,12.5%\n"
    ",,,,\n"
    "R004,,2022/3/4,3.0,100%\n"
    "R005,T1,2022-3-5,+7,-1.50\n"
)


def _folder(tmp_path: Path, encoding: str) -> Path:
    folder = tmp_path / encoding
    folder.mkdir()
    for name, text in (("teams", TEAMS), ("riders", RIDERS), ("deliveries", DELIVERIES)):
        (folder / f"{name}.csv").write_bytes(text.encode(encoding))
    (folder / "ratings.csv").write_text("骑手,day,stars,verified\nR001,2022-3-1,4.5,是\n", "utf-8")
    return folder


def _rows(db: Any, dataset_id: int) -> list[Any]:
    tables = ("teams", "riders", "deliveries", "ratings")
    return [
        db.execute(f"SELECT * FROM ds{dataset_id}_{t} ORDER BY _line").fetchall() for t in tables
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_every_spelling_converted_in_sql_matches_the_python_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    folder = _folder(tmp_path, encoding)
    python_db = open_store(":memory:")
    expected = ingest(folder, catalog(), python_db, reader="python")

    def no_fallback(*args: object) -> tuple[list[RawRow], int]:
        raise AssertionError("a chunk left SQL for the Python path")

    monkeypatch.setattr(duckload, "csv_part", no_fallback)
    duck_db = open_store(":memory:")
    report = ingest(folder, catalog(), duck_db, reader="duckdb")
    assert dict(report.readers) == dict.fromkeys(
        ("teams", "riders", "deliveries", "ratings"), "duckdb"
    )
    assert report.rejected == expected.rejected == 0
    assert report.sha256 == expected.sha256
    assert _rows(duck_db, report.dataset_id) == _rows(python_db, expected.dataset_id)


def test_a_bad_row_sends_its_chunk_to_the_python_path(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "utf-8")
    with (folder / "deliveries.csv").open("a", encoding="utf-8") as handle:
        handle.write("R001,T1,2022-02-30,5,1%\nR009,T1,2022-3-1,5,1%\n")
    with (folder / "riders.csv").open("a", encoding="utf-8") as handle:
        handle.write('R006,孙\\八\t,T1,是,2020-1-1\nR007,"李,九",T1,是,\n')  # JSON escapes, quotes
    python_db, duck_db = open_store(":memory:"), open_store(":memory:")
    expected = ingest(folder, catalog(), python_db, reader="python")
    report = ingest(folder, catalog(), duck_db, reader="duckdb")
    assert _rows(duck_db, report.dataset_id) == _rows(python_db, expected.dataset_id)
    assert [(r.line, r.column, r.value, r.reason) for r in report.rejects] == [
        (r.line, r.column, r.value, r.reason) for r in expected.rejects
    ]
    assert [r.line for r in report.rejects] == [9, 10]
    assert report.sha256 == expected.sha256


def test_an_unknown_reader_in_the_environment_is_refused_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistyped PIONEER_INGEST is the user's mistake (exit 1, nothing written), not a bug."""
    from click.testing import CliRunner

    from scoring.cli import cli

    monkeypatch.setenv("PIONEER_INGEST", "fast")
    root = Path(__file__).resolve().parent.parent
    db = tmp_path / "store.db"
    args = [
        "ingest",
        str(root / "examples/qianyang"),
        "--rules",
        str(root / "rules/three_pioneers.yaml"),
    ]
    result = CliRunner().invoke(cli, [*args, "--db", str(db)])
    assert result.exit_code == 1, result.output
    assert "PIONEER_INGEST='fast'" in result.output
    assert "expected one of auto, python, duckdb" in result.output
    assert "Traceback" not in result.output
    assert (
        not db.exists()
        or open_store(db).execute("SELECT COUNT(*) FROM datasets").fetchone()[0] == 0
    )


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("open_end", [False, True])
def test_a_gb18030_copy_is_scanned_as_it_is_written(
    tmp_path: Path, ending: str, open_end: bool
) -> None:
    """The copy's line count and ending come from the one pass that writes it (no second read)."""
    from scoring.ingest.lines import scan, utf8_copy

    text = ending.join(RIDERS.splitlines()) + ("" if open_end else ending)
    source = tmp_path / "riders.csv"
    source.write_bytes(b"\x84\x31\x95\x33" + text.encode("gb18030"))  # with GB18030's own BOM
    copy = tmp_path / "riders.utf8.csv"
    found = utf8_copy(source, copy)
    assert copy.read_bytes().decode("utf-8") == text
    assert found == scan(copy)
    assert not isinstance(found, str) and found.lines == 6 and found.ending == ending
    assert found.ends_open is open_end


def test_rows_written_aside_are_copied_in_the_transaction_and_rolled_back_with_it(
    tmp_path: Path,
) -> None:
    """Ingesting the same files twice: the second copy from the scratch file is undone."""
    folder = _folder(tmp_path, "utf-8")
    db = open_store(tmp_path / "store.db")
    first = ingest(folder, catalog(), db, reader="duckdb")
    second = ingest(folder, catalog(), db, reader="duckdb")
    assert second.reused and second.dataset_id == first.dataset_id
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert sorted(t for t in tables if t.startswith("ds")) == [
        f"ds{first.dataset_id}_{name}" for name in ("deliveries", "ratings", "riders", "teams")
    ]
    assert [row[1] for row in db.execute("PRAGMA database_list")] == ["main"]
    assert db.execute(f"SELECT count(*) FROM ds{first.dataset_id}_deliveries").fetchone() == (5,)
