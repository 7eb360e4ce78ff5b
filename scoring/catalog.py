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


@dataclass(frozen=True)
class TableInfo:
    """One declared table.

    `links` maps a target table name to the column of this table that holds
    the target's key. `virtual` lists the award totals readable as extra
    `number` columns of a subject table (award name -> award title).
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
        """The type of a real or virtual column, or None when there is none."""
        if name in self.columns:
            return self.columns[name]
        if name in self.virtual:
            return "number"
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
