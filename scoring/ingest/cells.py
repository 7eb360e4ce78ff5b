"""Reading one cell: the spellings of SPEC §3, as pure functions.

`parse_cell` turns what a reader found in a cell (a string from CSV or JSON,
or a native value from xlsx or JSON) into a Python value of the declared
column type, or raises `CellError` with a reason a county clerk understands.
`to_db` and `from_db` convert between those values and what the dataset
tables store: INTEGER for int and bool (0/1), canonical decimal TEXT for
number (kept exact), ISO TEXT for date, TEXT for text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction

from scoring import numbers
from scoring.catalog import ColumnType
from scoring.numbers import Value

DbValue = str | int | None
"""A cell's value as stored in SQLite."""

# The Unicode White_Space property (U+3000 IDEOGRAPHIC SPACE included).
# `str.strip()` also strips U+001C..U+001F, which are control characters and
# not white space; zero-width characters (U+200B, U+FEFF) are not white space
# either and stay, so that a key holding one is caught, not silently cleaned.
WHITESPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1

_NUMBER = re.compile(
    r"(?P<sign>[+-]?)"
    r"(?P<int>[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)"
    r"(?:\.(?P<frac>[0-9]+))?"
    r"(?P<pct>%?)"
)
_TIME = r"(?:(?:[ \t]+|T)[0-9]{1,2}:[0-9]{1,2}(?::[0-9]{1,2}(?:\.[0-9]+)?)?)?"
_DATES = (
    re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})" + _TIME),
    re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})" + _TIME),
    re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日" + _TIME),
)
_TRUE = frozenset({"true", "1", "yes", "y", "是", "对"})
_FALSE = frozenset({"false", "0", "no", "n", "否", "错"})


class CellError(ValueError):
    """A cell that cannot be read as its column's type; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def trim(text: str) -> str:
    """`text` without leading or trailing Unicode white space."""
    return text.strip(WHITESPACE)


def normalise(text: str) -> str:
    """NFKC normalisation (full-width `１２３` -> `123`, `Ｔ１` -> `T1`), then trim."""
    if text.isascii():
        return text
    return trim(unicodedata.normalize("NFKC", text))


def quoted(text: str) -> str:
    """`text` in quotes for a message, with invisible characters made visible."""
    return "'" + visible(text) + "'"


def visible(text: str) -> str:
    r"""`text` with control and format characters escaped (`\x00`, `\u200b`)."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def invisible_character(text: str) -> str | None:
    """A message naming the first control or format character in `text`, or None."""
    if text.isascii() and text.isprintable():
        return None
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf"):
            name = unicodedata.name(char, "control character")
            return f"invisible character U+{ord(char):04X} ({name})"
    return None


def parse_cell(raw: object, ctype: ColumnType, *, identifier: bool = False) -> Value:
    """The value of cell `raw` in a column of type `ctype`; None for an empty cell.

    `identifier` marks a key or link cell: it is NFKC-normalised whatever its
    type, and a control or format character in it is an error. Raises
    `CellError` when the cell cannot be read.
    """
    if raw is None:
        return None
    if isinstance(raw, str):
        return _parse_text_cell(raw, ctype, identifier=identifier)
    return _parse_native(raw, ctype)


def _parse_text_cell(raw: str, ctype: ColumnType, *, identifier: bool) -> Value:
    if "\x00" in raw:
        raise CellError("NUL byte in the cell")
    text = trim(raw)
    if not text:
        return None
    if ctype == "text" and not identifier:
        return text
    text = normalise(text)
    if identifier:
        problem = invisible_character(text)
        if problem is not None:
            raise CellError(problem)
    if ctype == "text":
        return text
    if ctype == "int":
        return parse_int(text)
    if ctype == "number":
        return parse_number(text)
    if ctype == "bool":
        return parse_bool(text)
    return parse_date(text)


def parse_number(text: str) -> Fraction:
    """A decimal or percentage spelling (`-1,234.5`, `95%`) as an exact Fraction.

    `text` is already trimmed and normalised.
    """
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise CellError(f"not a number: {quoted(text)}")
    digits = match["int"].replace(",", "") + (match["frac"] or "")
    value = Fraction(int(digits), 10 ** len(match["frac"] or ""))
    if match["pct"]:
        value /= 100
    return -value if match["sign"] == "-" else value


def parse_int(text: str) -> int:
    """A whole-number spelling (`1,234`, `3.0`) as an int in the signed 64-bit range."""
    try:
        value = parse_number(text)
    except CellError:
        raise CellError(f"not a whole number: {quoted(text)}") from None
    return _whole(value, text)


def _whole(value: Fraction, shown: str) -> int:
    if value.denominator != 1:
        raise CellError(f"not a whole number: {quoted(shown)}")
    number = value.numerator
    if not INT_MIN <= number <= INT_MAX:
        raise CellError(f"integer out of the 64-bit range: {quoted(shown)}")
    return number


def parse_bool(text: str) -> bool:
    """true/false, 1/0, yes/no, y/n, 是/否, 对/错 in any case."""
    folded = text.casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError(f"not a yes/no value: {quoted(text)} (use 是/否, true/false, yes/no or 1/0)")


def parse_date(text: str) -> date:
    """`YYYY-M-D`, `YYYY/M/D` or `YYYY年M月D日`, an optional time of day ignored."""
    for pattern in _DATES:
        match = pattern.fullmatch(text)
        if match is not None:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                raise CellError(f"no such date: {quoted(text)}") from None
    raise CellError(
        f"not a date: {quoted(text)} (write it as 2022-03-01, 2022/3/1 or 2022年3月1日)"
    )


def _parse_native(raw: object, ctype: ColumnType) -> Value:
    """A value that a reader found already typed (xlsx or JSON)."""
    if ctype == "text":
        return native_text(raw)
    if ctype == "date":
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        raise CellError(f"not a date: {_shown(raw)} (format the cell as a date)")
    if isinstance(raw, bool):
        if ctype == "bool":
            return raw
        raise CellError(f"not a number: {_shown(raw)}")
    if isinstance(raw, int | float | Fraction | Decimal):
        number = _native_number(raw)
        if ctype == "number":
            return number
        if ctype == "int":
            return _whole(number, native_text(raw))
        if number in (0, 1):
            return number == 1
        raise CellError(f"not a yes/no value: {_shown(raw)} (use 是/否, true/false, yes/no or 1/0)")
    kind = "number" if ctype in ("int", "number") else "yes/no value"
    raise CellError(f"not a {kind}: {_shown(raw)}")


def _native_number(raw: int | float | Fraction | Decimal) -> Fraction:
    if isinstance(raw, Decimal):
        # JSON numbers arrive as Decimal: exact, and a huge exponent is refused
        # before it could turn into a huge integer.
        exponent = raw.as_tuple().exponent
        if not raw.is_finite() or not isinstance(exponent, int) or abs(exponent) > 100:
            raise CellError(f"number out of range: {raw}")
        return Fraction(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise CellError(f"not a number: {raw!r}")
        # The shortest spelling that reads back as this float: what a
        # spreadsheet shows, not the binary expansion (0.1, not 0.1000000000000000055…).
        return Fraction(repr(raw))
    return Fraction(raw)


def native_text(raw: object) -> str:
    """The text of a typed cell in a text column (1001 -> '1001', a date -> ISO)."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float | Fraction | Decimal):
        return decimal_text(_native_number(raw))
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ") if raw.time() != time() else raw.date().isoformat()
    if isinstance(raw, date | time):
        return raw.isoformat()
    if isinstance(raw, str):
        return raw
    raise CellError(f"not a single value: {raw!r}")


def _shown(raw: object) -> str:
    try:
        return quoted(native_text(raw))
    except CellError:
        return repr(raw)


def decimal_text(value: Fraction) -> str:
    """The canonical decimal spelling of a terminating fraction: '0.95', '1234', '-12.5'.

    No exponent, no trailing zeros, no '-0'. Raises ValueError when the
    fraction has no finite decimal expansion (ingest never produces one).
    """
    text = numbers.decimal_text(value)
    if text is None:
        raise ValueError(f"{value} has no finite decimal expansion")
    return text


def to_db(value: Value, ctype: ColumnType) -> DbValue:
    """`value` as stored in a dataset table column of type `ctype`."""
    if value is None:
        return None
    if ctype == "number":
        assert isinstance(value, Fraction)
        return decimal_text(value)
    if ctype == "bool":
        return 1 if value else 0
    if ctype == "date":
        assert isinstance(value, date)
        return value.isoformat()
    assert isinstance(value, str | int)
    return value


def from_db(stored: object, ctype: ColumnType) -> Value:
    """The Python value of a stored cell: Fraction for number, bool, date, int or str."""
    if stored is None:
        return None
    if ctype == "number":
        return Fraction(str(stored))
    if ctype == "bool":
        return bool(stored)
    if ctype == "date":
        return date.fromisoformat(str(stored))
    if ctype == "int":
        return int(str(stored)) if not isinstance(stored, int) else stored
    return str(stored)
