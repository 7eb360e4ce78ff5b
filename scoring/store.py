"""The store: one SQLite file holding datasets, runs, results and the audit log.

`open_store` opens (or creates) it in WAL mode with foreign keys on and makes
sure the core tables exist. The core tables describe datasets; other modules
(runs, results, review, audit) add their own tables through their own
`ensure_*` functions, each called with the `Database` this module returns.

Datasets are immutable: triggers refuse to update or delete a dataset, its
per-table counts, its reject report or its cell warnings once written.

`open_reader` opens a store for a read-only command with the standard
library's `sqlite3` alone (a `ReadStore`), when the store needs nothing that
opening it with `open_store` and the `ensure_*` functions would create: such
a command then starts without loading sqlite-utils. Everything that reads
the store takes a `StoreHandle`, which both satisfy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from scoring.errors import PioneerError

if TYPE_CHECKING:  # sqlite-utils is loaded by `open_store` only: a read does without it
    from sqlite_utils import Database

SCHEMA_VERSION = 1
"""The version of the core tables created here; stored in `meta`."""

PENDING_PREFIX = "pending:"
"""A dataset's sha256 while its ingest transaction is still running."""

_CORE_DDL = (
    """CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS datasets (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        source TEXT NOT NULL,
        catalog TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS dataset_tables (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        table_name TEXT NOT NULL,
        file TEXT NOT NULL,
        rows_in INTEGER NOT NULL,
        accepted INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        warnings TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (dataset_id, table_name),
        CHECK (rows_in = accepted + rejected)
    )""",
    """CREATE TABLE IF NOT EXISTS rejects (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        table_name TEXT NOT NULL,
        file TEXT NOT NULL,
        line INTEGER,
        "column" TEXT,
        value TEXT,
        reason TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS rejects_dataset ON rejects(dataset_id)",
    """CREATE TABLE IF NOT EXISTS ingest_warnings (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        table_name TEXT NOT NULL,
        file TEXT NOT NULL,
        line INTEGER,
        "column" TEXT,
        value TEXT,
        reason TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS ingest_warnings_dataset ON ingest_warnings(dataset_id)",
    f"""CREATE TRIGGER IF NOT EXISTS datasets_immutable BEFORE UPDATE ON datasets
        WHEN OLD.sha256 NOT LIKE '{PENDING_PREFIX}%'
        BEGIN SELECT RAISE(ABORT, 'datasets are immutable'); END""",
    """CREATE TRIGGER IF NOT EXISTS datasets_kept BEFORE DELETE ON datasets
        BEGIN SELECT RAISE(ABORT, 'datasets are immutable'); END""",
    *(
        f"""CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()}_refused
            BEFORE {event} ON {table}
            BEGIN SELECT RAISE(ABORT, 'datasets are immutable'); END"""
        for table in ("dataset_tables", "rejects", "ingest_warnings")
        for event in ("UPDATE", "DELETE")
    ),
)


class StoreHandle(Protocol):
    """What pioneer's store code uses of an open store: a sqlite-utils
    `Database` (every writer) or a `ReadStore` (read-only commands)."""

    @property
    def conn(self) -> sqlite3.Connection: ...

    def execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None, /
    ) -> sqlite3.Cursor: ...

    def table_names(self) -> list[str]: ...

    def atomic(self) -> AbstractContextManager[Any]: ...

    def close(self) -> None: ...


class ReadStore:
    """A store opened with `sqlite3` alone, for reading (`open_reader`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @property
    def conn(self) -> sqlite3.Connection:
        return self._conn

    def execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None, /
    ) -> sqlite3.Cursor:
        """Run one statement (a read: nothing here commits)."""
        return self._conn.execute(sql, () if parameters is None else parameters)

    def table_names(self) -> list[str]:
        """The names of the store's tables."""
        rows = self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return [r[0] for r in rows.fetchall()]

    @contextmanager
    def atomic(self) -> Iterator[ReadStore]:
        """The block as a savepoint: released at the end, rolled back on error."""
        self._conn.execute("SAVEPOINT pioneer_read")
        try:
            yield self
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK TO SAVEPOINT pioneer_read")
                self._conn.execute("RELEASE SAVEPOINT pioneer_read")
            raise
        self._conn.execute("RELEASE SAVEPOINT pioneer_read")

    def close(self) -> None:
        self._conn.close()


class StoreError(PioneerError):
    """The store file cannot be opened or was written by a newer pioneer."""

    def __init__(self, path: str | Path, message: str) -> None:
        super().__init__(message, file=str(path))
        self.path = str(path)
        self.message = message


def open_store(path: str | Path) -> Database:
    """Open or create the store at `path` (WAL mode, foreign keys on).

    Creates the core dataset tables when missing. Raises `StoreError` when the
    file is not a SQLite database, cannot be created, or has a newer schema.
    """
    from sqlite_utils import Database

    try:
        db = Database(path)
    except sqlite3.DatabaseError as error:
        raise StoreError(path, f"cannot open the store: {error}") from None
    try:
        _prepare(db)
    except sqlite3.DatabaseError as error:
        db.close()
        raise StoreError(path, f"cannot open the store: {error}") from None
    except _NewerSchema as newer:
        db.close()
        raise StoreError(
            path,
            f"the store has schema version {newer.version}; this pioneer knows up to "
            f"{SCHEMA_VERSION}: upgrade pioneer",
        ) from None
    return db


class _NewerSchema(Exception):
    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


def _prepare(db: Database) -> None:
    if store_path(db) != ":memory:":
        db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    _ensure_core(db)


def _ensure_core(db: StoreHandle) -> None:
    """The core tables and the schema version (`_NewerSchema` when newer)."""
    with transaction(db):
        db.execute(_CORE_DDL[0])
        version = get_meta(db, "schema_version")
        if version is not None and int(version) > SCHEMA_VERSION:
            raise _NewerSchema(int(version))
        for statement in _CORE_DDL[1:]:
            db.execute(statement)
        if version is None:
            set_meta(db, "schema_version", str(SCHEMA_VERSION))


def open_reader(path: str | Path, ensure: Callable[[StoreHandle], None]) -> ReadStore | None:
    """The existing store at `path` opened with `sqlite3` alone, when opening
    it with `open_store` and then `ensure` would change nothing: a WAL file
    with the current schema whose tables, indexes, triggers, views and rows
    `ensure` leaves as they are. Both run here in a transaction that is
    rolled back, and the schema cookie and the change count tell whether
    they did anything. None when they would (or the file is no store, or
    a newer one): then `open_store` opens it, with its own messages."""
    try:
        conn = sqlite3.connect(path)
    except sqlite3.DatabaseError:
        return None
    store = ReadStore(conn)
    try:
        unchanged = _unchanged_by(store, ensure)
    except (sqlite3.DatabaseError, _NewerSchema, ValueError):
        unchanged = False
    if not unchanged:
        conn.close()
        return None
    conn.execute("PRAGMA foreign_keys = ON")
    return store


def _unchanged_by(store: ReadStore, ensure: Callable[[StoreHandle], None]) -> bool:
    conn = store.conn
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        return False
    conn.execute("BEGIN")
    try:
        cookie = conn.execute("PRAGMA schema_version").fetchone()[0]
        changes = conn.total_changes
        _ensure_core(store)
        ensure(store)
        after = conn.execute("PRAGMA schema_version").fetchone()[0]
        return bool(after == cookie and conn.total_changes == changes)
    finally:
        if conn.in_transaction:
            conn.rollback()


_Store = TypeVar("_Store", bound=StoreHandle)


@contextmanager
def transaction(db: _Store) -> Iterator[_Store]:
    """Run the block in one transaction: commit at the end, roll back on error.

    Nested blocks become savepoints, so a helper may open its own.
    """
    with db.atomic():
        yield db


def get_meta(db: StoreHandle, key: str) -> str | None:
    """The value stored under `key` in the `meta` table, or None."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def set_meta(db: StoreHandle, key: str, value: str) -> None:
    """Store `value` under `key` in the `meta` table (insert or replace)."""
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])


def store_path(db: StoreHandle) -> str:
    """The file behind `db` (':memory:' for an in-memory store), for messages."""
    row = db.execute("PRAGMA database_list").fetchone()
    return str(row[2]) or ":memory:"


def quote_identifier(name: str) -> str:
    """`name` quoted for use as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
