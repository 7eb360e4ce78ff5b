"""One reader of effective results (issue 6, the defect that showed it).

After approved adjustments — `-1` on a node (`business.volume`), `+2` on a
deduction item and `+2` on another subject's total — every reader shows the
same effective figures: `export` json and the 公示 documents (csv, md, html),
`rank`, `explain` and the TUI's subject screen; and every breakdown adds up to
the total printed beside it, the computed figure shown alongside.

| subject | volume | extra | business | service | bonus | deductions | total |
| --- | --- | --- | --- | --- | --- | --- | --- |
| P1 | 30 | 15 | 45 | 30 | 1 | 2 | 74 |
| P2 | 40 | 20 | 60 | 20 | 0 | 0 | 80 |
| P3 | 5 | 0 | 5 | 10 | 0 | 0 | 15 |
| P4 | 20 | 0 | 20 | 40 | 0 | 0 | 60 |

Adjusted: P1 business.volume −1 and deductions.late +2 (total 74 → 71),
P2 total +2 (80 → 82). Quota: 2 seats (P2, P1).
"""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from engine_helpers import rules_text, write_tables
from review_helpers import Store, invoke
from textual.widgets import Static
from tui_helpers import until

from scoring import effective, service
from tui.app import ReviewApp
from tui.screens.subject import SubjectScreen
from tui.widgets.criteria import CriteriaTree

AWARD = """
a:
  title: 测试奖
  subjects: people
  criteria:
    business:
      title: 比业务
      max: 60
      criteria:
        volume: {title: 投递量, max: 40, metric: "sum(records.v)", score: {per: 1}}
        extra: {title: 额外, max: 20, metric: "sum(records.n)", score: {per: 1}}
    service: {title: 比服务, max: 40, metric: "count(records)", score: {per: 10}}
  bonus:
    max: 5
    items:
      honors: {max: 5, metric: "count(records[ok])", score: {per: 1}}
  deductions:
    max: 10
    items:
      late: {max: 10, metric: "count(records[kind == 'late'])", score: {per: 2}}
  grades: {优秀: 75, 良好: 60, 合格: 0}
  quota: {count: 2}
"""


def _records() -> list[dict[str, Any]]:
    def rec(person: str, v: int, n: int, ok: bool = False, kind: str = "") -> dict[str, Any]:
        return {"person": person, "day": "2022-06-01", "v": v, "n": n, "ok": ok, "kind": kind}

    return [
        rec("P1", 10, 5, ok=True),
        rec("P1", 10, 5, kind="late"),
        rec("P1", 10, 5),
        rec("P2", 20, 10),
        rec("P2", 20, 10),
        rec("P3", 5, 0),
        *[rec("P4", 5, 0) for _ in range(4)],
    ]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    tmp = tmp_path_factory.mktemp("effective")
    text = rules_text(AWARD)
    rules = tmp / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    people = [{"id": k, "name": f"名{k}", "unit": "城关镇"} for k in ("P1", "P2", "P3", "P4")]
    write_tables(tmp / "data", text, {"people": people, "records": _records()})
    db = tmp / "store.db"
    done = invoke(
        "score", rules, "--db", db, "--period", "2022", "--data", tmp / "data", "--as", "admin"
    )
    assert done.exit_code == 0, done.stderr
    s = Store(db)
    s.ok("roles", "grant", "alice", "reviewer", "--as", "admin")
    s.ok("roles", "grant", "bob", "reviewer", "--as", "admin")
    s.ok("review-start", "--as", "alice")
    for subject, target, delta in (
        ("P1", "business.volume", "-1"),
        ("P1", "deductions.late", "+2"),
        ("P2", "total", "+2"),
    ):
        s.ok("adjust", "--subject", subject, "--target", target, "--delta", delta,
             "--reason", "材料核实", "--as", "alice")  # fmt: skip
    for adjustment in ("1", "2", "3"):
        s.ok("approve", adjustment, "--as", "bob")
    return s


EFFECTIVE = {"P1": Decimal("71.00"), "P2": Decimal("82.00"), "P4": Decimal("60.00")}


def _adds_up(row: dict[str, Any]) -> bool:
    p = row["points"]
    by_total = sum(
        (
            a["delta"]
            for a in row["adjustments"]
            if a["status"] == "approved" and a["target"] == "total"
        ),
        Decimal(0),
    )
    return p["business"] + p["service"] + p["bonus"] - p["deductions"] + by_total == row["total"]


def test_export_json_shows_node_parents_and_total_adjusted(store: Store) -> None:
    rows = store.rows()
    p1 = rows["P1"]
    assert p1["points"]["business.volume"] == Decimal("29.00")
    assert p1["points"]["business"] == Decimal("44.00")
    assert p1["points"]["deductions.late"] == Decimal("4.00")
    assert p1["points"]["deductions"] == Decimal("4.00")
    assert (p1["total"], p1["computed_total"]) == (Decimal("71.00"), Decimal("74.00"))
    assert p1["computed_points"] == {
        "business.volume": Decimal("30.00"),
        "business": Decimal("45.00"),
        "deductions.late": Decimal("2.00"),
        "deductions": Decimal("2.00"),
    }
    p2 = rows["P2"]
    assert (p2["total"], p2["computed_total"]) == (Decimal("82.00"), Decimal("80.00"))
    assert "computed_points" not in p2  # only the total moved
    assert "computed_points" not in rows["P3"]
    assert all(_adds_up(r) for r in rows.values())
    assert store.selected() == ["P2", "P1"]


@pytest.mark.parametrize("fmt", ["csv", "md", "html"])
def test_the_notice_documents_list_the_effective_totals(store: Store, fmt: str) -> None:
    done = invoke("export", "--db", store.path, "--run", "1", "--format", fmt)
    assert done.exit_code == 0, done.stderr
    assert "71.00" in done.stdout and "82.00" in done.stdout
    assert "74.00" not in done.stdout and "80.00" not in done.stdout


def test_rank_shows_the_effective_totals_in_effective_order(store: Store) -> None:
    out = invoke("rank", "--db", store.path, "--run", "1", "--award", "a").stdout
    lines = out.splitlines()[1:]
    assert [line.split()[1] for line in lines] == ["P2", "P1", "P4", "P3"]
    totals = {line.split()[1]: Decimal(line.split()[4]) for line in lines}
    assert {k: totals[k] for k in EFFECTIVE} == EFFECTIVE
    assert "adjusted (computed 74.00)" in lines[1] and "adjusted (computed 80.00)" in lines[0]


def _line_adds_up(line: str) -> Decimal:
    """The total line's terms (computed figures in brackets left out) must
    add up to the figure after the last `=`; returns that figure."""
    body = re.sub(r"\s*\([^)]*\)", "", line)
    left, total = body.rsplit("=", 1)
    terms = left.split("=", 1)[1].strip()
    parts = re.split(r" ([+−-]) ", terms)
    signs = ["−" if terms.startswith("−") else "+", *parts[1::2]]
    numbers = [re.findall(r"\d+\.\d+", p)[-1] for p in parts[0::2]]
    figures = [Decimal(n) * (-1 if s in "−-" else 1) for s, n in zip(signs, numbers, strict=True)]
    assert sum(figures, Decimal(0)) == Decimal(total.strip()), line
    return Decimal(total.strip())


def test_explain_prints_the_effective_breakdown_that_adds_up(store: Store) -> None:
    out = invoke(
        "explain", "--db", store.path, "--run", "1", "--award", "a", "--subject", "P1"
    ).stdout
    volume = next(line for line in out.splitlines() if line.strip().startswith("volume"))
    assert "29.00 (computed 30.00)" in volume
    business = next(line for line in out.splitlines() if line.startswith("business"))
    assert "44.00 (computed 45.00)" in business
    line = next(line for line in out.splitlines() if line.startswith("total = "))
    assert _line_adds_up(line) == Decimal("71.00")
    assert "(computed 74.00" in line
    out2 = invoke(
        "explain", "--db", store.path, "--run", "1", "--award", "a", "--subject", "P2"
    ).stdout
    line2 = next(line for line in out2.splitlines() if line.startswith("total = "))
    assert "adjustments of the total 2.00" in line2
    assert _line_adds_up(line2) == Decimal("82.00")
    assert "rank 1 of 4" in out2


def test_every_reader_agrees_with_the_one_reader(store: Store) -> None:
    db = service.open_existing(store.path)
    try:
        _run, ranked = service.ranking(db, "1", "a")
        doc = service.export_document(db, "1")
        for r in ranked:
            one = effective.one(db, 1, "a", r.subject)
            assert one is not None and one.total == r.total
            ex = service.explain(db, "1", "a", r.subject)
            assert ex.breakdown.adds_up() and ex.breakdown.total == r.total
        exported = {x["subject"]: x["total"] for x in doc["awards"]["a"]["results"]}
        assert exported == {r.subject: Decimal(r.total) for r in ranked}
    finally:
        db.close()


def test_a_floor_term_keeps_a_clipped_total_adding_up() -> None:
    from scoring.effective import Breakdown, Term

    b = Breakdown(
        [Term("a", 1, "2.00"), Term("deductions", -1, "6.00"), Term("floor", 1, "4.00")],
        "0.00",
        None,
    )
    assert b.adds_up()
    assert not Breakdown([Term("a", 1, "2.00")], "3.00", None).adds_up()


def test_the_subject_screen_shows_the_effective_breakdown(store: Store) -> None:
    app = ReviewApp(str(store.path))
    app.animation_level = "none"

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            app.open_subject(1, "a", "P1")
            await until(
                pilot, lambda: isinstance(app.screen, SubjectScreen) and app.screen.view is not None
            )
            screen = app.screen
            assert isinstance(screen, SubjectScreen) and screen.view is not None
            summary = str(screen.query_one("#subject-summary", Static).render())
            assert "总分 71.00 (调整前 74.00)" in summary
            formula = screen.view.formula
            assert formula in summary
            terms = re.sub(r"\s*\([^)]*\)", "", formula).split("=")[1]
            figures = [Fraction(f) for f in re.findall(r"\d+\.\d+", terms)]
            signs = [1] + [1 if s == "+" else -1 for s in re.findall(r" ([+-]) ", terms)]
            assert sum(s * f for s, f in zip(signs, figures, strict=True)) == Fraction("71.00")
            assert "扣分 4.00 (原 2.00)" in formula and "比业务 44.00 (原 45.00)" in formula
            tree = screen.query_one("#criteria", CriteriaTree)
            labels = [str(n.label) for n in tree.root.children[0].children]
            assert any("29.00 (原 30.00)" in label for label in labels), labels

    asyncio.run(main())


def test_a_negative_adjustment_of_the_total_reads_as_a_subtraction() -> None:
    from scoring.effective import Breakdown, Term
    from scoring.explain import total_line

    b = Breakdown(
        [Term("business", 1, "44.00", "45.00"), Term("deductions", -1, "4.00"),
         Term("total", 1, "-3.00")],
        "37.00",
        "40.00",
    )  # fmt: skip
    assert b.adds_up()
    line = total_line(b)
    assert line.startswith(
        "total = 44.00 (computed 45.00) − deductions 4.00 − adjustments of the total 3.00 = 37.00"
    )
    assert _line_adds_up(line) == Decimal("37.00")
