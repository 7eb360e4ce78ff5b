"""What an expression can see: the declared tables, their columns and links.

The catalog is derived from a validated rule file (see `scoring.model`) and is
the only thing the expression type checker needs to know about the campaign.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "int", "number", "bool", "date"]
TableKind = Literal["subject", "record"]

AWARD_FIELDS: Mapping[str, ColumnType] = {
    "total": "number",
    "grade": "text",
    "eligible": "bool",
    "vetoed": "bool",
    "ranked": "bool",
    "selected": "bool",
    "rank": "int",
}
"""An award's computed result, readable as fields of its virtual column (SPEC §2.3).

`A.total` is the same as bare `A`; `grade` and `rank` are null for an unranked
subject; `selected` is false for a subject in a boundary tie that `flag` holds
open. Rows and subject mappings carry them under the key `A.FIELD`.
"""


def award_field(column: str) -> tuple[str, str] | None:
    """`("A", "FIELD")` for a column name `A.FIELD`, else None."""
    award, dot, name = column.partition(".")
    return (award, name) if dot else None


@dataclass(frozen=True)
class TableInfo:
    """One declared table.

    `links` maps a target table name to the column of this table that holds
    the target's key. `virtual` lists the award totals readable as extra
    `number` columns of a subject table (award name -> award title); each
    also has the fields of `AWARD_FIELDS`, as columns named `AWARD.FIELD`.
    `headers` maps a column to its header in source spreadsheets (only the
    columns that declare one); `private` names the columns masked in 公示
    exports.
    """

    name: str
    kind: TableKind
    columns: Mapping[str, ColumnType]
    key: str | None = None
    date: str | None = None
    links: Mapping[str, str] = field(default_factory=dict)
    virtual: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    private: frozenset[str] = frozenset()

    def column_type(self, name: str) -> ColumnType | None:
        """The type of a real or virtual column (or `AWARD.FIELD`), or None when there is none."""
        if name in self.columns:
            return self.columns[name]
        if name in self.virtual:
            return "number"
        parts = award_field(name)
        if parts is not None and parts[0] in self.virtual:
            return AWARD_FIELDS.get(parts[1])
        return None

    def all_columns(self) -> list[str]:
        """Real then virtual column names, for "did you mean" hints."""
        return [*self.columns, *self.virtual]


@dataclass(frozen=True)
class Catalog:
    """Every declared table by name."""

    tables: Mapping[str, TableInfo]

    def link_column(self, source: str, target: str) -> str | None:
        """The column of table `source` that points at subjects of `target`."""
        info = self.tables.get(source)
        return None if info is None else info.links.get(target)

    def award_table(self, award: str) -> str | None:
        """The subject table whose virtual column `award` is, if any."""
        for name, info in self.tables.items():
            if award in info.virtual:
                return name
        return None
