"""Typed converters: one column's cells to stored values, a spelling seen before for free.

A column of dates, counts, yes/no or keys repeats the same few thousand
spellings over millions of rows; `converter` reads each spelling once through
`scoring.ingest.cells` and remembers the stored value (or the reason it was
refused) in a bounded cache, so that a repeat costs one dictionary look-up.
Plain text columns are only trimmed, which is cheaper than a look-up. The
result is exactly what `to_db(parse_cell(...))` gives, reasons included.
"""

from __future__ import annotations

from collections.abc import Callable

from scoring.catalog import ColumnType
from scoring.ingest.cells import WHITESPACE, CellError, DbValue, parse_cell, to_db

CACHE_LIMIT = 4096
"""Spellings remembered per column; the cache starts afresh when it is full."""

Converter = Callable[[object], DbValue]
"""A cell as read -> its stored value; raises CellError with the reason."""


class _Refused:
    """A cached refusal: the reason, raised as a fresh CellError on each hit."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


_MISS = _Refused("")  # a cache miss, never stored


def _convert(raw: object, ctype: ColumnType, identifier: bool) -> DbValue:
    return to_db(parse_cell(raw, ctype, identifier=identifier), ctype)


def _text(raw: object) -> DbValue:
    if type(raw) is not str:
        return _convert(raw, "text", False)
    if "\x00" in raw:
        raise CellError("NUL byte in the cell")
    return raw.strip(WHITESPACE) or None


def converter(ctype: ColumnType, *, identifier: bool = False) -> Converter:
    """The converter of a column of type `ctype` (`identifier`: a key or link column)."""
    if ctype == "text" and not identifier:
        return _text
    cache: dict[str, DbValue | _Refused] = {}

    def convert(raw: object) -> DbValue:
        if type(raw) is not str:
            return _convert(raw, ctype, identifier)
        hit = cache.get(raw, _MISS)
        if hit is _MISS:
            try:
                hit = _convert(raw, ctype, identifier)
            except CellError as error:
                hit = _Refused(error.reason)
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            cache[raw] = hit
        if type(hit) is _Refused:
            raise CellError(hit.reason)
        return hit  # type: ignore[return-value]

    return convert
