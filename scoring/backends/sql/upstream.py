"""Earlier awards' results as a table the query joins: `upstream_AWARD`.

One row per subject of the earlier award: `k` (its key), `t` (total in
units of 10^-precision), `g` (grade), `e` (eligible), `v` (vetoed), `r`
(rank), `s` (selected) — the computed results before any review (SPEC §2.3).
A later award reads `A` / `A.total` and every `A.FIELD` from it; a subject
without a row reads null, as in the interpreter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlglot import exp

from scoring.backend import AwardFields
from scoring.catalog import AWARD_FIELDS, ColumnType, TableInfo, award_field

from .rational import Ratio
from .values import Scalar, SqlValue, Unsupported

COLUMNS = ("k", "t", "g", "e", "v", "r", "s")
_STORED = {"total": "t", "grade": "g", "eligible": "e", "vetoed": "v", "rank": "r", "selected": "s"}


def upstream_table(award: str) -> str:
    return f"upstream_{award}"


def split(info: TableInfo, column: str) -> tuple[str, str] | None:
    """(award, field) when `column` of `info` is an award total or field, else None."""
    if column in info.virtual:
        return column, "total"
    parts = award_field(column)
    if parts is not None and parts[0] in info.virtual:
        if parts[1] not in AWARD_FIELDS:
            raise Unsupported(f"the award field `{column}`")
        return parts
    return None


def field_type(field: str) -> ColumnType:
    return AWARD_FIELDS[field]


def field_sql(alias: str, field: str) -> exp.Expression:
    """The field's value from the joined upstream row `alias` (null when there is none)."""
    if field == "ranked":
        e = exp.column("e", table=alias, quoted=True)
        v = exp.column("v", table=alias, quoted=True)
        return exp.Paren(this=exp.And(this=e, expression=exp.Not(this=v)))
    return exp.column(_STORED[field], table=alias, quoted=True)


def field_value(
    sql: exp.Expression, field: str, precision: int, largest: int, rows: int
) -> SqlValue:
    """A field read through `sql` as a typed value: the total in units of
    10^-precision (at most `largest` of them), the rank an integer up to `rows`."""
    if field == "total":
        return Ratio(sql, 10**precision, largest, 10**precision)
    kind = field_type(field)
    if kind == "int":
        return Ratio(sql, 1, rows, 1)
    return Scalar(sql, kind)  # type: ignore[arg-type]


def rows(
    totals: Mapping[str, AwardFields], precision: int, key_is_int: bool
) -> Iterator[tuple[Any, ...]]:
    """An earlier award's results as upstream rows; totals as exact integer units."""
    for key, f in totals.items():
        units = f.total * 10**precision
        if units.denominator != 1:
            raise Unsupported(f"an upstream total {f.total} is not at the campaign's precision")
        yield (
            int(key) if key_is_int else key,
            int(units),
            f.grade,
            f.eligible,
            f.vetoed,
            f.rank,
            f.selected,
        )
