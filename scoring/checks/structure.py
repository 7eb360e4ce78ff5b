"""Structural passes: names, tables, the criteria tree, scoring functions,
grades, quotas and tie-breaks. None of them reads an expression."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from scoring.checks.check_context import CheckContext, award_nodes, criteria_paths, walk_nodes
from scoring.diagnostics import Diagnostic, did_you_mean
from scoring.model import Award, Bands, Linear, Node, Per, Percentile, Quota

IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
SNAKE_HINT = "identifiers are snake_case ASCII (a-z, 0-9, _); put human labels in `title`"

Diags = Iterator[Diagnostic]


def _suggest_snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    s = re.sub(r"[^a-z0-9_]+", "_", s).strip("_")
    return f"{SNAKE_HINT}, e.g. `{s}`" if s and IDENT.match(s) else SNAKE_HINT


def check_identifiers(ctx: CheckContext) -> Diags:
    """Tables, columns, awards, criteria and items are snake_case ASCII."""
    rules, src = ctx.rules, ctx.src

    def bad(name: str, path: tuple[str | int, ...], what: str) -> Diagnostic | None:
        if IDENT.match(name):
            return None
        return src.diag(
            "E-IDENT",
            f"{what} `{name}` is not a snake_case identifier",
            path,
            at_key=True,
            hint=_suggest_snake(name),
        )

    found = [bad(rules.campaign.id, ("campaign", "id"), "campaign id")]
    for t, table in rules.tables.items():
        found.append(bad(t, ("tables", t), "table"))
        found.extend(bad(c, ("tables", t, "columns", c), "column") for c in table.columns)
    for a, award in rules.awards.items():
        found.append(bad(a, ("awards", a), "award"))
        for _dotted, path, _node, _part in award_nodes(a, award):
            found.append(bad(str(path[-1]), path, "node"))
    yield from (d for d in found if d is not None)


def check_tables(ctx: CheckContext) -> Diags:
    """Subject tables have a key (and a unit); record tables a date; links resolve."""
    src = ctx.src
    for t, table in ctx.rules.tables.items():
        base = ("tables", t)
        cols = list(table.columns)
        if table.key is not None and table.date is not None:
            yield src.diag(
                "E-TABLE-KIND",
                f"table `{t}` has both `key` and `date`",
                (*base, "date"),
                at_key=True,
                hint="a subject table has a `key`; a record table has a `date` and `links`",
            )
        if table.key is None and table.date is None:
            dates = [c for c in cols if table.column_type(c) == "date"]
            if table.links:
                message = f"record table `{t}` has no `date`"
                hint = "a record table names its date column: " + (
                    f"`date: {dates[0]}`" if dates else "`date: COLUMN` (a column of type `date`)"
                )
            else:
                message = f"table `{t}` has neither `key` nor `date`"
                hint = "give a subject table `key: COLUMN`, a record table `date: COLUMN`"
            yield src.diag("E-TABLE-KIND", message, base, at_key=True, hint=hint)
        for role in ("key", "date"):
            col = getattr(table, role)
            if col is not None and col not in table.columns:
                yield src.diag(
                    "E-UNKNOWN-COLUMN",
                    f"{role} column `{col}` is not declared in `{t}`",
                    (*base, role),
                    hint=did_you_mean(col, cols),
                )
        if table.date is not None and table.column_type(table.date) not in (None, "date"):
            yield src.diag(
                "E-TYPE", f"date column `{table.date}` must have type `date`", (*base, "date")
            )
        if table.key is not None and table.column_type(table.key) not in (None, "text", "int"):
            yield src.diag(
                "E-TYPE", f"key column `{table.key}` must be `text` or `int`", (*base, "key")
            )
        if table.key is not None and "unit" not in table.columns:
            yield src.diag(
                "W-NO-UNIT",
                f"subject table `{t}` has no `unit` column",
                (*base, "columns"),
                severity="warning",
                at_key=True,
                hint="every subject table has a unit (the organisation it belongs to)",
            )
        if table.key is None and table.date is not None and not table.links:
            yield src.diag(
                "W-NO-LINK",
                f"record table `{t}` has no `links`: no award can read its rows",
                base,
                severity="warning",
                at_key=True,
                hint="add `links: {SUBJECT_TABLE: COLUMN}`, the column holding the subject's key",
            )
        yield from _check_links(ctx, t)


def _check_links(ctx: CheckContext, t: str) -> Diags:
    src, tables = ctx.src, ctx.rules.tables
    table = tables[t]
    for target, col in table.links.items():
        path = ("tables", t, "links", target)
        other = tables.get(target)
        if other is None:
            yield src.diag(
                "E-UNKNOWN-TABLE",
                f"link to undeclared table `{target}`",
                path,
                at_key=True,
                hint=did_you_mean(target, tables),
            )
            continue
        if other.key is None:
            yield src.diag(
                "E-LINK",
                f"`{target}` is a record table; links point at subject tables",
                path,
                at_key=True,
            )
            continue
        if col not in table.columns:
            yield src.diag(
                "E-UNKNOWN-COLUMN",
                f"link column `{col}` is not declared in `{t}`",
                path,
                hint=did_you_mean(col, list(table.columns)),
            )
            continue
        want = other.column_type(other.key)
        have = table.column_type(col)
        if want is not None and have != want:
            yield src.diag(
                "E-LINK",
                f"link column `{t}.{col}` is `{have}` but `{target}.{other.key}` is `{want}`",
                path,
            )


def check_awards(ctx: CheckContext) -> Diags:
    """Each award's subjects name a declared subject table."""
    tables = ctx.rules.tables
    for a, award in ctx.rules.awards.items():
        path = ("awards", a, "subjects")
        table = tables.get(award.subjects)
        if table is None:
            yield ctx.src.diag(
                "E-UNKNOWN-TABLE",
                f"award `{a}` scores undeclared table `{award.subjects}`",
                path,
                hint=did_you_mean(award.subjects, tables),
            )
        elif table.key is None:
            yield ctx.src.diag(
                "E-SUBJECTS",
                f"`{award.subjects}` is a record table; awards score subject tables",
                path,
                hint="give the table a `key` column",
            )
        elif a in table.columns:
            # the award's total is a virtual column of its subject table
            yield ctx.src.diag(
                "E-AWARD-NAME",
                f"award `{a}` has the name of a column of `{award.subjects}`",
                ("awards", a),
                at_key=True,
                hint=f"an award's total reads like a column of its subject table (`{a}`), "
                "so the column would hide it; rename the award or the column",
            )


def check_tree(ctx: CheckContext) -> Diags:
    """Every node has a max; leaves have a score; maxima add up."""
    src = ctx.src
    for a, award in ctx.rules.awards.items():
        for _dotted, path, node, part in award_nodes(a, award):
            yield from _check_node_shape(ctx, path, node, part)
        for dotted, path, node in walk_nodes(award.criteria, "", ("awards", a, "criteria")):
            if node.criteria is not None and node.max is not None:
                yield from _check_children_sum(ctx, dotted, path, node)
        top = [n.max for n in award.criteria.values() if n.max is not None]
        if not award.criteria or sum(top, Decimal(0)) <= 0:
            yield src.diag(
                "E-TOTAL",
                f"award `{a}`: the top-level criteria must add up to a positive total",
                ("awards", a, "criteria"),
                at_key=True,
            )
        for block_name in ("bonus", "deductions"):
            block = getattr(award, block_name)
            if block is not None and block.max is None:
                yield src.diag(
                    "E-NO-MAX",
                    f"`{block_name}` has no `max`",
                    ("awards", a, block_name),
                    at_key=True,
                    hint="cap the block, e.g. `max: 10`",
                )


def _check_node_shape(
    ctx: CheckContext, path: tuple[str | int, ...], node: Node, part: str
) -> Diags:
    src = ctx.src
    name = str(path[-1])
    if node.max is None:
        yield src.diag(
            "E-NO-MAX",
            f"node `{name}` has no `max`",
            path,
            at_key=True,
            hint="every node has `max` (分值), e.g. `max: 20`",
        )
    elif node.max < 0:
        yield src.diag("E-MAX", f"node `{name}`: `max` cannot be negative", (*path, "max"))
    if node.criteria is not None:
        if part != "criteria":
            yield src.diag(
                "E-TREE",
                f"`{part}` items are leaves; `{name}` has `criteria`",
                (*path, "criteria"),
                at_key=True,
            )
        for key in ("metric", "score", "default"):
            if getattr(node, key) is not None:
                yield src.diag(
                    "E-TREE",
                    f"node `{name}` has both `criteria` and `{key}`",
                    (*path, key),
                    at_key=True,
                    hint="an inner node sums its children; a leaf has metric and score",
                )
        if not node.criteria:
            yield src.diag("E-TREE", f"node `{name}` has empty `criteria`", (*path, "criteria"))
        return
    if node.score is None:
        yield src.diag(
            "E-NO-SCORE",
            f"leaf `{name}` has no `score`",
            path,
            at_key=True,
            hint="expected one of: linear, bands, per, percentile, formula, when",
        )
    elif node.metric is None and isinstance(node.score, Linear | Bands | Per | Percentile):
        kind = type(node.score).__name__.lower()
        yield src.diag(
            "E-NO-METRIC",
            f"leaf `{name}` scores with `{kind}` but has no `metric`",
            path,
            at_key=True,
            hint="add `metric: EXPR`, the value the function maps to points",
        )
    if node.default is not None and node.metric is None:
        yield src.diag(
            "E-TREE",
            f"leaf `{name}` has `default` but no `metric`",
            (*path, "default"),
            at_key=True,
        )


def _check_children_sum(
    ctx: CheckContext, dotted: str, path: tuple[str | int, ...], node: Node
) -> Diags:
    assert node.criteria is not None and node.max is not None
    kids = [c.max for c in node.criteria.values()]
    if any(k is None for k in kids):
        return
    total = sum((k for k in kids if k is not None), Decimal(0))
    if total != node.max:
        yield ctx.src.diag(
            "W-MAX-SUM",
            f"children of `{dotted}` add up to {total}, but its `max` is {node.max}",
            (*path, "max"),
            severity="warning",
            hint="an inner node's points are the sum of its children, clipped to its max",
        )


def check_scores(ctx: CheckContext) -> Diags:
    """Degenerate or unreachable scoring functions."""
    src = ctx.src
    for a, award in ctx.rules.awards.items():
        subject = ctx.rules.tables.get(award.subjects)
        for _dotted, path, node, _part in award_nodes(a, award):
            score = node.score
            spath = (*path, "score")
            if isinstance(score, Linear):
                lo, hi = score.linear
                if lo == hi:
                    yield src.diag(
                        "E-LINEAR",
                        f"`linear: [{lo}, {hi}]` has lo = hi",
                        (*spath, "linear"),
                        hint="lo and hi must differ; lo > hi means lower is better",
                    )
            elif isinstance(score, Bands):
                yield from _check_bands(ctx, spath, score, node)
            elif isinstance(score, Per) and score.per == 0:
                yield src.diag(
                    "W-PER-ZERO",
                    "`per: 0` never changes the points",
                    (*spath, "per"),
                    severity="warning",
                )
            elif isinstance(score, Percentile) and score.percentile.within is not None:
                within = score.percentile.within
                if subject is not None and within not in subject.columns:
                    yield src.diag(
                        "E-UNKNOWN-COLUMN",
                        f"`within: {within}` is not a column of `{award.subjects}`",
                        (*spath, "percentile", "within"),
                        hint=did_you_mean(within, list(subject.columns)),
                    )


def _check_bands(
    ctx: CheckContext, spath: tuple[str | int, ...], score: Bands, node: Node
) -> Diags:
    src = ctx.src
    seen: list[tuple[Decimal | None, Decimal | None]] = []
    for i, band in enumerate(score.bands):
        bpath = (*spath, "bands", i)
        if node.max is not None and band.points > node.max:
            yield src.diag(
                "E-BAND-POINTS",
                f"band gives {band.points} points, above the node's max {node.max}",
                (*bpath, "points"),
            )
        if band.points < 0:
            yield src.diag("E-BAND-POINTS", "band points cannot be negative", (*bpath, "points"))
        if band.min is not None and band.max is not None and band.min > band.max:
            yield src.diag(
                "E-BAND-EMPTY",
                f"band `min: {band.min}` is above its `max: {band.max}`",
                bpath,
                hint="no value can satisfy this band",
            )
            continue
        covering = next(
            (j for j, (lo, hi) in enumerate(seen) if _covers(lo, hi, band.min, band.max)), None
        )
        hint = "bands are tried top to bottom; order them from the highest threshold down"
        if covering is not None:
            yield src.diag(
                "E-BAND-UNREACHABLE",
                f"band {i + 1} can never be reached: band {covering + 1} above it holds first",
                bpath,
                hint=hint,
            )
        elif _covered_by_union(seen, band.min, band.max):
            yield src.diag(
                "E-BAND-UNREACHABLE",
                f"band {i + 1} can never be reached: the bands above it hold for every value it does",
                bpath,
                hint=hint,
            )
        seen.append((band.min, band.max))


def _covered_by_union(
    intervals: list[tuple[Decimal | None, Decimal | None]], lo: Decimal | None, hi: Decimal | None
) -> bool:
    """Whether [lo, hi] lies inside the union of closed intervals (None = unbounded)."""
    low, high = Decimal("-Infinity"), Decimal("Infinity")
    spans = sorted((low if a is None else a, high if b is None else b) for a, b in intervals)
    merged: list[tuple[Decimal, Decimal]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:  # closed intervals touching at a point join
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    want_lo, want_hi = low if lo is None else lo, high if hi is None else hi
    return any(a <= want_lo and want_hi <= b for a, b in merged)


def _covers(
    lo: Decimal | None, hi: Decimal | None, lo2: Decimal | None, hi2: Decimal | None
) -> bool:
    """Whether the interval [lo, hi] contains [lo2, hi2] (None = unbounded)."""
    low_ok = lo is None or (lo2 is not None and lo <= lo2)
    high_ok = hi is None or (hi2 is not None and hi2 <= hi)
    return low_ok and high_ok


def check_grades(ctx: CheckContext) -> Diags:
    """Grades written highest first, and a floor at 0."""
    for a, award in ctx.rules.awards.items():
        if not award.grades:
            continue
        path = ("awards", a, "grades")
        values = list(award.grades.values())
        if values != sorted(values, reverse=True):
            yield ctx.src.diag(
                "W-GRADES-ORDER",
                "grades are not written highest first",
                path,
                severity="warning",
                at_key=True,
                hint="grades are matched by threshold; write them from the highest down",
            )
        if min(values) > 0:
            yield ctx.src.diag(
                "W-GRADES-FLOOR",
                f"the lowest grade starts at {min(values)}: totals below it get no grade",
                path,
                severity="warning",
                at_key=True,
                hint="add a last grade at 0 (e.g. `不合格: 0`) if every subject should get one",
            )


def check_quota(ctx: CheckContext) -> Diags:
    """count ≥ 1 or 0 < share ≤ 1, one of them; at_least only with share; per a column."""
    src = ctx.src
    for a, award in ctx.rules.awards.items():
        q = award.quota
        if q is None:
            continue
        path = ("awards", a, "quota")
        if q.count is None and q.share is None:
            yield src.diag("E-QUOTA", "a quota needs `count` or `share`", path, at_key=True)
        if q.count is not None and q.share is not None:
            yield src.diag(
                "E-QUOTA", "give `count` or `share`, not both", (*path, "share"), at_key=True
            )
        if q.count is not None and q.count < 1:
            yield src.diag(
                "E-QUOTA", f"quota count must be at least 1, not {q.count}", (*path, "count")
            )
        if q.share is not None and not (0 < q.share <= 1):
            yield src.diag(
                "E-QUOTA",
                f"quota share must be in (0, 1], not {q.share}",
                (*path, "share"),
                hint="a share is a fraction: 10% is `share: 0.1`",
            )
        if q.at_least is not None:
            if q.count is not None:
                yield src.diag(
                    "E-QUOTA",
                    "`at_least` goes with `share` only",
                    (*path, "at_least"),
                    at_key=True,
                    hint=_at_least_hint(q),
                )
            elif q.at_least < 1:
                yield src.diag("E-QUOTA", "`at_least` must be at least 1", (*path, "at_least"))
        if q.per is not None:
            yield from _check_subject_column(ctx, award, q.per, (*path, "per"))
        yield from _check_per_at_least(ctx, a, q)


def _at_least_hint(q: Quota) -> str:
    """`at_least` with `count`: a count is already exact; maybe a per-value floor was meant."""
    if q.per is not None:
        return (
            f"to give every `{q.per}` at least {q.at_least} seat(s) write "
            f"`per_at_least: {q.at_least}`; `count` already fixes the total"
        )
    return "`count` already fixes the number of seats; `at_least` raises a `share`"


def _check_per_at_least(ctx: CheckContext, award: str, q: Quota) -> Diags:
    """`per_at_least` needs `per` and is at least 1."""
    path = ("awards", award, "quota")
    if q.per_at_least is not None:
        if q.per is None:
            yield ctx.src.diag(
                "E-QUOTA",
                "`per_at_least` goes with `per` only",
                (*path, "per_at_least"),
                at_key=True,
                hint="name the column whose every value gets the floor, "
                "e.g. `per: unit, per_at_least: 1` (每单位至少 1 名)",
            )
        elif q.per_at_least < 1:
            yield ctx.src.diag(
                "E-QUOTA", "`per_at_least` must be at least 1", (*path, "per_at_least")
            )


def _check_subject_column(
    ctx: CheckContext, award: Award, col: str, path: tuple[str | int, ...]
) -> Diags:
    table = ctx.rules.tables.get(award.subjects)
    if table is not None and col not in table.columns:
        yield ctx.src.diag(
            "E-UNKNOWN-COLUMN",
            f"`{col}` is not a column of `{award.subjects}`",
            path,
            hint=did_you_mean(col, list(table.columns)),
        )


def check_tie_breaks(ctx: CheckContext) -> Diags:
    """tie_break paths name existing nodes (`-PATH` for lower first)."""
    for a, award in ctx.rules.awards.items():
        valid = set(criteria_paths(award))
        for block_name in ("bonus", "deductions"):
            block = getattr(award, block_name)
            if block is not None:
                valid.add(block_name)
                valid.update(f"{block_name}.{k}" for k in block.items)
        for i, entry in enumerate(award.ranking.tie_break):
            target = entry[1:] if entry.startswith("-") else entry
            if target not in valid:
                yield ctx.src.diag(
                    "E-UNKNOWN-NODE",
                    f"tie_break names no node `{target}`",
                    ("awards", a, "ranking", "tie_break", i),
                    hint=did_you_mean(target, sorted(valid))
                    or "use a dotted node path, e.g. `service.rating`",
                )
