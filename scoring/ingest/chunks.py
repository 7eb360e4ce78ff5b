"""What DuckDB's reader hands the ingest, chunk by chunk (`scoring.ingest.duckload`)."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.ingest.readers import RawRow


@dataclass(frozen=True)
class Clean:
    """A chunk of lines `first`..`last` whose rows DuckDB's SQL vouched for."""

    first: int
    last: int
    rows_in: int
    key: list[str] | None  # key tokens in line order (subject tables)
    lines: list[int]  # with `key`: the rows' lines
    links: list[set[str]]  # per link of the table: the tokens the chunk links to


@dataclass(frozen=True)
class Raw:
    """A chunk for the Python path: its rows as the csv module reads them."""

    rows: list[RawRow]
