"""Typed SQL values: a number is a `Ratio`, anything else one SQL expression."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlglot import exp

from .rational import Ratio

Kind = Literal["bool", "text", "date", "null"]


class Unsupported(Exception):
    """A feature the SQL backend does not compile (the award falls back to the interpreter)."""


@dataclass(frozen=True)
class Scalar:
    """A non-number value: bool (SQL boolean / 0-1), text, date (ISO text) or null."""

    sql: exp.Expression
    kind: Kind


SqlValue = Ratio | Scalar


def is_null_test(value: SqlValue) -> exp.Expression:
    inner = value.n if isinstance(value, Ratio) else value.sql
    return exp.Is(this=_p(inner), expression=exp.Null())


def _p(e: exp.Expression) -> exp.Expression:
    if isinstance(e, exp.Column | exp.Literal | exp.Paren | exp.Null | exp.Boolean):
        return e
    return exp.Paren(this=e)


paren = _p


def named(e: exp.Expression, name: str) -> exp.Expression:
    """`e AS "name"` (a select item)."""
    return exp.Alias(this=e, alias=exp.to_identifier(name, quoted=True))
