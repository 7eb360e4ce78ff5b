"""The evidence tab lists the records a rule counted (`scoring.counted`): a
leaf over `volunteering[kind == '疫情防控']` shows only those records, `w`
shows all of the subject's records in the table and back; a crew's count of
its riders graded 优秀 counts the riders the run graded so."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from test_tui_actions import reviewed  # noqa: F401  (the scored example, in review)
from test_tui_flows import walk
from tui_helpers import settle, until

from scoring import service
from tui.app import ReviewApp
from tui.screens.subject import EvidenceTable, SubjectScreen
from tui.widgets.criteria import CriteriaTree

EPIDEMIC = "疫情防控"


def _kinds(db_path: Path, subject: str) -> tuple[list[str], list[int]]:
    """Every volunteering record of `subject` (kind), and the positions of the 疫情防控 ones."""
    db = service.open_existing(db_path)
    try:
        ex = service.explain(db, 1, "pioneer_rider", subject)
    finally:
        db.close()
    rows = next(e.rows for e in ex.evidence if e.table == "volunteering")
    kinds = [str(r["kind"]) for r in rows]
    return kinds, [i for i, k in enumerate(kinds) if k == EPIDEMIC]


def test_the_library_names_the_records_each_rule_counted(reviewed: Path) -> None:  # noqa: F811
    kinds, epidemic = _kinds(reviewed, "R0001")
    assert 0 < len(epidemic) < len(kinds)  # mixed records: some count, some do not
    db = service.open_existing(reviewed)
    try:
        ex = service.explain(db, 1, "pioneer_rider", "R0001")
        counted = ex.counted["volunteering"]
        assert counted["bonus.epidemic"] == frozenset(epidemic)
        assert counted["bonus"] == frozenset(epidemic)  # a block counts what its items count
        assert counted["dedication.hours"] == frozenset(range(len(kinds)))  # sum(hours): all
        crew = service.explain(db, 1, "pioneer_crew", "T002")
        riders = next(e.rows for e in crew.evidence if e.table == "riders")
        grades = dict(
            db.execute(
                "SELECT subject, grade FROM results WHERE run_id = 1 AND award = 'pioneer_rider'"
            ).fetchall()
        )
    finally:
        db.close()
    excellent = {i for i, r in enumerate(riders) if grades[str(r["id"])] == "优秀"}
    assert excellent  # the example's T002 has riders graded 优秀, and others
    assert (
        crew.counted["riders"]["business.rider_excellent"] == excellent != set(range(len(riders)))
    )


def test_the_evidence_tab_shows_the_counted_records_and_w_shows_all(
    reviewed: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    shutil.copy(reviewed, path)
    kinds, epidemic = _kinds(path, "R0001")
    app = ReviewApp(str(path), actor="clerk")

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            app.open_subject(1, "pioneer_rider", "R0001")
            await until(
                pilot,
                lambda: (
                    isinstance(app.screen, SubjectScreen) and bool(app.screen.query(CriteriaTree))
                ),
            )
            screen = app.screen
            assert isinstance(screen, SubjectScreen)
            tree = screen.query_one(CriteriaTree)
            pane = screen.query_one("#evidence-volunteering")
            table = pane.query_one(EvidenceTable)
            column = [str(c.label) for c in table.columns.values()].index("kind")

            def shown() -> list[str]:
                return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]

            node = next(n for n in walk(tree.root) if n.data and n.data.path == "bonus.epidemic")
            tree.move_cursor(node)
            await settle(pilot)
            assert screen.reader == "bonus.epidemic"
            assert shown() == [EPIDEMIC] * len(epidemic)  # exactly the counted records
            note = str(pane.query_one(".evidence-note").render())
            assert f"{len(kinds)} 条记录中 {len(epidemic)} 条计入" in note

            await pilot.press("w")  # every record of the subject in the table
            await settle(pilot)
            assert shown() == kinds
            await pilot.press("w")
            await settle(pilot)
            assert shown() == [EPIDEMIC] * len(epidemic)

            hours = next(n for n in walk(tree.root) if n.data and n.data.path == "dedication.hours")
            tree.move_cursor(hours)  # sum(volunteering.hours) counts every record
            await settle(pilot)
            assert shown() == kinds

    asyncio.run(main())


def test_an_inner_node_counts_what_its_leaves_count(reviewed: Path) -> None:  # noqa: F811
    """At every depth: YL008's 质量 holds 其他有效申诉, whose leaf 有效申诉
    counts one of its complaints."""
    db = service.open_existing(reviewed)
    try:
        ex = service.explain(db, 1, "pioneer_route", "YL008")
    finally:
        db.close()
    assert len(ex.counted["complaints"]["quality.complaints.valid"]) == 1
    nested = [p for p, n in ex.award.nodes.items() if not n.is_leaf and p.count(".")]
    assert nested  # the rule has an inner node below the top level
    for table, counted in ex.counted.items():
        for path, node in ex.award.nodes.items():
            if node.is_leaf or path not in counted:
                continue
            leaves = [
                p for p, n in ex.award.nodes.items() if n.is_leaf and p.startswith(path + ".")
            ]
            expected = frozenset().union(*(counted.get(p, frozenset()) for p in leaves))
            assert counted[path] == expected, (table, path)
