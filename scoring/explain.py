"""`explain`: one subject's breakdown, as stored, with what is needed to
recompute every figure by hand — the rule of each node, its metric value, its
points, and the evidence records behind each metric."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from scoring.data import DatasetReader, Row, key_value
from scoring.diagnostics import display_width
from scoring.numbers import Value, fixed, plain
from scoring.plan import AwardPlan, NodePlan, Plan
from scoring.results import ResultRow, RunInfo
from scoring.review.records import Adjustment

EVIDENCE_LIMIT = 50


@dataclass
class Evidence:
    """The rows of one table linked to the subject in the period."""

    table: str
    used_by: list[str]
    columns: list[str]
    rows: list[Row] = field(default_factory=list)


@dataclass
class Explanation:
    run: RunInfo
    award: AwardPlan
    result: ResultRow
    subject_row: Row | None
    evidence: list[Evidence]
    ranked_count: int
    adjustments: list[Adjustment] = field(default_factory=list)
    computed_total: str | None = None
    notes: list[str] = field(default_factory=list)  # why not selected, next grade (scoring.why)


def gather_evidence(
    plan: Plan, award: AwardPlan, reader: DatasetReader, key: str, period: tuple[dt.date, dt.date]
) -> tuple[Row | None, list[Evidence]]:
    """The subject's own row and, per table read by the award, its linked rows."""
    info = plan.catalog.tables[award.subjects]
    value = key_value(info, key)
    subject = reader.subject(award.subjects, value)
    used: dict[str, list[str]] = {}
    exprs = [(n.path, n) for n in award.nodes.values()]
    for path, node in exprs:
        for expr in _exprs_of(node):
            for table in sorted(expr):
                used.setdefault(table, []).append(path)
    for label, compiled in [
        ("eligible", award.eligible),
        *[(f"veto {i + 1}", v.when) for i, v in enumerate(award.vetoes)],
    ]:
        if compiled is not None:
            for table in sorted(compiled.checked.tables):
                used.setdefault(table, []).append(label)
    evidence = []
    for table in sorted(used):
        tinfo = plan.catalog.tables[table]
        rows = reader.evidence(table, award.subjects, value, period) if subject is not None else []
        columns = list(tinfo.columns)
        if tinfo.virtual:
            columns += list(tinfo.virtual)
        evidence.append(
            Evidence(table, sorted(set(used[table]), key=used[table].index), columns, rows)
        )
    return subject, evidence


def _exprs_of(node: NodePlan) -> list[frozenset[str]]:
    out = []
    if node.metric is not None:
        out.append(node.metric.checked.tables)
    if node.score is not None and node.score.expr is not None:
        out.append(node.score.expr.checked.tables)
    return out


def _cell(value: Value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return (
            fixed(value, 6).rstrip("0").rstrip(".")
            if value.denominator != 1
            else str(value.numerator)
        )
    return str(value)


def pad(text: str, width: int) -> str:
    """Left-align `text` in `width` terminal columns (CJK counts two)."""
    return text + " " * max(width - display_width(text), 0)


def _metric_text(stored: object) -> str:
    if stored is None:
        return "no data"
    if isinstance(stored, dict):
        return str(stored.get("n"))
    if isinstance(stored, bool):
        return "true" if stored else "false"
    return str(stored)


def _node_row(
    r: ResultRow, path: str, node: NodePlan, depth: int
) -> tuple[str, str, str, str, str]:
    label = "  " * depth + path.split(".")[-1] + (f" {node.title}" if node.title != path else "")
    metric = _metric_text(r.metrics.get(path)) if node.metric is not None else ""
    if node.is_leaf:
        parts = [f"metric {node.metric.text}"] if node.metric is not None else []
        if node.default is not None:
            shown = (
                plain(node.default) if isinstance(node.default, int | Fraction) else node.default
            )
            parts.append(f"default {shown}")
        if node.score is not None:
            parts.append(node.score.describe())
        rule = "; ".join(parts)
    else:
        kids = ", ".join(c.split(".")[-1] for c in node.children)
        rule = f"sum of {kids}, at most {plain(node.max)}"
    points = r.points.get(path, "") + (" (no data)" if path in r.no_data else "")
    return (label, plain(node.max), metric, points, rule)


def render(ex: Explanation) -> str:
    """The explanation as plain text for a terminal."""
    r, a = ex.result, ex.award
    out = [
        f"{a.title} ({a.name}) — {r.subject} {r.name or ''} {('(' + r.unit + ')') if r.unit else ''}".rstrip(),
        f"run {ex.run.id}, campaign {ex.run.campaign}, period {ex.run.period_start}..{ex.run.period_end}, status {ex.run.status}",
        "",
        f"eligible: {'yes' if r.eligible else 'NO (not ranked)'}"
        + (f"   rule: {a.eligible.text}" if a.eligible else ""),
    ]
    if r.veto:
        out.append("veto (一票否决, not ranked): " + "; ".join(r.veto))
    else:
        out.append("veto: none")
    for v in a.vetoes:
        out.append(f"  veto rule: {v.when.text} => {v.reason}")
    rank = f"rank {r.rank} of {ex.ranked_count}" if r.rank is not None else "not ranked"
    out.append(
        f"{rank}; grade {r.grade or '—'}; {'selected' if r.selected else 'not selected'}"
        + ("; boundary tie at the quota line" if r.boundary_tie else "")
    )
    out += [f"  {note}" for note in ex.notes]
    out.append("")
    rows = [("node", "max", "metric", "points", "rule")]
    for path, node in a.nodes.items():
        if node.part == "criteria":
            rows.append(_node_row(r, path, node, path.count(".")))
    for name, block in (("bonus", a.bonus), ("deductions", a.deductions)):
        if block is None:
            continue
        rule = f"sum of items, at most {plain(block.max)}"
        rows.append((name, plain(block.max), "", r.points.get(name, ""), rule))
        rows.extend(_node_row(r, item, a.nodes[item], 1) for item in block.items)
    widths = [max(display_width(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        out.append("  ".join(pad(row[i], widths[i]) for i in range(4)) + "  " + row[4])
    crit = " + ".join(r.points.get(p, "0") for p in a.top)
    line = f"total = {crit}"
    if a.bonus is not None:
        line += f" + bonus {r.points.get('bonus')}"
    if a.deductions is not None:
        line += f" − deductions {r.points.get('deductions')}"
    computed = ex.computed_total or r.total
    out += ["", f"{line} = {computed} (never below 0)"]
    if ex.adjustments:
        out += ["", "adjustments (review):"]
        for adj in ex.adjustments:
            by = f", approved by {adj.approved_by}" if adj.approved_by else ""
            out.append(
                f"  #{adj.id} {adj.target} {adj.delta} by {adj.author} ({adj.status}{by}): {adj.reason}"
            )
        out.append(f"  total with approved adjustments: {r.total}")
    if r.warnings:
        out += ["", "warnings:"] + [f"  {w}" for w in r.warnings]
    out += ["", "evidence (records linked to this subject, inside the period):"]
    if ex.subject_row is not None:
        out.append("  subject: " + ", ".join(f"{k}={_cell(v)}" for k, v in ex.subject_row.items()))
    for ev in ex.evidence:
        out.append(f"  {ev.table}: {len(ev.rows)} record(s), used by {', '.join(ev.used_by)}")
        if not ev.rows:
            continue
        table = [ev.columns] + [
            [_cell(row.get(c)) for c in ev.columns] for row in ev.rows[:EVIDENCE_LIMIT]
        ]
        w = [max(display_width(t[i]) for t in table) for i in range(len(ev.columns))]
        for t in table:
            out.append("    " + "  ".join(pad(t[i], w[i]) for i in range(len(ev.columns))).rstrip())
        if len(ev.rows) > EVIDENCE_LIMIT:
            out.append(f"    ... and {len(ev.rows) - EVIDENCE_LIMIT} more")
    return "\n".join(out) + "\n"
