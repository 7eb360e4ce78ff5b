"""`explain`: one subject's breakdown, as stored, with what is needed to
recompute every figure by hand — the rule of each node, its metric value, its
points, and the evidence records behind each metric."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from scoring.data import DatasetReader, Row, key_value
from scoring.effective import Breakdown, EffectiveResult
from scoring.errors import Remedy
from scoring.numbers import Value, fixed, plain
from scoring.plan import AwardPlan, NodePlan, Plan
from scoring.ranking import BoundaryTie
from scoring.results import RunInfo
from scoring.review.records import Adjustment
from scoring.review.standings import AwardStandings
from scoring.width import display_width
from scoring.width import ljust as pad

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
    """One subject's effective result, its total line, and what is needed to
    recompute every figure by hand."""

    run: RunInfo
    award: AwardPlan
    result: EffectiveResult
    breakdown: Breakdown
    subject_row: Row | None
    evidence: list[Evidence]
    ranked_count: int
    private: dict[str, frozenset[str]] = field(default_factory=dict)
    """Table -> its `private` columns (masked wherever a reviewer reads them)."""
    notes: list[str] = field(default_factory=list)  # why not selected, next grade (scoring.why)
    counted: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)
    """Table -> reader (node path, `eligible`, `veto N`) -> positions in that
    table's evidence rows of the records it counted (`scoring.counted`)."""
    remedies: list[tuple[Remedy, dict[str, object]]] = field(default_factory=list)
    """What a reviewer can do about the notes (a boundary tie to resolve), for a
    front end to word after them; the plain text says it without commands."""

    @property
    def adjustments(self) -> list[Adjustment]:
        return self.result.adjustments

    @property
    def computed_total(self) -> str:
        return self.result.computed_total


WHY_NOT = "why not selected: "
"""How `scoring.why` starts the note it gives for a ranked subject without a seat."""


def review_notes(result: EffectiveResult, standings: AwardStandings) -> list[str]:
    """Why a subject holds no seat when the review decided it: an objection
    upheld (递补) or a boundary tie a reviewer resolved; [] otherwise."""
    if result.selected:
        return []
    if result.excluded:
        upheld = [o for o in result.objections if o.status == "upheld"]
        by = f" (objection {upheld[-1].id} by {upheld[-1].objector})" if upheld else ""
        return [
            f"{WHY_NOT}an objection to it was upheld{by}; the next in rank took its seat (递补)"
        ]
    for tie in standings.ties:
        chosen = standings.resolutions.get(tie.keys)
        if result.subject in tie.keys and chosen is not None:
            why = f" ({chosen.reason})" if chosen.reason else ""
            return [
                f"{WHY_NOT}the boundary tie of {', '.join(tie.keys)} was resolved by "
                f"{chosen.actor} on {chosen.created}: {', '.join(chosen.selected)} selected{why}"
            ]
    return []


def with_review(ex: Explanation, standings: AwardStandings) -> None:
    """Set the notes and remedies of a subject the review holds out of the
    selection: an upheld objection is the whole story (no metric gives the
    seat back); a resolved tie replaces the computed run's reason; an open
    tie gets `Remedy.RESOLVE_TIE`."""
    decided = review_notes(ex.result, standings)
    if ex.result.excluded:
        ex.notes = decided
    elif decided:
        ex.notes = decided + [n for n in ex.notes if not n.startswith(WHY_NOT)]
    ex.remedies = tie_remedies(ex.run.id, ex.award.name, ex.result.subject, standings.open_ties())


def tie_remedies(
    run_id: int, award: str, subject: str, open_ties: Sequence[BoundaryTie]
) -> list[tuple[Remedy, dict[str, object]]]:
    """`Remedy.RESOLVE_TIE` for the open boundary tie `subject` is in, if any."""
    return [
        (
            Remedy.RESOLVE_TIE,
            {"run": run_id, "award": award, "seats": t.seats, "keys": ", ".join(t.keys)},
        )
        for t in open_ties
        if subject in t.keys
    ]


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


def fill_award_columns(
    plan: Plan,
    evidence: list[Evidence],
    totals: Callable[[str, list[str]], Mapping[str, str]],
) -> None:
    """Show the award totals a team award reads as columns of its members'
    rows (a station's couriers' `courier`) from the run's computed results;
    `totals(award, keys)` gives each key's computed total."""
    for ev in evidence:
        info = plan.catalog.tables[ev.table]
        if not info.virtual or info.key is None or not ev.rows:
            continue
        keys = [str(row.get(info.key)) for row in ev.rows]
        for award in info.virtual:
            found = totals(award, keys)
            ev.rows = [
                {**row, award: Fraction(found[k]) if k in found else None}
                for row, k in zip(ev.rows, keys, strict=True)
            ]


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


def _metric_text(stored: object) -> str:
    if stored is None:
        return "no data"
    if isinstance(stored, dict):
        return str(stored.get("n"))
    if isinstance(stored, bool):
        return "true" if stored else "false"
    return str(stored)


def _node_row(
    r: EffectiveResult, path: str, node: NodePlan, depth: int
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
    return (label, plain(node.max), metric, _points(r, path), rule)


def _points(r: EffectiveResult, path: str) -> str:
    """A node's effective points, its computed figure beside it when an
    adjustment moved it, and `(no data)` when its metric had none."""
    text = r.points.get(path, "")
    computed = r.changed_points.get(path)
    if computed is not None:
        text += f" (computed {computed})"
    return text + (" (no data)" if path in r.no_data else "")


def _head(ex: Explanation) -> list[str]:
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
        + ("; objection upheld, holds no seat (递补)" if r.excluded else "")
    )
    out += [f"  {note}" for note in ex.notes]
    return out


def _tree(ex: Explanation) -> list[str]:
    r, a = ex.result, ex.award
    rows = [("node", "max", "metric", "points", "rule")]
    for path, node in a.nodes.items():
        if node.part == "criteria":
            rows.append(_node_row(r, path, node, path.count(".")))
    for name, block in (("bonus", a.bonus), ("deductions", a.deductions)):
        if block is None:
            continue
        rule = f"sum of items, at most {plain(block.max)}"
        rows.append((name, plain(block.max), "", _points(r, name), rule))
        rows.extend(_node_row(r, item, a.nodes[item], 1) for item in block.items)
    widths = [max(display_width(row[i]) for row in rows) for i in range(4)]
    return ["  ".join(pad(row[i], widths[i]) for i in range(4)) + "  " + row[4] for row in rows]


TERM_LABELS = {"bonus": "bonus", "deductions": "deductions", "total": "adjustments of the total"}


def total_line(b: Breakdown) -> str:
    """`total = 39.00 + 30.00 + bonus 2.00 − deductions 1.00 = 70.00`: the
    effective terms, which add up to the total printed at the end."""
    text = ""
    for i, t in enumerate(b.terms):
        label = TERM_LABELS.get(t.path)
        if t.path == "floor":
            label = "raised to 0 (never below 0)"
        sign, points = _signed(t.sign, t.points)
        figure = f"{label} {points}" if label else points
        if t.computed is not None:
            figure += f" (computed {t.computed})"
        text += (
            ("−" if sign < 0 else "") + figure
            if i == 0
            else f" {'−' if sign < 0 else '+'} {figure}"
        )
    line = f"total = {text} = {b.total}"
    if b.computed_total is not None:
        line += f" (computed {b.computed_total}, before the approved adjustments)"
    return line


def _signed(sign: int, points: str) -> tuple[int, str]:
    """A term's sign and figure, a negative figure shown as a subtraction."""
    if points.startswith("-"):
        return -sign, points[1:]
    return sign, points


def _total(ex: Explanation) -> list[str]:
    out = ["", total_line(ex.breakdown)]
    if ex.adjustments:
        out += ["", "adjustments (review; only approved ones count):"]
        for adj in ex.adjustments:
            by = f", approved by {adj.approved_by}" if adj.approved_by else ""
            out.append(
                f"  #{adj.id} {adj.target} {adj.delta} by {adj.author} ({adj.status}{by}): {adj.reason}"
            )
    return out


def _review(ex: Explanation) -> list[str]:
    r = ex.result
    out: list[str] = []
    if r.objections:
        out += ["", "objections (异议):"]
        for o in r.objections:
            finding = f": {o.finding}" if o.finding else ""
            out.append(f"  #{o.id} by {o.objector} ({o.raised}): {o.reason} — {o.status}{finding}")
    if r.revocation is not None:
        v = r.revocation
        out += ["", f"revoked on {v.revoked} by {v.actor}: {v.reason}"]
    if r.warnings:
        out += ["", "warnings:"] + [f"  {w}" for w in r.warnings]
    return out


def _evidence(ex: Explanation) -> list[str]:
    out = ["", "evidence (records linked to this subject, inside the period):"]
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
    return out


def _blank(ex: Explanation) -> list[str]:
    return [""]


Section = Callable[[Explanation], list[str]]

SECTIONS: tuple[Section, ...] = (_head, _blank, _tree, _total, _review, _evidence)
"""The parts of `explain`'s text, in order; a new part is a new function here."""


def render(ex: Explanation, sections: Sequence[Section] = SECTIONS) -> str:
    """The explanation as plain text for a terminal."""
    return "\n".join(line for section in sections for line in section(ex)) + "\n"
