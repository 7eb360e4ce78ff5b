"""What the subject screen shows, prepared in the worker from an
`Explanation`: plain strings only, so the UI thread only builds widgets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from scoring.effective import Breakdown
from scoring.explain import Explanation
from scoring.export.notice import mask_value
from scoring.numbers import fixed, plain
from scoring.plan import AwardPlan, NodePlan
from tui.format import NONE, metric_text
from tui.lang import tr

EVIDENCE_CAP = 500
"""Evidence rows shown per table; the note says how many there are."""


@dataclass(frozen=True)
class NodeView:
    path: str
    title: str
    max: str
    metric: str | None
    points: str
    no_data: bool
    rule: str
    tables: list[str]
    children: list[NodeView] = field(default_factory=list)
    computed: str | None = None
    """The computed points, when an approved adjustment moved this node."""


@dataclass(frozen=True)
class EvidenceView:
    table: str
    used_by: list[str]
    columns: list[str]
    rows: list[list[str]]
    """Every record of the table linked to the subject in the period, as text."""
    count: int
    counted: dict[str, frozenset[int]] = field(default_factory=dict)
    """Reader (node path, `eligible`, `veto N`) -> positions in `rows` of the
    records it counted (`scoring.counted`)."""

    def shown(self, reader: str | None, everything: bool) -> tuple[list[int], str | None]:
        """The positions of the rows to show, and whose records they are: the
        records `reader` counted (`reader` returned), or when it reads nothing
        of this table (or is None) those any rule counted (""); every record
        when `everything` (None)."""
        if everything:
            return list(range(len(self.rows))), None
        if reader is not None and reader in self.counted:
            return sorted(self.counted[reader]), reader
        return sorted(frozenset[int]().union(*self.counted.values())), ""


@dataclass(frozen=True)
class SubjectView:
    run_id: int
    award: str
    award_title: str
    subject: str
    name: str | None
    unit: str | None
    rank: int | None
    ranked_count: int
    total: str
    grade: str | None
    selected: bool
    boundary_tie: bool
    eligible: bool
    eligible_rule: str | None
    vetoes: list[str]
    veto_rules: list[tuple[str, str]]
    warnings: list[str]
    nodes: list[NodeView]
    formula: str
    computed_total: str | None
    excluded: bool
    substituted: bool
    revoked: str | None
    subject_row: list[tuple[str, str]]
    evidence: list[EvidenceView]

    def node(self, path: str) -> NodeView | None:
        """The node at `path` (None for a reader that is no node: `eligible`, `veto N`)."""
        stack = list(self.nodes)
        while stack:
            node = stack.pop()
            if node.path == path:
                return node
            stack.extend(node.children)
        return None


def cell(value: Any) -> str:
    """An evidence value for people: dates ISO, booleans yes/no, exact numbers."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return tr("value.yes") if value else tr("value.no")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return fixed(value, 6).rstrip("0").rstrip(".")
    return str(value)


MASK = "***"
"""What a reviewer sees of a `private` column (phone, ID number)."""


def _shown(ex: Explanation, table: str, column: str, value: Any) -> str:
    """A cell as the reviewer may see it: a private column masked."""
    if column in ex.private.get(table, frozenset()) and value is not None:
        return MASK
    return cell(value)


def _heading(ex: Explanation, field: str, value: str | None) -> str | None:
    """The subject's name or unit for the title: masked as the ranking and
    the 公示 list mask it when its column is private."""
    if value is None or field not in ex.private.get(ex.award.subjects, frozenset()):
        return value
    return mask_value(field, value)


def _metric(stored: Any) -> str:
    """A stored metric; a missing one shows as `-` (the node says 无数据)."""
    return NONE if stored is None else metric_text(stored)


def _rule(node: NodePlan) -> str:
    if not node.is_leaf:
        return tr("rule.sum", max=plain(node.max))
    parts = [tr("rule.metric", text=node.metric.text)] if node.metric is not None else []
    if node.default is not None:
        shown = plain(node.default) if isinstance(node.default, int | Fraction) else node.default
        parts.append(tr("rule.default", value=shown))
    if node.score is not None:
        parts.append(tr("rule.score", text=node.score.describe()))
    return "; ".join(parts)


def _node(ex: Explanation, path: str, used: dict[str, list[str]]) -> NodeView:
    node = ex.award.nodes[path]
    r = ex.result
    return NodeView(
        path=path,
        title=node.title if node.title != path else path.split(".")[-1],
        max=plain(node.max),
        metric=_metric(r.metrics.get(path)) if node.metric is not None else None,
        points=r.points.get(path, NONE),
        no_data=path in r.no_data,
        rule=_rule(node),
        tables=sorted({t for t, users in used.items() if path in users}),
        children=[_node(ex, c, used) for c in node.children],
        computed=r.changed_points.get(path),
    )


def _block(
    ex: Explanation, name: str, title: str, items: tuple[str, ...], most: Fraction, used: Any
) -> NodeView:
    return NodeView(
        path=name,
        title=title,
        max=plain(most),
        metric=None,
        points=ex.result.points.get(name, NONE),
        no_data=False,
        rule=tr("rule.sum", max=plain(most)),
        tables=[],
        children=[_node(ex, item, used) for item in items],
        computed=ex.result.changed_points.get(name),
    )


TERM_LABELS = {
    "bonus": "term.bonus",
    "deductions": "term.deductions",
    "total": "term.total",
    "floor": "term.floor",
}
"""A term of the total line that is no criterion -> the catalogue key of its label."""


def formula(award: AwardPlan, b: Breakdown) -> str:
    """The total line: the effective terms, each with its computed figure
    where an adjustment moved it, adding up to the total printed at its end."""
    text = ""
    for i, t in enumerate(b.terms):
        key = TERM_LABELS.get(t.path)
        label = tr(key) if key is not None else award.nodes[t.path].title
        sign, figure = (-t.sign, t.points[1:]) if t.points.startswith("-") else (t.sign, t.points)
        term = f"{label} {figure}" + (
            tr("formula.computed", value=t.computed) if t.computed is not None else ""
        )
        if i == 0:
            text += ("-" if sign < 0 else "") + term
        else:
            text += (" - " if sign < 0 else " + ") + term
    line = tr("formula.line", terms=text, total=b.total)
    if b.computed_total is not None:
        line += tr("formula.before", value=b.computed_total)
    return line + tr("formula.floor")


def build(ex: Explanation) -> SubjectView:
    r, a = ex.result, ex.award
    used = {e.table: e.used_by for e in ex.evidence}
    nodes = [_node(ex, p, used) for p in a.top]
    if a.bonus is not None:
        nodes.append(_block(ex, "bonus", tr("term.bonus"), a.bonus.items, a.bonus.max, used))
    if a.deductions is not None:
        title = tr("term.deductions")
        nodes.append(_block(ex, "deductions", title, a.deductions.items, a.deductions.max, used))
    evidence = [
        EvidenceView(
            table=e.table,
            used_by=e.used_by,
            columns=e.columns,
            rows=[[_shown(ex, e.table, c, row.get(c)) for c in e.columns] for row in e.rows],
            count=len(e.rows),
            counted=ex.counted.get(e.table, {}),
        )
        for e in ex.evidence
    ]
    subject_row = [(k, _shown(ex, a.subjects, k, v)) for k, v in (ex.subject_row or {}).items()]
    return SubjectView(
        run_id=ex.run.id,
        award=a.name,
        award_title=a.title,
        subject=r.subject,
        name=_heading(ex, "name", r.name),
        unit=_heading(ex, "unit", r.unit),
        rank=r.rank,
        ranked_count=ex.ranked_count,
        total=r.total,
        grade=r.grade,
        selected=r.selected,
        boundary_tie=r.boundary_tie,
        eligible=r.eligible,
        eligible_rule=a.eligible.text if a.eligible is not None else None,
        vetoes=list(r.veto),
        veto_rules=[(v.when.text, v.reason) for v in a.vetoes],
        warnings=list(r.warnings),
        nodes=nodes,
        formula=formula(a, ex.breakdown),
        computed_total=r.computed_total if r.total_changed else None,
        excluded=r.excluded,
        substituted=r.substituted,
        revoked=(
            f"{r.revocation.revoked} {r.revocation.actor}: {r.revocation.reason}"
            if r.revocation is not None
            else None
        ),
        subject_row=subject_row,
        evidence=evidence,
    )
