"""The catalog as the ingest sees it: checks, reading order, storage layout.

A dataset's rows live in one SQLite table per declared table, named
`ds{dataset_id}_{table}`: `_line INTEGER PRIMARY KEY` (the physical line in
the source file) and one column per declared column, typed by `SQL_TYPES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scoring.catalog import Catalog, ColumnType, TableInfo
from scoring.ingest.failures import CatalogError
from scoring.store import quote_identifier

LINE_COLUMN = "_line"

SQL_TYPES: dict[ColumnType, str] = {
    "text": "TEXT",
    "int": "INTEGER",
    "number": "TEXT",  # canonical decimal text: exact, never a binary float
    "bool": "INTEGER",  # 0 or 1
    "date": "TEXT",  # ISO 8601, YYYY-MM-DD
}


@dataclass(frozen=True)
class Group:
    """Tables read together: one table, or several whose links form a cycle."""

    tables: tuple[str, ...]
    cyclic: bool


def data_table(dataset_id: int, table: str) -> str:
    """The SQLite table holding `table`'s rows in dataset `dataset_id` (unquoted)."""
    return f"ds{dataset_id}_{table}"


def declarations(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """The table declarations that define a dataset, in declaration order.

    Names, kind, columns and types, key, date and links; not headers or
    private flags, which change how files are read or shown, not the data.
    Serialised with sorted keys, they are part of the dataset's identity.
    """
    return {
        name: {
            "kind": info.kind,
            "columns": dict(info.columns),
            "key": info.key,
            "date": info.date,
            "links": dict(info.links),
        }
        for name, info in catalog.tables.items()
    }


def check_catalog(catalog: Catalog) -> None:
    """Raise CatalogError when the catalog cannot drive an ingest."""
    problems = []
    for name, info in catalog.tables.items():
        if LINE_COLUMN in info.columns:
            problems.append(f"{name}: the column name {LINE_COLUMN} is reserved")
        for role, column in (("key", info.key), ("date", info.date)):
            if column is not None and column not in info.columns:
                problems.append(f"{name}: {role} {column} is not a declared column")
        for target, column in info.links.items():
            if column not in info.columns:
                problems.append(f"{name}: link column {column} is not a declared column")
            target_info = catalog.tables.get(target)
            if target_info is None:
                problems.append(f"{name}: links to {target}, which is not a declared table")
            elif target_info.key is None:
                problems.append(f"{name}: links to {target}, which has no key")
    if problems:
        raise CatalogError("; ".join(problems))


def reading_order(catalog: Catalog) -> list[Group]:
    """Groups of tables, each after every table its links point at.

    Subject tables come before record tables where the links allow it, then
    declaration order. Tables whose links form a cycle (a self-link such as
    a mentor, or two tables pointing at each other) are one group.
    """
    names = list(catalog.tables)
    reach = {name: _reachable(catalog, name) for name in names}
    rank = {
        name: (catalog.tables[name].kind != "subject", position)
        for position, name in enumerate(names)
    }
    groups: list[Group] = []
    placed: set[str] = set()
    while len(placed) < len(names):
        ready = []
        for name in names:
            if name in placed:
                continue
            members = {name} | {other for other in reach[name] if name in reach[other]}
            outside = set().union(*(reach[m] for m in members)) - members
            if outside <= placed:
                ready.append((min(rank[m] for m in members), members))
        _, members = min(ready, key=lambda item: item[0])
        ordered = tuple(sorted(members, key=rank.__getitem__))
        groups.append(Group(ordered, len(members) > 1 or ordered[0] in reach[ordered[0]]))
        placed |= members
    return groups


def _reachable(catalog: Catalog, start: str) -> set[str]:
    seen: set[str] = set()
    stack = list(catalog.tables[start].links)
    while stack:
        name = stack.pop()
        if name not in seen and name in catalog.tables:
            seen.add(name)
            stack.extend(catalog.tables[name].links)
    return seen


def create_sql(dataset_id: int, info: TableInfo) -> str:
    """CREATE TABLE for `info`'s rows in dataset `dataset_id`."""
    columns = [f"{quote_identifier(LINE_COLUMN)} INTEGER PRIMARY KEY"]
    columns += [f"{quote_identifier(c)} {SQL_TYPES[t]}" for c, t in info.columns.items()]
    table = quote_identifier(data_table(dataset_id, info.name))
    return f"CREATE TABLE {table} ({', '.join(columns)})"


def insert_sql(dataset_id: int, info: TableInfo) -> str:
    """INSERT with one placeholder for `_line` and one per declared column."""
    names = [LINE_COLUMN, *info.columns]
    table = quote_identifier(data_table(dataset_id, info.name))
    quoted = ", ".join(quote_identifier(name) for name in names)
    return f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' for _ in names)})"


def finish_sql(dataset_id: int, info: TableInfo) -> list[str]:
    """Indexes and read-only triggers, created once after the rows are in.

    A unique index on the key; on a record table one index per link column
    on (link, date), which covers the question every scorer asks (this
    subject's records within the period) without touching the table, and one
    on the date; on a subject table one per link column.
    """
    table = data_table(dataset_id, info.name)
    quoted = quote_identifier(table)
    statements = []
    if info.key is not None:
        statements.append(
            f"CREATE UNIQUE INDEX {quote_identifier(f'{table}__key')} "
            f"ON {quoted} ({quote_identifier(info.key)})"
        )
    indexed = {*info.links.values(), info.date} - {None, info.key}
    for column in sorted(c for c in indexed if c is not None):
        columns = [column]
        if info.kind == "record" and info.date is not None and column != info.date:
            columns.append(info.date)  # a link + date index covers "this subject's records in P"
        name = quote_identifier(f"{table}__{column}")  # named after its link column
        listed = ", ".join(quote_identifier(c) for c in columns)
        statements.append(f"CREATE INDEX {name} ON {quoted} ({listed})")
    for event in ("UPDATE", "DELETE"):
        statements.append(
            f"CREATE TRIGGER {quote_identifier(f'{table}__no_{event.lower()}')} "
            f"BEFORE {event} ON {quoted} "
            "BEGIN SELECT RAISE(ABORT, 'datasets are immutable'); END"
        )
    return statements
