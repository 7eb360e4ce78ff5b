"""The §5 workflow end to end through the CLI: review, adjust and approve,
resolve a tie, notice, objection and 递补, a new notice, publish, revoke; the
export follows every step and stays valid against its JSON Schema."""

from __future__ import annotations

import shlex
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
from review_helpers import Store, in_review, reviewed_store

from scoring.export import export_schema

VALIDATOR = jsonschema.Draft202012Validator(export_schema())


def valid(doc: dict[str, Any]) -> dict[str, Any]:
    VALIDATOR.validate(doc)
    return doc


def test_whole_flow(tmp_path: Path) -> None:
    store = reviewed_store(tmp_path)
    assert valid(store.export())["run"]["status"] == "draft"
    store.ok("review-start", "--as", "alice", "--today", "2022-09-01")
    assert store.export()["run"]["status"] == "in_review"
    assert store.selected() == ["P1", "P2"]  # P3 and P4 tie for the third seat

    store.ok("resolve-tie", "--award", "a", "--select", "P4", "--as", "bob")
    assert store.selected() == ["P1", "P2", "P4"]

    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    assert store.export()["run"]["status"] == "notice"
    store.ok(
        "object",
        "--subject",
        "P2",
        "--objector",
        "李四",
        "--reason",
        "服务投诉未计入",
        "--as",
        "alice",
        "--today",
        "2022-10-08",
    )
    store.ok("resolve-objection", "1", "--dismissed", "--reason", "投诉经核实无效", "--as", "bob")
    store.refused("publish", "--as", "pat", "--today", "2022-10-10")
    out = store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    assert "run 1 published" in out

    doc = valid(store.export())
    assert doc["run"]["status"] == "published"
    assert (
        doc["run"]["audit_head"]
        == store.sql("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1")[0][0]
    )
    assert [r["subject"] for r in doc["awards"]["a"]["results"] if r["selected"]] == [
        "P1",
        "P2",
        "P4",
    ]
    assert "nothing open" not in store.ok("status")
    assert store.ok("status").startswith("run 1: published")


def test_adjustment_counts_only_once_approved_and_reranks(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    out = store.ok(
        "adjust",
        "--subject",
        "P5",
        "--target",
        "total",
        "--delta",
        "+15",
        "--reason",
        "补录志愿服务时长",
        "--as",
        "alice",
        "--today",
        "2022-09-02",
    )
    assert out.startswith("adjustment 1: a P5 total +15.00")
    pending = valid(store.export())["awards"]["a"]["results"]
    p5 = next(r for r in pending if r["subject"] == "P5")
    assert p5["total"] == Decimal("60.00") and p5["rank"] == 5
    assert p5["computed_total"] == Decimal("60.00")
    assert p5["adjustments"][0]["status"] == "pending"
    assert p5["adjustments"][0]["approved_by"] is None

    store.ok("approve", "1", "--as", "bob", "--today", "2022-09-03")
    rows = valid(store.export())["awards"]["a"]["results"]
    assert [r["subject"] for r in rows] == ["P1", "P2", "P5", "P3", "P4", "P6"]
    p5 = rows[2]
    assert p5["total"] == Decimal("75.00")
    assert p5["computed_total"] == Decimal("60.00")
    assert (p5["rank"], p5["grade"], p5["selected"]) == (3, "良好", True)
    assert p5["adjustments"] == [
        {
            "id": 1,
            "target": "total",
            "delta": Decimal("15.00"),
            "reason": "补录志愿服务时长",
            "author": "alice",
            "created": "2022-09-02",
            "status": "approved",
            "approved_by": "bob",
            "decided": "2022-09-03",
        }
    ]
    # the tie for the last seat is gone: P3 and P4 now share rank 4, outside the quota
    assert not any(r["boundary_tie"] for r in rows)
    assert "computed_total" not in rows[0]
    # the computed results themselves never changed
    assert store.sql("SELECT total FROM results WHERE subject = 'P5'") == [("60.00",)]


def test_node_adjustment_moves_parent_total_and_tie_break(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    store.ok(
        "adjust", "--subject", "P4", "--target", "s", "--delta", "0.5", "--reason", "复核",
        "--as", "alice",
    )  # fmt: skip
    store.ok("approve", "1", "--as", "bob")
    rows = store.rows()
    assert rows["P4"]["points"]["s"] == Decimal("5.50")
    assert rows["P4"]["total"] == Decimal("70.50")
    assert rows["P4"]["rank"] == 3 and rows["P4"]["selected"]
    assert rows["P3"]["rank"] == 4 and not rows["P3"]["selected"]


def test_rejected_adjustment_never_counts(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    store.ok(
        "adjust", "--subject", "P6", "--target", "k", "--delta", "-5", "--reason", "误录",
        "--as", "alice",
    )  # fmt: skip
    store.refused("approve", "1", "--reject", "--as", "bob")  # a rejection needs a reason
    store.ok("approve", "1", "--reject", "--reason", "数据无误", "--as", "alice")  # withdrawn
    row = store.rows()["P6"]
    assert row["total"] == Decimal("50.00")
    assert row["adjustments"][0]["status"] == "rejected"
    assert "awaits approval" not in store.ok("status")
    store.refused("approve", "1", "--as", "bob")  # no longer pending


def test_upheld_objection_substitutes_the_next_in_rank(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok(
        "object", "--subject", "P1", "--objector", "张三", "--reason", "隐瞒事故",
        "--as", "alice", "--today", "2022-09-30",
    )  # fmt: skip
    out = store.ok("resolve-objection", "1", "--upheld", "--reason", "查实", "--as", "bob")
    assert "back in review" in out
    doc = valid(store.export())
    assert doc["run"]["status"] == "in_review"
    rows = {r["subject"]: r for r in doc["awards"]["a"]["results"]}
    # P1 keeps its rank but not its seat; P3 and P4 (tied) both move up into the seats
    assert rows["P1"]["rank"] == 1 and not rows["P1"]["selected"]
    assert rows["P1"]["excluded"] == {
        "objection": 1,
        "finding": "查实",
        "on": rows["P1"]["excluded"]["on"],
    }
    assert store.selected() == ["P2", "P3", "P4"]
    status = store.ok("status")
    assert "run 1: in_review" in status and "closed: objection 1 upheld" in status
    store.refused("publish", "--as", "pat", "--today", "2022-12-01")  # no open notice
    store.ok("notice", "--as", "pat", "--today", "2022-10-11")
    store.ok("publish", "--as", "pat", "--today", "2022-10-18")
    assert store.selected() == ["P2", "P3", "P4"]


def test_upheld_objection_can_open_a_new_boundary_tie(tmp_path: Path) -> None:
    figures = {"P1": (85, 5), "P2": (78, 2), "P3": (70, 0), "P4": (60, 5), "P5": (60, 5)}
    store = reviewed_store(tmp_path, figures)
    store.ok("review-start", "--as", "alice")
    assert store.selected() == ["P1", "P2", "P3"]
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok(
        "object", "--subject", "P2", "--objector", "王五", "--reason", "x", "--as", "alice",
        "--today", "2022-09-29",
    )  # fmt: skip
    store.ok("resolve-objection", "1", "--upheld", "--as", "bob")
    rows = store.rows()
    assert rows["P4"]["boundary_tie"] and rows["P5"]["boundary_tie"]
    assert store.selected() == ["P1", "P3"]
    assert "P4, P5 tied for 1 seat(s)" in store.ok("status")
    store.ok("resolve-tie", "--award", "a", "--select", "P5", "--as", "alice")
    assert store.selected() == ["P1", "P3", "P5"]


def test_a_new_notice_is_needed_when_the_selection_moves_during_notice(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")  # the tie is still open
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    err = store.refused("publish", "--as", "pat", "--today", "2022-10-11")
    assert "changed after notice 1 opened" in err
    store.ok("notice", "--as", "pat", "--today", "2022-10-11")  # replaces notice 1
    store.ok("publish", "--as", "pat", "--today", "2022-10-18")


def test_flag_and_unflag(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    store.ok("flag", "--subject", "P2", "--reason", "待核实", "--as", "alice")
    store.refused("flag", "--subject", "P2", "--reason", "again", "--as", "bob")
    assert "flag 1 on a P2 by alice" in store.ok("status")
    store.ok("unflag", "--subject", "P2", "--reason", "已核实", "--as", "bob")
    assert "flag" not in store.ok("status")
    store.refused("unflag", "--subject", "P2", "--reason", "nothing held", "--as", "bob")


def test_revoke_after_publication_is_recorded_beside_the_result(tmp_path: Path) -> None:
    store = published(tmp_path)
    before = store.rows()["P2"]
    store.ok("revoke", "--subject", "P2", "--reason", "事后认定负主要责任", "--as", "pat",
             "--today", "2022-12-01")  # fmt: skip
    after = valid(store.export())["awards"]["a"]["results"]
    p2 = next(r for r in after if r["subject"] == "P2")
    assert p2["revoked"] == {"reason": "事后认定负主要责任", "by": "pat", "on": "2022-12-01"}
    assert {k: v for k, v in p2.items() if k != "revoked"} == before  # the result stays
    assert "revoked: a P2 on 2022-12-01 by pat" in store.ok("status")
    store.refused("revoke", "--subject", "P2", "--reason", "twice", "--as", "pat")
    store.refused("revoke", "--subject", "P6", "--reason", "never selected", "--as", "pat")


def test_every_action_is_one_audit_entry_and_the_chain_verifies(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    start = len(store.audit_actions())
    steps: list[tuple[str, tuple[str, ...]]] = [
        ("adjust", ("--subject", "P6", "--target", "total", "--delta", "+1", "--reason", "r",
                    "--as", "alice", "--today", "2022-09-05")),
        ("approve", ("1", "--as", "bob", "--today", "2022-09-06")),
        ("flag", ("--subject", "P6", "--reason", "hold", "--as", "alice")),
        ("unflag", ("--subject", "P6", "--reason", "ok", "--as", "alice")),
        ("resolve-tie", ("--award", "a", "--select", "P3", "--as", "alice")),
        ("notice", ("--as", "pat", "--today", "2022-09-29")),
        ("object", ("--subject", "P3", "--objector", "赵六", "--reason", "r", "--as", "bob",
                    "--today", "2022-09-30")),
        ("resolve-objection", ("1", "--dismissed", "--reason", "无据", "--as", "alice")),
        ("publish", ("--as", "pat", "--today", "2022-10-11")),
        ("revoke", ("--subject", "P3", "--reason", "veto", "--as", "pat")),
    ]  # fmt: skip
    for command, args in steps:
        store.ok(command, *args)
        entry = store.last_audit()
        assert entry["action"] == command
        assert entry["actor"] == args[args.index("--as") + 1]
        if "--today" in args:
            assert entry["today"] == args[args.index("--today") + 1]
    assert store.audit_actions()[start:] == [c for c, _ in steps]
    assert store.audit_actions()[start - 1] == "review-start"
    first = store.sql("SELECT detail FROM audit WHERE action = 'adjust'")[0][0]
    assert '"reason":"r"' in first and '"target":"total"' in first
    assert "audit log ok" in store.ok("audit", "verify")


def test_roles_list_grant_and_revoke(tmp_path: Path) -> None:
    store = reviewed_store(tmp_path)
    listing = store.ok("roles", "list")
    assert "admin: admin" in listing and "alice: reviewer" in listing
    store.refused("roles", "grant", "mallory", "admin", "--as", "alice")
    store.ok("roles", "revoke", "alice", "reviewer", "--as", "admin")
    assert "alice" not in store.ok("roles", "list")
    store.refused("roles", "revoke", "admin", "admin", "--as", "admin")  # the last admin
    assert store.audit_actions()[-1] == "roles-revoke"


def test_latest_names_the_run(tmp_path: Path) -> None:
    store = reviewed_store(tmp_path)
    store.run = "latest"
    assert "run 1 is in review" in store.ok("review-start", "--as", "alice")


def published(tmp_path: Path) -> Store:
    store = in_review(tmp_path)
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    return store


def test_printed_approve_command_pastes_back_with_a_store_path_holding_a_space(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "县 办"
    folder.mkdir()
    store = in_review(folder)
    said = store.ok(
        "adjust", "--subject", "P4", "--target", "s", "--delta", "0.5", "--reason", "复核",
        "--as", "alice",
    )  # fmt: skip
    quoted = shlex.quote(str(store.path))
    assert f"`pioneer approve --db {quoted} --run 1 1`" in said
