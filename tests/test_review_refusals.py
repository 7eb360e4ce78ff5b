"""Every refusal of §5: roles, four-eyes, states, counts, dates, reasons. A
refused action exits 1 with one clear message, changes nothing and writes no
audit entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_helpers import Store, in_review, reviewed_store


def adjust(store: Store, who: str, *extra: str) -> str:
    return store.ok(
        "adjust", "--subject", "P6", "--target", "total", "--delta", "+1", "--reason", "r",
        "--as", who, *extra,
    )  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return in_review(tmp_path)


def unchanged(store: Store, command: str, *args: str) -> str:
    """Run a command that must be refused; the audit log must not grow."""
    before = store.audit_actions()
    err = store.refused(command, *args)
    assert store.audit_actions() == before
    return err


# ------------------------------------------------------------------ roles


def test_reviewer_cannot_publish_or_open_a_notice(store: Store) -> None:
    err = unchanged(store, "notice", "--as", "alice")
    assert "alice may not notice: it needs the `publisher` role" in err
    assert "`publisher`" in unchanged(store, "publish", "--as", "alice")
    assert "`publisher`" in unchanged(store, "revoke", "--subject", "P1", "--reason", "x",
                                      "--as", "bob")  # fmt: skip


def test_author_cannot_adjust_or_start_the_review(tmp_path: Path) -> None:
    store = reviewed_store(tmp_path)
    assert "`reviewer`" in unchanged(store, "review-start", "--as", "aaron")
    store.ok("review-start", "--as", "alice")
    err = unchanged(
        store, "adjust", "--subject", "P6", "--target", "total", "--delta", "+1",
        "--reason", "r", "--as", "aaron",
    )  # fmt: skip
    assert "aaron may not adjust: it needs the `reviewer` role" in err


def test_publisher_cannot_review(store: Store) -> None:
    assert "`reviewer`" in unchanged(store, "flag", "--subject", "P1", "--reason", "x",
                                     "--as", "pat")  # fmt: skip


def test_unknown_person_is_refused(store: Store) -> None:
    assert "nobody may not approve" in unchanged(store, "approve", "1", "--as", "nobody")


def test_admin_may_adjust_but_not_approve_its_own(store: Store) -> None:
    adjust(store, "admin")
    err = unchanged(store, "approve", "1", "--as", "admin")
    assert "admin made adjustment 1 and cannot approve it: four-eyes" in err
    store.ok("approve", "1", "--as", "alice")


def test_four_eyes_for_a_reviewer(store: Store) -> None:
    adjust(store, "alice")
    assert "four-eyes" in unchanged(store, "approve", "1", "--as", "alice")
    store.ok("approve", "1", "--as", "bob")
    assert "already approved by bob" in unchanged(store, "approve", "1", "--as", "admin")


def test_four_eyes_is_enforced_by_the_database(store: Store) -> None:
    import sqlite3

    adjust(store, "alice")
    with pytest.raises(sqlite3.IntegrityError):
        store.sql(
            "UPDATE review_adjustments SET status = 'approved', decided_by = 'alice' WHERE id = 1"
        )


# ------------------------------------------------------------------ states


def test_review_actions_need_the_review_started(tmp_path: Path) -> None:
    store = reviewed_store(tmp_path)
    err = unchanged(
        store, "adjust", "--subject", "P6", "--target", "total", "--delta", "+1",
        "--reason", "r", "--as", "alice",
    )  # fmt: skip
    assert "it is draft" in err and "pioneer review-start" in err
    assert "it is draft" in unchanged(store, "notice", "--as", "pat")
    assert "it is draft" in unchanged(store, "resolve-tie", "--award", "a", "--select", "P3",
                                      "--as", "alice")  # fmt: skip


def test_review_start_only_from_draft(store: Store) -> None:
    assert "it is in_review" in unchanged(store, "review-start", "--as", "alice")


def test_resolve_tie_needs_exactly_the_seats_left(store: Store) -> None:
    err = unchanged(store, "resolve-tie", "--award", "a", "--select", "P3", "--select", "P4",
                    "--as", "alice")  # fmt: skip
    assert "has 1 seat(s) left: name exactly 1 subject(s), not 2" in err
    assert "(name them with `--select`)" in err
    err = unchanged(store, "resolve-tie", "--award", "a", "--select", "P5", "--as", "alice")
    assert "P5 is not in a boundary tie" in err and "P3, P4 tied for 1 seat(s)" in err
    err = unchanged(store, "resolve-tie", "--award", "a", "--select", "P3", "--select", "P3",
                    "--as", "alice")  # fmt: skip
    assert "more than once" in err
    assert "no subject `P9`" in unchanged(
        store, "resolve-tie", "--award", "a", "--select", "P9", "--as", "alice"
    )
    assert "no award `b`" in unchanged(
        store, "resolve-tie", "--award", "b", "--select", "P3", "--as", "alice"
    )


def test_resolve_tie_without_a_tie(store: Store) -> None:
    adjust(store, "alice", "--today", "2022-09-02")
    store.ok("adjust", "--subject", "P3", "--target", "s", "--delta", "+1", "--reason", "r",
             "--as", "alice")  # fmt: skip
    store.ok("approve", "2", "--as", "bob")
    assert "has no boundary tie" in unchanged(
        store, "resolve-tie", "--award", "a", "--select", "P3", "--as", "alice"
    )


def test_adjust_checks_target_delta_and_reason(store: Store) -> None:
    def refused(target: str, delta: str, *reason: str) -> str:
        return unchanged(
            store, "adjust", "--subject", "P6", "--target", target, "--delta", delta,
            *reason, "--as", "alice",
        )  # fmt: skip

    assert "needs a reason" in refused("total", "+1")
    assert "needs a reason" in refused("total", "+1", "--reason", "  ")
    assert "did you mean `k`" in refused("kk", "+1", "--reason", "r")
    assert "has 3 decimals; the campaign's precision is 2" in refused(
        "total", "1.005", "--reason", "r"
    )
    assert "not a signed change" in refused("total", "1e3", "--reason", "r")
    assert "changes nothing" in refused("total", "-0", "--reason", "r")
    assert "outside [0, 100]" in refused("k", "+51", "--reason", "r")  # P6 has k = 50
    assert "below 0" in refused("total", "-50.01", "--reason", "r")
    assert "no subject `P9`" in unchanged(
        store, "adjust", "--subject", "P9", "--target", "total", "--delta", "1", "--reason", "r",
        "--as", "alice",
    )  # fmt: skip


def test_flag_needs_a_reason(store: Store) -> None:
    assert "needs a reason" in unchanged(store, "flag", "--subject", "P1", "--as", "alice")


# ------------------------------------------------------------------ notice and objections


def test_object_outside_a_notice_is_refused(store: Store) -> None:
    err = unchanged(store, "object", "--subject", "P1", "--objector", "张三", "--reason", "r",
                    "--as", "alice")  # fmt: skip
    assert "it is in_review" in err and "notice" in err


def test_object_outside_the_notice_window_is_refused(store: Store) -> None:
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    for day in ("2022-09-28", "2022-10-11"):
        err = unchanged(store, "object", "--subject", "P1", "--objector", "张三", "--reason",
                        "r", "--as", "alice", "--today", day)  # fmt: skip
        assert "runs from 2022-09-29 to 2022-10-10" in err


def test_object_without_a_named_objector_is_refused(store: Store) -> None:
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    for objector in ((), ("--objector", " ")):
        err = unchanged(store, "object", "--subject", "P1", *objector, "--reason", "r",
                        "--as", "alice", "--today", "2022-09-30")  # fmt: skip
        assert "must name its objector" in err
    err = unchanged(store, "object", "--subject", "P1", "--objector", "张三", "--as", "alice",
                    "--today", "2022-09-30")  # fmt: skip
    assert "needs a reason" in err


def test_dismissal_needs_a_reason_and_a_finding_is_final(store: Store) -> None:
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok("object", "--subject", "P1", "--objector", "张三", "--reason", "r", "--as", "alice",
             "--today", "2022-09-30")  # fmt: skip
    assert "needs a reason" in unchanged(store, "resolve-objection", "1", "--dismissed",
                                         "--as", "bob")  # fmt: skip
    assert store.call("resolve-objection", "1", "--as", "bob").exit_code == 2  # usage
    store.ok("resolve-objection", "1", "--dismissed", "--reason", "无据", "--as", "bob")
    assert "already dismissed" in unchanged(store, "resolve-objection", "1", "--upheld",
                                            "--as", "bob")  # fmt: skip
    assert "no objection 7" in unchanged(store, "resolve-objection", "7", "--upheld",
                                         "--as", "bob")  # fmt: skip


# ------------------------------------------------------------------ publish


def noticed(store: Store) -> Store:
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    return store


def test_publish_only_from_notice(store: Store) -> None:
    err = unchanged(store, "publish", "--as", "pat", "--today", "2022-12-01")
    assert "it is in_review" in err and "pioneer notice" in err


def test_publish_refused_before_the_day_after_the_notice(store: Store) -> None:
    noticed(store)
    for day in ("2022-09-29", "2022-10-10"):
        err = unchanged(store, "publish", "--as", "pat", "--today", day)
        assert "runs until 2022-10-10; publication is possible from 2022-10-11" in err


def test_publish_refused_with_an_open_flag(store: Store) -> None:
    noticed(store)
    store.ok("flag", "--subject", "P2", "--reason", "待核实", "--as", "alice")
    err = unchanged(store, "publish", "--as", "pat", "--today", "2022-10-11")
    assert "1 item(s) still open" in err and "flag 1 on a P2 by alice" in err


def test_publish_refused_with_an_unapproved_adjustment(store: Store) -> None:
    noticed(store)
    adjust(store, "alice")
    err = unchanged(store, "publish", "--as", "pat", "--today", "2022-10-11")
    assert "adjustment 1: a P6 total +1.00 by alice (r) awaits approval" in err


def test_publish_refused_with_an_unresolved_boundary_tie(store: Store) -> None:
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    err = unchanged(store, "publish", "--as", "pat", "--today", "2022-10-11")
    assert "boundary tie in a at rank 3: P3, P4 tied for 1 seat(s)" in err


def test_publish_refused_with_an_open_objection(store: Store) -> None:
    noticed(store)
    store.ok("object", "--subject", "P1", "--objector", "张三", "--reason", "r", "--as", "alice",
             "--today", "2022-10-10")  # fmt: skip
    err = unchanged(store, "publish", "--as", "pat", "--today", "2022-10-11")
    assert "objection 1 to a P1 by 张三" in err


def test_publish_names_every_open_item(store: Store) -> None:
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok("flag", "--subject", "P2", "--reason", "待核实", "--as", "alice")
    adjust(store, "alice")
    store.ok("object", "--subject", "P1", "--objector", "张三", "--reason", "r", "--as", "alice",
             "--today", "2022-10-10")  # fmt: skip
    err = unchanged(store, "publish", "--as", "pat", "--today", "2022-10-11")
    assert "4 item(s) still open" in err
    for part in ("flag 1", "adjustment 1", "boundary tie", "objection 1"):
        assert part in err


def test_nothing_changes_after_publication(store: Store) -> None:
    noticed(store)
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    assert "it is published" in unchanged(store, "publish", "--as", "pat", "--today", "2022-10-12")
    err = unchanged(store, "adjust", "--subject", "P6", "--target", "total", "--delta", "+1",
                    "--reason", "r", "--as", "alice")  # fmt: skip
    assert "it is published" in err and "pioneer revoke" in err
    assert "it is published" in unchanged(store, "notice", "--as", "pat")
    assert "it is published" in unchanged(store, "flag", "--subject", "P1", "--reason", "r",
                                          "--as", "alice")  # fmt: skip


# ------------------------------------------------------------------ revoke


def test_revoke_before_publication_is_refused(store: Store) -> None:
    err = unchanged(store, "revoke", "--subject", "P1", "--reason", "事故", "--as", "pat")
    assert "only a published selection can be revoked" in err
    noticed(store)
    assert "only a published" in unchanged(store, "revoke", "--subject", "P1", "--reason", "x",
                                           "--as", "pat")  # fmt: skip


def test_revoke_needs_a_reason(store: Store) -> None:
    noticed(store)
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    assert "needs a reason" in unchanged(store, "revoke", "--subject", "P1", "--as", "pat")


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "none.db")
    assert "no such store" in store.refused("status")
