"""What an expression sees while it is evaluated: the `EvalEnv` protocol,
the types compiled closures work with, and `DictEnv`, an in-memory
environment (tests, rule unit tests, examples)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from ..numbers import Value

Row = Mapping[str, Value]
Fn = Callable[["EvalEnv", Row], Any]
"""A compiled sub-expression: (environment, current filter row) -> value."""


class EvalEnv(Protocol):
    """What an expression sees while it is evaluated for one subject."""

    @property
    def subject(self) -> Mapping[str, Value]:
        """The subject's columns, virtual award totals included."""

    @property
    def period_start(self) -> date:
        """First day of the period."""

    @property
    def period_end(self) -> date:
        """Last day of the period."""

    @property
    def x(self) -> Value:
        """The node's metric (after `default`), for `formula` and `when`."""

    def rows(self, table: str) -> Sequence[Mapping[str, Value]]:
        """The rows of `table` linked to this subject (record tables: within the period)."""

    def node_points(self, path: str) -> Value:
        """Another node's rounded points, by dotted path."""

    def warn(self, message: str) -> None:
        """Attach a warning to the subject (the engine prefixes the node path)."""


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
