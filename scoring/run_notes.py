"""Notes a run keeps beside its results: things `score` found worth saying.

Today one kind: a seat of a `per` split decided by the remainder tie-break
(SPEC §2.4), which must not pass silently. Notes live in their own table, so
they never enter `results_sha256`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

    from scoring.ranking import RemainderTie
    from scoring.store import StoreHandle


def ensure_schema(db: Database) -> None:
    """Create the `run_notes` table (run, award, kind, message)."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS run_notes (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            award TEXT NOT NULL,
            ord INTEGER NOT NULL,
            kind TEXT NOT NULL,
            message TEXT NOT NULL,
            PRIMARY KEY (run_id, award, ord)
        )"""
    )


def store_remainder_ties(
    db: Database, run_id: int, award: str, ties: Iterable[RemainderTie]
) -> list[str]:
    """Keep one note per remainder tie of `award`'s seat split; returns the messages."""
    messages = [tie.message() for tie in ties]
    ensure_schema(db)
    db.conn.executemany(
        "INSERT INTO run_notes (run_id, award, ord, kind, message) VALUES (?, ?, ?, ?, ?)",
        [(run_id, award, i, "remainder_tie", m) for i, m in enumerate(messages)],
    )
    return messages


def notes(db: StoreHandle, run_id: int) -> list[tuple[str, str]]:
    """(award, message) of every note of a run, in the order they were found."""
    if "run_notes" not in db.table_names():
        return []
    cursor = db.execute(
        "SELECT award, message FROM run_notes WHERE run_id = ? ORDER BY rowid", [run_id]
    )
    return [(str(award), str(message)) for award, message in cursor]
