"""A run's name and key search, answered from an index.

`scoring.browse` filters a ranking by a name or key fragment with
`name LIKE '%text%' OR subject LIKE '%text%'`. Over a million results that
scan takes seconds, so each run can carry a search index, built lazily the
first time somebody searches it (`build`), never while `score` writes the run:

* `run_N_search`: one narrow row per result (award, subject, name), its rowid
  the result's;
* `run_N_search_fts`: an FTS5 trigram index over that table's name and
  subject: it answers fragments of 3 characters or more;
* `run_N_search_names`: the run's distinct names, for fragments of 1 or 2
  characters (a trigram index cannot hold them, nor a 2-character name): a
  LIKE over the distinct names, then the narrow table's name index. It serves
  fragments that no key can contain (a Chinese name fragment, when keys are
  ASCII); a short fragment of the keys' characters matches a large share of
  them, and the plain scan answers it quicker than any index;
* `search_indexes`: one row per run whose index is complete, with the
  characters that occur in its keys (ASCII lower-cased, as LIKE folds them),
  so a short fragment with a character no key holds skips the key scan.

The index only narrows the candidates: the LIKE of the unindexed search is
still applied to them, so a search answers exactly what the scan answers
(the trigram index folds case more widely than LIKE does; never less).
The build writes in short transactions (a chunk of rows each), so a batch
writing meanwhile waits a fraction of a second at most.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

TRIGRAM = 3
"""The shortest fragment the trigram index answers."""

CHUNK = 20_000
"""Result rows copied into the index per transaction."""

REGISTRY = "search_indexes"

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _tables(run_id: int) -> tuple[str, str, str]:
    base = f"run_{int(run_id)}_search"
    return base, f"{base}_fts", f"{base}_names"


def fold(text: str) -> str:
    """`text` with ASCII letters lower-cased, as SQLite's LIKE compares them."""
    return text.translate(_ASCII_LOWER)


def key_chars(db: Database, run_id: int) -> str | None:
    """The characters of the run's keys (folded) when its index is complete, else None."""
    if REGISTRY not in db.table_names():
        return None
    row = db.execute(f"SELECT key_chars FROM {REGISTRY} WHERE run_id = ?", [run_id]).fetchone()
    return None if row is None else str(row[0])


def candidates(
    db: Database, run_id: int, award: str | None, text: str
) -> tuple[str, list[Any]] | None:
    """A `SELECT award, subject ...` over the run's index naming every result
    of `award` (any award when None) whose name or key may contain `text` (a
    superset of the LIKE's answer), with its parameters. None when the scan
    should answer: without an index, or for a fragment of 1 or 2 characters
    that keys could contain (only a fragment with a character no key holds,
    such as a Chinese name, can skip the keys)."""
    chars = key_chars(db, run_id)
    if chars is None:
        return None
    base, fts, names = _tables(run_id)
    where: list[str] = []
    params: list[Any] = []
    if len(text) >= TRIGRAM:
        phrase = '"' + text.replace('"', '""') + '"'
        where.append(f"rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)")
        params.append("{name subject} : " + phrase)
    elif set(fold(text)) <= set(chars):
        return None  # a short fragment of keys matches too many of them: the scan is quicker
    else:
        where.append(f"name IN (SELECT name FROM {names} WHERE name LIKE ? ESCAPE '\\')")
        params.append(like_pattern(text))
    if award is not None:
        where.append("award = ?")
        params.append(award)
    return f"SELECT award, subject FROM {base} WHERE {' AND '.join(where)}", params


def like_pattern(text: str) -> str:
    """`%text%` for `LIKE ... ESCAPE '\\'`: `%`, `_` and `\\` in `text` match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def build(
    path: str | Path,
    run_id: int,
    *,
    timeout: float = 10.0,
    cancelled: Callable[[], bool] = lambda: False,
) -> bool:
    """Build run `run_id`'s search index in the store at `path` unless it is
    there already; True when the index is complete. A store that cannot be
    written (read-only, or held by a writer past `timeout`) gets none: the
    search then keeps scanning, and False is returned. `cancelled` is asked
    between chunks (the UI quitting): the build then stops, returns False, and
    the next one starts over."""
    conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    try:
        db = Database(conn)
        if key_chars(db, run_id) is not None:
            return True
        return _build(conn, run_id, cancelled)
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def _build(conn: sqlite3.Connection, run_id: int, cancelled: Callable[[], bool]) -> bool:
    base, fts, names = _tables(run_id)
    found = conn.execute("SELECT MAX(rowid) FROM results WHERE run_id = ?", [run_id]).fetchone()
    high = -1 if found is None or found[0] is None else int(found[0])
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {REGISTRY} (run_id INTEGER PRIMARY KEY,"
            " key_chars TEXT NOT NULL, rows INTEGER NOT NULL, built TEXT NOT NULL)"
        )
        for table in (fts, base, names):  # what an interrupted build left
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE TABLE {base} (award TEXT NOT NULL, subject TEXT NOT NULL, name TEXT)")
        conn.execute(f"CREATE INDEX {base}_name ON {base} (name)")
        conn.execute(f"CREATE TABLE {names} (name TEXT PRIMARY KEY) WITHOUT ROWID")
        conn.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5(name, subject, content='{base}',"
            " content_rowid='rowid', tokenize='trigram')"
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    chars: set[str] = set()
    last, rows = -1, 0
    while True:
        if cancelled():
            return False
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                f"INSERT INTO {base} (rowid, award, subject, name) SELECT rowid, award, subject,"
                " name FROM results WHERE rowid > ? AND rowid <= ? AND +run_id = ?"
                " ORDER BY rowid LIMIT ?",
                [last, high, run_id, CHUNK],
            )
            copied = conn.execute(
                f"SELECT COUNT(*), MAX(rowid) FROM {base} WHERE rowid > ?", [last]
            ).fetchone()
            if copied[0]:
                conn.execute(
                    f"INSERT INTO {fts} (rowid, name, subject)"
                    f" SELECT rowid, name, subject FROM {base} WHERE rowid > ?",
                    [last],
                )
                conn.execute(
                    f"INSERT OR IGNORE INTO {names} (name)"
                    f" SELECT name FROM {base} WHERE rowid > ? AND name IS NOT NULL",
                    [last],
                )
                for (subject,) in conn.execute(
                    f"SELECT subject FROM {base} WHERE rowid > ?", [last]
                ):
                    chars.update(fold(subject))
                last, rows = int(copied[1]), rows + int(copied[0])
            else:
                conn.execute(
                    f"INSERT INTO {REGISTRY} (run_id, key_chars, rows, built) VALUES (?, ?, ?, ?)",
                    [
                        run_id,
                        "".join(sorted(chars)),
                        rows,
                        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    ],
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if not copied[0]:
            return True
