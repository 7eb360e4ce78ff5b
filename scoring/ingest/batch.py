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

import json
import re
from dataclasses import dataclass
from itertools import chain
from typing import cast

from scoring.ingest.cells import DbValue, visible
from scoring.ingest.readers import RawRow
from scoring.ingest.rows import Problem, RowChecker
from scoring.ingest.suspect import SIGNIFICANT, rewritten_text

ROW_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
"""The canonical JSON of a row in the dataset hash (`scoring.ingest.dataset`)."""

_MAYBE_REWRITTEN = re.compile(r"[0-9]{16}|[0-9][eE][+-][0-9]")
"""What every cell that `rewritten_text` warns about contains."""


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
        self.date_at = checker.date_at
        self.texts = checker.texts
        self.hash_order = layout.name_order()

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
            # plain text is the cell trimmed, so the cells can stand for the values; a key or
            # link is NFKC-normalised first (full-width digits become ASCII), so they cannot
            cells = list(map(str, values)) if column.identifier else turned[self.places[index]]
            joined = "\x00".join(cells)
            near = "E+" in joined or "E-" in joined or "e+" in joined or "e-" in joined
            if not near and max(map(len, cells), default=0) <= SIGNIFICANT:
                continue  # the usual case: no cell is long enough or has an exponent
            if not _MAYBE_REWRITTEN.search(joined):
                continue
            for i, value in enumerate(values):
                reason = rewritten_text(value) if value and i not in slow else None
                if reason is not None:
                    cell = turned[self.places[index]][i]
                    notes.setdefault(i, []).append(Problem(column.label, visible(cell), reason))
        return notes

    def row_json(self, converted: Converted) -> str:
        """The canonical JSON lines of the batch's rows, as the dataset hash reads them.

        Each row is the JSON array of its stored values in column-name order
        and a newline, exactly as `json.dumps(..., ensure_ascii=False,
        separators=(",", ":"))` writes it. The batch is encoded in one call
        and cut at the row boundaries, unless a value itself holds `],[`.
        """
        rows = list(zip(*(converted.columns[index] for index in self.hash_order), strict=True))
        if not rows:
            return ""
        encoded = ROW_JSON.encode(rows)
        if encoded.count("],[") == len(rows) - 1:  # each boundary once, and nowhere else
            return encoded[1:-1].replace("],[", "]\n[") + "\n"
        return "".join(ROW_JSON.encode(row) + "\n" for row in rows)
