"""`DictEnv`: an in-memory evaluation environment (tests, rule unit tests, examples)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from .evaluate import Value


@dataclass
class DictEnv:
    """An `EvalEnv` over plain mappings.

    `tables` must already hold only the rows linked to this subject (and, for
    record tables, dated within the period): `rows` returns them as given.
    Warnings are collected in `warnings`.
    """

    subject: Mapping[str, Value]
    period_start: date
    period_end: date
    x: Value = None
    tables: Mapping[str, Sequence[Mapping[str, Value]]] = field(default_factory=dict)
    nodes: Mapping[str, Value] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def rows(self, table: str) -> Sequence[Mapping[str, Value]]:
        """The given rows of `table` (none when it is not in `tables`)."""
        return self.tables.get(table, ())

    def node_points(self, path: str) -> Value:
        """The given points of node `path` (null when unknown)."""
        return self.nodes.get(path)

    def warn(self, message: str) -> None:
        """Collect a warning."""
        self.warnings.append(message)
