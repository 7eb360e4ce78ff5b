"""Reading a CSV table through DuckDB: the ingest's fast path where DuckDB is installed.

DuckDB reads the file's physical lines (`lines.scan` says when it can) into a
table whose row ids are the line numbers, and converts the rows in chunks in
SQL. It decides nothing itself: every spelling of an int, number, bool or
date cell, and of a key or link that is not plain ASCII, is converted once by
the very converter the Python path uses (`convert.Converter`), and the result
(or the refusal) is joined back by the cell's text; plain text is trimmed of
the same white space. A chunk whose every row SQL can vouch for (the right
number of fields, no quote, no control character, no refused cell, a date on
every record, a key on every subject, no text that looks like a rewritten
number) comes back as Arrow batches written to SQLite in C (`scratch`) and
as the canonical JSON the dataset hash reads. Any other chunk is handed back
as raw rows, parsed by the csv module from the same lines, for the Python
path to check one by one: so a reject, a warning or a stored value is always
the one the Python path gives.
"""

from __future__ import annotations

import atexit
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from threading import Lock
from typing import Any

import duckdb

from scoring.catalog import ColumnType
from scoring.ingest.cells import WHITESPACE, CellError
from scoring.ingest.chunks import Clean, Raw
from scoring.ingest.convert import Converter
from scoring.ingest.encoding import GB18030
from scoring.ingest.lines import SEPARATOR, LineFile, scan, utf8_copy
from scoring.ingest.readers import RawRow, Source, csv_part
from scoring.ingest.rows import Layout
from scoring.ingest.scratch import Scratch
from scoring.ingest.tables import LINE_COLUMN

CHUNK = 65_536
"""Lines converted and checked at a time."""

BATCH = 16_384
"""Rows of a clean chunk per Arrow batch written to the scratch file."""

_ID_FAST = "[!-~](?:[ -~]*[!-~])?"
"""A key or link cell the converters would keep as it is: printable ASCII, no edge spaces."""

_AWKWARD = '[\\x01-\\x1f"\\\\]|[0-9]{16}|[0-9][eE][+-][0-9]'
"""What sends a line to the Python path: a quote (csv quoting), a backslash or a
control character (which JSON escapes: without them a text value's JSON is the
text in quotes), and what every text cell that `suspect.rewritten_text` warns
about contains (a number a spreadsheet rewrote)."""


def _class(characters: str) -> str:
    return "".join(f"\\x{{{ord(char):x}}}" for char in characters)


_WS = "'" + WHITESPACE + "'"
_EDGES = f"[^{_class(WHITESPACE)}](?s:.*[^{_class(WHITESPACE)}])?"
"""A cell with no white space at either end (so trimming leaves it as it is)."""
_FILLED = f"[^{_class(WHITESPACE + ',')}]"
"""A line with a character other than white space or a comma: not a blank line."""

_SUSPECT = re.compile('[0-9]{16}|[0-9][eE][+-][0-9]|["\\\\\x00-\x1f]')
"""A key or link, spelled otherwise than in plain ASCII, that may be a rewritten
number or that JSON escapes (NFKC makes `"` of `＂`): it goes to the Python path."""

_INTEGRAL = {"int", "bool"}
"""Column types stored as SQLite INTEGER (a bool as 0 or 1)."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_DATABASE: list[duckdb.DuckDBPyConnection] = []
_DATABASE_LOCK = Lock()


def _database() -> duckdb.DuckDBPyConnection:
    """The process's in-memory DuckDB, started once (each ingest takes its own connection)."""
    with _DATABASE_LOCK:
        if not _DATABASE:
            spill = tempfile.TemporaryDirectory(prefix="pioneer-duckdb-")
            atexit.register(spill.cleanup)
            config: dict[str, str | bool | int | float | list[str]] = {
                "memory_limit": "512MB",  # beyond it DuckDB spills to the folder below
                "temp_directory": spill.name,
                "preserve_insertion_order": True,
            }
            _DATABASE.append(duckdb.connect(config=config))
        return _DATABASE[0]


class DuckReader:
    """One DuckDB connection for one ingest: spelling maps shared by every table.

    Its tables are temporary, so they go with the connection.
    """

    def __init__(self) -> None:
        self.workdir = tempfile.TemporaryDirectory(prefix="pioneer-ingest-")
        self.con = _database().cursor()
        self.maps: dict[tuple[ColumnType, bool], str] = {}
        self.scratch = Scratch(Path(self.workdir.name))

    def one(self, query: str) -> tuple[Any, ...] | None:
        """The first row of `query`, its result read to the end (DuckDB wants every result
        finished before the connection's next query through the relation API)."""
        rows = self.con.execute(query).fetchall()
        return rows[0] if rows else None

    def close(self) -> None:
        """Release the connection and the temporary files."""
        self.scratch.close()
        self.con.close()
        self.workdir.cleanup()

    def open(self, source: Source, layout: Layout, converters: list[Converter]) -> DuckTable | str:
        """The table of `source` ready to read, or why DuckDB cannot read it exactly."""
        path = source.path
        if source.encoding == GB18030:
            found = utf8_copy(path, Path(self.workdir.name) / f"{path.stem}.utf8.csv")
        else:
            found = scan(path)
        if isinstance(found, str):
            return found
        self.con.execute("DROP TABLE IF EXISTS lines")
        places = sorted({column.places[0][0] for column in layout.columns})
        fields = ", ".join(f"f[{place + 1}] AS f{place + 1}" for place in places)
        try:
            self.con.execute(
                f"CREATE TEMP TABLE lines AS SELECT line, len(f) AS fields, {fields} FROM "
                "(SELECT line, string_split(line, ',') AS f FROM read_csv(?, columns = "
                "{'line': 'VARCHAR'}, delim = ?, quote = '', escape = '', header = false, "
                "auto_detect = false, max_line_size = 2147483647, parallel = false))",
                [str(found.path), SEPARATOR],
            )
        except duckdb.Error as error:
            return f"DuckDB could not read it ({str(error).splitlines()[0]})"
        count = self.one("SELECT count(*) FROM lines")
        if count is None or count[0] != found.lines:
            return "DuckDB's lines differ from the file's"
        table = DuckTable(self, source, layout, converters, found)
        table.learn_spellings()
        return table

    def spelling_map(self, converter: Converter) -> str:
        """The DuckDB table of cell text -> stored value for `converter`'s kind of column."""
        kind = (converter.ctype, converter.identifier)
        name = self.maps.get(kind)
        if name is None:
            name = f"spell_{converter.ctype}_{int(converter.identifier)}"
            stored = "BIGINT" if converter.ctype in _INTEGRAL else "VARCHAR"
            self.con.execute(
                f"CREATE TEMP TABLE {name} (cell VARCHAR, val {stored}, bad BOOLEAN, suspect BOOLEAN)"
            )
            self.maps[kind] = name
        return name


class DuckTable:
    """One CSV table in DuckDB's `lines`: its conversion SQL and its chunks."""

    def __init__(
        self,
        reader: DuckReader,
        source: Source,
        layout: Layout,
        converters: list[Converter],
        found: LineFile,
    ) -> None:
        self.reader = reader
        self.con = reader.con
        self.source = source
        self.layout = layout
        self.converters = converters
        self.found = found
        self.width = len(source.header)
        self.first = source.header_end + 1  # the first line after the header

    # -- spellings -------------------------------------------------------

    def _cell(self, index: int) -> str:
        return f"f{self.layout.columns[index].places[0][0] + 1}"

    def learn_spellings(self) -> None:
        """Convert every new spelling of the table's typed cells once, with the Python converters."""
        kinds: dict[str, list[int]] = {}
        for index, convert in enumerate(self.converters):
            if not convert.plain:
                kinds.setdefault(self.reader.spelling_map(convert), []).append(index)
        for name, indexes in kinds.items():
            convert = self.converters[indexes[0]]
            cells = ", ".join(self._cell(index) for index in indexes)
            fast = f" AND NOT regexp_full_match(c, '{_ID_FAST}')" if convert.ctype == "text" else ""
            found = self.con.execute(
                f"SELECT DISTINCT c FROM (SELECT unnest([{cells}]) AS c FROM "
                f"(SELECT * FROM lines WHERE rowid >= ? AND NOT contains(line, '\"'))) "
                f"WHERE c IS NOT NULL{fast} AND c NOT IN (SELECT cell FROM {name})",
                [self.first - 1],
            ).fetchall()
            spellings = [row[0] for row in found]
            values: list[Any] = []
            refused: list[bool] = []
            for cell in spellings:
                try:
                    values.append(convert(cell))
                    refused.append(False)
                except CellError:
                    values.append(None)
                    refused.append(True)
            suspect = [isinstance(v, str) and bool(_SUSPECT.search(v)) for v in values]
            stored = "BIGINT" if convert.ctype in _INTEGRAL else "VARCHAR"
            self.con.execute(
                f"INSERT INTO {name} SELECT unnest($1::VARCHAR[]), unnest($2::{stored}[]),"
                " unnest($3::BOOLEAN[]), unnest($4::BOOLEAN[])",
                [spellings, values, refused, suspect],
            )

    # -- the conversion SQL ----------------------------------------------

    def _select(self) -> str:
        """The chunk's rows: line, stored values, blank, slow, hash JSON."""
        values, bad, joins, checks = [], [], [], []
        for index, convert in enumerate(self.converters):
            cell = self._cell(index)
            if convert.plain:  # trimmed in SQL, the white space found by one regex
                edges = f"regexp_full_match({cell}, '{_EDGES}')"
                value = f"CASE WHEN {edges} THEN {cell} ELSE nullif(trim({cell}, {_WS}), '') END"
            else:
                alias = f"m{index}"
                joins.append(
                    f"LEFT JOIN {self.reader.spelling_map(convert)} AS {alias} "
                    f"ON {alias}.cell = {cell}"
                )
                value, refused = f"{alias}.val", f"coalesce({alias}.bad, true)"
                if convert.ctype == "text":  # a plain ASCII key or link stays as it is
                    checks.append(f"regexp_full_match({cell}, '{_ID_FAST}') AS fast{index}")
                    value = f"CASE WHEN fast{index} THEN {cell} ELSE {value} END"
                    refused = f"(NOT fast{index} AND ({refused} OR {alias}.suspect))"
                bad.append(refused)
            values.append(value)
        info = self.layout.info
        required = []
        if info.kind == "record" and info.date is not None:
            required.append(self.layout.position(info.date))
        if info.key is not None:
            required.append(self.layout.position(info.key))
        slow = [
            f"fields <> {self.width}",
            f"regexp_matches(line, '{_AWKWARD}')",
            *bad,
            *(f"{values[index]} IS NULL" for index in required),
        ]
        parts = []
        for index in self.layout.name_order():
            column = f"c{index}"
            if self.converters[index].ctype in _INTEGRAL:
                parts.append(f"coalesce(CAST({column} AS VARCHAR), 'null')")
            else:
                parts.append(f"""coalesce('"' || {column} || '"', 'null')""")
        row_json = "'[' || " + " || ',' || ".join(parts) + " || ']'"
        columns = ", ".join(f"{value} AS c{index}" for index, value in enumerate(values))
        split = ", ".join(["rowid", "*", *checks])
        return (
            f"SELECT line_no, {', '.join(f'c{i}' for i in range(len(values)))}, blank, "
            f"NOT blank AND slow AS slow, {row_json} AS h FROM ("
            f"SELECT r.rowid + 1 AS line_no, NOT regexp_matches(line, '{_FILLED}') AS blank, "
            f"({' OR '.join(slow)}) AS slow, {columns} "
            f"FROM (SELECT {split} FROM lines WHERE rowid BETWEEN $1 AND $2) AS r "
            f"{' '.join(joins)})"
        )

    # -- chunks ------------------------------------------------------------

    def chunks(self) -> Iterator[Clean | Raw]:
        """The table's rows after the header, chunk by chunk, in file order.

        After a `Clean` chunk the caller writes its rows with `store_clean`
        before asking for the next one.
        """
        select = self._select()
        info = self.layout.info
        key_at = None if info.key is None else self.layout.position(info.key)
        links = [self.layout.position(column) for column in info.links.values()]
        line = self.first
        while line <= self.found.lines:
            last = min(line + CHUNK - 1, self.found.lines)
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE chunk AS {select}", [line - 1, last - 1]
            )
            counts = self.reader.one(
                "SELECT count(*) FILTER (WHERE NOT blank), count(*) FILTER (WHERE slow) FROM chunk"
            )
            assert counts is not None
            if counts[1]:
                rows, line = self._raw(line, last)
                yield Raw(rows)
                continue
            yield self._clean(line, last, counts[0], key_at, links)
            line = last + 1

    def _clean(
        self, first: int, last: int, rows_in: int, key_at: int | None, links: list[int]
    ) -> Clean:
        aggregates = ["count(*)"]
        if key_at is not None:
            aggregates += [
                f"list(CAST(c{key_at} AS VARCHAR) ORDER BY line_no)",
                "list(line_no ORDER BY line_no)",
            ]
        aggregates += [f"list(DISTINCT CAST(c{at} AS VARCHAR))" for at in links]
        found = self.reader.one(f"SELECT {', '.join(aggregates)} FROM chunk WHERE NOT blank")
        assert found is not None
        key, lines = (found[1] or [], found[2] or []) if key_at is not None else (None, [])
        tokens = found[len(found) - len(links) :]
        linked = [{token for token in (listed or []) if token is not None} for listed in tokens]
        return Clean(first, last, rows_in, key, lines, linked)

    def store_clean(self, table: str) -> Iterator[str]:
        """Write the last clean chunk's rows to the scratch file for store table `table`
        (`scratch.Scratch`); then their canonical JSON lines for the dataset hash, in pieces."""
        columns = ", ".join(f"c{i}" for i in range(len(self.converters)))
        rows = self.con.sql(
            f"SELECT line_no AS {LINE_COLUMN}, {columns} FROM chunk WHERE NOT blank ORDER BY line_no"
        )
        self.reader.scratch.append(table, self.layout.info, rows.to_arrow_reader(BATCH))
        cursor = self.con.execute(
            "SELECT string_agg(h, chr(10) ORDER BY line_no) || chr(10) FROM chunk WHERE NOT blank"
            f" GROUP BY line_no // {BATCH} ORDER BY line_no // {BATCH}"
        )
        while piece := cursor.fetchone():
            yield piece[0]

    def raw(self, chunk: Clean) -> list[RawRow]:
        """The rows of a clean chunk as the csv module reads them (for the Python path)."""
        rows, _ = self._raw(chunk.first, chunk.last)
        return rows

    def _raw(self, line: int, last: int) -> tuple[list[RawRow], int]:
        """Lines `line`.. parsed by the csv module up to the row holding `last`; and the next line."""
        return csv_part(self.source.path, self._texts(line), line, last, self.width)

    def _texts(self, line: int) -> Iterator[str]:
        """The text of every line from `line` on, with its line ending, fetched a window at a time."""
        total, ending = self.found.lines, self.found.ending
        while line <= total:
            window = self.con.execute(
                "SELECT line FROM lines WHERE rowid BETWEEN $1 AND $2 ORDER BY rowid",
                [line - 1, line + 4094],
            ).fetchall()
            for (text,) in window:
                open_end = line == total and self.found.ends_open
                yield (text or "") + ("" if open_end else ending)
                line += 1
