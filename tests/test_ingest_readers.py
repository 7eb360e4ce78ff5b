"""Readers: encodings, physical line numbers, blank rows, xlsx and JSON Lines."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from scoring.ingest.failures import FileError
from scoring.ingest.readers import ABSENT, RawRow, decode_csv, locate, open_source


def read(path: Path) -> tuple[tuple[str, ...], list[RawRow]]:
    source = open_source(path)
    try:
        return source.header, list(source.rows)
    finally:
        source.close()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def file_error(path: Path) -> FileError:
    with pytest.raises(FileError) as caught:
        read(path)
    return caught.value


# -- encodings -----------------------------------------------------------------

CHINESE = "骑手,日期\nR001,2022年3月1日\n"


@pytest.mark.parametrize(
    "data",
    [
        CHINESE.encode("utf-8"),
        b"\xef\xbb\xbf" + CHINESE.encode("utf-8"),
        CHINESE.encode("gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030"],
)
def test_csv_encodings_read_the_same(tmp_path: Path, data: bytes) -> None:
    header, rows = read(write(tmp_path, "t.csv", data))
    assert header == ("骑手", "日期")
    assert rows == [RawRow(2, ("R001", "2022年3月1日"))]


def test_gb18030_is_not_mistaken_for_utf8() -> None:
    data = "姓名\n张三\n".encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_csv(Path("t.csv"), data) == "姓名\n张三\n"


def test_broken_utf8_is_not_reread_as_gb18030(tmp_path: Path) -> None:
    # Valid UTF-8 Chinese, then one stray byte: GB18030 would "succeed" with mojibake.
    data = "姓名\n张三\n李四\n".encode() + b"\xff\n"
    error = file_error(write(tmp_path, "t.csv", data))
    assert error.line == 4
    assert str(error) == (
        f"{tmp_path / 't.csv'}:4: undecodable bytes at line 4: the file is not valid UTF-8"
    )


def test_undecodable_bytes_name_their_line(tmp_path: Path) -> None:
    data = b"id,name\r\nR1,a\r\nR2,\x80\xff\r\n"
    error = file_error(write(tmp_path, "t.csv", data))
    assert error.line == 3
    assert error.message == "undecodable bytes at line 3: the file is not UTF-8 or GB18030"


def test_bom_file_with_bad_bytes(tmp_path: Path) -> None:
    error = file_error(write(tmp_path, "t.csv", b"\xef\xbb\xbfid\n\xff\n"))
    assert error.line == 2


def test_utf16_is_refused_with_advice(tmp_path: Path) -> None:
    error = file_error(write(tmp_path, "t.csv", "id\nR1\n".encode("utf-16")))
    assert error.message == "the file is UTF-16 text; save it as CSV (UTF-8 or GB18030)"


# -- CSV lines -----------------------------------------------------------------


def test_physical_lines_with_quoted_newlines_blank_lines_and_crlf(tmp_path: Path) -> None:
    text = (
        "id,note\r\n"  # 1
        'R1,"two\r\nlines"\r\n'  # 2-3
        "\r\n"  # 4 blank
        "R2,x\r\n"  # 5
        '"R3","a\n\nb"\n'  # 6-8: a blank line inside quotes is part of the field
        ",\n"  # 9: only empty fields: blank
        "  ,\u3000\n"  # 10: only white space: blank
        "R4,y"  # 11, no final newline
    )
    header, rows = read(write(tmp_path, "t.csv", text.encode()))
    assert header == ("id", "note")
    assert [(row.line, row.cells) for row in rows] == [
        (2, ("R1", "two\r\nlines")),
        (5, ("R2", "x")),
        (6, ("R3", "a\n\nb")),
        (11, ("R4", "y")),
    ]


def test_header_is_trimmed(tmp_path: Path) -> None:
    header, _ = read(write(tmp_path, "t.csv", " id ,\u3000姓名\u3000\n".encode()))
    assert header == ("id", "姓名")


def test_field_count_problems(tmp_path: Path) -> None:
    text = 'a,b,c\n1,2\n1,2,3,4\n1,2,3\n1,"2\n3\n'
    _, rows = read(write(tmp_path, "t.csv", text.encode()))
    assert [(row.line, row.problem) for row in rows] == [
        (2, "too few fields: 2, the header has 3"),
        (3, "too many fields: 4, the header has 3"),
        (4, None),
        (
            5,
            "too few fields: 2, the header has 3 "
            "(a quoted field spans lines: is a closing quote missing?)",
        ),
    ]


def test_nul_bytes_reach_the_cells(tmp_path: Path) -> None:
    _, rows = read(write(tmp_path, "t.csv", b"id\nR\x001\n"))
    assert rows == [RawRow(2, ("R\x001",))]


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    header, rows = read(write(tmp_path, "t.csv", b"id,name\n"))
    assert header == ("id", "name")
    assert rows == []


def test_empty_file_is_a_file_error(tmp_path: Path) -> None:
    for name in ("t.csv", "t.jsonl", "t.xlsx"):
        error = file_error(write(tmp_path, name, b""))
        assert "the file is empty (0 bytes)" in error.message


# -- locating files --------------------------------------------------------------


def test_locate_finds_one_file_per_table(tmp_path: Path) -> None:
    write(tmp_path, "riders.jsonl", b"{}\n")
    assert locate(tmp_path, "riders") == tmp_path / "riders.jsonl"


def test_locate_refuses_two_files(tmp_path: Path) -> None:
    write(tmp_path, "riders.csv", b"id\n")
    write(tmp_path, "riders.xlsx", b"x")
    with pytest.raises(FileError) as caught:
        locate(tmp_path, "riders")
    assert (
        caught.value.message
        == "several files for table riders: riders.csv and riders.xlsx; keep one"
    )


def test_locate_names_near_misses(tmp_path: Path) -> None:
    write(tmp_path, "Riders.xls", b"x")
    with pytest.raises(FileError) as caught:
        locate(tmp_path, "riders")
    assert str(caught.value) == (
        f"{tmp_path / 'riders'}: no file for table riders: expected one of "
        "riders.csv, riders.xlsx, riders.jsonl (found Riders.xls)"
    )


# -- xlsx ------------------------------------------------------------------------


def test_xlsx_rows_keep_sheet_row_numbers_and_native_values(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "day", "hours", "ok"])  # row 1
    sheet.append(["R1", datetime(2022, 3, 1), 2.5, True])  # row 2
    sheet.append([None, None, None, None])  # row 3: empty, skipped
    sheet.append(["R2", "2022/3/2", 3, "是"])  # row 4
    sheet["F6"] = "stray"  # row 6, beyond the header
    sheet["A6"] = "R3"
    book.create_sheet("notes")["A1"] = "ignored"
    book.save(tmp_path / "t.xlsx")

    source = open_source(tmp_path / "t.xlsx")
    try:
        rows = list(source.rows)
    finally:
        source.close()
    assert source.header == ("id", "day", "hours", "ok")
    assert [(row.line, row.cells) for row in rows] == [
        (2, ("R1", datetime(2022, 3, 1), 2.5, True)),
        (4, ("R2", "2022/3/2", 3, "是")),
        (6, ("R3", None, None, None)),
    ]
    assert source.warnings == [
        "the workbook has 2 sheets; only the first (Sheet) was read",
        "values beyond the last header column (first at row 6) are ignored",
    ]


def test_xlsx_header_may_start_below_row_one(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["B3"] = "id"
    sheet["B4"] = "R1"
    book.save(tmp_path / "t.xlsx")
    header, rows = read(tmp_path / "t.xlsx")
    assert header == ("", "id")
    assert rows == [RawRow(4, (None, "R1"))]


def test_not_an_xlsx(tmp_path: Path) -> None:
    error = file_error(write(tmp_path, "t.xlsx", b"id,name\n"))
    assert error.message.startswith("not a readable .xlsx workbook")


# -- JSON Lines ----------------------------------------------------------------


def test_jsonl_rows_and_problems(tmp_path: Path) -> None:
    text = (
        '{"id": "R1", "stars": 4.5}\n'  # 1
        "\n"  # 2 blank
        '{"id": "R2", "姓名": "李四", "stars": null}\r\n'  # 3
        "[1, 2]\n"  # 4
        '{"id": "R3"\n'  # 5
        '{"id": "R4", "id": "R5"}\n'  # 6
        '{"stars": Infinity}\n'  # 7
    )
    header, rows = read(write(tmp_path, "t.jsonl", text.encode()))
    assert header == ("id", "stars", "姓名")
    assert [(row.line, row.cells, row.problem) for row in rows] == [
        (1, ("R1", Decimal("4.5"), ABSENT), None),
        (3, ("R2", None, "李四"), None),
        (4, (), "not a JSON object ({...})"),
        (5, (), "not valid JSON: Expecting ',' delimiter at character 12"),
        (6, (), "the key id appears twice in the object"),
        (7, (), "not valid JSON: Infinity is not a number JSON allows"),
    ]


def test_jsonl_must_be_utf8(tmp_path: Path) -> None:
    error = file_error(write(tmp_path, "t.jsonl", '{"id": "张三"}\n'.encode("gb18030")))
    assert error.message == "undecodable bytes at line 1: the file is not valid UTF-8"


def test_jsonl_keeps_raw_line_separators_inside_strings(tmp_path: Path) -> None:
    # U+2028 is legal inside a JSON string; it must not split the line.
    header, rows = read(write(tmp_path, "t.jsonl", '{"id": "a\u2028b"}\n{"id": "c"}\n'.encode()))
    assert [(row.line, row.cells) for row in rows] == [(1, ("a\u2028b",)), (2, ("c",))]
