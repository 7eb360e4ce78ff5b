"""From a file's header and raw rows to typed rows of one declared table.

`map_columns` matches the header to the declared columns (by identifier or by
`header`), which is where a missing column is found. `check_cells` reads every
cell of a row and lists the problems; `RowChecker` does the same for a whole
file, fast for the clean rows that make up nearly all of it, and notes the
text cells that look like a number a spreadsheet rewrote. Key and link
checks, which need other rows and tables, happen in `scoring.ingest.dataset`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from scoring.catalog import ColumnType, TableInfo
from scoring.ingest.cells import CellError, DbValue, normalise, trim, visible
from scoring.ingest.convert import Converter, Pool, pooled
from scoring.ingest.failures import FileError
from scoring.ingest.readers import ABSENT, RawRow, Source, shown
from scoring.ingest.suspect import rewritten_native, rewritten_text


@dataclass(frozen=True)
class Problem:
    """A reason to reject a row: the column (as labelled in the file), the value, why.

    The same shape carries a warning about a cell of an accepted row.
    """

    column: str | None
    value: str | None
    reason: str


@dataclass(frozen=True)
class ColumnSource:
    """Where a declared column is in a file, and how to read it."""

    name: str
    ctype: ColumnType
    places: tuple[tuple[int, str], ...]  # (position, label); several only in JSON Lines
    identifier: bool

    @property
    def label(self) -> str:
        """The column's name as the file writes it (its id when the file lacks it)."""
        return self.places[0][1] if self.places else self.name


@dataclass(frozen=True)
class Layout:
    """The declared columns of a table as found in one file's header."""

    info: TableInfo
    columns: tuple[ColumnSource, ...]
    extra: tuple[tuple[int, str], ...]
    warnings: tuple[str, ...]

    def position(self, column: str) -> int:
        """The position of declared `column` in a row's values."""
        return [source.name for source in self.columns].index(column)

    def links(self) -> list[tuple[str, int]]:
        """(target table, position of the link column) for each link."""
        return [(target, self.position(column)) for target, column in self.info.links.items()]

    def name_order(self) -> list[int]:
        """Positions of the columns sorted by name: the order rows are hashed in."""
        names = [column.name for column in self.columns]
        return sorted(range(len(names)), key=names.__getitem__)


def _fold(text: str) -> str:
    return normalise(trim(text)).casefold()


def map_columns(source: Source, info: TableInfo) -> Layout:
    """Match `source`'s header to `info`'s columns; FileError when one is missing or doubled."""
    path = str(source.path)
    by_name: dict[str, str] = {}
    for column in info.columns:
        by_name.setdefault(_fold(column), column)
    for column, header in info.headers.items():
        by_name[_fold(header)] = column
    for column in info.columns:  # an identifier written exactly wins over any header
        by_name[normalise(column)] = column

    found: dict[str, list[tuple[int, str]]] = {}
    extra: list[tuple[int, str]] = []
    for index, label in enumerate(source.header):
        match = by_name.get(normalise(label)) or by_name.get(_fold(label))
        if match is None:
            extra.append((index, label))
        else:
            found.setdefault(match, []).append((index, label))

    for column, places in found.items():
        if len(places) > 1 and not source.keyed:
            labels = " and ".join(repr(label) for _, label in places)
            raise FileError(path, 1, column, f"the columns {labels} both give column {column}")
    missing = [column for column in info.columns if column not in found]
    if missing and not (source.keyed and not source.header):
        raise FileError(path, 1, None, _missing_message(missing, info, source.header, extra))

    identifiers = {info.key, *info.links.values()} - {None}
    columns = tuple(
        ColumnSource(
            column,
            ctype,
            tuple(found.get(column, ())),
            column in identifiers,
        )
        for column, ctype in info.columns.items()
    )
    warnings = []
    named = [label for _, label in extra if label]
    if named:
        warnings.append(f"ignored columns not declared for {info.name}: {', '.join(named)}")
    return Layout(info, columns, tuple(extra), tuple(warnings))


def _missing_message(
    missing: list[str], info: TableInfo, header: tuple[str, ...], extra: list[tuple[int, str]]
) -> str:
    if not header:
        return "no header line: the first line must name the columns"
    names = []
    unused = [label for _, label in extra]
    for column in missing:
        header_name = info.headers.get(column)
        name = f"{column} ({header_name})" if header_name else column
        near = difflib.get_close_matches(header_name or column, unused, n=1, cutoff=0.5)
        if not near and header_name:
            near = difflib.get_close_matches(column, unused, n=1, cutoff=0.5)
        names.append(f"{name}, did you mean {near[0]!r}?" if near else name)
    noun = "column" if len(missing) == 1 else "columns"
    return f"missing {noun}: {'; '.join(names)} (the header has: {', '.join(header)})"


def _pick(cells: tuple[object, ...], column: ColumnSource) -> tuple[object, str, str | None]:
    """A column's cell in a row, its label, and a reason when two JSON keys both give it."""
    if len(column.places) == 1:  # the usual case: one column of the file
        index, label = column.places[0]
        cell = cells[index]
        return (None if cell is ABSENT else cell), label, None
    given = [(cells[i], label) for i, label in column.places if cells[i] is not ABSENT]
    if not given:
        return None, column.label, None
    doubled = None
    if len(given) > 1:
        names = " and ".join(repr(label) for _, label in given)
        doubled = f"{names} both give column {column.name}"
    return given[0][0], given[0][1], doubled


def check_cells(
    raw: RawRow, layout: Layout, converters: list[Converter] | None = None
) -> tuple[list[DbValue], list[Problem]]:
    """Every declared cell of `raw` as stored (None where unreadable), and the problems.

    A record without a date is a problem, as is a NUL byte in any cell,
    undeclared columns included. `converters` (one per column, as
    `RowChecker` keeps them) reuse what earlier rows converted.
    """
    if raw.problem is not None:
        return [None] * len(layout.columns), [Problem(None, None, raw.problem)]
    if converters is None:
        converters = [Converter(c.ctype, identifier=c.identifier) for c in layout.columns]
    values: list[DbValue] = []
    problems: list[Problem] = []
    for column, convert in zip(layout.columns, converters, strict=True):
        cell, label, doubled = _pick(raw.cells, column)
        try:
            if doubled is not None:
                raise CellError(doubled)
            value = convert(cell)
        except CellError as error:
            problems.append(Problem(label, visible(shown(cell)), error.reason))
            value = None
        else:
            if value is None and column.name == layout.info.date and layout.info.kind == "record":
                problems.append(Problem(label, "", "no date: every record needs one"))
        values.append(value)
    for index, label in layout.extra:
        cell = raw.cells[index]
        if isinstance(cell, str) and "\x00" in cell:
            problems.append(Problem(label or None, visible(shown(cell)), "NUL byte in the cell"))
    return values, problems


_DIGITS = frozenset("0123456789")


class RowChecker:
    """Checks the rows of one file against its layout, with each column's converter.

    `check` gives what `check_cells` gives, plus warnings about the text cells
    of a clean row that look like a number a spreadsheet rewrote (`workbook`:
    the file is an xlsx, whose numeric cells in a text column are suspect
    from 16 digits on). A clean row whose every column sits in one place of
    the file is read on a fast path; any problem sends it through
    `check_cells`, so a rejected row reads exactly as it always did.
    """

    def __init__(self, layout: Layout, *, workbook: bool = False, pool: Pool | None = None) -> None:
        self.layout = layout
        self.workbook = workbook
        columns = layout.columns
        pool = {} if pool is None else pool
        self.converters = [pooled(pool, c.ctype, identifier=c.identifier) for c in columns]
        self.simple = all(len(column.places) == 1 for column in columns)
        self.plan = [
            (column.places[0][0] if self.simple else -1, convert)
            for column, convert in zip(columns, self.converters, strict=True)
        ]
        info = layout.info
        dated = info.kind == "record" and info.date is not None
        self.date_at = layout.position(info.date) if dated and info.date else None
        self.extra = [index for index, _ in layout.extra]
        self.texts = [
            (index, column) for index, column in enumerate(columns) if column.ctype == "text"
        ]

    def check(self, raw: RawRow) -> tuple[list[DbValue], list[Problem], list[Problem]]:
        """The row's stored values, its problems, and (for a clean row) its warnings."""
        if raw.problem is None and self.simple:
            cells = raw.cells
            try:
                values = [convert(cells[at]) for at, convert in self.plan]
            except CellError:
                pass
            else:
                if (self.date_at is None or values[self.date_at] is not None) and not any(
                    type(cells[at]) is str and "\x00" in cells[at]  # type: ignore[operator]
                    for at in self.extra
                ):
                    return values, [], self._warnings(cells, values)
        values, problems = check_cells(raw, self.layout, self.converters)
        return values, problems, ([] if problems else self._warnings(raw.cells, values))

    def _warnings(self, cells: tuple[object, ...], values: list[DbValue]) -> list[Problem]:
        found: list[Problem] = []
        for index, column in self.texts:
            value = values[index]
            if value is None or str(value)[-1] not in _DIGITS:
                continue
            cell, label, _ = _pick(cells, column)
            text = str(value)
            if type(cell) is str or not self.workbook:
                reason = rewritten_text(text)
            else:
                reason = rewritten_native(cell, text)
            if reason is not None:
                found.append(Problem(label, visible(shown(cell)), reason))
        return found
