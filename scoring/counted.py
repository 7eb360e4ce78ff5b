"""Which evidence records a rule counted: for each node (and the eligibility
and veto rules) of a subject's explanation, the rows of each table that its
aggregates read.

`explain` gathers every row of a table linked to the subject within the
period; a leaf such as `count_distinct(volunteering[kind == '疫情防控'].day)`
counts only some of them. The aggregates of the compiled plan say which: a
row counts for an aggregate over `T[cond]` when `cond` holds for it (the
same evaluator as the scoring, so `subject.NAME` and `period` read as they
did), and for an aggregate over a column (`sum(T.col)`) when that column is
not null, since aggregates skip nulls. `count(T)` and `share(T[cond])` count
every row (a share's denominator is all of them). Rows of a subject table
carry the earlier awards' computed results (`A`, `A.grade`, ...) read from
the run's results, as the scoring saw them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from sqlite_utils import Database

from scoring.award_fields import field_values
from scoring.backend import AwardFields
from scoring.catalog import Catalog
from scoring.explain import Explanation
from scoring.expr import AGGREGATES, DictEnv, Expr, compile_row_filter
from scoring.expr.nodes import Call, Name, TableColumn, TableRows, walk
from scoring.expr.typecheck import CheckedExpr
from scoring.numbers import Value
from scoring.plan import AwardPlan

Row = Mapping[str, Value]


@dataclass(frozen=True)
class Source:
    """What one aggregate reads: a table, optionally a column and a row condition."""

    table: str
    column: str | None
    where: Expr | None
    checked: CheckedExpr
    every_row: bool


def sources(checked: CheckedExpr) -> Iterator[Source]:
    """The aggregates of an expression, each as the rows it reads."""
    for node in walk(checked.expr):
        if not isinstance(node, Call) or node.func not in AGGREGATES:
            continue
        every = node.func == "share"
        match node.args[0]:
            case Name(id=table):
                yield Source(table, None, None, checked, True)
            case TableRows(table=table, where=where):
                yield Source(table, None, where, checked, every)
            case TableColumn(table=table, column=column, where=where):
                yield Source(table, column, where, checked, every)


def _users(award: AwardPlan) -> Iterator[tuple[str, CheckedExpr]]:
    """(who reads, expression): every node's metric and score expression,
    then `eligible` and each veto (labelled as `explain` labels them)."""
    for path, node in award.nodes.items():
        if node.metric is not None:
            yield path, node.metric.checked
        if node.score is not None and node.score.expr is not None:
            yield path, node.score.expr.checked
    if award.eligible is not None:
        yield "eligible", award.eligible.checked
    for i, veto in enumerate(award.vetoes):
        yield f"veto {i + 1}", veto.when.checked


Counted = dict[str, dict[str, frozenset[int]]]
"""Table -> reader (node path, `eligible`, `veto N`) -> positions of the
records it counted among the table's evidence rows."""


def counted_rows(db: Database, ex: Explanation, catalog: Catalog) -> Counted:
    """Per evidence table, per reader (node path, `eligible`, `veto N`), the
    positions in that table's `ex.evidence` rows of the records it counted.
    An inner node, a bonus or deduction block counts what its children count."""
    award = ex.award
    keys = {name: info.key for name, info in catalog.tables.items() if info.key is not None}
    tables = {e.table: e for e in ex.evidence}
    upstream = {step.table: step.awards for step in award.upstream}
    rows = {
        e.table: _with_results(db, ex.run.id, keys.get(e.table), e.rows, upstream.get(e.table, ()))
        for e in ex.evidence
    }
    subject: Row = {}
    if ex.subject_row is not None:
        subject = _with_results(
            db,
            ex.run.id,
            keys.get(award.subjects),
            [ex.subject_row],
            upstream.get(award.subjects, ()),
        )[0]
    env = DictEnv(
        subject=subject,
        period_start=_date(ex.run.period_start),
        period_end=_date(ex.run.period_end),
    )
    out: Counted = {t: {} for t in tables}
    for user, checked in _users(award):
        for source in sources(checked):
            if source.table not in tables:
                continue
            hits = _hits(source, rows[source.table], env)
            found = out[source.table]
            found[user] = found.get(user, frozenset()) | hits
    deepest_first = sorted(award.nodes.items(), key=lambda item: -item[0].count("."))
    for found in out.values():
        for path, node in deepest_first:  # an inner node after the inner nodes below it
            if not node.is_leaf:
                _gather(found, path, node.children)
        for name, block in (("bonus", award.bonus), ("deductions", award.deductions)):
            if block is not None:
                _gather(found, name, block.items)
    return out


def _gather(found: dict[str, frozenset[int]], path: str, children: Sequence[str]) -> None:
    hits = frozenset().union(*(found.get(c, frozenset()) for c in children))
    if hits or any(c in found for c in children):
        found[path] = hits


def _hits(source: Source, rows: Sequence[Row], env: DictEnv) -> frozenset[int]:
    cond = None if source.where is None else compile_row_filter(source.checked, source.where)
    hits = set()
    for i, row in enumerate(rows):
        if source.every_row or (
            (cond is None or cond(env, row) is True)
            and (source.column is None or row.get(source.column) is not None)
        ):
            hits.add(i)
    return frozenset(hits)


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _with_results(
    db: Database, run_id: int, key: str | None, rows: Sequence[Row], awards: Sequence[str]
) -> list[Row]:
    """`rows` of a subject table (key column `key`) with each earlier award's
    computed result as the columns `A` and `A.FIELD` (`scoring.award_fields`)."""
    if not awards or not rows or key is None:
        return list(rows)
    keys = [str(r.get(key)) for r in rows]
    results = _computed(db, run_id, awards, keys)
    out: list[Row] = []
    for k, row in zip(keys, rows, strict=True):
        extra: dict[str, Value] = {}
        for name in awards:
            extra.update(field_values(name, results.get((name, k))))
        out.append({**row, **extra})
    return out


def _computed(
    db: Database, run_id: int, awards: Sequence[str], keys: Sequence[str]
) -> dict[tuple[str, str], AwardFields]:
    """(award, subject) -> that subject's computed result, for every award and key
    named, in one query (each list passed as one JSON parameter: no limit on keys)."""
    found = db.execute(
        "SELECT award, subject, total, grade, eligible, veto != '[]', rank, selected"
        " FROM results WHERE run_id = ?"
        " AND award IN (SELECT value FROM json_each(?))"
        " AND subject IN (SELECT value FROM json_each(?))",
        [run_id, json.dumps(sorted(set(awards))), json.dumps(sorted(set(keys)))],
    )
    return {
        (r[0], r[1]): AwardFields(Fraction(r[2]), r[3], bool(r[4]), bool(r[5]), r[6], bool(r[7]))
        for r in found
    }
