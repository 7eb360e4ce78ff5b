"""The reads of a run as they were computed before they read what is stored:
the reference the differential tests compare with, and the "before" side of
the A/B benchmarks (`tests/benchmarks/test_bench_export.py`,
`test_bench_browse.py`).

* `reference_export`: the whole export document in memory; for the 公示
  list, the open boundary ties found by ranking every award again
  (`review.standings.Computer`).
* `grouped_facets`: the TUI's facets by grouping every row of the award
  (distinct units, grades, counts, histogram: four passes).
"""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from scoring import browse, service
from scoring.export import render_json, render_notice
from scoring.notice_doc import add_notice_facts
from scoring.results import export_document, resolve_run
from scoring.review.standings import Computer


def reference_export(db: Database, run_id: int, fmt: str, today: dt.date) -> bytes:
    """`service.export` as it was: the whole document, ties ranked again."""
    run = resolve_run(db, run_id)
    rules = service.run_rules(run)
    titles = {a.name: a.title for a in rules.plan.awards}
    order = list(rules.model.awards)
    if fmt == "json":
        return render_json(export_document(db, run, titles, order)).encode("utf-8")
    doc = export_document(db, run, titles, order, rules.model.campaign.title)
    add_notice_facts(doc, db, run, rules, today)
    computer = Computer(db, run.id, run.dataset_id, rules.plan)
    for award in rules.plan.awards:
        ties = computer.award(award).open_ties()
        doc["awards"][award.name]["undecided"] = sorted({k for t in ties for k in t.keys})
    masked = {
        a.name: frozenset(
            f for f in ("name", "unit") if f in rules.plan.catalog.tables[a.subjects].private
        )
        for a in rules.plan.awards
    }
    return render_notice(doc, fmt, masked=masked)


def grouped_facets(db: Database, run_id: int, award: str, bins: int = 40) -> browse.Facets:
    """`browse.facets` as it was: every row of the award grouped, pass by pass."""
    source = browse._source(db, run_id, award)
    key = [run_id, award]
    where = f"FROM {source} WHERE run_id = ? AND award = ?"
    units = [
        r[0]
        for r in db.execute(f"SELECT DISTINCT unit {where} AND unit IS NOT NULL ORDER BY unit", key)
    ]
    n, selected = db.execute(f"SELECT COUNT(*), COALESCE(SUM(selected), 0) {where}", key).fetchone()
    spread = browse._by_grouping(db, source, run_id, award, bins)
    return browse._facets(db, run_id, units, n, selected, spread)
