"""Which pydantic model reads the mapping at a path of a rule file's data,
and so which keys are allowed there (for "expected one of" hints and for
reading a misspelt key as the one it stands for)."""

from __future__ import annotations

from pydantic import BaseModel

from scoring.model import (
    Award,
    Band,
    Block,
    Campaign,
    ColumnSpec,
    Node,
    PercentileOptions,
    Quota,
    Ranking,
    RuleFile,
    Table,
    Veto,
)
from scoring.source import PathKey


def model_at(path: PathKey) -> type[BaseModel] | None:
    """The model a mapping at `path` is read as (for "expected one of" hints)."""
    p = list(path)
    if not p:
        return RuleFile
    head, rest = p[0], p[1:]
    if head == "campaign" and not rest:
        return Campaign
    if head == "tables":
        if len(rest) == 1:
            return Table
        if len(rest) == 3 and rest[1] == "columns":
            return ColumnSpec
        return None
    if head != "awards" or not rest:
        return None
    rest = rest[1:]
    if not rest:
        return Award
    simple: dict[str, type[BaseModel]] = {"ranking": Ranking, "quota": Quota}
    if len(rest) == 1 and rest[0] in simple:
        return simple[rest[0]]
    if rest[0] == "veto":
        return Veto if len(rest) == 2 else None
    if rest[0] in ("bonus", "deductions"):
        if len(rest) == 1:
            return Block
        if len(rest) < 3 or rest[1] != "items":
            return None
        rest = rest[3:]
    elif rest[0] == "criteria":
        while len(rest) >= 2 and rest[0] == "criteria":
            rest = rest[2:]
    else:
        return None
    if not rest:
        return Node
    if rest[0] == "score" and len(rest) == 3 and rest[1] == "percentile":
        return PercentileOptions
    if rest[0] == "score" and len(rest) == 4 and rest[1] == "bands":
        return Band
    return None


def allowed_keys(path: PathKey) -> list[str]:
    """The keys the mapping at `path` may hold; [] where that is not known."""
    model = model_at(path)
    if model is None:
        return []
    return list(model.model_fields)
