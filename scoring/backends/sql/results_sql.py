"""One award's `results` rows computed by SQL: placed, graded, selected and spelled.

Over the award's scored rows (the compiled query, materialised as a table):

1. `placed`: a narrow projection of each row (its id, key, total and
   tie-break figures) with `rk` (ranked: eligible and not vetoed), the quota
   group `g` (the `per` value as text), `cand` (ranked and at or above
   `min_score`) and the group's seats `n` (from the seat split,
   `scoring.ranking.seat_split`, done in Python over the group sizes: a
   handful of integers);
2. `ranks`: window functions over that narrow projection only (sorting the
   whole ~50-column rows cost more than the windows): the competition rank
   over (total, tie-break…), the publication order `row_no`, and per group
   the rank and the count up to and including each subject's peers;
3. `spelled`: the placed rows joined back to their scored rows (SQLite: by
   rowid) and every column of `results` as `scoring.runs.result_rows`
   writes it (`textsql` spells the text); `returning_line` gives the row's
   canonical JSON line for `results_sha256`.

Selection (SPEC §2.4, read as `scoring.ranking` reads it): a candidate whose
peers all fit in the group's seats (count ≤ n) is selected; one whose peers
straddle the last seat (rank ≤ n < count) is in the boundary tie, selected
only under `include_all`.

`ResultsQuery` raises `Unsupported` for what it does not spell (a `name`,
`unit` or `per` column that is not text, int or date; a text metric; a
metric too large to round in 64 bits): the backend then reads the award's
rows back into `Outcome`s and the pipeline writes them as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlglot import exp

from scoring.catalog import ColumnType
from scoring.plan import AwardPlan, Plan
from scoring.runs import RANKING_FIELDS, RESULT_FIELDS

from .award import CompiledAward, MetricOut
from .dialects import Dialect
from .marks import Walk
from .rational import lit
from .textsql import (
    as_text,
    fixed,
    fixed_object,
    json_list,
    json_object,
    json_text,
    metric_bool,
    metric_date,
    metric_number,
    metric_number_fits,
    string,
    when,
)
from .values import Unsupported, named

OUTPUT = (*RESULT_FIELDS[1:], *RANKING_FIELDS)
"""The `results` columns the query yields (all but `run_id`), in `scoring.runs` order."""

HASHED = OUTPUT[: len(RESULT_FIELDS) - 1]
"""The columns `results_sha256` covers, in its order."""

RANKS = ("row_no", "id", "rk", "cand", "n", "rank_all", "g_rank", "g_upto")
"""The columns `ResultsQuery.ranks` yields: publication order first."""

SPELLED: frozenset[ColumnType] = frozenset({"text", "int", "date"})
"""Subject column types whose text SQL spells as `outcomes.display` does."""


def _col(name: str, table: str | None = None) -> exp.Expression:
    return exp.column(name, table=table, quoted=True)


def _flag(cond: exp.Expression) -> exp.Expression:
    """A condition as 1 / 0 (never null)."""
    return exp.Case(ifs=[exp.If(this=cond, true=lit(1))], default=lit(0))


def _eq(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.EQ(this=a, expression=b)


@dataclass(frozen=True)
class Seats:
    """The seats of each quota group: `by_group` (text values), `null` (the null group)."""

    by_group: dict[str, int]
    null: int = 0


class ResultsQuery:
    """Builds the SQL that turns one award's scored rows into `results` rows."""

    def __init__(
        self,
        plan: Plan,
        compiled: CompiledAward,
        dialect: Dialect,
        key_type: ColumnType,
        display_types: dict[str, ColumnType | None],
    ) -> None:
        self.plan = plan
        self.award: AwardPlan = compiled.award
        self.c = compiled
        self.dialect = dialect
        self.key_type = key_type
        self.places = plan.precision
        self.scale = 10**plan.precision
        for role, ctype in display_types.items():
            if ctype is not None and ctype not in SPELLED:
                raise Unsupported(f"a {ctype} `{role}` column spelled in SQL")
        self.display_types = display_types
        self.no_data, self.warnings = Walk(compiled).lists()
        self.metrics = [(path, self._metric(out)) for path, out in compiled.metrics.items()]
        columns = {p: f"p{i}" for i, p in enumerate(self.award.nodes)}
        columns.update({"bonus": "bonus", "deductions": "deductions"})
        self.point_columns = columns
        self.ties = [
            (_col(columns[path]) if path in self.award.point_paths() else lit(0), higher)
            for path, higher in self.award.tie_break
        ]

    # -- spelling -----------------------------------------------------------------

    def _metric(self, out: MetricOut) -> exp.Expression:
        column = _col(out.column)
        if out.kind == "number":
            if not metric_number_fits(out.dmax):
                raise Unsupported("a metric too large to round to 6 places in 64 bits")
            d = out.denominator if isinstance(out.denominator, int) else _col(out.denominator)
            return metric_number(column, d, self.dialect)
        if out.kind == "bool":
            return metric_bool(column)
        if out.kind == "date":
            return metric_date(column)
        if out.kind == "null":
            return string("null")
        raise Unsupported(f"a {out.kind} metric spelled in SQL")

    def _display(self, role: str, column: str) -> exp.Expression:
        ctype = self.display_types.get(role)
        if ctype is None:
            return exp.Null()
        return as_text(_col(column)) if ctype == "int" else _col(column)

    def _fixed(self, column: str) -> exp.Expression:
        return fixed(_col(column), self.places, self.dialect)

    def _vetoes(self) -> exp.Expression:
        return json_list(
            [
                (_col(f"v{i}"), [string(json_text(v.reason))])
                for i, v in enumerate(self.award.vetoes)
            ]
        )

    def _points(self) -> exp.Expression:
        pairs = [(path, _col(self.point_columns[path])) for path in self.award.point_paths()]
        return fixed_object(pairs, self.places, self.dialect)

    def _tie_break(self) -> exp.Expression:
        items: list[tuple[exp.Expression | None, list[exp.Expression]]] = []
        for path, _ in self.award.tie_break:
            if path in self.point_columns and path in self.award.point_paths():
                value = self._fixed(self.point_columns[path])
            else:
                value = string(fixed_zero(self.places))
            items.append((None, [string('"'), value, string('"')]))
        return json_list(items)

    # -- placing ------------------------------------------------------------------

    def _ranked(self) -> exp.Expression:
        """1 when eligible and no veto holds, else 0 (the gate columns are never null)."""
        cond: exp.Expression = _col("e")
        for i in range(len(self.award.vetoes)):
            cond = exp.And(this=cond, expression=exp.Not(this=_col(f"v{i}")))
        return _flag(cond)

    def _group(self) -> exp.Expression:
        quota = self.award.quota
        if quota is None or not quota.per:
            return exp.Null()
        return self._display("group", "d_group")

    def _figures(self, within_ranked: bool) -> list[exp.Ordered]:
        """Total descending, then each tie-break figure (as the rule orders it)."""
        rk = _eq(_col("rk"), lit(1))

        def value(e: exp.Expression) -> exp.Expression:
            return when(rk, e, lit(0)) if within_ranked else e

        out = [exp.Ordered(this=value(_col("total")), desc=True)]
        out += [exp.Ordered(this=value(e), desc=higher) for e, higher in self.ties]
        return out

    def _row_id(self, table: str) -> exp.Expression:
        """The scored row's identity: SQLite's rowid (a B-tree seek), else the subject key."""
        if self.dialect.name == "sqlite":
            return exp.Column(this=exp.to_identifier("rowid"), table=exp.to_identifier(table))
        return _col("k", table)

    def placed(self, scored: exp.Table) -> exp.Select:
        """Layer 1 without seats, narrow: per scored row its `id`, key, total and
        tie-break figures, with `rk`, `g` and `cand`."""
        quota = self.award.quota
        cand: exp.Expression = _col("rk")
        figures = dict.fromkeys(c.name for c, _ in self.ties if isinstance(c, exp.Column))
        items = [
            named(self._row_id("s"), "id"),
            _col("k"),
            _col("total"),
            *(_col(name) for name in figures if name != "total"),
            named(self._ranked(), "rk"),
            named(self._group(), "g"),
        ]
        base = exp.select(*items).from_(exp.alias_(scored, "s", quoted=True, copy=False))
        if quota is not None and quota.min_score is not None:
            least = math.ceil(quota.min_score * self.scale)
            cand = _flag(
                exp.And(
                    this=_eq(_col("rk"), lit(1)),
                    expression=exp.GTE(this=_col("total"), expression=lit(least)),
                )
            )
        return exp.select(exp.Star(), named(cand, "cand")).from_(
            exp.alias_(exp.Subquery(this=base), "a", quoted=True, copy=False)
        )

    def sizes(self, scored: exp.Table) -> exp.Select:
        """Ranked subjects per quota group: `SELECT g, COUNT(*) … GROUP BY g`."""
        return (
            exp.select(_col("g"), exp.Count(this=exp.Star()))
            .from_(exp.alias_(exp.Subquery(this=self.placed(scored)), "p", quoted=True))
            .where(_eq(_col("rk"), lit(1)))
            .group_by(_col("g"))
        )

    def ranks(self, scored: exp.Table, seats: Seats) -> exp.Select:
        """The placing of every scored row, narrow (the columns `RANKS`): window
        functions over the key, total and tie-break figures only, not the whole row."""
        layer1 = self._seated(scored, seats)
        order = self._figures(within_ranked=False)
        key = exp.Ordered(this=_col("k"), desc=False)
        rk, cand = _col("rk"), _col("cand")
        row_no = exp.Window(
            this=exp.Anonymous(this="ROW_NUMBER"),
            order=_order([exp.Ordered(this=rk, desc=True), *self._figures(True), key]),
        )
        rank_all = exp.Window(
            this=exp.Anonymous(this="RANK"), partition_by=[rk], order=_order(order)
        )
        g_rank: exp.Expression = exp.Null()
        g_upto: exp.Expression = exp.Null()
        if self.award.quota is not None:
            part = [cand, _col("g")]
            g_rank = exp.Window(
                this=exp.Anonymous(this="RANK"), partition_by=part, order=_order(order)
            )
            g_upto = exp.Window(
                this=exp.Count(this=exp.Star()), partition_by=part, order=_order(order)
            )
        values = {
            "row_no": row_no,
            "id": _col("id"),
            "rk": rk,
            "cand": cand,
            "n": _col("n"),
            "rank_all": rank_all,
            "g_rank": g_rank,
            "g_upto": g_upto,
        }
        return exp.select(*(named(values[name], name) for name in RANKS)).from_(
            exp.alias_(exp.Subquery(this=layer1), "w", quoted=True, copy=False)
        )

    def spelled(self, ranked: exp.Expression, scored: exp.Table, run_id: int | None) -> exp.Select:
        """Every `results` column (with `run_id` first when given) of the `ranked` rows
        (`ranks`, as a table or a subquery) joined back to their scored rows."""
        values = self._output()
        items = [] if run_id is None else [named(lit(run_id), "run_id")]
        items += [named(values[name], name) for name in OUTPUT]
        return (
            exp.select(*items)
            .from_(exp.alias_(ranked, "o", quoted=True, copy=False))
            .join(
                exp.alias_(scored, "s", quoted=True),
                on=_eq(self._row_id("s"), _col("id", "o")),
                copy=False,
            )
        )

    def rows(self, scored: exp.Table, seats: Seats, run_id: int | None) -> exp.Select:
        """Every `results` column (with `run_id` first when given), in publication order."""
        ranked = exp.Subquery(this=self.ranks(scored, seats))
        final = self.spelled(ranked, scored, run_id)
        return final.order_by(_col("row_no", "o"), copy=False)

    def _seated(self, scored: exp.Table, seats: Seats) -> exp.Select:
        placed = exp.alias_(exp.Subquery(this=self.placed(scored)), "p", quoted=True, copy=False)
        quota = self.award.quota
        if quota is None:
            return exp.select(exp.Star(), named(lit(0), "n")).from_(placed)
        if not quota.per:
            return exp.select(exp.Star(), named(lit(seats.null), "n")).from_(placed)
        if not seats.by_group:
            n = when(exp.Is(this=_col("g"), expression=exp.Null()), lit(seats.null), lit(0))
            return exp.select(exp.Star(), named(n, "n")).from_(placed)
        rows = [
            exp.select(named(string(g), "qg"), named(lit(count), "qn"))
            for g, count in sorted(seats.by_group.items())
        ]
        union: exp.Query = rows[0]
        for row in rows[1:]:
            union = exp.union(union, row, distinct=False, copy=False)
        values = exp.alias_(exp.Subquery(this=union), "q", quoted=True, copy=False)
        n = when(
            exp.Is(this=_col("g", "p"), expression=exp.Null()),
            lit(seats.null),
            exp.Coalesce(this=_col("qn", "q"), expressions=[lit(0)]),
        )
        return (
            exp.select(
                exp.Column(this=exp.Star(), table=exp.to_identifier("p", quoted=True)),
                named(n, "n"),
            )
            .from_(placed)
            .join(values, on=_eq(_col("qg", "q"), _col("g", "p")), join_type="left", copy=False)
        )

    def _output(self) -> dict[str, exp.Expression]:
        rank = when(_eq(_col("rk"), lit(1)), _col("rank_all"), exp.Null())
        quota = self.award.quota
        if quota is None:
            selected: exp.Expression = lit(0)
            boundary: exp.Expression = lit(0)
        else:
            cand = _eq(_col("cand"), lit(1))
            fits = exp.LTE(this=_col("g_upto"), expression=_col("n"))
            straddles = exp.And(
                this=exp.GT(this=_col("g_upto"), expression=_col("n")),
                expression=exp.LTE(this=_col("g_rank"), expression=_col("n")),
            )
            include = 1 if quota.boundary_tie == "include_all" else 0
            selected = exp.Case(
                ifs=[
                    exp.If(this=exp.And(this=cand, expression=fits), true=lit(1)),
                    exp.If(this=exp.And(this=cand, expression=straddles), true=lit(include)),
                ],
                default=lit(0),
            )
            boundary = _flag(exp.And(this=cand, expression=straddles))
        grades = sorted(self.award.grades, key=lambda item: (-item[1], item[0]))
        grade = (
            exp.Case(
                ifs=[
                    exp.If(
                        this=exp.And(
                            this=_eq(_col("rk"), lit(1)),
                            expression=exp.GTE(
                                this=_col("total"), expression=lit(math.ceil(minimum * self.scale))
                            ),
                        ),
                        true=string(label),
                    )
                    for label, minimum in grades
                ],
                default=exp.Null(),
            )
            if grades
            else exp.Null()
        )
        int_key = self.key_type == "int"
        return {
            "award": string(self.award.name),
            "ord": exp.Sub(this=_col("row_no"), expression=lit(1)),
            "subject": as_text(_col("k")) if int_key else _col("k"),
            "name": self._display("name", "d_name"),
            "unit": self._display("unit", "d_unit"),
            "eligible": _flag(_col("e")),
            "veto": self._vetoes(),
            "total": self._fixed("total"),
            "rank": rank,
            "grade": grade,
            "selected": selected,
            "boundary_tie": boundary,
            "points": self._points(),
            "metrics": json_object(self.metrics),
            "no_data": self.no_data,
            "warnings": self.warnings,
            "per_group": self._group(),
            "tie_break": self._tie_break(),
            "key_number": _col("k") if int_key else exp.Null(),
        }


def fixed_zero(places: int) -> str:
    return "0" if places == 0 else "0." + "0" * places


def _order(items: list[exp.Ordered]) -> exp.Order:
    return exp.Order(expressions=items)


def returning_line() -> exp.Expression:
    """The canonical JSON line of an inserted row's hashed columns (`INSERT … RETURNING`):
    SQLite's `json_array` spells it exactly as Python's `json` (proven by the tests)."""
    return exp.Anonymous(this="json_array", expressions=[_col(name) for name in HASHED])
