"""`pioneer sql`: the SQL a plan compiles to, per award, in one dialect.

Without a dataset, tables are read by their declared names, `number`
columns are assumed stored at `stats.DEFAULT_SCALE` decimals (SQLite: as
canonical decimal text; DuckDB and Spark: as integers scaled by that
power of ten) and overflow bounds are not checked. With a dataset, the
text is exactly what a run executes on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from scoring.backend import DatasetRef
from scoring.periods import Period
from scoring.plan import AwardPlan, Plan

from .award import CompiledAward, compile_award
from .dialects import BY_NAME, Dialect, sqlite_parser_refuses
from .passes import TableRef
from .rational import TooLarge
from .sqlbackend import SqlBackend
from .stats import ASSUMED, DEFAULT_SCALE, DatasetStats, dataset_stats
from .upstream import upstream_table
from .values import Unsupported


@dataclass(frozen=True)
class AwardSql:
    """One award in one dialect: its compiled query and pretty SQL text (no `;`),
    or, when it falls back to the interpreter, only why (`compiled` None)."""

    award: AwardPlan
    compiled: CompiledAward | None
    text: str


def plan_sql(
    plan: Plan,
    dialect: Dialect,
    stats: DatasetStats,
    period: Period,
    tables: TableRef | None = None,
) -> Iterator[AwardSql]:
    """Every award of `plan` compiled and rendered in `dialect`, in plan order; an
    award that does not compile, or whose SQLite text SQLite's parser refuses,
    comes with the reason instead."""
    for award in plan.awards:
        try:
            compiled = compile_award(
                plan, award, dialect, stats, (period.start, period.end), tables=tables
            )
        except (Unsupported, TooLarge) as exc:
            yield AwardSql(award, None, str(exc))
            continue
        rendered = dialect.render(compiled.query, pretty=True)
        refused = sqlite_parser_refuses(rendered) if dialect.name == "sqlite" else None
        if refused is not None:
            yield AwardSql(award, None, refused)
            continue
        yield AwardSql(award, compiled, rendered)


def render_plan(
    plan: Plan, dialect_name: str, period: Period, dataset: DatasetRef | None = None
) -> str:
    """Every award's query (or, as a comment, why it falls back to the interpreter)."""
    dialect = BY_NAME[dialect_name]
    head = [
        f"-- pioneer sql: campaign {plan.campaign} ({plan.title}), dialect {dialect.name},"
        f" period {period.label} ({period.start}..{period.end})",
    ]
    tables = None
    stats = ASSUMED
    if dataset is None:
        stored = "decimal text" if dialect.name == "sqlite" else "integers × 10^6"
        head.append(
            f"-- tables by their declared names; `number` columns assumed at {DEFAULT_SCALE}"
            f" decimals ({stored}); give --db to compile for a stored dataset"
        )
    else:
        stats = dataset_stats(dataset.db, dataset.dataset_id, dataset.sha256, plan.catalog)
        head.append(f"-- dataset {dataset.dataset_id} sha256 {dataset.sha256}")
        if dialect.name == "sqlite":
            tables = SqlBackend("sqlite").tables(dataset)
    out = ["\n".join(head)]
    for found in plan_sql(plan, dialect, stats, period, tables):
        award, compiled = found.award, found.compiled
        title = f"-- award {award.name} ({award.title}) over {award.subjects}"
        if compiled is None:
            out.append(f"{title}\n-- falls back to the interpreter: {found.text}")
            continue
        lines = [title]
        for name in compiled.upstream:
            lines.append(
                f"-- reads {upstream_table(name)} (k: subject key, t: total of {name}"
                f" × 10^{plan.precision}, g: grade, e: eligible, v: vetoed, r: rank,"
                " s: selected), filled from that award's computed results"
            )
        lines.append(found.text + ";")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"
