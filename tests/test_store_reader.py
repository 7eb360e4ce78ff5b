"""A read command opens the store with sqlite3 alone (`service.open_for_reading`)
only when opening it as every other command does would change nothing;
otherwise it opens it that way, with the same tables made and the same errors."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from scoring import service
from scoring.errors import PioneerError
from scoring.roles import current_user
from scoring.store import SCHEMA_VERSION, ReadStore


def _objects(path: Path) -> set[tuple[str, str, str | None]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    finally:
        conn.close()
    return set(rows)


def _change(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA synchronous = OFF")  # a test file: no need to wait for the disk
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store as `open_db` leaves a new one, every change in the main file."""
    path = tmp_path_factory.mktemp("fresh") / "fresh.db"
    service.open_db(path, actor="管理员").close()
    _change(path, "PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _copy(fresh: Path, tmp_path: Path) -> Path:
    path = tmp_path / "x.db"
    shutil.copyfile(fresh, path)
    return path


def _opened_for_reading(path: Path) -> bool:
    """Whether the read open took the sqlite3 path (and nothing else)."""
    db = service.open_for_reading(path)
    try:
        return isinstance(db, ReadStore)
    finally:
        db.close()


def test_a_complete_store_is_read_with_sqlite3_alone_and_left_as_it_was(
    fresh: Path, tmp_path: Path
) -> None:
    path = _copy(fresh, tmp_path)
    before = _objects(path)
    assert _opened_for_reading(path)
    assert _objects(path) == before
    db = service.open_for_reading(path)
    try:
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("SELECT actor, role FROM roles").fetchall() == [("管理员", "admin")]
        assert not db.conn.in_transaction  # the probe's transaction is gone
    finally:
        db.close()


class _FellBack(Exception):
    pass


def test_a_store_missing_anything_open_db_makes_is_not_read_with_sqlite3(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each table, index, trigger and view that opening a store makes, gone
    in turn: the read open notices and leaves the store to `open_db`."""

    def open_db(path: Path, *, actor: str | None = None) -> None:
        raise _FellBack

    monkeypatch.setattr(service, "open_db", open_db)
    made = sorted(
        (kind, name) for kind, name, _ in _objects(fresh) if not name.startswith("sqlite_")
    )
    assert len(made) > 40  # the core, run, review, audit and roles schema
    for kind, name in made:
        path = _copy(fresh, tmp_path)
        _change(path, f'DROP {kind.upper()} "{name}"')
        with pytest.raises(_FellBack):
            service.open_for_reading(path).close()
            pytest.fail(f"{kind} {name} went unnoticed")
        assert (kind, name) not in {(k, n) for k, n, _ in _objects(path)}  # nothing made


def _names(path: Path) -> set[tuple[str, str]]:
    return {(kind, name) for kind, name, _ in _objects(path)}


def _columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})").fetchall()]
    finally:
        conn.close()


def _view(path: Path) -> set[tuple[str, str, str | None]]:
    return {o for o in _objects(path) if o[0] == "view"}


def test_a_store_missing_an_index_is_made_whole_as_before(fresh: Path, tmp_path: Path) -> None:
    path = _copy(fresh, tmp_path)
    _change(path, "DROP INDEX results_order")
    assert not _opened_for_reading(path)
    assert _names(path) == _names(fresh)
    assert _opened_for_reading(path)


def test_older_or_odd_stores_are_opened_as_before(fresh: Path, tmp_path: Path) -> None:
    cases = {
        "an older effective view": (
            "DROP VIEW effective_results",
            "CREATE VIEW effective_results AS SELECT * FROM results",
        ),
        "results without the ranking columns": ("ALTER TABLE results DROP COLUMN key_number",),
        "the results insert trigger of old": (
            "CREATE TRIGGER results_frozen_insert BEFORE INSERT ON results BEGIN SELECT 1; END",
        ),
        "no schema version yet": ("DELETE FROM meta WHERE key = 'schema_version'",),
        "a rollback journal": ("PRAGMA journal_mode = DELETE",),
    }
    for what, statements in cases.items():
        path = _copy(fresh, tmp_path)
        _change(path, *statements)
        assert not _opened_for_reading(path), what
        # made whole again, as open_db does
        assert _names(path) == _names(fresh), what
        assert _view(path) == _view(fresh), what
        assert _columns(path, "results") == _columns(fresh, "results"), what
        assert _opened_for_reading(path), what


def test_a_store_without_roles_gets_its_first_admin_as_before(fresh: Path, tmp_path: Path) -> None:
    path = _copy(fresh, tmp_path)
    _change(path, "DELETE FROM roles")
    assert not _opened_for_reading(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT actor, role FROM roles").fetchall() == [(current_user(), "admin")]
    conn.close()


def test_a_newer_or_broken_store_is_refused_in_the_same_words(fresh: Path, tmp_path: Path) -> None:
    newer = _copy(fresh, tmp_path)
    _change(newer, f"UPDATE meta SET value = '{SCHEMA_VERSION + 1}' WHERE key = 'schema_version'")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database, just bytes " * 100)
    for path in (newer, junk, tmp_path / "missing.db"):
        with pytest.raises(PioneerError) as read:
            service.open_for_reading(path)
        with pytest.raises(PioneerError) as existing:
            service.open_existing(path)
        assert str(read.value) == str(existing.value)


def test_rank_says_the_same_whichever_way_the_store_was_opened(fresh: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from scoring.cli import cli

    complete = _copy(fresh, tmp_path)
    older = tmp_path / "older.db"
    shutil.copyfile(fresh, older)
    _change(older, "DROP INDEX results_order")  # opened by open_db, as before
    said = []
    for path in (complete, older):
        args = ["rank", "--db", str(path), "--run", "latest", "--award", "a"]
        result = CliRunner().invoke(cli, args)
        said.append((result.exit_code, result.output.replace(str(path), "STORE")))
    assert said[0] == said[1]
    assert said[0][0] == 1 and "this store has no runs yet" in said[0][1]
