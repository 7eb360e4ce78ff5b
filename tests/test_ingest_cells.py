"""Cell spellings of SPEC §3, one function at a time."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction

import pytest

from scoring.ingest.cells import (
    WHITESPACE,
    CellError,
    decimal_text,
    from_db,
    parse_cell,
    to_db,
    trim,
    visible,
)


def reason(raw: object, ctype: str, *, identifier: bool = False) -> str:
    with pytest.raises(CellError) as caught:
        parse_cell(raw, ctype, identifier=identifier)  # type: ignore[arg-type]
    return caught.value.reason


# -- white space and empty cells --------------------------------------------


def test_whitespace_is_exactly_the_unicode_white_space_property() -> None:
    # str.isspace() agrees on every White_Space character, and adds U+001C..U+001F
    # (information separators, category Cc), which we do not trim.
    assert all(char.isspace() for char in WHITESPACE)
    extra = [chr(c) for c in range(0x110000) if chr(c).isspace() and chr(c) not in WHITESPACE]
    assert extra == ["\x1c", "\x1d", "\x1e", "\x1f"]


@pytest.mark.parametrize(
    "raw",
    ["\u3000张三\u3000", " 张三\t", "\xa0张三\u2003", "\u202f张三\u205f\n", "张三\r\n"],
)
def test_text_is_trimmed_of_unicode_white_space(raw: str) -> None:
    assert parse_cell(raw, "text") == "张三"


@pytest.mark.parametrize("ctype", ["text", "int", "number", "bool", "date"])
@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000\u3000", "\t\n"])
def test_empty_cell_is_null(raw: str | None, ctype: str) -> None:
    assert parse_cell(raw, ctype) is None  # type: ignore[arg-type]


def test_zero_width_space_is_not_white_space() -> None:
    assert trim("\u200bT1") == "\u200bT1"
    assert parse_cell("\u200bnote", "text") == "\u200bnote"  # plain text keeps it


def test_text_cells_are_not_normalised() -> None:
    assert parse_cell("Ｔ１", "text") == "Ｔ１"
    assert parse_cell(" 全角１２３ ", "text") == "全角１２３"


def test_text_keeps_inner_line_breaks() -> None:
    assert parse_cell("王五\n（老王）", "text") == "王五\n（老王）"


# -- keys and links ------------------------------------------------------------


def test_identifier_cells_are_nfkc_normalised() -> None:
    assert parse_cell("Ｔ１", "text", identifier=True) == "T1"
    assert parse_cell("\u3000Ｒ００２\u3000", "text", identifier=True) == "R002"
    assert parse_cell("１００１", "int", identifier=True) == 1001


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("T\u200b1", "U+200B (ZERO WIDTH SPACE)"),
        ("\ufeffT1", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
        ("T\u00ad1", "U+00AD (SOFT HYPHEN)"),
        ("T\t1", "U+0009"),
        ("T1\x1f", "U+001F"),
    ],
)
def test_invisible_character_in_identifier_is_an_error(raw: str, code: str) -> None:
    message = reason(raw, "text", identifier=True)
    assert message.startswith("invisible character ")
    assert code in message


@pytest.mark.parametrize("ctype", ["text", "int", "number", "bool", "date"])
def test_nul_byte_is_an_error_in_any_cell(ctype: str) -> None:
    assert reason("1\x002", ctype) == "NUL byte in the cell"


# -- numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", Fraction(0)),
        ("-0", Fraction(0)),
        ("+5", Fraction(5)),
        ("007", Fraction(7)),
        ("1234", Fraction(1234)),
        ("1,234", Fraction(1234)),
        ("-1,234.5", Fraction(-2469, 2)),
        ("1,234,567.25", Fraction("1234567.25")),
        ("0.1", Fraction(1, 10)),
        ("0.975", Fraction(39, 40)),
        ("95%", Fraction(19, 20)),
        ("12.5%", Fraction(1, 8)),
        ("-5%", Fraction(-1, 20)),
        ("1,000%", Fraction(10)),
        ("１２３", Fraction(123)),
        ("１，２３４．５", Fraction(2469, 2)),
        ("９５％", Fraction(19, 20)),
        ("\u3000 42 \u3000", Fraction(42)),
    ],
)
def test_number_spellings(raw: str, expected: Fraction) -> None:
    assert parse_cell(raw, "number") == expected


@pytest.mark.parametrize(
    "raw",
    [
        "12,34",
        "1,2345",
        "1234,567",
        "0,123",
        ",123",
        "1,234,56",
        "1.234,5",
        "1e3",
        "1E-2",
        ".5",
        "5.",
        "1 234",
        "--5",
        "+-5",
        "5-",
        "%5",
        "5 %",
        "95%%",
        "¥12",
        "12元",
        "NaN",
        "inf",
        "0x10",
        "١٢",  # Arabic-Indic digits are digits to Python, not to a clerk
        "1_000",
    ],
)
def test_number_rejects(raw: str) -> None:
    assert reason(raw, "number") == f"not a number: '{raw}'"


def test_number_reason_shows_the_normalised_value() -> None:
    assert reason("１２,３４", "number") == "not a number: '12,34'"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3", 3),
        ("3.0", 3),
        ("3.000", 3),
        ("-1,234", -1234),
        ("100%", 1),
        ("9,223,372,036,854,775,807", 2**63 - 1),
        ("-9223372036854775808", -(2**63)),
        ("１２３", 123),
    ],
)
def test_int_spellings(raw: str, expected: int) -> None:
    value = parse_cell(raw, "int")
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("3.5", "not a whole number: '3.5'"),
        ("50%", "not a whole number: '50%'"),
        ("abc", "not a whole number: 'abc'"),
        ("1e3", "not a whole number: '1e3'"),
        ("9223372036854775808", "integer out of the 64-bit range: '9223372036854775808'"),
        ("-9223372036854775809", "integer out of the 64-bit range: '-9223372036854775809'"),
        ("99999999999999999999", "integer out of the 64-bit range: '99999999999999999999'"),
    ],
)
def test_int_rejects(raw: str, message: str) -> None:
    assert reason(raw, "int") == message


# -- booleans ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["true", "TRUE", "True", "1", "yes", "YES", "y", "Y", "是", "对", "ｙｅｓ", " 是 "]
)
def test_true_spellings(raw: str) -> None:
    assert parse_cell(raw, "bool") is True


@pytest.mark.parametrize(
    "raw", ["false", "FALSE", "0", "no", "No", "n", "N", "否", "错", "\u3000否"]
)
def test_false_spellings(raw: str) -> None:
    assert parse_cell(raw, "bool") is False


@pytest.mark.parametrize("raw", ["maybe", "t", "f", "2", "1.0", "不是", "真", "on", "off", "-1"])
def test_bool_rejects(raw: str) -> None:
    assert reason(raw, "bool").startswith(f"not a yes/no value: '{raw}' (use 是/否")


# -- dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022-03-01", date(2022, 3, 1)),
        ("2022-3-1", date(2022, 3, 1)),
        ("2022/03/01", date(2022, 3, 1)),
        ("2022/3/1", date(2022, 3, 1)),
        ("2022年3月1日", date(2022, 3, 1)),
        ("2022年03月01日", date(2022, 3, 1)),
        ("2022-03-01 08:30", date(2022, 3, 1)),
        ("2022-03-01T08:30:00", date(2022, 3, 1)),
        ("2022/3/1 8:30:15.250", date(2022, 3, 1)),
        ("2022年3月1日 08:30", date(2022, 3, 1)),
        ("２０２２－０３－０１", date(2022, 3, 1)),
        ("2024-02-29", date(2024, 2, 29)),
        ("\u30002022-12-31 ", date(2022, 12, 31)),
    ],
)
def test_date_spellings(raw: str, expected: date) -> None:
    assert parse_cell(raw, "date") == expected


@pytest.mark.parametrize(
    "raw", ["2022-02-30", "2023-02-29", "2022-13-01", "2022-00-10", "0000-01-01"]
)
def test_no_such_date(raw: str) -> None:
    assert reason(raw, "date") == f"no such date: '{raw}'"


@pytest.mark.parametrize(
    "raw",
    [
        "03/01/2022",
        "2022.3.1",
        "20220301",
        "22-3-1",
        "2022-3/1",
        "2022-03-01 garbage",
        "2022-03-01T",
        "2022年3月1",
        "March 1, 2022",
        "2022-001-01",
        "44621",
    ],
)
def test_date_rejects(raw: str) -> None:
    assert reason(raw, "date").startswith(f"not a date: '{raw}' (write it as 2022-03-01")


# -- values that arrive typed (xlsx, JSON) ------------------------------------


def test_native_numbers() -> None:
    assert parse_cell(1234, "int") == 1234
    assert parse_cell(3.0, "int") == 3
    assert parse_cell(0.1, "number") == Fraction(1, 10)  # what Excel shows, not the binary float
    assert parse_cell(12.5, "number") == Fraction(25, 2)
    assert parse_cell(Decimal("0.975"), "number") == Fraction(39, 40)
    assert parse_cell(Decimal("1.5E+3"), "int") == 1500
    assert reason(3.5, "int") == "not a whole number: '3.5'"
    assert reason(2**63, "int") == f"integer out of the 64-bit range: '{2**63}'"
    assert reason(float("nan"), "number") == "not a number: nan"
    assert reason(Decimal("1e400"), "number") == "number out of range: 1E+400"
    assert reason(True, "int") == "not a number: 'true'"
    assert reason(date(2022, 3, 1), "number") == "not a number: '2022-03-01'"


def test_native_bools() -> None:
    assert parse_cell(True, "bool") is True
    assert parse_cell(0, "bool") is False
    assert parse_cell(1.0, "bool") is True
    assert reason(2, "bool").startswith("not a yes/no value: '2'")
    assert reason(date(2022, 3, 1), "bool") == "not a yes/no value: '2022-03-01'"


def test_native_dates() -> None:
    assert parse_cell(datetime(2022, 3, 1, 8, 30), "date") == date(2022, 3, 1)
    assert parse_cell(date(2022, 3, 1), "date") == date(2022, 3, 1)
    assert reason(44621, "date") == "not a date: '44621' (format the cell as a date)"
    assert reason(time(8, 30), "date") == "not a date: '08:30:00' (format the cell as a date)"


def test_native_values_in_text_columns() -> None:
    assert parse_cell(1001, "text") == "1001"
    assert parse_cell(1001, "text", identifier=True) == "1001"
    assert parse_cell(2.5, "text") == "2.5"
    assert parse_cell(True, "text") == "true"
    assert parse_cell(datetime(2022, 3, 1), "text") == "2022-03-01"
    assert parse_cell(datetime(2022, 3, 1, 8, 30), "text") == "2022-03-01 08:30:00"
    assert reason([1, 2], "text") == "not a single value: [1, 2]"
    assert reason({"a": 1}, "int") == "not a number: {'a': 1}"


# -- storage -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(0), "0"),
        (Fraction(1234), "1234"),
        (Fraction(-25, 2), "-12.5"),
        (Fraction(19, 20), "0.95"),
        (Fraction(1, 8), "0.125"),
        (Fraction(-1, 20), "-0.05"),
        (Fraction(1, 10**30), "0." + "0" * 29 + "1"),
        (Fraction(10**20), "100000000000000000000"),
    ],
)
def test_decimal_text_is_canonical(value: Fraction, text: str) -> None:
    assert decimal_text(value) == text
    assert Fraction(text) == value


def test_decimal_text_refuses_repeating_decimals() -> None:
    with pytest.raises(ValueError, match="no finite decimal"):
        decimal_text(Fraction(1, 3))


@pytest.mark.parametrize(
    ("value", "ctype", "stored"),
    [
        (Fraction(19, 20), "number", "0.95"),
        (True, "bool", 1),
        (False, "bool", 0),
        (date(2022, 3, 1), "date", "2022-03-01"),
        (42, "int", 42),
        ("张三", "text", "张三"),
        (None, "number", None),
    ],
)
def test_storage_round_trip(value: object, ctype: str, stored: object) -> None:
    assert to_db(value, ctype) == stored  # type: ignore[arg-type]
    assert from_db(stored, ctype) == value  # type: ignore[arg-type]


def test_visible_escapes_invisible_characters() -> None:
    assert visible("T\u200b1\x00") == "T\\u200b1\\x00"
    assert visible("王五\n老王") == "王五\\x0a老王"
    assert visible("张三 李四") == "张三 李四"
