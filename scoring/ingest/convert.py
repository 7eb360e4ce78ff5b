"""Typed converters: one column's cells to stored values, a spelling seen before for free.

A column of dates, counts, yes/no or keys repeats the same few thousand
spellings over millions of rows; a `Converter` reads each spelling once
through `scoring.ingest.cells` and remembers the stored value (or the reason
it was refused) in a bounded cache, so that a repeat costs one dictionary
look-up. Plain text columns are only trimmed, which is cheaper than a
look-up; the columns of one type share a converter (`pooled`). The result is exactly what `to_db(parse_cell(...))` gives, reasons
included, whether a cell is converted alone (`__call__`) or with a whole
column of a batch (`column`).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

from scoring.catalog import ColumnType
from scoring.ingest.cells import WHITESPACE, CellError, DbValue, parse_cell, to_db

CACHE_LIMIT = 1 << 17
"""Spellings remembered per converter; the cache starts afresh when it is full."""


class _Refused:
    """A cached refusal: the reason, raised as a fresh CellError on each hit."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


_MISS: DbValue = "\x00"  # a cache miss: no stored value holds a NUL byte, and str == str is fast


class Converter:
    """Converts the cells of one column of type `ctype` (`identifier`: a key or link)."""

    def __init__(self, ctype: ColumnType, *, identifier: bool = False) -> None:
        self.ctype: ColumnType = ctype
        self.identifier = identifier
        self.plain = ctype == "text" and not identifier
        self.cache: dict[str, DbValue | _Refused] = {}
        self.refused = False  # whether any spelling has been refused so far

    def __call__(self, raw: object) -> DbValue:
        """The stored value of one cell; CellError with the reason when it cannot be read."""
        if type(raw) is not str:
            return to_db(parse_cell(raw, self.ctype, identifier=self.identifier), self.ctype)
        if self.plain:
            if "\x00" in raw:
                raise CellError("NUL byte in the cell")
            return raw.strip(WHITESPACE) or None
        hit = self.cache.get(raw, _MISS)
        if hit is _MISS:
            hit = self._learn(raw)
        if type(hit) is _Refused:
            raise CellError(hit.reason)
        return hit  # type: ignore[return-value]

    def column(self, cells: Sequence[str]) -> tuple[list[DbValue], list[int]]:
        """The stored values of a column of text cells free of NUL bytes, and where refused.

        A refused position holds None in the values.
        """
        if self.plain:
            return [cell.strip(WHITESPACE) or None for cell in cells], []
        values = list(map(self.cache.get, cells, repeat(_MISS)))
        if _MISS in values:
            for index, value in enumerate(values):
                if value is _MISS:
                    hit = self.cache.get(cells[index], _MISS)
                    values[index] = self._learn(cells[index]) if hit is _MISS else hit
        refused: list[int] = []
        if self.refused:
            refused = [i for i, value in enumerate(values) if type(value) is _Refused]
            for index in refused:
                values[index] = None
        return values, refused  # type: ignore[return-value]

    def _learn(self, raw: str) -> DbValue | _Refused:
        try:
            hit: DbValue | _Refused = to_db(
                parse_cell(raw, self.ctype, identifier=self.identifier), self.ctype
            )
        except CellError as error:
            hit = _Refused(error.reason)
            self.refused = True
        if len(self.cache) >= CACHE_LIMIT:
            self.cache.clear()
        self.cache[raw] = hit
        return hit


Pool = dict[tuple[ColumnType, bool], Converter]
"""The converters of one ingest by (type, identifier): every table's rider links
share one cache, since a cell's value depends on nothing else."""


def pooled(pool: Pool, ctype: ColumnType, *, identifier: bool = False) -> Converter:
    """The converter of `pool` for columns of type `ctype` (`identifier`: key or link)."""
    found = pool.get((ctype, identifier))
    if found is None:
        found = pool[ctype, identifier] = Converter(ctype, identifier=identifier)
    return found
