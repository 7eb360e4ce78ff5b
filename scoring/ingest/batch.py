"""Column-wise conversion of a batch of CSV rows: the fast path of an ingest.

A batch of rows is turned on its side: each declared column's cells are
converted together (`Converter.column`: one look-up per cell in C, no call
per cell), the warnings about text cells are looked for per column, and the
canonical JSON of every row (the dataset hash's input) is assembled from
per-column fragments. A row that is anything but clean (a wrong number of
fields, a NUL byte, a refused cell, a record without a date) is marked
`slow`: the caller sends it through the per-row path (`RowChecker`), which
gives the very values, rejects and warnings it always gave.

CSV only: its cells are all text. A workbook's or a JSON file's cells are
typed values, which take the per-row path.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from json.encoder import encode_basestring  # the encoder json.dumps(ensure_ascii=False) uses
from typing import cast

from scoring.ingest.cells import DbValue, visible
from scoring.ingest.readers import RawRow
from scoring.ingest.rows import Problem, RowChecker
from scoring.ingest.suspect import rewritten_text

_DIGITS = "0123456789"


@dataclass
class Converted:
    """A converted batch: one list of stored values per declared column, aligned with the rows.

    `slow` holds the positions (in the batch) of rows to check one by one;
    their entries in `columns` mean nothing. `notes` holds the warnings of
    clean rows by position.
    """

    columns: list[list[DbValue]]
    slow: set[int]
    notes: dict[int, list[Problem]]


class BatchConverter:
    """Converts batches of one CSV file's rows, sharing `checker`'s column converters."""

    def __init__(self, checker: RowChecker) -> None:
        layout = checker.layout
        self.checker = checker
        self.places = [column.places[0][0] for column in layout.columns]
        self.width = max(self.places + [index for index, _ in layout.extra]) + 1  # the header's
        self.places = [column.places[0][0] for column in layout.columns]
        self.date_at = checker.date_at
        self.texts = checker.texts
        self.hash_order = layout.name_order()
        self.int_stored = [column.ctype in ("int", "bool") for column in layout.columns]

    def convert(self, rows: list[RawRow]) -> Converted:
        """Convert `rows` column by column; rows that need a closer look are marked slow."""
        slow = {i for i, row in enumerate(rows) if row.problem is not None}
        cell_lists = cast(list[tuple[str, ...]], [row.cells for row in rows])
        if slow:
            blank = ("",) * self.width
            cell_lists = [blank if i in slow else cells for i, cells in enumerate(cell_lists)]
        if "\x00" in "".join(chain.from_iterable(cell_lists)):
            slow |= {i for i, cells in enumerate(cell_lists) if "\x00" in "".join(cells)}
        turned: list[tuple[str, ...]] = (
            list(zip(*cell_lists, strict=True)) if cell_lists else [()] * self.width
        )
        columns: list[list[DbValue]] = []
        for place, convert in zip(self.places, self.checker.converters, strict=True):
            values, refused = convert.column(turned[place])
            slow.update(refused)
            columns.append(values)
        if self.date_at is not None:
            slow.update(i for i, value in enumerate(columns[self.date_at]) if value is None)
        return Converted(columns, slow, self._notes(columns, turned, slow))

    def _notes(
        self, columns: list[list[DbValue]], turned: list[tuple[str, ...]], slow: set[int]
    ) -> dict[int, list[Problem]]:
        notes: dict[int, list[Problem]] = {}
        for index, column in self.texts:
            values = cast(list[str | None], columns[index])  # a text column's values are text
            suspects = [
                i
                for i, value in enumerate(values)
                if value
                and value[-1] in _DIGITS
                and (len(value) > 15 or "E" in value or "e" in value)
            ]
            for i in suspects:
                reason = rewritten_text(values[i] or "")
                if reason is not None and i not in slow:
                    cell = turned[self.places[index]][i]
                    notes.setdefault(i, []).append(Problem(column.label, visible(cell), reason))
        return notes

    def row_json(self, converted: Converted, positions: list[int] | None = None) -> str:
        """The canonical JSON lines of the batch's rows (all, or those at `positions`).

        Each row is the JSON array of its stored values in column-name order
        and a newline, exactly as `json.dumps(..., ensure_ascii=False,
        separators=(",", ":"))` writes it.
        """
        fragments = []
        for index in self.hash_order:
            values = converted.columns[index]
            if positions is not None:
                values = [values[i] for i in positions]
            if self.int_stored[index]:
                fragments.append(["null" if v is None else str(v) for v in values])
            else:
                texts = cast(list[str | None], values)  # number, date and text are stored as text
                fragments.append(["null" if v is None else encode_basestring(v) for v in texts])
        rows = list(map(",".join, zip(*fragments, strict=True)))
        return "[" + "]\n[".join(rows) + "]\n" if rows else ""
