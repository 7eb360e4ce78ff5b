"""The exports read what is stored, and say exactly what ranking again said.

`service.export` finds an award's open boundary ties from the stored flags
(`review.standings.stored_open_ties`), builds the 公示 list from the rows it
shows and streams the JSON document. Before, it built the whole document
and ranked every award again in Python (`Computer.award(...).open_ties()`).
This test keeps that old computation as the reference (`export_reference`) and walks a run
through a review that moves everything the tie logic depends on: ties in
three `per` groups (one of them the null group), ineligible and vetoed
subjects, a resolved tie, a choice that lapses when an adjustment moves the
tie, a pending adjustment, an upheld objection (递补) that opens a new tie,
a dismissed one, publication and a revocation; an `include_all` award with
`min_score` and a `share` quota, and an award without a quota beside it.
After every step each format's bytes must equal the reference's, and the
TUI's facets (read along the effective order with binary searches) must
equal those of grouping every row, as `browse.facets` did before.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import ACTOR, Scored, campaign
from export_reference import grouped_facets, reference_export

from scoring import browse, service
from scoring.results import resolve_run
from scoring.review.standings import Computer, stored_open_ties

AWARDS = """
a:
  title: 甲奖
  subjects: people
  eligible: member
  veto:
    - {when: "count(records[kind == 'bad']) > 0", reason: 违纪}
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
  grades: {优秀: 80, 合格: 50}
  quota: {count: 4, per: unit, boundary_tie: flag}
b:
  title: 乙奖
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
    s: {max: 10, metric: "sum(records.n)", score: {per: 1}}
  ranking: {tie_break: [s]}
  quota: {share: 0.5, min_score: 40, boundary_tie: include_all}
c:
  title: 丙奖
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
"""

# key: (unit, v, member, vetoed). Award a splits 4 seats as U1 2, U2 1, null 1:
# A2/A3/A4 tie for U1's second seat, B1/B2 for U2's, N1/N2 for the null group's.
PEOPLE = {
    "A1": ("U1", 90, True, False),
    "A2": ("U1", 70, True, False),
    "A3": ("U1", 70, True, False),
    "A4": ("U1", 70, True, False),
    "A5": ("U1", 60, True, False),
    "B1": ("U2", 80, True, False),
    "B2": ("U2", 80, True, False),
    "B3": ("U2", 50, True, False),
    "N1": (None, 65, True, False),
    "N2": (None, 65, True, False),
    "X1": ("U1", 95, False, False),
    "V1": ("U2", 99, True, True),
}
FORMATS = ("json", "csv", "md", "html")
D = dt.date


@pytest.fixture
def scored(tmp_path: Path) -> Scored:
    data: dict[str, Any] = {
        "people": [
            {"id": k, "name": f"名{k}", "unit": u, "member": m}
            for k, (u, _v, m, _b) in PEOPLE.items()
        ],
        "records": [
            {"person": k, "day": "2022-05-01", "v": v, "n": 1, "kind": "bad" if b else "ok"}
            for k, (_u, v, _m, b) in PEOPLE.items()
        ],
    }
    s = campaign(tmp_path, AWARDS, data)
    service.grant_role(s.db, "bob", "reviewer", actor=ACTOR)
    return s


def open_ties(s: Scored) -> dict[str, list[str]]:
    """Each award's open tie keys read from what is stored, checked against
    ranking again."""
    run = resolve_run(s.db, s.summary.run_id)
    rules = service.run_rules(run)
    computer = Computer(s.db, run.id, run.dataset_id, rules.plan)
    out = {}
    for award in rules.plan.awards:
        ties = computer.award(award).open_ties()
        stored = stored_open_ties(s.db, run.id, award)
        assert stored == sorted({k for t in ties for k in t.keys}), award.name
        out[award.name] = stored or []
    return out


def same_exports(s: Scored, today: D) -> dict[str, list[str]]:
    for fmt in FORMATS:
        got = service.export(s.db, s.summary.run_id, fmt, today=today)
        assert got == reference_export(s.db, s.summary.run_id, fmt, today), fmt
    for award in ("a", "b", "c"):
        assert browse.facets(s.db, s.summary.run_id, award) == grouped_facets(
            s.db, s.summary.run_id, award
        )
    return open_ties(s)


def test_exports_equal_the_recomputed_reference_through_a_review(scored: Scored) -> None:
    s, run, day = scored, scored.summary.run_id, D(2022, 9, 20)
    assert same_exports(s, day) == {
        "a": ["A2", "A3", "A4", "B1", "B2", "N1", "N2"],
        "b": [],
        "c": [],
    }
    service.review_start(s.db, run, actor=ACTOR, today=day)
    service.resolve_tie(s.db, run, "a", ["B1"], actor=ACTOR, today=day)
    assert same_exports(s, day)["a"] == ["A2", "A3", "A4", "N1", "N2"]
    # B3 joins U2's tie: the choice of B1 lapses and the tie is open again
    adj = service.adjust(s.db, run, "B3", "total", "+30", reason="复核", award="a", actor=ACTOR)
    service.approve(s.db, run, adj.id, actor="bob")
    assert same_exports(s, day)["a"] == ["A2", "A3", "A4", "B1", "B2", "B3", "N1", "N2"]
    service.resolve_tie(s.db, run, "a", ["B2"], actor=ACTOR, today=day)
    # A3 lifted above the tie takes U1's seat; a pending adjustment moves nothing
    adj = service.adjust(s.db, run, "A3", "k", "+5", reason="补录", award="a", actor=ACTOR)
    service.approve(s.db, run, adj.id, actor="bob")
    service.adjust(s.db, run, "N1", "total", "+1", reason="待批", award="a", actor=ACTOR)
    assert same_exports(s, day)["a"] == ["N1", "N2"]
    service.reject_adjustment(s.db, run, 3, reason="不予", actor="bob")
    service.resolve_tie(s.db, run, "a", ["N2"], actor=ACTOR, today=day)
    assert same_exports(s, day)["a"] == []
    service.open_notice(s.db, run, start=D(2022, 9, 29), actor=ACTOR)
    assert same_exports(s, D(2022, 9, 30))["a"] == []
    upheld = service.raise_objection(
        s.db, run, "A3", objector="张三", reason="材料不实", award="a", actor=ACTOR,
        today=D(2022, 9, 30),
    )  # fmt: skip
    dismissed = service.raise_objection(
        s.db, run, "B2", objector="李四", reason="有疑", award="a", actor=ACTOR,
        today=D(2022, 9, 30),
    )  # fmt: skip
    service.resolve_objection(s.db, run, dismissed.id, upheld=False, reason="不实", actor="bob")
    service.resolve_objection(s.db, run, upheld.id, upheld=True, reason="查实", actor="bob")
    # A3 excluded (递补): A2 and A4 now tie for its seat
    assert same_exports(s, D(2022, 10, 8))["a"] == ["A2", "A4"]
    service.resolve_tie(s.db, run, "a", ["A4"], actor=ACTOR, today=D(2022, 10, 8))
    service.open_notice(s.db, run, start=D(2022, 10, 10), actor=ACTOR)
    service.publish(s.db, run, actor=ACTOR, today=D(2022, 10, 20))
    service.revoke(s.db, run, "B2", reason="事后查实违纪", award="a", actor=ACTOR)
    assert same_exports(s, D(2022, 10, 25)) == {"a": [], "b": [], "c": []}


def test_exports_streamed_to_a_file_are_the_returned_bytes(scored: Scored, tmp_path: Path) -> None:
    for fmt in FORMATS:
        path = tmp_path / f"out.{fmt}"
        with path.open("wb") as out:
            service.export_to(scored.db, scored.summary.run_id, fmt, out, today=D(2022, 9, 20))
        assert path.read_bytes() == service.export(
            scored.db, scored.summary.run_id, fmt, today=D(2022, 9, 20)
        )


def test_results_without_their_per_group_rank_again(scored: Scored) -> None:
    """Results stored before `results.per_group` existed: a `per` quota's ties
    cannot be told apart by group from what is stored, so they are found by
    ranking again with the groups read from the dataset."""
    s = scored
    with s.db.conn:
        s.db.execute("UPDATE results SET per_group = NULL, tie_break = NULL")
    a = next(x for x in service.run_rules(resolve_run(s.db, 1)).plan.awards if x.name == "a")
    assert stored_open_ties(s.db, 1, a) is None
    for fmt in FORMATS:
        got = service.export(s.db, 1, fmt, today=D(2022, 9, 20))
        assert got == reference_export(s.db, 1, fmt, D(2022, 9, 20)), fmt
    csv_text = service.export(s.db, 1, "csv", today=D(2022, 9, 20)).decode("utf-8-sig")
    assert csv_text.count("并列待定") == 7  # A2-A4, B1-B2, N1-N2 still undecided


def test_the_csv_written_a_few_results_at_a_time_is_the_same(
    scored: Scored, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scoring.export import notice_csv

    monkeypatch.setattr(notice_csv, "_CHUNK", 2)  # every award spans several chunks
    s, run, day = scored, scored.summary.run_id, D(2022, 9, 20)
    assert service.export(s.db, run, "csv", today=day) == reference_export(s.db, run, "csv", day)
    service.review_start(s.db, run, actor=ACTOR, today=day)
    for award, keys in (("a", ["B1"]), ("a", ["N2"])):
        service.resolve_tie(s.db, run, award, keys, actor=ACTOR, today=day)
        got = service.export(s.db, run, "csv", today=day)
        assert got == reference_export(s.db, run, "csv", day)


def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path) -> None:
    """`pioneer export ... | head`: the export is written as it is read, so
    the pipe closes under it; it stops quietly with exit 0, as before."""
    import subprocess
    import sys

    from engine_helpers import people, recs

    keys = [f"P{i:04d}" for i in range(150)]
    s = campaign(tmp_path, AWARDS, {"people": people(*keys), "records": recs(keys[0], 1)})
    s.db.close()
    pioneer = Path(sys.executable).with_name("pioneer")
    command = [str(pioneer), "export", "--db", str(s.tmp / "store.db"), "--run", "1"]
    with subprocess.Popen(
        [*command, "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(10) == b'{\n  "run":'
        proc.stdout.close()
        error = proc.stderr.read()
        assert proc.wait() == 0, error
    assert error == b""
