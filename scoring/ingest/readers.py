"""Finding and reading a table's file: CSV, xlsx or JSON Lines.

A reader yields the header as written and then `RawRow`s, each with its
physical line number (the header is line 1; a quoted CSV field spanning lines
belongs to the line its row starts on). Blank rows are skipped and are not
rows. Whole-file problems raise `FileError` as soon as the file is opened, so
that a caller can check every file before writing anything.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import json
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from scoring.ingest.cells import WHITESPACE, CellError, native_text, trim
from scoring.ingest.encoding import GB18030, csv_encoding, file_chunks, undecodable
from scoring.ingest.failures import FileError

FORMATS = (".csv", ".xlsx", ".jsonl")
"""The file suffixes a table can come from, in the order they are looked for."""

FIELD_SIZE_LIMIT = 2**31 - 1
"""The largest CSV field read (the csv module's default, 131072, would refuse a 10 MB cell)."""

GB18030_BOM = b"\x84\x31\x95\x33"


class _Absent:
    """The cell of a key that a JSON object does not have (unlike a JSON null)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


class RawRow(NamedTuple):
    """One row as read: its physical line, its cells in header order, or a problem.

    `problem` names a whole-row problem (wrong number of fields, not a JSON
    object); the row is then rejected whatever its cells.
    """

    line: int
    cells: tuple[object, ...]
    problem: str | None = None


@dataclass
class Source:
    """An opened table file: its header (trimmed, as written) and its rows.

    `keyed` is set for JSON Lines: the header is every key found, in order,
    a cell is `ABSENT` where an object lacks the key, and two keys may name
    the same column in different objects (its identifier or its header).
    Without a single object there is nothing to check columns against.
    """

    path: Path
    header: tuple[str, ...]
    rows: Iterator[RawRow]
    warnings: list[str] = field(default_factory=list)
    keyed: bool = False
    encoding: str | None = None  # a CSV's codec
    header_end: int = 0  # a CSV's physical line that ends its header; rows start after it
    _close: Callable[[], None] | None = None
    _batches: Callable[[int], Iterator[list[RawRow]]] | None = None

    def batches(self, size: int) -> Iterator[list[RawRow]]:
        """The rows in lists of up to `size` (read either these or `rows`, not both)."""
        if self._batches is not None:
            return self._batches(size)
        return iter(lambda: list(islice(self.rows, size)), [])

    def close(self) -> None:
        """Release the file (an xlsx workbook stays open while its rows are read)."""
        if self._close is not None:
            self._close()
            self._close = None


def locate(folder: Path, table: str) -> Path:
    """The one file of `table` in `folder`; FileError when there is none or several."""
    found = [
        folder / f"{table}{suffix}" for suffix in FORMATS if (folder / f"{table}{suffix}").is_file()
    ]
    if len(found) > 1:
        names = " and ".join(path.name for path in found)
        raise FileError(
            str(found[0]), None, None, f"several files for table {table}: {names}; keep one"
        )
    if found:
        return found[0]
    names = ", ".join(f"{table}{suffix}" for suffix in FORMATS)
    message = f"no file for table {table}: expected one of {names}"
    others = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    stems = {name.split(".")[0].casefold() for name in others}
    close = set(difflib.get_close_matches(table.casefold(), stems, cutoff=0.8))
    near = [name for name in others if name.split(".")[0].casefold() in close]
    if near:
        message += f" (found {', '.join(near)})"
    raise FileError(str(folder / table), None, None, message)


def open_source(path: Path) -> Source:
    """Open a table file and read its header; FileError on a whole-file problem.

    Nothing but the header is read into memory: the rows stream from the
    file as they are iterated, so a file of any size costs bounded memory.
    """
    try:
        data_size = path.stat().st_size
    except OSError as error:
        raise FileError(str(path), None, None, f"cannot read the file: {error.strerror}") from None
    if data_size == 0:
        raise FileError(
            str(path),
            None,
            None,
            "the file is empty (0 bytes); even a table of no rows needs its header",
        )
    if path.suffix == ".xlsx":
        return _open_xlsx(path)
    if path.suffix == ".jsonl":
        return _open_jsonl(path)
    return _open_csv(path)


def shown(cell: object) -> str:
    """A cell as text, for headers and reject reports: '' for None, 1001 -> '1001'."""
    if cell is None or cell is ABSENT:
        return ""
    if isinstance(cell, str):
        return cell
    try:
        return native_text(cell)
    except CellError:
        return repr(cell)


def is_blank(cells: tuple[object, ...] | list[object]) -> bool:
    """True when every cell is empty or white space: the row is skipped, not counted."""
    return all(
        cell is None or cell is ABSENT or (isinstance(cell, str) and not trim(cell))
        for cell in cells
    )


def decode_csv(path: Path, data: bytes) -> str:
    """The text of CSV bytes `data` read from `path`, the encoding decided as for a file."""
    encoding = csv_encoding(path, lambda: iter((data,)))
    return data.decode(encoding).removeprefix("\ufeff")


def _open_csv(path: Path) -> Source:
    encoding = csv_encoding(path)
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    try:
        handle = path.open(encoding=encoding, newline="")
    except OSError as error:
        raise FileError(str(path), None, None, f"cannot read the file: {error.strerror}") from None
    try:
        if encoding == GB18030 and _starts_with(path, GB18030_BOM):
            handle.read(1)  # GB18030's own byte-order mark; utf-8-sig drops UTF-8's
        reader = csv.reader(handle)
        header: tuple[str, ...] = ()
        for _, cells in _csv_records(path, reader, 0):
            header = tuple(trim(cell) for cell in cells)
            break
    except BaseException:
        handle.close()
        raise
    start, width = reader.line_num, len(header)
    rows = _csv_rows(path, reader, start, width)
    batches = partial(_csv_batches, path, reader, start, width)
    return Source(
        path,
        header,
        rows,
        encoding=encoding,
        header_end=start,
        _close=handle.close,
        _batches=batches,
    )


def _starts_with(path: Path, prefix: bytes) -> bool:
    with path.open("rb") as raw:
        return raw.read(len(prefix)) == prefix


def _csv_records(path: Path, reader: Any, previous: int) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, fields) of every non-blank CSV record after line `previous`."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError, OSError) as error:
            raise _csv_error(path, previous + 1, error) from None
        start, previous = previous + 1, reader.line_num
        if not is_blank(cells):
            yield start, cells


def _csv_rows(path: Path, reader: Any, previous: int, width: int) -> Iterator[RawRow]:
    """The rows after the header: one tight loop, as this is where every row passes."""
    make = tuple.__new__  # a RawRow without a Python-level __new__ call
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if len(cells) == width and cells and cells[0].strip(WHITESPACE):
                yield make(RawRow, (start, tuple(cells), None))
            elif not is_blank(cells):
                yield RawRow(start, tuple(cells), _width_problem(cells, width))
    except (csv.Error, UnicodeDecodeError, OSError) as error:
        raise _csv_error(path, previous + 1, error) from None


def _csv_error(path: Path, line: int, error: Exception) -> FileError:
    if isinstance(error, UnicodeDecodeError):  # it decoded a moment ago: the file changed since
        return FileError(str(path), line, None, "the file changed while it was being read")
    if isinstance(error, OSError):
        return FileError(str(path), line, None, f"cannot read the file: {error.strerror}")
    return FileError(str(path), line, None, f"malformed CSV: {error}")


def _csv_batches(
    path: Path, reader: Any, previous: int, width: int, size: int
) -> Iterator[list[RawRow]]:
    """The rows after the header in lists of up to `size`, as `_csv_rows` reads them."""
    make = tuple.__new__
    batch: list[RawRow] = []
    append = batch.append
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if len(cells) == width and cells and cells[0].strip(WHITESPACE):
                append(make(RawRow, (start, tuple(cells), None)))
            elif not is_blank(cells):
                append(RawRow(start, tuple(cells), _width_problem(cells, width)))
            else:
                continue
            if len(batch) >= size:
                yield batch
                batch = []
                append = batch.append
    except (csv.Error, UnicodeDecodeError, OSError) as error:
        raise _csv_error(path, previous + 1, error) from None
    if batch:
        yield batch


def csv_part(
    path: Path, lines: Iterator[str], first: int, last: int, width: int
) -> tuple[list[RawRow], int]:
    """The rows of part of a CSV file, as the file's own reader reads them, and the line after.

    `lines` gives the text of each physical line from line `first`, where a
    row starts, with its line ending; rows are read until the one holding
    line `last` is complete (a quoted field may carry it past `last`).
    """
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    ended = first - 1  # the last physical line of the last row read

    def feed() -> Iterator[str]:
        for number, text in enumerate(lines, start=first):
            if number > last and ended == number - 1:
                return  # the row holding `last` is complete
            yield text

    reader = csv.reader(feed())
    rows: list[RawRow] = []
    try:
        for cells in reader:
            start, ended = ended + 1, first - 1 + reader.line_num
            if not is_blank(tuple(cells)):
                rows.append(RawRow(start, tuple(cells), _width_problem(cells, width)))
    except (csv.Error, UnicodeDecodeError, OSError) as error:
        raise _csv_error(path, ended + 1, error) from None
    return rows, ended + 1


def _width_problem(cells: list[str], width: int) -> str | None:
    if len(cells) == width:
        return None
    few = "few" if len(cells) < width else "many"
    problem = f"too {few} fields: {len(cells)}, the header has {width}"
    if any("\n" in cell or "\r" in cell for cell in cells):
        problem += " (a quoted field spans lines: is a closing quote missing?)"
    return problem


def _open_xlsx(path: Path) -> Source:
    from openpyxl import load_workbook  # imported here: only xlsx ingests pay for it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise FileError(str(path), None, None, f"not a readable .xlsx workbook: {error}") from None
    try:
        sheet = book.worksheets[0]
        rows = enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1)
        header: tuple[str, ...] = ()
        for _, values in rows:
            if not is_blank(values):
                header = _xlsx_header(values)
                break
    except Exception as error:
        book.close()
        raise FileError(str(path), None, None, f"not a readable .xlsx workbook: {error}") from None
    source = Source(path, header, iter(()), _close=book.close)
    if len(book.worksheets) > 1:
        source.warnings.append(
            f"the workbook has {len(book.worksheets)} sheets; only the first "
            f"({sheet.title}) was read"
        )
    source.rows = _xlsx_rows(source, rows)
    return source


def _xlsx_header(values: tuple[object, ...]) -> tuple[str, ...]:
    cells = [trim(shown(value)) for value in values]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


def _xlsx_rows(source: Source, rows: Iterator[tuple[int, tuple[object, ...]]]) -> Iterator[RawRow]:
    width = len(source.header)
    warned = False
    try:
        for line, values in rows:
            if is_blank(values):
                continue
            if not warned and not is_blank(values[width:]):
                warned = True
                source.warnings.append(
                    f"values beyond the last header column (first at row {line}) are ignored"
                )
            cells = tuple(values[:width]) + (None,) * (width - len(values))
            yield RawRow(line, cells)
    except Exception as error:
        raise FileError(
            str(source.path), None, None, f"not a readable .xlsx workbook: {error}"
        ) from None


def _open_jsonl(path: Path) -> Source:
    """JSON Lines in two passes: the keys of every object make the header, then the rows."""
    keys: dict[str, None] = {}
    for _, line in _jsonl_lines(path):
        obj, _ = _json_object(line)
        if obj is not None:
            keys.update(dict.fromkeys(obj))
    header = tuple(keys)
    rows = _jsonl_rows(path, header)
    return Source(path, tuple(trim(key) for key in header), rows, keyed=True)


def _jsonl_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of every non-blank line; lines end at `\n` only."""
    offset = 0
    try:
        with path.open("rb") as handle:
            for number, data in enumerate(handle, start=1):
                start = (
                    len(codecs.BOM_UTF8) if number == 1 and data.startswith(codecs.BOM_UTF8) else 0
                )
                try:
                    text = data[start:].decode("utf-8")
                except UnicodeDecodeError as error:
                    bad = offset + start + error.start
                    raise undecodable(path, file_chunks(path), bad, "valid UTF-8") from None
                offset += len(data)
                text = text.removesuffix("\n")
                if trim(text):
                    yield number, text
    except OSError as error:
        raise FileError(str(path), None, None, f"cannot read the file: {error.strerror}") from None


class _DuplicateKey(ValueError):
    pass


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    obj: dict[str, object] = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(key)
        obj[key] = value
    return obj


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


def _json_object(line: str) -> tuple[dict[str, object] | None, str | None]:
    try:
        value = json.loads(
            line, parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=_pairs
        )
    except _DuplicateKey as error:
        return None, f"the key {error} appears twice in the object"
    except json.JSONDecodeError as error:
        return None, f"not valid JSON: {error.msg} at character {error.colno}"
    except ValueError as error:
        return None, f"not valid JSON: {error}"
    except RecursionError:
        return None, "not valid JSON: nested too deeply"
    if not isinstance(value, dict):
        return None, "not a JSON object ({...})"
    return value, None


def _jsonl_rows(path: Path, header: tuple[str, ...]) -> Iterator[RawRow]:
    for line, text in _jsonl_lines(path):
        obj, problem = _json_object(text)
        if obj is None:
            yield RawRow(line, (), problem)
        else:
            yield RawRow(line, tuple(obj.get(key, ABSENT) for key in header))
