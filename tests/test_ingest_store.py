"""The store file: WAL, foreign keys, core tables, schema version, transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scoring.store import (
    SCHEMA_VERSION,
    StoreError,
    get_meta,
    open_store,
    quote_identifier,
    set_meta,
    transaction,
)


def test_a_new_store_has_wal_foreign_keys_and_the_core_tables(tmp_path: Path) -> None:
    db = open_store(tmp_path / "store.db")
    try:
        assert db.journal_mode == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert {"meta", "datasets", "dataset_tables", "rejects"} <= set(db.table_names())
        assert get_meta(db, "schema_version") == str(SCHEMA_VERSION)
    finally:
        db.close()


def test_opening_again_keeps_what_is_there(tmp_path: Path) -> None:
    db = open_store(tmp_path / "store.db")
    set_meta(db, "owner", "组织部")
    db.close()
    db = open_store(tmp_path / "store.db")
    try:
        assert get_meta(db, "owner") == "组织部"
        assert get_meta(db, "missing") is None
    finally:
        db.close()


def test_in_memory_store(tmp_path: Path) -> None:
    db = open_store(":memory:")
    try:
        assert "datasets" in db.table_names()
    finally:
        db.close()


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    db = open_store(tmp_path / "store.db")
    set_meta(db, "schema_version", str(SCHEMA_VERSION + 1))
    db.close()
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path / "store.db")
    assert str(caught.value) == (
        f"{tmp_path / 'store.db'}: the store has schema version {SCHEMA_VERSION + 1}; "
        f"this pioneer knows up to {SCHEMA_VERSION}: upgrade pioneer"
    )


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("这不是数据库\n" * 200, encoding="utf-8")
    with pytest.raises(StoreError, match="cannot open the store: file is not a database"):
        open_store(path)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open the store"):
        open_store(tmp_path / "no" / "such" / "store.db")


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = open_store(tmp_path / "store.db")
    try:
        with pytest.raises(RuntimeError), transaction(db):
            set_meta(db, "half", "done")
            with transaction(db):  # nested: a savepoint
                set_meta(db, "inner", "x")
            raise RuntimeError
        assert get_meta(db, "half") is None
        assert get_meta(db, "inner") is None
    finally:
        db.close()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = open_store(tmp_path / "store.db")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(
                "INSERT INTO dataset_tables (dataset_id, table_name, file, rows_in, accepted, "
                "rejected) VALUES (42, 't', 't.csv', 0, 0, 0)"
            )
    finally:
        db.close()


def test_quote_identifier() -> None:
    assert quote_identifier('we"ird') == '"we""ird"'
