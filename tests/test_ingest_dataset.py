"""`ingest` end to end on the fixture folders: rejects, invariants, strict mode, reuse."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlite_utils import Database

from scoring.catalog import Catalog, TableInfo
from scoring.ingest import (
    CatalogError,
    DatasetNotFound,
    FileError,
    IngestReport,
    RejectError,
    format_summary,
    ingest,
    iter_rows,
    latest_dataset_id,
    list_rejects,
    load_rows,
    stored_report,
)
from scoring.ingest.tables import reading_order
from scoring.store import StoreError, open_store

pytestmark = pytest.mark.usefixtures("ingest_reader")  # every test runs through both ingest paths

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def catalog(**extra: TableInfo) -> Catalog:
    """Teams <- riders <- deliveries, ratings: the shape of the 三个先锋 data."""
    tables = {
        "teams": TableInfo(
            "teams",
            "subject",
            {"id": "text", "name": "text", "unit": "text"},
            key="id",
            headers={"name": "名称"},
        ),
        "riders": TableInfo(
            "riders",
            "subject",
            {
                "id": "text",
                "name": "text",
                "team": "text",
                "party_member": "bool",
                "joined": "date",
            },
            key="id",
            links={"teams": "team"},
            headers={"name": "姓名", "party_member": "党员", "joined": "入党日期"},
        ),
        "deliveries": TableInfo(
            "deliveries",
            "record",
            {
                "rider": "text",
                "team": "text",
                "day": "date",
                "parcels": "int",
                "on_time_rate": "number",
            },
            date="day",
            links={"riders": "rider", "teams": "team"},
            headers={"rider": "骑手", "on_time_rate": "准时率"},
        ),
        "ratings": TableInfo(
            "ratings",
            "record",
            {"rider": "text", "day": "date", "stars": "number", "verified": "bool"},
            date="day",
            links={"riders": "rider"},
            headers={"rider": "骑手"},
        ),
    }
    return Catalog({**tables, **extra})


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    store = open_store(tmp_path / "store.db")
    yield store
    store.close()


def folder(tmp_path: Path, name: str) -> Path:
    """A writable copy of a fixture folder."""
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def snapshot(db: Database) -> list[Any]:
    """Everything an ingest could write: the schema and every row of the dataset tables."""
    schema = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    rows = [
        db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        for table in ("datasets", "dataset_tables", "rejects")
    ]
    return [schema, rows]


def assert_counts_add_up(report: IngestReport) -> None:
    for counts in report.tables:
        assert counts.rows_in == counts.accepted + counts.rejected
        rejected_lines = {(r.line, r.file) for r in report.rejects if r.table == counts.table}
        assert len(rejected_lines) == counts.rejected
    assert report.rows_in == report.accepted + report.rejected


def reject_tuples(report: IngestReport) -> list[tuple[Any, ...]]:
    return [
        (r.table, Path(r.file).name, r.line, r.column, r.value, r.reason) for r in report.rejects
    ]


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(text)


# -- a clean folder ------------------------------------------------------------


def test_good_folder_reads_every_spelling(tmp_path: Path, db: Database) -> None:
    report = ingest(FIXTURES / "good", catalog(), db)
    assert_counts_add_up(report)
    assert report.rejects == ()
    assert not report.reused
    assert format_summary(report).splitlines() == [
        "teams: 2 in, 2 accepted, 0 rejected",
        "riders: 4 in, 4 accepted, 0 rejected",
        "deliveries: 4 in, 4 accepted, 0 rejected",
        "ratings: 3 in, 3 accepted, 0 rejected",
        "total: 13 in, 13 accepted, 0 rejected",
    ]
    assert report.warnings == [
        f"{FIXTURES / 'good' / 'riders.csv'}: ignored columns not declared for riders: 备注"
    ]
    riders = load_rows(db, report.dataset_id, "riders")
    assert riders == [
        {
            "_line": 2,
            "id": "R001",
            "name": "张三",
            "team": "T1",
            "party_member": True,
            "joined": date(2015, 7, 1),
        },
        {  # full-width key and link, U+3000 padding, 否, YYYY/M/D
            "_line": 3,
            "id": "R002",
            "name": "李四",
            "team": "T2",
            "party_member": False,
            "joined": date(2018, 3, 5),
        },
        {  # a quoted name over two lines; TRUE; a time of day ignored
            "_line": 4,
            "id": "R003",
            "name": "王五\n（老王）",
            "team": "T1",
            "party_member": True,
            "joined": date(2019, 3, 1),
        },
        {
            "_line": 6,
            "id": "R004",
            "name": "赵六",
            "team": None,
            "party_member": True,
            "joined": None,
        },
    ]
    deliveries = [
        (row["_line"], row["rider"], row["team"], row["day"], row["parcels"], row["on_time_rate"])
        for row in load_rows(db, report.dataset_id, "deliveries")
    ]
    assert deliveries == [
        (2, "R001", "T1", date(2022, 3, 1), 1234, Fraction(19, 20)),
        (3, "R002", "T2", date(2022, 3, 2), 123, Fraction(39, 40)),
        (5, "R003", "T1", date(2022, 3, 3), 0, Fraction(1, 8)),
        (7, "R004", None, date(2022, 3, 4), 3, Fraction(1)),
    ]
    ratings = [
        (row["_line"], row["rider"], row["stars"], row["verified"])
        for row in load_rows(db, report.dataset_id, "ratings")
    ]
    assert ratings == [
        (1, "R001", Fraction(9, 2), True),
        (2, "R002", Fraction(5), True),
        (4, "R001", Fraction(3), None),
    ]


def test_numbers_are_stored_as_exact_decimal_text(db: Database) -> None:
    report = ingest(FIXTURES / "good", catalog(), db)
    table = f"ds{report.dataset_id}_deliveries"
    stored = db.execute(f"SELECT parcels, on_time_rate, day FROM {table} ORDER BY _line").fetchall()
    assert stored == [
        (1234, "0.95", "2022-03-01"),
        (123, "0.975", "2022-03-02"),
        (0, "0.125", "2022-03-03"),
        (3, "1", "2022-03-04"),
    ]
    columns = {row[1]: row[2] for row in db.execute(f"PRAGMA table_info({table})")}
    assert columns == {
        "_line": "INTEGER",
        "rider": "TEXT",
        "team": "TEXT",
        "day": "TEXT",
        "parcels": "INTEGER",
        "on_time_rate": "TEXT",
    }
    indexes = {row[1] for row in db.execute(f"PRAGMA index_list({table})")}
    assert indexes == {f"{table}__rider", f"{table}__team", f"{table}__day"}


def test_identical_reingest_reuses_the_dataset(db: Database) -> None:
    first = ingest(FIXTURES / "good", catalog(), db)
    before = snapshot(db)
    second = ingest(FIXTURES / "good", catalog(), db)
    assert second.reused
    assert (second.dataset_id, second.sha256) == (first.dataset_id, first.sha256)
    assert second.tables == first.tables
    assert snapshot(db) == before


def test_identity_is_content_not_encoding_format_or_lines(tmp_path: Path, db: Database) -> None:
    first = ingest(FIXTURES / "good", catalog(), db)
    copy = folder(tmp_path, "good")
    riders = copy / "riders.csv"
    text = riders.read_text(encoding="utf-8")
    riders.write_bytes(("\n" + text).encode("gb18030"))  # GB18030, and every line one lower
    (copy / "teams.csv").unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["id", "名称", "unit"], ["T1", "城关一队", "城关镇"], ["T2", "高崖二队", "高崖镇"]):
        sheet.append(row)
    book.save(copy / "teams.xlsx")

    again = ingest(copy, catalog(), db)
    assert again.reused
    assert again.sha256 == first.sha256
    assert again.counts("riders").rows_in == 4
    assert load_rows(db, first.dataset_id, "riders")[0]["_line"] == 2  # the first ingest's lines


def test_new_content_makes_a_new_dataset(tmp_path: Path, db: Database) -> None:
    first = ingest(FIXTURES / "good", catalog(), db)
    copy = folder(tmp_path, "good")
    append(copy / "deliveries.csv", "R001,T1,2022-03-09,7,1\n")
    second = ingest(copy, catalog(), db)
    assert not second.reused
    assert second.dataset_id == first.dataset_id + 1
    assert second.sha256 != first.sha256
    assert latest_dataset_id(db) == second.dataset_id
    assert len(load_rows(db, first.dataset_id, "deliveries")) == 4
    assert len(load_rows(db, second.dataset_id, "deliveries")) == 5


def test_header_only_file_is_a_table_of_no_rows(tmp_path: Path, db: Database) -> None:
    copy = folder(tmp_path, "good")
    (copy / "ratings.jsonl").write_text("\n", encoding="utf-8")
    (copy / "deliveries.csv").write_text("骑手,team,day,parcels,准时率\n", encoding="utf-8")
    report = ingest(copy, catalog(), db)
    assert report.counts("deliveries").rows_in == 0
    assert report.counts("ratings").rows_in == 0
    assert load_rows(db, report.dataset_id, "deliveries") == []


# -- rejects -------------------------------------------------------------------

EXPECTED_REJECTS = [
    ("teams", "teams.csv", 3, "id", "T1", "duplicate key 'T1': first at line 2"),
    (
        "teams",
        "teams.csv",
        4,
        "id",
        "",
        "no key: the id cell is empty; every row of teams needs one",
    ),
    ("riders", "riders.csv", 3, "team", "T9", "'T9' is not a key of teams"),
    (
        "riders",
        "riders.csv",
        4,
        "党员",
        "maybe",
        "not a yes/no value: 'maybe' (use 是/否, true/false, yes/no or 1/0)",
    ),
    ("riders", "riders.csv", 5, "入党日期", "2022-02-30", "no such date: '2022-02-30'"),
    ("riders", "riders.csv", 6, None, None, "too few fields: 4, the header has 5"),
    ("riders", "riders.csv", 7, None, None, "too many fields: 6, the header has 5"),
    ("riders", "riders.csv", 8, "id", "R001", "duplicate key 'R001': first at line 2"),
    ("deliveries", "deliveries.csv", 2, "parcels", "12,34", "not a whole number: '12,34'"),
    ("deliveries", "deliveries.csv", 3, "day", "", "no date: every record needs one"),
    ("deliveries", "deliveries.csv", 4, "day", "2022-13-01", "no such date: '2022-13-01'"),
    (
        "deliveries",
        "deliveries.csv",
        5,
        "day",
        "03/01/2022",
        "not a date: '03/01/2022' (write it as 2022-03-01, 2022/3/1 or 2022年3月1日)",
    ),
    (
        "deliveries",
        "deliveries.csv",
        6,
        "骑手",
        "R002",
        "'R002' is not a key of riders: its row (riders.csv line 3) was rejected",
    ),
    ("deliveries", "deliveries.csv", 7, "骑手", "R404", "'R404' is not a key of riders"),
    ("deliveries", "deliveries.csv", 8, "parcels", "3.5", "not a whole number: '3.5'"),
    ("deliveries", "deliveries.csv", 8, "准时率", "1e3", "not a number: '1e3'"),
    (
        "deliveries",
        "deliveries.csv",
        9,
        "parcels",
        "99999999999999999999",
        "integer out of the 64-bit range: '99999999999999999999'",
    ),
    (
        "ratings",
        "ratings.jsonl",
        2,
        None,
        None,
        "not valid JSON: Expecting property name enclosed in double quotes at character 53",
    ),
    ("ratings", "ratings.jsonl", 3, None, None, "not a JSON object ({...})"),
    ("ratings", "ratings.jsonl", 4, "rider", "R001", "'rider' and '骑手' both give column rider"),
    ("ratings", "ratings.jsonl", 5, None, None, "not valid JSON: NaN is not a number JSON allows"),
    (
        "ratings",
        "ratings.jsonl",
        6,
        "verified",
        "maybe",
        "not a yes/no value: 'maybe' (use 是/否, true/false, yes/no or 1/0)",
    ),
]


def test_every_reject_names_file_line_column_value_and_reason(db: Database) -> None:
    report = ingest(FIXTURES / "rejects", catalog(), db)
    assert_counts_add_up(report)
    assert reject_tuples(report) == EXPECTED_REJECTS
    assert format_summary(report).splitlines() == [
        "teams: 3 in, 1 accepted, 2 rejected",
        "riders: 7 in, 1 accepted, 6 rejected",
        "deliveries: 9 in, 1 accepted, 8 rejected",
        "ratings: 6 in, 1 accepted, 5 rejected",
        "total: 25 in, 4 accepted, 21 rejected",
    ]
    assert [row["_line"] for row in load_rows(db, report.dataset_id, "deliveries")] == [10]
    assert str(report.rejects[0]) == (
        f"{FIXTURES / 'rejects' / 'teams.csv'}:3: id: duplicate key 'T1': first at line 2"
    )


def test_the_reject_report_is_stored(db: Database) -> None:
    report = ingest(FIXTURES / "rejects", catalog(), db)
    assert list_rejects(db) == list(report.rejects)
    assert list_rejects(db, report.dataset_id) == list(report.rejects)
    stored = stored_report(db, report.dataset_id)
    assert stored.tables == report.tables
    assert stored.rejects == report.rejects
    assert stored.sha256 == report.sha256


def test_invisible_characters_and_nul_bytes(tmp_path: Path, db: Database) -> None:
    copy = folder(tmp_path, "good")
    append(copy / "riders.csv", "R\u200b005,钱七,T1,是,,\n")  # 7: zero-width space in a key
    append(copy / "riders.csv", "R006,孙\x00八,T1,是,,\n")  # 8: NUL in a text cell
    append(copy / "riders.csv", "R007,周九,T1,是,,备\x00注\n")  # 9: NUL in an undeclared column
    append(copy / "riders.csv", "R008,吴十,T1\ufeff,是,,\n")  # 10: BOM inside a link
    append(copy / "riders.csv", "\u3000R009\u3000,郑十一,\u3000T1,是,,\u200b\n")  # 11: fine
    report = ingest(copy, catalog(), db)
    assert_counts_add_up(report)
    assert reject_tuples(report) == [
        (
            "riders",
            "riders.csv",
            7,
            "id",
            "R\\u200b005",
            "invisible character U+200B (ZERO WIDTH SPACE)",
        ),
        ("riders", "riders.csv", 8, "姓名", "孙\\x00八", "NUL byte in the cell"),
        ("riders", "riders.csv", 9, "备注", "备\\x00注", "NUL byte in the cell"),
        (
            "riders",
            "riders.csv",
            10,
            "team",
            "T1\\ufeff",
            "invisible character U+FEFF (ZERO WIDTH NO-BREAK SPACE)",
        ),
    ]
    assert [row["id"] for row in load_rows(db, report.dataset_id, "riders")][-1] == "R009"


def test_a_record_may_link_to_nothing_but_not_to_a_stranger(tmp_path: Path, db: Database) -> None:
    copy = folder(tmp_path, "good")
    append(copy / "deliveries.csv", ",,2022-03-09,1,1\n")  # 8: links to no rider, no team
    append(copy / "deliveries.csv", "Ｒ００１,Ｔ９,2022-03-09,1,1\n")  # 9: dangling team
    report = ingest(copy, catalog(), db)
    assert reject_tuples(report) == [
        ("deliveries", "deliveries.csv", 9, "team", "T9", "'T9' is not a key of teams")
    ]
    assert load_rows(db, report.dataset_id, "deliveries")[-1]["rider"] is None


# -- strict mode and whole-file problems write nothing --------------------------


def test_strict_stops_at_the_first_reject_and_writes_nothing(db: Database) -> None:
    ingest(FIXTURES / "good", catalog(), db)
    before = snapshot(db)
    with pytest.raises(RejectError) as caught:
        ingest(FIXTURES / "rejects", catalog(), db, strict=True)
    error = caught.value
    assert (error.line, error.column, error.value) == (3, "id", "T1")
    assert str(error) == (
        f"{FIXTURES / 'rejects' / 'teams.csv'}:3: id: duplicate key 'T1': first at line 2"
    )
    assert snapshot(db) == before


def test_strict_on_a_clean_folder_writes_the_dataset(db: Database) -> None:
    report = ingest(FIXTURES / "good", catalog(), db, strict=True)
    assert report.accepted == 13
    assert latest_dataset_id(db) == report.dataset_id


def _missing_file(path: Path) -> None:
    (path / "ratings.jsonl").unlink()


def _empty_file(path: Path) -> None:
    (path / "teams.csv").write_bytes(b"")


def _missing_column(path: Path) -> None:
    text = (path / "riders.csv").read_text(encoding="utf-8")
    (path / "riders.csv").write_text(text.replace("入党日期", "入党时间", 1), encoding="utf-8")


def _undecodable(path: Path) -> None:
    append(path / "deliveries.csv", "")
    with (path / "deliveries.csv").open("ab") as handle:
        handle.write(b"R001,T1,2022-03-09,\xff\xfe,1\n")


def _two_files(path: Path) -> None:
    (path / "teams.jsonl").write_text('{"id": "T1"}\n', encoding="utf-8")


@pytest.mark.parametrize(
    ("break_folder", "message"),
    [
        (
            _missing_file,
            "{dir}/ratings: no file for table ratings: "
            "expected one of ratings.csv, ratings.xlsx, ratings.jsonl",
        ),
        (
            _empty_file,
            "{dir}/teams.csv: the file is empty (0 bytes); "
            "even a table of no rows needs its header",
        ),
        (
            _missing_column,
            "{dir}/riders.csv:1: missing column: joined (入党日期), did you mean '入党时间'? "
            "(the header has: id, 姓名, team, 党员, 入党时间, 备注)",
        ),
        (
            _undecodable,
            "{dir}/deliveries.csv:8: undecodable bytes at line 8: the file is not valid UTF-8",
        ),
        (
            _two_files,
            "{dir}/teams.csv: several files for table teams: teams.csv and teams.jsonl; keep one",
        ),
    ],
    ids=["missing-file", "empty-file", "missing-column", "undecodable", "two-files"],
)
def test_whole_file_problems_write_nothing(
    tmp_path: Path, db: Database, break_folder: Any, message: str
) -> None:
    ingest(FIXTURES / "good", catalog(), db)
    before = snapshot(db)
    copy = folder(tmp_path, "good")
    break_folder(copy)
    with pytest.raises(FileError) as caught:
        ingest(copy, catalog(), db)
    assert str(caught.value) == message.format(dir=copy)
    assert snapshot(db) == before


def test_every_whole_file_problem_is_reported_at_once(tmp_path: Path, db: Database) -> None:
    copy = folder(tmp_path, "good")
    _missing_file(copy)
    _empty_file(copy)
    with pytest.raises(FileError) as caught:
        ingest(copy, catalog(), db)
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{copy}/teams.csv: the file is empty")
    assert lines[1].startswith(f"{copy}/ratings: no file for table ratings")
    assert latest_dataset_id(db) is None


def test_an_interrupted_ingest_leaves_nothing_behind(db: Database) -> None:
    before = snapshot(db)

    def interrupt(table: str, rows: int) -> None:
        if table == "deliveries":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest(FIXTURES / "good", catalog(), db, progress=interrupt)
    assert snapshot(db) == before


def test_catalog_problems_are_typed_errors(db: Database) -> None:
    bad = catalog(
        notes=TableInfo(
            "notes", "record", {"_line": "int", "rider": "text"}, links={"ghosts": "rider"}
        )
    )
    with pytest.raises(CatalogError) as caught:
        ingest(FIXTURES / "good", bad, db)
    assert str(caught.value) == (
        "notes: the column name _line is reserved; "
        "notes: links to ghosts, which is not a declared table"
    )


# -- xlsx and cyclic links -------------------------------------------------------


def test_xlsx_table_with_native_cells(tmp_path: Path, db: Database) -> None:
    copy = folder(tmp_path, "good")
    (copy / "deliveries.csv").unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["骑手", "team", "day", "parcels", "准时率"])  # 1
    sheet.append(["R001", "T1", datetime(2022, 3, 1), 1234, 0.95])  # 2: native date
    sheet.append([])  # 3: empty row, skipped
    sheet.append(["R002", "T2", datetime(2022, 3, 2, 18, 45), 12.0, "97.5%"])  # 4
    sheet.append(["R003", "T1", 44621, 3.5, 1])  # 5: a serial number, not a date; 3.5
    sheet.append(["R004", None, "2022年3月4日", "1,000", True])  # 6: a bool is not a number
    book.save(copy / "deliveries.xlsx")

    report = ingest(copy, catalog(), db)
    assert_counts_add_up(report)
    xlsx = str(copy / "deliveries.xlsx")
    assert [(r.file, r.line, r.column, r.value, r.reason) for r in report.rejects] == [
        (xlsx, 5, "day", "44621", "not a date: '44621' (format the cell as a date)"),
        (xlsx, 5, "parcels", "3.5", "not a whole number: '3.5'"),
        (xlsx, 6, "准时率", "true", "not a number: 'true'"),
    ]
    rows = load_rows(db, report.dataset_id, "deliveries")
    assert [(r["_line"], r["day"], r["parcels"], r["on_time_rate"]) for r in rows] == [
        (2, date(2022, 3, 1), 1234, Fraction(19, 20)),
        (4, date(2022, 3, 2), 12, Fraction(39, 40)),
    ]


def test_links_within_one_table_settle_to_a_fixed_point(tmp_path: Path, db: Database) -> None:
    mentors = TableInfo(
        "mentors",
        "subject",
        {"id": "text", "mentor": "text"},
        key="id",
        links={"mentors": "mentor"},
    )
    cat = Catalog({"mentors": mentors})
    data = tmp_path / "data"
    data.mkdir()
    (data / "mentors.csv").write_text(
        "id,mentor\n"
        "M1,M2\n"  # 2: M2 is rejected below, so M1's link dangles too
        "M2,M9\n"  # 3: dangling
        "M3,\n"  # 4: links to nothing
        "M4,M3\n"  # 5: fine
        "M5,M5\n",  # 6: oneself
        encoding="utf-8",
    )
    report = ingest(data, cat, db)
    assert_counts_add_up(report)
    assert [(r.line, r.reason) for r in report.rejects] == [
        (2, "'M2' is not a key of mentors: its row (mentors.csv line 3) was rejected"),
        (3, "'M9' is not a key of mentors"),
    ]
    assert [r["id"] for r in load_rows(db, report.dataset_id, "mentors")] == ["M3", "M4", "M5"]


def test_reading_order_puts_link_targets_first() -> None:
    order = reading_order(catalog())
    assert [group.tables for group in order] == [
        ("teams",),
        ("riders",),
        ("deliveries",),
        ("ratings",),
    ]
    assert not any(group.cyclic for group in order)


# -- reading rows back -----------------------------------------------------------


def test_iter_rows_streams_the_records_of_some_subjects(db: Database) -> None:
    report = ingest(FIXTURES / "good", catalog(), db)
    dataset = report.dataset_id

    def lines(**kwargs: Any) -> list[Any]:
        return [row["_line"] for row in iter_rows(db, dataset, "deliveries", **kwargs)]

    assert lines(link_column="rider", keys=["R003", "R001"]) == [2, 5]
    assert lines(link_column="team", keys=["T1"]) == [2, 5]
    assert lines(link_column="rider", keys=[]) == []
    assert lines(link_column="rider", keys=[f"R{n:03}" for n in range(5000)]) == [2, 3, 5, 7]
    assert lines(where="parcels > ?", params=[100]) == [2, 3]
    riders = [row["id"] for row in iter_rows(db, dataset, "riders", keys=["R004", "R002"])]
    assert riders == ["R002", "R004"]


def test_reading_unknown_datasets_and_tables(db: Database) -> None:
    with pytest.raises(DatasetNotFound, match="the store holds no dataset yet"):
        list_rejects(db)
    report = ingest(FIXTURES / "good", catalog(), db)
    with pytest.raises(DatasetNotFound, match="no dataset 99 in the store"):
        load_rows(db, 99, "riders")
    with pytest.raises(DatasetNotFound, match="has no table volunteering"):
        load_rows(db, report.dataset_id, "volunteering")


def test_progress_reports_every_table(db: Database) -> None:
    calls: list[tuple[str, int]] = []
    ingest(
        FIXTURES / "good", catalog(), db, progress=lambda table, rows: calls.append((table, rows))
    )
    assert calls == [("teams", 2), ("riders", 4), ("deliveries", 4), ("ratings", 3)]


def test_datasets_cannot_be_changed(db: Database) -> None:
    report = ingest(FIXTURES / "rejects", catalog(), db)
    for statement in (
        f"UPDATE ds{report.dataset_id}_riders SET name = 'x'",
        f"DELETE FROM ds{report.dataset_id}_deliveries",
        "UPDATE datasets SET source = 'x'",
        "DELETE FROM datasets",
        "UPDATE dataset_tables SET rejected = 0",
        "DELETE FROM rejects",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="datasets are immutable"):
            db.execute(statement)


def test_a_jsonl_column_must_appear_in_some_object(tmp_path: Path, db: Database) -> None:
    copy = folder(tmp_path, "good")
    (copy / "ratings.jsonl").write_text(
        '{"rider": "R001", "day": "2022-03-05", "verified": true}\n', encoding="utf-8"
    )
    with pytest.raises(FileError) as caught:
        ingest(copy, catalog(), db)
    assert str(caught.value) == (
        f"{copy / 'ratings.jsonl'}:1: missing column: stars (the header has: rider, day, verified)"
    )


def test_records_with_ids_reject_duplicate_ids(tmp_path: Path, db: Database) -> None:
    honors = TableInfo(
        "honors",
        "record",
        {"id": "int", "rider": "text", "day": "date"},
        key="id",
        date="day",
        links={"riders": "rider"},
    )
    copy = folder(tmp_path, "good")
    (copy / "honors.csv").write_text(
        "id,rider,day\n１,R001,2022-05-01\n1.0,R002,2022-05-02\n2,R002,2022-05-02\n",
        encoding="utf-8",
    )
    report = ingest(copy, catalog(honors=honors), db)
    assert reject_tuples(report) == [
        ("honors", "honors.csv", 3, "id", "1", "duplicate key '1': first at line 2")
    ]
    assert str(report.rejects[0]).endswith("honors.csv:3: id: duplicate key '1': first at line 2")
    rows = list(iter_rows(db, report.dataset_id, "honors", keys=[2]))
    assert [(row["id"], row["rider"]) for row in rows] == [(2, "R002")]


def test_a_reject_without_a_column_reads_path_line_reason(db: Database) -> None:
    report = ingest(FIXTURES / "rejects", catalog(), db)
    short = next(r for r in report.rejects if r.column is None)
    assert (
        str(short)
        == f"{FIXTURES / 'rejects' / 'riders.csv'}:6: too few fields: 4, the header has 5"
    )


def test_no_such_folder(tmp_path: Path, db: Database) -> None:
    with pytest.raises(FileError) as caught:
        ingest(tmp_path / "nowhere", catalog(), db)
    assert str(caught.value) == f"{tmp_path / 'nowhere'}: no such folder"


def test_a_locked_store_is_a_store_error(tmp_path: Path, db: Database) -> None:
    other = sqlite3.connect(tmp_path / "store.db")
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    db.execute("PRAGMA busy_timeout = 0")
    try:
        with pytest.raises(StoreError, match="cannot write the dataset: database is locked"):
            ingest(FIXTURES / "good", catalog(), db)
    finally:
        other.rollback()
        other.close()
    assert latest_dataset_id(db) is None


def test_deeply_nested_json_is_a_row_reject(tmp_path: Path, db: Database) -> None:
    copy = folder(tmp_path, "good")
    append(copy / "ratings.jsonl", "[" * 100_000 + "]" * 100_000 + "\n")
    report = ingest(copy, catalog(), db)
    assert reject_tuples(report) == [
        ("ratings", "ratings.jsonl", 5, None, None, "not valid JSON: nested too deeply")
    ]


def test_two_tables_linking_each_other_are_read_together(tmp_path: Path, db: Database) -> None:
    teams = TableInfo(
        "teams",
        "subject",
        {"id": "text", "leader": "text"},
        key="id",
        links={"riders": "leader"},
    )
    riders = TableInfo(
        "riders", "subject", {"id": "text", "team": "text"}, key="id", links={"teams": "team"}
    )
    cat = Catalog({"teams": teams, "riders": riders})
    assert [(g.tables, g.cyclic) for g in reading_order(cat)] == [(("teams", "riders"), True)]
    data = tmp_path / "data"
    data.mkdir()
    (data / "teams.csv").write_text("id,leader\nT1,R1\nT2,R2\n", encoding="utf-8")
    (data / "riders.csv").write_text("id,team\nR1,T1\nR2,T9\nR3,T2\n", encoding="utf-8")
    report = ingest(data, cat, db)
    assert_counts_add_up(report)
    # R2's team is dangling; T2's leader was R2; R3's team was T2.
    assert reject_tuples(report) == [
        (
            "teams",
            "teams.csv",
            3,
            "leader",
            "R2",
            "'R2' is not a key of riders: its row (riders.csv line 3) was rejected",
        ),
        ("riders", "riders.csv", 3, "team", "T9", "'T9' is not a key of teams"),
        (
            "riders",
            "riders.csv",
            4,
            "team",
            "T2",
            "'T2' is not a key of teams: its row (teams.csv line 3) was rejected",
        ),
    ]
    assert [r["id"] for r in load_rows(db, report.dataset_id, "riders")] == ["R1"]


def test_the_report_names_the_path_that_read_each_table(db: Database, ingest_reader: str) -> None:
    report = ingest(FIXTURES / "good", catalog(), db)
    readers = dict(report.readers)
    assert readers["ratings"] == "python"  # JSON Lines: always the Python path
    if ingest_reader == "python":
        assert set(readers.values()) == {"python"}
    else:  # every CSV of the fixture is one DuckDB reads exactly, quoted fields and all
        assert [readers[table] for table in ("teams", "riders", "deliveries")] == ["duckdb"] * 3


def test_duckdb_declines_a_file_it_would_read_differently(tmp_path: Path, db: Database) -> None:
    copy = folder(tmp_path, "good")
    path = copy / "deliveries.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r", 1))  # a lone CR ends line 1
    report = ingest(copy, catalog(), db, reader="duckdb")
    how = dict(report.readers)["deliveries"]
    assert how.startswith("python (DuckDB cannot read it exactly: a carriage return")
    assert report.sha256 == ingest(copy, catalog(), open_store(":memory:"), reader="python").sha256
