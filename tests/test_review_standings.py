"""Effective standings through the service API: what an approved adjustment
moves, 递补 within a `per` group, stale tie choices, int keys."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import ACTOR, Scored, campaign, people, recs

from scoring import service
from scoring.errors import PioneerError, Remedy


def rows(scored: Scored) -> dict[str, dict[str, Any]]:
    doc = json.loads(service.export(scored.db, scored.run_id, "json").decode(), parse_float=Decimal)
    return {r["subject"]: r for r in doc["awards"]["a"]["results"]}


def start(scored: Scored) -> Scored:
    service.grant_role(scored.db, "bob", "reviewer", actor=ACTOR)
    service.review_start(scored.db, scored.run_id, actor=ACTOR)
    return scored


def adjust_and_approve(scored: Scored, subject: str, target: str, delta: str) -> None:
    adj = service.adjust(
        scored.db, scored.run_id, subject, target, delta, reason="复核", actor=ACTOR
    )
    service.approve(scored.db, scored.run_id, adj.id, actor="bob")


BLOCKS = """
a:
  title: 奖
  subjects: people
  criteria:
    k: {max: 20, metric: "sum(records.v)", score: {per: 1}}
  bonus:
    max: 5
    items:
      b1: {max: 4, metric: "count(records[kind == 'b1'])", score: {per: 2}}
  deductions:
    max: 6
    items:
      d1: {max: 4, metric: "count(records[kind == 'd1'])", score: {per: 1}}
  quota: {count: 1}
"""


def test_deductions_move_the_total_the_other_way(tmp_path: Path) -> None:
    data = {
        "people": people("A", "B"),
        "records": recs("A", 10) + recs("A", None, kind="d1") + recs("B", 10),
    }
    scored = start(campaign(tmp_path, BLOCKS, data))
    assert rows(scored)["A"]["total"] == Decimal("9.00")
    adjust_and_approve(scored, "A", "deductions.d1", "+2")
    a = rows(scored)["A"]
    assert (a["points"]["deductions.d1"], a["points"]["deductions"]) == (
        Decimal("3.00"),
        Decimal("3.00"),
    )
    assert a["total"] == Decimal("7.00") and a["computed_total"] == Decimal("9.00")
    adjust_and_approve(scored, "A", "bonus.b1", "+4")
    a = rows(scored)["A"]
    assert (a["points"]["bonus"], a["total"]) == (Decimal("4.00"), Decimal("11.00"))
    assert a["selected"] and not rows(scored)["B"]["selected"]


def test_an_adjustment_beyond_the_block_max_is_refused(tmp_path: Path) -> None:
    data = {"people": people("A"), "records": recs("A", 10)}
    scored = start(campaign(tmp_path, BLOCKS, data))
    service.adjust(scored.db, 1, "A", "bonus.b1", "+4", reason="r", actor=ACTOR)
    service.adjust(scored.db, 1, "A", "bonus", "+2", reason="r", actor=ACTOR)
    service.approve(scored.db, 1, 1, actor="bob")
    with pytest.raises(PioneerError, match=r"`bonus` would be 6, outside \[0, 5\]"):
        service.approve(scored.db, 1, 2, actor="bob")
    with pytest.raises(PioneerError, match=r"`bonus.b1` would be 5, outside \[0, 4\]"):
        service.adjust(scored.db, 1, "A", "bonus.b1", "+1", reason="r", actor=ACTOR)


def test_approval_checks_the_range_with_what_is_already_approved(tmp_path: Path) -> None:
    data = {"people": people("A"), "records": recs("A", 10)}
    scored = start(campaign(tmp_path, BLOCKS, data))
    first = service.adjust(scored.db, 1, "A", "k", "-6", reason="r", actor=ACTOR)
    second = service.adjust(scored.db, 1, "A", "k", "-6", reason="r", actor=ACTOR)
    service.approve(scored.db, 1, first.id, actor="bob")
    with pytest.raises(PioneerError, match=r"`k` would be -2"):
        service.approve(scored.db, 1, second.id, actor="bob")


PER_UNIT = """
a:
  title: 奖
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
  quota: {count: 2, per: unit}
"""


def test_substitution_stays_within_the_per_group(tmp_path: Path) -> None:
    data = {
        "people": people(("A1", "东"), ("A2", "东"), ("B1", "西"), ("B2", "西"), ("A3", "东")),
        "records": recs("A1", 90) + recs("A2", 80) + recs("A3", 50) + recs("B1", 85)
        + recs("B2", 70),
    }  # fmt: skip
    scored = start(campaign(tmp_path, PER_UNIT, data))
    assert {k for k, r in rows(scored).items() if r["selected"]} == {"A1", "B1"}
    service.open_notice(scored.db, 1, start=dt.date(2022, 9, 29), actor=ACTOR)
    obj = service.raise_objection(
        scored.db, 1, "A1", objector="张三", reason="r", actor=ACTOR,
        today=dt.date(2022, 9, 30),
    )  # fmt: skip
    service.resolve_objection(scored.db, 1, obj.id, upheld=True, reason="查实", actor="bob")
    selected = {k for k, r in rows(scored).items() if r["selected"]}
    assert selected == {"A2", "B1"}  # A1's seat goes to the next of its own unit
    assert service.run_status(scored.db, 1).status == "in_review"


def test_a_tie_choice_lapses_when_the_tie_changes(tmp_path: Path) -> None:
    awards = """
a:
  title: 奖
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
  quota: {count: 1}
"""
    data = {
        "people": people("A", "B", "C"),
        "records": recs("A", 50) + recs("B", 50) + recs("C", 40),
    }
    scored = start(campaign(tmp_path, awards, data))
    service.resolve_tie(scored.db, 1, "a", ["B"], actor=ACTOR)
    assert [k for k, r in rows(scored).items() if r["selected"]] == ["B"]
    assert service.run_status(scored.db, 1).items == []
    adjust_and_approve(scored, "C", "total", "+10")  # C joins the tie: the old choice lapses
    assert not any(r["selected"] for r in rows(scored).values())
    items = service.run_status(scored.db, 1).items
    assert [i.kind for i in items] == ["tie"] and "A, B, C tied for 1 seat(s)" in items[0].text


INT_KEYS = """
people:
  key: id
  columns: {id: int, name: text, unit: text}
records:
  date: day
  links: {people: person}
  columns: {person: int, day: date, v: number}
"""


def test_int_keys_are_named_as_stored(tmp_path: Path) -> None:
    awards = """
a:
  title: 奖
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
  quota: {count: 1}
"""
    data = {
        "people": [{"id": 7, "name": "七", "unit": "u"}, {"id": 10, "name": "十", "unit": "u"}],
        "records": [{"person": 7, "day": "2022-06-01", "v": 5}, {"person": 10, "day": "2022-06-01", "v": 6}],
    }  # fmt: skip
    scored = start(campaign(tmp_path, awards, data, tables=INT_KEYS))
    adjust_and_approve(scored, "007", "total", "+2")
    assert [k for k, r in rows(scored).items() if r["selected"]] == ["7"]
    assert list(rows(scored)) == ["7", "10"]


def test_subject_in_several_awards_needs_the_award(tmp_path: Path) -> None:
    awards = """
a:
  title: 奖
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
b:
  title: 乙
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
"""
    data = {"people": people("A"), "records": recs("A", 5)}
    scored = start(campaign(tmp_path, awards, data))
    with pytest.raises(PioneerError, match=r"several awards .*a, b.*name the award") as refused:
        service.flag(scored.db, 1, "A", reason="r", actor=ACTOR)
    assert refused.value.remedy is Remedy.NAME_AWARD
    held = service.flag(scored.db, 1, "A", reason="r", award="b", actor=ACTOR)
    assert held.award == "b"
