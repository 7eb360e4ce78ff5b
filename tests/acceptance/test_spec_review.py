"""Acceptance tests of SPEC §5 (review and publication) and the §6 workflow commands.

Written from SPEC.md alone: a small campaign of our own is scored with
`pioneer score --data` and the whole review is driven through the real CLI
(`--as`, `--today`), checking every state, refusal, the audit log and the
database-level freeze of a published run.

Award `star` (quota 4 seats, `per: unit`, `min_score: 50`, tie-break on `care`):

| subject | unit | work | care | total | note |
| --- | --- | --- | --- | --- | --- |
| E1 | 东区 | 55 | 35 | 90 | selected |
| W1 | 西区 | 58 | 30 | 88 | selected (西区's only seat) |
| E2 | 东区 | 50 | 35 | 85 | selected |
| E3 | 东区 | 50 | 30 | 80 | boundary tie for 东区's last seat |
| E4 | 东区 | 50 | 30 | 80 | boundary tie for 东区's last seat |
| E5 | 东区 | 40 | 30 | 70 | |
| W2 | 西区 | 40 | 20 | 60 | |
| E6 | 东区 | 20 | 20 | 40 | below min_score |

4 seats split 6:2 by ranked subjects → 东区 3, 西区 1.
Cast: `admin` (created the store), `alice`/`bob` reviewers, `pat` publisher,
`aaron` author, `nobody` without a role.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from scoring.cli import cli

FIXTURES = Path(__file__).parent / "fixtures_review"
PIONEER = Path(sys.executable).parent / "pioneer"
CAST = {"alice": "reviewer", "bob": "reviewer", "pat": "publisher", "aaron": "author"}


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output}")
    return result


@dataclass
class Store:
    path: Path
    run: str = "1"

    def call(self, command: str, *args: str) -> Result:
        if command in ("roles", "audit"):
            return invoke(command, *args, "--db", self.path)
        return invoke(command, "--db", self.path, "--run", self.run, *args)

    def ok(self, command: str, *args: str) -> str:
        result = self.call(command, *args)
        assert result.exit_code == 0, f"{command} {args}: {result.output}"
        return result.stdout

    def refused(self, command: str, *args: str) -> str:
        result = self.call(command, *args)
        assert result.exit_code == 1, (
            f"{command} {args} not refused ({result.exit_code}): {result.output}"
        )
        assert result.stderr.strip(), "a refusal says why"
        return result.stderr

    def export(self) -> dict[str, Any]:
        result = invoke("export", "--db", self.path, "--run", self.run, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def rows(self) -> dict[str, dict[str, Any]]:
        return {r["subject"]: r for r in self.export()["awards"]["star"]["results"]}

    def selected(self) -> set[str]:
        return {s for s, r in self.rows().items() if r["selected"]}

    def status(self, today: str) -> str:
        return self.ok("status", "--today", today)

    def state(self) -> str:
        return self.export()["run"]["status"]

    def sql(self, *statements: str) -> None:
        conn = sqlite3.connect(self.path)
        try:
            for statement in statements:
                conn.execute(statement)
            conn.commit()
        finally:
            conn.close()

    def audit_count(self) -> int:
        conn = sqlite3.connect(self.path)
        try:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            table = next(t for t in tables if "audit" in t)
            return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        finally:
            conn.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Score the campaign once as `admin` (the store's creator) and grant the cast."""
    root = tmp_path_factory.mktemp("review")
    db = root / "store.db"
    done = invoke(
        "score",
        FIXTURES / "rules.yaml",
        "--db",
        db,
        "--period",
        "2022",
        "--data",
        FIXTURES / "data",
        "--as",
        "admin",
        "--today",
        "2022-09-01",
    )
    assert done.exit_code == 0, done.output
    assert done.stdout.strip().splitlines()[-1] == "run 1"
    store = Store(db)
    for name, role in CAST.items():
        store.ok("roles", "grant", name, role, "--as", "admin")
    return db


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Store:
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(template) + suffix)
        if src.exists():
            shutil.copy(src, tmp_path / ("store.db" + suffix))
    return Store(tmp_path / "store.db")


def in_review(store: Store) -> Store:
    store.ok("review-start", "--as", "alice", "--today", "2022-09-01")
    return store


def tie_resolved(store: Store, pick: str = "E3") -> Store:
    in_review(store)
    store.ok(
        "resolve-tie", "--award", "star", "--select", pick, "--as", "alice", "--reason", "抽签"
    )
    return store


def in_notice(store: Store) -> Store:
    """Tie resolved for E3; notice opened 2022-09-29 for 5 working days (ends 2022-10-10)."""
    tie_resolved(store)
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    return store


def published(store: Store) -> Store:
    in_notice(store)
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    return store


# ---------------------------------------------------------------- the scored campaign


def test_scored_campaign_has_a_boundary_tie_per_unit(store: Store) -> None:
    rows = store.rows()
    assert store.state() == "draft"
    assert store.selected() == {"E1", "W1", "E2"}
    assert rows["E3"]["boundary_tie"] and rows["E4"]["boundary_tie"]
    assert rows["E3"]["rank"] == rows["E4"]["rank"] == 4
    assert not rows["E3"]["selected"] and not rows["E4"]["selected"]


def test_store_creator_is_admin_and_roles_are_listed(store: Store) -> None:
    out = store.ok("roles", "list")
    assert re.search(r"admin\b.*admin", out)
    for name, role in CAST.items():
        assert re.search(rf"{name}\b.*{role}", out), out


# ---------------------------------------------------------------- the happy path


def test_full_workflow_draft_to_published(store: Store) -> None:
    assert "draft" in store.status("2022-09-01")
    in_review(store)
    assert store.state() == "in_review"
    assert "in_review" in store.status("2022-09-01")
    store.ok(
        "resolve-tie", "--award", "star", "--select", "E4", "--as", "alice", "--reason", "抽签"
    )
    assert store.selected() == {"E1", "W1", "E2", "E4"}
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    assert store.state() == "notice"
    status = store.status("2022-09-30")
    assert "notice" in status and "2022-09-29" in status and "2022-10-10" in status
    store.refused("publish", "--as", "pat", "--today", "2022-10-10")
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    assert store.state() == "published"
    assert "published" in store.status("2022-10-12")
    assert store.selected() == {"E1", "W1", "E2", "E4"}
    head = store.export()["run"]["audit_head"]
    assert re.fullmatch(r"[0-9a-f]{64}", head)
    verify = store.call("audit", "verify")
    assert verify.exit_code == 0, verify.output


def test_latest_names_the_run(store: Store) -> None:
    store.run = "latest"
    in_review(store)
    assert store.state() == "in_review"


# ---------------------------------------------------------------- state transitions


def test_transitions_out_of_order_are_refused(store: Store) -> None:
    store.refused("notice", "--as", "pat", "--today", "2022-09-29")
    store.refused("publish", "--as", "pat", "--today", "2022-12-31")
    in_review(store)
    store.refused("review-start", "--as", "alice", "--today", "2022-09-02")
    store.refused("publish", "--as", "pat", "--today", "2022-12-31")
    assert store.state() == "in_review"


def test_published_run_refuses_every_change(store: Store) -> None:
    published(store)
    store.refused(
        "adjust",
        "--subject",
        "E6",
        "--target",
        "total",
        "--delta",
        "+1",
        "--reason",
        "r",
        "--as",
        "alice",
    )
    store.refused("flag", "--subject", "E6", "--reason", "r", "--as", "alice")
    store.refused("resolve-tie", "--award", "star", "--select", "E4", "--as", "alice")
    store.refused("notice", "--as", "pat", "--today", "2022-10-12")
    store.refused("review-start", "--as", "alice", "--today", "2022-10-12")
    store.refused("publish", "--as", "pat", "--today", "2022-10-12")
    store.refused(
        "object",
        "--subject",
        "E2",
        "--objector",
        "张某",
        "--reason",
        "r",
        "--as",
        "alice",
        "--today",
        "2022-10-12",
    )
    assert store.state() == "published"


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("review-start", ()),
        ("flag", ("--subject", "E1", "--reason", "r")),
        ("adjust", ("--subject", "E1", "--target", "total", "--delta", "+1", "--reason", "r")),
        ("resolve-tie", ("--award", "star", "--select", "E3")),
        ("unflag", ("--subject", "E1", "--reason", "r")),
    ],
)
@pytest.mark.parametrize("actor", ["pat", "aaron", "nobody"])
def test_reviewer_actions_need_reviewer(
    store: Store, command: str, args: tuple[str, ...], actor: str
) -> None:
    if command != "review-start":
        in_review(store)
    before = store.audit_count()
    store.refused(command, *args, "--as", actor, "--today", "2022-09-02")
    assert store.audit_count() == before, "a refused action writes nothing"


def test_approve_object_resolve_objection_need_reviewer(store: Store) -> None:
    in_review(store)
    store.ok(
        "adjust",
        "--subject",
        "E6",
        "--target",
        "total",
        "--delta",
        "+1",
        "--reason",
        "r",
        "--as",
        "alice",
    )
    for actor in ("pat", "aaron", "nobody"):
        store.refused("approve", "1", "--as", actor)
    store.ok("resolve-tie", "--award", "star", "--select", "E3", "--as", "bob")
    store.ok("approve", "1", "--as", "bob")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    for actor in ("pat", "aaron", "nobody"):
        store.refused(
            "object",
            "--subject",
            "E2",
            "--objector",
            "张某",
            "--reason",
            "r",
            "--as",
            actor,
            "--today",
            "2022-09-30",
        )
    store.ok(
        "object",
        "--subject",
        "E2",
        "--objector",
        "张某",
        "--reason",
        "r",
        "--as",
        "alice",
        "--today",
        "2022-09-30",
    )
    for actor in ("pat", "aaron", "nobody"):
        store.refused(
            "resolve-objection", "1", "--dismissed", "--reason", "查无实据", "--as", actor
        )
    store.ok(
        "resolve-objection",
        "1",
        "--dismissed",
        "--reason",
        "查无实据",
        "--as",
        "bob",
        "--today",
        "2022-09-30",
    )


def test_publisher_actions_need_publisher(store: Store) -> None:
    tie_resolved(store)
    for actor in ("alice", "aaron", "nobody"):
        store.refused("notice", "--as", actor, "--today", "2022-09-29")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    for actor in ("alice", "aaron", "nobody"):
        store.refused("publish", "--as", actor, "--today", "2022-10-11")
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    for actor in ("alice", "aaron", "nobody"):
        store.refused(
            "revoke", "--subject", "E2", "--reason", "r", "--as", actor, "--today", "2022-10-12"
        )
    store.ok("revoke", "--subject", "E2", "--reason", "r", "--as", "pat", "--today", "2022-10-12")


def test_roles_need_admin(store: Store) -> None:
    for actor in ("alice", "pat", "aaron", "nobody"):
        store.refused("roles", "grant", "eve", "reviewer", "--as", actor)
        store.refused("roles", "revoke", "alice", "reviewer", "--as", actor)
    assert "eve" not in store.ok("roles", "list")
    store.ok("roles", "grant", "eve", "admin", "--as", "admin")
    store.ok("roles", "grant", "zed", "reviewer", "--as", "eve")
    store.ok("roles", "revoke", "zed", "reviewer", "--as", "eve")
    store.refused("review-start", "--as", "zed")


def test_score_and_ingest_need_author(store: Store) -> None:
    args = ("--db", store.path, "--period", "2022", "--data", FIXTURES / "data")
    for actor in ("alice", "pat", "nobody"):
        result = invoke("score", FIXTURES / "rules.yaml", *args, "--as", actor)
        assert result.exit_code == 1, result.output
        result = invoke(
            "ingest",
            FIXTURES / "data",
            "--rules",
            FIXTURES / "rules.yaml",
            "--db",
            store.path,
            "--as",
            actor,
        )
        assert result.exit_code == 1, result.output
    result = invoke("score", FIXTURES / "rules.yaml", *args, "--as", "aaron")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == "run 2"


def test_admin_may_do_everything_but_is_bound_by_four_eyes(store: Store) -> None:
    store.ok("review-start", "--as", "admin", "--today", "2022-09-01")
    store.ok(
        "adjust",
        "--subject",
        "E6",
        "--target",
        "total",
        "--delta",
        "+1",
        "--reason",
        "r",
        "--as",
        "admin",
    )
    store.refused("approve", "1", "--as", "admin")
    store.ok("approve", "1", "--as", "alice")
    store.ok("flag", "--subject", "E5", "--reason", "r", "--as", "admin")
    store.ok("unflag", "--subject", "E5", "--reason", "ok", "--as", "admin")
    store.ok("resolve-tie", "--award", "star", "--select", "E3", "--as", "admin")
    store.ok("notice", "--as", "admin", "--today", "2022-09-29")
    store.ok(
        "object",
        "--subject",
        "E2",
        "--objector",
        "张某",
        "--reason",
        "r",
        "--as",
        "admin",
        "--today",
        "2022-09-30",
    )
    store.ok(
        "resolve-objection",
        "1",
        "--dismissed",
        "--reason",
        "查无实据",
        "--as",
        "admin",
        "--today",
        "2022-09-30",
    )
    store.ok("publish", "--as", "admin", "--today", "2022-10-11")
    store.ok("revoke", "--subject", "E2", "--reason", "r", "--as", "admin", "--today", "2022-10-12")


def test_four_eyes_for_reviewers(store: Store) -> None:
    in_review(store)
    store.ok(
        "adjust",
        "--subject",
        "E6",
        "--target",
        "total",
        "--delta",
        "+1",
        "--reason",
        "r",
        "--as",
        "alice",
    )
    store.refused("approve", "1", "--as", "alice")
    store.ok("approve", "1", "--as", "bob")


# ---------------------------------------------------------------- adjustments


def test_adjust_needs_a_reason(store: Store) -> None:
    in_review(store)
    store.refused(
        "adjust", "--subject", "E6", "--target", "total", "--delta", "+1", "--as", "alice"
    )
    store.refused(
        "adjust",
        "--subject",
        "E6",
        "--target",
        "total",
        "--delta",
        "+1",
        "--reason",
        "  ",
        "--as",
        "alice",
    )


def test_adjustment_counts_only_once_approved_and_reranks(store: Store) -> None:
    in_review(store)
    store.ok(
        "adjust",
        "--subject",
        "E5",
        "--target",
        "total",
        "--delta",
        "+25",
        "--reason",
        "漏计",
        "--as",
        "alice",
    )
    rows = store.rows()
    assert rows["E5"]["total"] == 70
    assert rows["E5"]["rank"] == 6
    assert "pending" in store.status("2022-09-02") or "approv" in store.status("2022-09-02")
    store.ok("approve", "1", "--as", "bob")
    rows = store.rows()
    assert rows["E5"]["total"] == 95
    assert rows["E5"]["computed_total"] == 70
    assert rows["E5"]["rank"] == 1
    assert rows["E5"]["grade"] == "优秀"
    assert "computed_total" not in rows["E1"]
    # 东区 now E5, E1, E2: the tie at the line is gone
    assert store.selected() == {"E5", "E1", "W1", "E2"}
    assert not rows["E3"]["boundary_tie"] and not rows["E4"]["boundary_tie"]
    order = [r["subject"] for r in store.export()["awards"]["star"]["results"]]
    assert order[:2] == ["E5", "E1"]


def test_rejected_adjustment_does_not_count(store: Store) -> None:
    in_review(store)
    store.ok(
        "adjust",
        "--subject",
        "E5",
        "--target",
        "total",
        "--delta",
        "+25",
        "--reason",
        "漏计",
        "--as",
        "alice",
    )
    store.ok("approve", "1", "--reject", "--reason", "证据不足", "--as", "bob")
    row = store.rows()["E5"]
    assert row["total"] == 70
    assert row.get("computed_total", 70) == 70  # SPEC only requires it when approved ones exist
    assert row["rank"] == 6


def test_node_adjustment_moves_points_total_and_tie_break(store: Store) -> None:
    in_review(store)
    store.ok(
        "adjust",
        "--subject",
        "E3",
        "--target",
        "care",
        "--delta",
        "+1",
        "--reason",
        "a",
        "--as",
        "alice",
    )
    store.ok(
        "adjust",
        "--subject",
        "E3",
        "--target",
        "work",
        "--delta",
        "-1",
        "--reason",
        "b",
        "--as",
        "alice",
    )
    store.ok("approve", "1", "--as", "bob")
    store.ok("approve", "2", "--as", "bob")
    rows = store.rows()
    assert rows["E3"]["points"]["care"] == 31
    assert rows["E3"]["points"]["work"] == 49
    assert rows["E3"]["total"] == 80
    # same total, better tie-break on `care`: E3 alone at rank 4 and selected
    assert rows["E3"]["rank"] == 4 and rows["E4"]["rank"] == 5
    assert store.selected() == {"E1", "W1", "E2", "E3"}
    assert not rows["E3"]["boundary_tie"]


# ---------------------------------------------------------------- flags and ties


def test_open_flag_blocks_publication(store: Store) -> None:
    tie_resolved(store)
    store.refused("flag", "--subject", "E6", "--as", "alice")  # reason is mandatory
    store.ok("flag", "--subject", "E6", "--reason", "待核实", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    assert "E6" in store.status("2022-10-11")
    store.refused("publish", "--as", "pat", "--today", "2022-10-11")
    store.ok("unflag", "--subject", "E6", "--reason", "已核实", "--as", "bob")
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")


def test_unapproved_adjustment_blocks_publication(store: Store) -> None:
    tie_resolved(store)
    store.ok(
        "adjust",
        "--subject",
        "E6",
        "--target",
        "total",
        "--delta",
        "+1",
        "--reason",
        "r",
        "--as",
        "alice",
    )
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.refused("publish", "--as", "pat", "--today", "2022-10-11")
    store.ok("approve", "1", "--as", "bob")
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    assert store.rows()["E6"]["total"] == 41


def test_unresolved_boundary_tie_blocks_publication(store: Store) -> None:
    in_review(store)
    status = store.status("2022-09-02")
    assert "E3" in status and "E4" in status
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.refused("publish", "--as", "pat", "--today", "2022-10-11")
    assert store.state() == "notice"


def test_resolve_tie_names_exactly_the_seats_left(store: Store) -> None:
    in_review(store)
    store.refused(
        "resolve-tie", "--award", "star", "--select", "E3", "--select", "E4", "--as", "alice"
    )
    store.refused("resolve-tie", "--award", "star", "--select", "E5", "--as", "alice")
    store.refused("resolve-tie", "--award", "star", "--select", "E1", "--as", "alice")
    assert store.selected() == {"E1", "W1", "E2"}
    store.ok("resolve-tie", "--award", "star", "--select", "E3", "--as", "alice")
    assert store.selected() == {"E1", "W1", "E2", "E3"}
    assert store.rows()["E3"]["boundary_tie"], "the tie mark stays whatever the policy"


def test_a_changed_tie_group_reopens_the_tie(store: Store) -> None:
    in_review(store)
    store.ok("resolve-tie", "--award", "star", "--select", "E4", "--as", "alice")
    store.ok(
        "adjust",
        "--subject",
        "E5",
        "--target",
        "total",
        "--delta",
        "+10",
        "--reason",
        "r",
        "--as",
        "alice",
    )
    store.ok("approve", "1", "--as", "bob")
    rows = store.rows()
    assert all(rows[s]["boundary_tie"] and rows[s]["rank"] == 4 for s in ("E3", "E4", "E5"))
    assert "E5" in store.status("2022-09-02")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.refused("publish", "--as", "pat", "--today", "2022-10-11")


# ---------------------------------------------------------------- the notice calendar


def test_notice_counts_chinese_working_days(store: Store) -> None:
    tie_resolved(store)
    out = store.ok("notice", "--as", "pat", "--today", "2022-09-29", "--days", "5")
    assert "2022-10-10" in out
    status = store.status("2022-10-10")
    assert "2022-09-29" in status and "2022-10-10" in status
    store.refused("publish", "--as", "pat", "--today", "2022-10-07")
    store.refused("publish", "--as", "pat", "--today", "2022-10-10")
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")


def test_notice_default_is_five_working_days(store: Store) -> None:
    tie_resolved(store)
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.refused("publish", "--as", "pat", "--today", "2022-10-09")
    assert "2022-10-10" in store.status("2022-10-01")


def test_notice_starting_on_a_holiday_starts_counting_at_the_next_working_day(store: Store) -> None:
    tie_resolved(store)
    # 2022-10-03 is a holiday: days are 10-08, 10-09 (make-up), 10-10, 10-11, 10-12
    out = store.ok("notice", "--as", "pat", "--today", "2022-10-03", "--days", "5")
    assert "2022-10-12" in out
    store.refused("publish", "--as", "pat", "--today", "2022-10-12")
    store.ok("publish", "--as", "pat", "--today", "2022-10-13")


def test_notice_start_option(store: Store) -> None:
    tie_resolved(store)
    out = store.ok(
        "notice", "--as", "pat", "--today", "2022-09-20", "--start", "2022-09-29", "--days", "5"
    )
    assert "2022-10-10" in out
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")


def test_one_day_notice_over_a_weekend(store: Store) -> None:
    tie_resolved(store)
    # 2022-09-03 is a Saturday: day 1 is Monday 2022-09-05
    out = store.ok("notice", "--as", "pat", "--today", "2022-09-03", "--days", "1")
    assert "2022-09-05" in out
    store.refused("publish", "--as", "pat", "--today", "2022-09-05")
    store.ok("publish", "--as", "pat", "--today", "2022-09-06")


# ---------------------------------------------------------------- objections


def test_object_outside_a_notice_is_refused(store: Store) -> None:
    in_review(store)
    obj = ("--subject", "E2", "--objector", "张某", "--reason", "考勤造假", "--as", "alice")
    store.refused("object", *obj, "--today", "2022-09-02")
    store.ok("resolve-tie", "--award", "star", "--select", "E3", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.refused("object", *obj, "--today", "2022-10-11")  # after its end
    store.refused("object", *obj, "--today", "2022-09-28")  # before its start
    store.ok("object", *obj, "--today", "2022-10-10")


def test_object_without_a_named_objector_is_refused(store: Store) -> None:
    in_notice(store)
    store.refused(
        "object",
        "--subject",
        "E2",
        "--reason",
        "考勤造假",
        "--as",
        "alice",
        "--today",
        "2022-09-30",
    )
    store.refused(
        "object",
        "--subject",
        "E2",
        "--objector",
        " ",
        "--reason",
        "考勤造假",
        "--as",
        "alice",
        "--today",
        "2022-09-30",
    )


def test_open_objection_blocks_publication_and_dismissal_keeps_selection(store: Store) -> None:
    in_notice(store)
    store.ok(
        "object",
        "--subject",
        "E2",
        "--objector",
        "张某",
        "--reason",
        "考勤造假",
        "--as",
        "alice",
        "--today",
        "2022-09-30",
    )
    assert "E2" in store.status("2022-10-11")
    store.refused("publish", "--as", "pat", "--today", "2022-10-11")
    store.refused(
        "resolve-objection", "1", "--dismissed", "--as", "bob", "--today", "2022-10-09"
    )  # reason needed
    store.ok(
        "resolve-objection",
        "1",
        "--dismissed",
        "--reason",
        "查无实据",
        "--as",
        "bob",
        "--today",
        "2022-10-09",
    )
    assert store.state() == "notice"
    assert store.selected() == {"E1", "W1", "E2", "E3"}
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")


def test_upheld_objection_promotes_the_next_in_rank_and_returns_to_review(store: Store) -> None:
    in_notice(store)
    store.ok(
        "object",
        "--subject",
        "E2",
        "--objector",
        "张某",
        "--reason",
        "考勤造假",
        "--as",
        "alice",
        "--today",
        "2022-09-30",
    )
    store.ok(
        "resolve-objection",
        "1",
        "--upheld",
        "--reason",
        "属实",
        "--as",
        "bob",
        "--today",
        "2022-10-08",
    )
    assert store.state() == "in_review"
    assert "in_review" in store.status("2022-10-08")
    # E2 removed; E4 (next in rank in 东区) takes the seat (递补)
    assert store.selected() == {"E1", "W1", "E3", "E4"}
    assert not store.rows()["E2"]["selected"]
    store.refused("publish", "--as", "pat", "--today", "2022-10-11")
    store.ok("notice", "--as", "pat", "--today", "2022-10-10")  # ends 2022-10-14
    store.refused("publish", "--as", "pat", "--today", "2022-10-14")
    store.ok("publish", "--as", "pat", "--today", "2022-10-17")
    assert store.selected() == {"E1", "W1", "E3", "E4"}


def test_upheld_objection_promotes_within_the_same_unit(store: Store) -> None:
    in_notice(store)
    store.ok(
        "object",
        "--subject",
        "W1",
        "--objector",
        "李某",
        "--reason",
        "材料不实",
        "--as",
        "alice",
        "--today",
        "2022-09-30",
    )
    store.ok(
        "resolve-objection",
        "1",
        "--upheld",
        "--reason",
        "属实",
        "--as",
        "bob",
        "--today",
        "2022-10-08",
    )
    # 西区's seat goes to W2 (next in rank in 西区, above min_score), not to 东区's E4
    assert store.selected() == {"E1", "E2", "E3", "W2"}


def test_upheld_objection_before_the_tie_is_resolved_seats_the_whole_tie(store: Store) -> None:
    in_review(store)
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok(
        "object",
        "--subject",
        "E2",
        "--objector",
        "张某",
        "--reason",
        "r",
        "--as",
        "alice",
        "--today",
        "2022-09-30",
    )
    store.ok(
        "resolve-objection",
        "1",
        "--upheld",
        "--reason",
        "属实",
        "--as",
        "bob",
        "--today",
        "2022-09-30",
    )
    # 东区 now has 2 seats for E3 and E4: both fit, no tie left
    assert store.selected() == {"E1", "W1", "E3", "E4"}
    assert store.state() == "in_review"


def test_removed_subject_stays_removed_after_a_later_adjustment(store: Store) -> None:
    in_notice(store)
    store.ok(
        "object",
        "--subject",
        "E2",
        "--objector",
        "张某",
        "--reason",
        "r",
        "--as",
        "alice",
        "--today",
        "2022-09-30",
    )
    store.ok(
        "resolve-objection",
        "1",
        "--upheld",
        "--reason",
        "属实",
        "--as",
        "bob",
        "--today",
        "2022-09-30",
    )
    store.ok(
        "adjust",
        "--subject",
        "E2",
        "--target",
        "total",
        "--delta",
        "+10",
        "--reason",
        "r",
        "--as",
        "alice",
    )
    store.ok("approve", "1", "--as", "bob")
    rows = store.rows()
    assert rows["E2"]["total"] == 95 and rows["E2"]["rank"] == 1
    assert not rows["E2"]["selected"]
    assert store.selected() == {"E1", "W1", "E3", "E4"}


def test_refused_publication_writes_nothing(store: Store) -> None:
    in_notice(store)
    before = store.audit_count()
    store.refused("publish", "--as", "pat", "--today", "2022-10-10")
    store.refused("publish", "--as", "alice", "--today", "2022-10-11")
    assert store.audit_count() == before
    assert store.state() == "notice"


# ---------------------------------------------------------------- revoke


def test_revoke_before_publication_is_refused(store: Store) -> None:
    in_review(store)
    store.refused("revoke", "--subject", "E1", "--reason", "r", "--as", "pat")
    store.ok("resolve-tie", "--award", "star", "--select", "E3", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.refused(
        "revoke", "--subject", "E1", "--reason", "r", "--as", "pat", "--today", "2022-10-11"
    )
    store.refused(
        "revoke", "--subject", "E1", "--reason", "r", "--as", "admin", "--today", "2022-10-11"
    )


def test_revoke_after_publication_is_recorded_beside_the_result(store: Store) -> None:
    published(store)
    before = store.rows()["E2"]
    store.refused(
        "revoke", "--subject", "E2", "--as", "pat", "--today", "2022-10-20"
    )  # reason is mandatory
    store.ok(
        "revoke",
        "--subject",
        "E2",
        "--reason",
        "迟报重大事故",
        "--as",
        "pat",
        "--today",
        "2022-10-20",
    )
    after = store.rows()["E2"]
    assert "迟报重大事故" in json.dumps(after, ensure_ascii=False)
    for key in ("total", "rank", "grade", "points"):
        assert after[key] == before[key], key
    assert store.state() == "published"
    assert "迟报重大事故" in store.status("2022-10-21")
    assert "迟报重大事故" in store.ok("audit", "log")
    # the revocation itself never changes
    store.refused(
        "revoke", "--subject", "E2", "--reason", "改口", "--as", "pat", "--today", "2022-10-21"
    )
    with pytest.raises(sqlite3.DatabaseError):
        store.sql(_update_text_columns(store, "revoc", "改口"))


# ---------------------------------------------------------------- the database freeze


def _tables(store: Store) -> list[str]:
    conn = sqlite3.connect(store.path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    finally:
        conn.close()


def _table(store: Store, fragment: str) -> str:
    return next(t for t in _tables(store) if fragment in t and not t.startswith("ds"))


def _text_columns(store: Store, table: str) -> list[str]:
    conn = sqlite3.connect(store.path)
    try:
        cols = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    finally:
        conn.close()
    return [c[1] for c in cols if c[2].upper() == "TEXT" and not c[5]]


def _update_text_columns(store: Store, fragment: str, value: str) -> str:
    table = _table(store, fragment)
    col = next(c for c in _text_columns(store, table) if c in ("reason", "total", "delta"))
    return f'UPDATE "{table}" SET "{col}" = \'{value}\''


def test_published_results_are_frozen_in_the_database(store: Store) -> None:
    published(store)
    results = _table(store, "result")
    for statement in (
        f"UPDATE \"{results}\" SET total = '99.00'",
        f'UPDATE "{results}" SET selected = 1 - selected',
        f'DELETE FROM "{results}"',
    ):
        with pytest.raises(sqlite3.DatabaseError):
            store.sql(statement)
    assert store.rows()["E1"]["total"] == 90


def test_published_adjustments_are_frozen_in_the_database(store: Store) -> None:
    tie_resolved(store)
    store.ok(
        "adjust",
        "--subject",
        "E6",
        "--target",
        "total",
        "--delta",
        "+1",
        "--reason",
        "r",
        "--as",
        "alice",
    )
    store.ok("approve", "1", "--as", "bob")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    adjustments = _table(store, "adjust")
    for statement in (
        f"UPDATE \"{adjustments}\" SET delta = '50'",
        f"UPDATE \"{adjustments}\" SET status = 'rejected'",
        f'DELETE FROM "{adjustments}"',
    ):
        with pytest.raises(sqlite3.DatabaseError):
            store.sql(statement)
    assert store.rows()["E6"]["total"] == 41


def test_published_run_cannot_be_unpublished_in_the_database(store: Store) -> None:
    published(store)
    with pytest.raises(sqlite3.DatabaseError):
        store.sql("UPDATE runs SET status = 'notice'")
    with pytest.raises(sqlite3.DatabaseError):
        store.sql("DELETE FROM runs")


# ---------------------------------------------------------------- the audit log


def test_one_audit_entry_per_action_with_actor_time_and_reason(store: Store) -> None:
    before = store.audit_count()
    steps: list[tuple[str, ...]] = [
        ("review-start", "--as", "alice", "--today", "2022-09-01"),
        (
            "resolve-tie",
            "--award",
            "star",
            "--select",
            "E3",
            "--as",
            "alice",
            "--reason",
            "抽签决定",
        ),
        (
            "adjust",
            "--subject",
            "E6",
            "--target",
            "total",
            "--delta",
            "+1",
            "--reason",
            "补录加分",
            "--as",
            "alice",
        ),
        ("approve", "1", "--as", "bob"),
        ("flag", "--subject", "E5", "--reason", "待核实材料", "--as", "bob"),
        ("unflag", "--subject", "E5", "--reason", "材料无误", "--as", "alice"),
        ("notice", "--as", "pat", "--today", "2022-09-29"),
        (
            "object",
            "--subject",
            "E2",
            "--objector",
            "张某",
            "--reason",
            "考勤造假",
            "--as",
            "alice",
            "--today",
            "2022-09-30",
        ),
        (
            "resolve-objection",
            "1",
            "--dismissed",
            "--reason",
            "查无实据",
            "--as",
            "bob",
            "--today",
            "2022-10-09",
        ),
        ("publish", "--as", "pat", "--today", "2022-10-11"),
        (
            "revoke",
            "--subject",
            "E2",
            "--reason",
            "迟报事故",
            "--as",
            "pat",
            "--today",
            "2022-10-20",
        ),
    ]
    for n, step in enumerate(steps, 1):
        store.ok(*step)
        assert store.audit_count() == before + n, step
    log = store.ok("audit", "log")
    for reason in (
        "抽签决定",
        "补录加分",
        "待核实材料",
        "材料无误",
        "考勤造假",
        "查无实据",
        "迟报事故",
    ):
        assert reason in log, reason
    for actor in ("alice", "bob", "pat"):
        assert actor in log
    # --today is the date the action counts as; the real time is kept as well
    assert "2022-10-20" in log and "2022-09-29" in log
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", log), "the real time of each entry"
    assert store.call("audit", "verify").exit_code == 0


def test_audit_verify_names_a_tampered_entry(store: Store) -> None:
    published(store)
    assert store.call("audit", "verify").exit_code == 0
    conn = sqlite3.connect(store.path)
    try:
        triggers = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        ]
        for name in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        audit = _table(store, "audit")
        seqs = [r[0] for r in conn.execute(f'SELECT rowid FROM "{audit}" ORDER BY rowid')]
        victim = seqs[len(seqs) // 2]
        conn.execute(f"UPDATE \"{audit}\" SET actor = 'mallory' WHERE rowid = ?", (victim,))
        conn.commit()
    finally:
        conn.close()
    result = store.call("audit", "verify")
    assert result.exit_code != 0
    assert str(victim) in result.output, result.output
    assert "Traceback" not in result.output


def test_audit_verify_names_the_first_of_two_tampered_entries(store: Store) -> None:
    published(store)
    conn = sqlite3.connect(store.path)
    try:
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='trigger'"
        ).fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        audit = _table(store, "audit")
        seqs = [r[0] for r in conn.execute(f'SELECT rowid FROM "{audit}" ORDER BY rowid')]
        for victim in (seqs[-2], seqs[3]):
            conn.execute(f"UPDATE \"{audit}\" SET actor = 'mallory' WHERE rowid = ?", (victim,))
        conn.commit()
    finally:
        conn.close()
    result = store.call("audit", "verify")
    assert result.exit_code != 0
    assert re.search(rf"\b{seqs[3]}\b", result.output), result.output
    assert not re.search(rf"\b{seqs[-2]}\b", result.output), result.output


def test_audit_verify_detects_an_edited_published_adjustment(store: Store) -> None:
    tie_resolved(store)
    store.ok(
        "adjust",
        "--subject",
        "E6",
        "--target",
        "total",
        "--delta",
        "+1",
        "--reason",
        "r",
        "--as",
        "alice",
    )
    store.ok("approve", "1", "--as", "bob")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    conn = sqlite3.connect(store.path)
    try:
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='trigger'"
        ).fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute(f"UPDATE \"{_table(store, 'adjust')}\" SET delta = '50.00'")
        conn.commit()
    finally:
        conn.close()
    assert store.rows()["E6"]["adjustments"][0]["delta"] == 50  # the export now lies
    assert store.call("audit", "verify").exit_code != 0


def test_audit_verify_names_a_run_whose_results_were_edited(store: Store) -> None:
    published(store)
    conn = sqlite3.connect(store.path)
    try:
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='trigger'"
        ).fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        results = _table(store, "result")
        conn.execute(f"UPDATE \"{results}\" SET total = '99.00' WHERE subject = 'E6'")
        conn.commit()
    finally:
        conn.close()
    result = store.call("audit", "verify")
    assert result.exit_code != 0
    assert "run 1" in result.output or "run" in result.output, result.output


def test_audit_verify_checks_draft_runs_too(store: Store) -> None:
    results = _table(store, "result")
    try:
        store.sql(f"UPDATE \"{results}\" SET total = '99.00' WHERE subject = 'E6'")
    except sqlite3.DatabaseError:
        pytest.skip("draft results are frozen too")
    result = store.call("audit", "verify")
    assert result.exit_code != 0
    assert "1" in result.output


def test_published_export_carries_the_audit_head(store: Store) -> None:
    published(store)
    doc = store.export()
    assert doc["run"]["status"] == "published"
    head = doc["run"]["audit_head"]
    conn = sqlite3.connect(store.path)
    try:
        audit = _table(store, "audit")
        cols = [c[1] for c in conn.execute(f'PRAGMA table_info("{audit}")')]
        hashes = (
            [r[0] for r in conn.execute(f'SELECT "hash" FROM "{audit}" ORDER BY rowid')]
            if "hash" in cols
            else []
        )
    finally:
        conn.close()
    if hashes:
        assert head == hashes[-1]


# ---------------------------------------------------------------- the command line


def test_status_lists_open_items_and_the_notice_window(store: Store) -> None:
    in_review(store)
    store.ok(
        "adjust",
        "--subject",
        "E6",
        "--target",
        "total",
        "--delta",
        "+1",
        "--reason",
        "补录",
        "--as",
        "alice",
    )
    store.ok("flag", "--subject", "E5", "--reason", "待核实", "--as", "alice")
    status = store.status("2022-09-02")
    assert "in_review" in status
    assert "E3" in status and "E4" in status  # the tie
    assert "E5" in status  # the flag
    assert "E6" in status  # the pending adjustment
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    status = store.status("2022-09-30")
    assert "2022-09-29" in status and "2022-10-10" in status


def test_bad_dates_and_unknown_runs_are_clean_errors(store: Store) -> None:
    result = store.call("review-start", "--as", "alice", "--today", "2022-13-45")
    assert result.exit_code in (1, 2)
    store.run = "99"
    store.refused("review-start", "--as", "alice", "--today", "2022-09-01")
    store.refused("status", "--today", "2022-09-01")


def test_real_binary_refusal_exit_code_and_no_traceback(store: Store) -> None:
    done = subprocess.run(
        [
            str(PIONEER),
            "publish",
            "--db",
            str(store.path),
            "--run",
            "1",
            "--as",
            "pat",
            "--today",
            "2022-10-11",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done
    assert done.stderr.strip() and "Traceback" not in done.stderr
    done = subprocess.run(
        [
            str(PIONEER),
            "status",
            "--db",
            str(store.path),
            "--run",
            "latest",
            "--today",
            "2022-09-01",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "draft" in done.stdout, done


def test_audit_verify_detects_an_edited_revocation(store: Store) -> None:
    published(store)
    selected = next(k for k, r in store.rows().items() if r["selected"])
    store.ok("revoke", "--subject", selected, "--reason", "事后发现责任事故", "--as", "pat")
    assert store.call("audit", "verify").exit_code == 0
    conn = sqlite3.connect(store.path)
    try:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'"):
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("UPDATE review_revocations SET reason = '另有原因'")
        conn.commit()
    finally:
        conn.close()
    result = store.call("audit", "verify")
    assert result.exit_code != 0
    assert "revocation" in result.output
