"""A published run cannot change, whatever writes to the store: the database
itself refuses (SQLite triggers), and `audit verify` still passes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from review_helpers import Store, in_review, reviewed_store


@pytest.fixture
def published(tmp_path: Path) -> Store:
    store = in_review(tmp_path)
    store.ok("adjust", "--subject", "P6", "--target", "k", "--delta", "+1", "--reason", "r",
             "--as", "alice")  # fmt: skip
    store.ok("approve", "1", "--as", "bob")
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    return store


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE results SET total = '99.00' WHERE subject = 'P6'",
        "DELETE FROM results WHERE subject = 'P6'",
        "UPDATE standings SET selected = 1 WHERE subject = 'P6'",
        "DELETE FROM standings WHERE subject = 'P6'",
        "INSERT INTO standings (run_id, award, subject, ord, total, selected, boundary_tie)"
        " VALUES (1, 'a', 'X', 9, '1.00', 1, 0)",
        "UPDATE review_adjustments SET delta = '50.00' WHERE id = 1",
        "UPDATE review_adjustments SET status = 'rejected' WHERE id = 1",
        "DELETE FROM review_adjustments WHERE id = 1",
        "INSERT INTO review_adjustments (run_id, award, subject, target, delta, reason, author,"
        " created) VALUES (1, 'a', 'P6', 'total', '5.00', 'late', 'eve', '2022-10-12')",
        "UPDATE review_ties SET selected = '[\"P4\"]'",
        "INSERT INTO review_flags (run_id, award, subject, reason, flagged_by, flagged)"
        " VALUES (1, 'a', 'P1', 'x', 'y', '2022-10-12')",
        "INSERT INTO review_objections (run_id, notice_id, award, subject, objector, reason,"
        " recorded_by, raised) VALUES (1, 1, 'a', 'P1', 'x', 'y', 'z', '2022-10-12')",
        "UPDATE review_notices SET last_day = '2022-12-31'",
        "UPDATE runs SET status = 'in_review'",
        "UPDATE runs SET results_sha256 = 'x'",
        "DELETE FROM runs WHERE id = 1",
    ],
)
def test_published_run_refuses_direct_sql(published: Store, statement: str) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="published|never|cannot"):
        published.sql(statement)


def test_revocation_never_changes(published: Store) -> None:
    published.ok("revoke", "--subject", "P1", "--reason", "事故", "--as", "pat")
    for statement in (
        "UPDATE review_revocations SET reason = 'x'",
        "DELETE FROM review_revocations",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="never changes"):
            published.sql(statement)


def test_revocation_of_an_unpublished_run_is_refused_by_the_database(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    with pytest.raises(sqlite3.IntegrityError, match="only a published selection"):
        store.sql(
            "INSERT INTO review_revocations (run_id, award, subject, reason, actor, revoked)"
            " VALUES (1, 'a', 'P1', 'x', 'y', '2022-01-01')"
        )


@pytest.mark.parametrize("status", ["published", "draft", "approved"])
def test_status_moves_only_along_the_workflow(tmp_path: Path, status: str) -> None:
    store = in_review(tmp_path)  # in_review may only move on to notice
    with pytest.raises(sqlite3.IntegrityError, match="cannot move"):
        store.sql("UPDATE runs SET status = ?", status)


def test_draft_cannot_skip_to_published(tmp_path: Path) -> None:
    store = reviewed_store(tmp_path)
    store.ok("status")  # any review command installs the triggers
    with pytest.raises(sqlite3.IntegrityError, match="cannot move"):
        store.sql("UPDATE runs SET status = 'published'")
    store.ok("review-start", "--as", "alice")  # the store still works


def test_audit_verify_passes_after_publication(published: Store) -> None:
    published.ok("revoke", "--subject", "P1", "--reason", "事故", "--as", "pat")
    out = published.ok("audit", "verify")
    assert "audit log ok" in out


def test_published_standings_hash_is_recorded_and_checked(published: Store) -> None:
    from sqlite_utils import Database

    from scoring import service

    db = Database(published.path)
    assert service.verify_review(db) is None
    detail = published.sql("SELECT detail FROM audit WHERE action = 'publish'")[0][0]
    assert '"standings_sha256"' in detail and '"results_sha256"' in detail
    # an edit that slipped past the triggers (they are dropped here) is detected
    for op in ("update", "insert", "delete"):
        published.sql(f"DROP TRIGGER standings_frozen_{op}")
    published.sql("UPDATE standings SET selected = 1 WHERE subject = 'P6'")
    found = service.verify_review(db)
    assert found is not None and "run 1: its published standings do not match" in found
    db.close()
