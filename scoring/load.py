"""YAML text → validated `RuleFile`, with pydantic's errors mapped back to the
YAML node that caused them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scoring.diagnostics import Diagnostic, did_you_mean
from scoring.model import SCORE_KINDS, RuleFile
from scoring.source import PathKey, SourceFile, load_source

KNOWN_KEYS = [
    "version",
    "campaign",
    "tables",
    "awards",
    "id",
    "title",
    "precision",
    "key",
    "date",
    "columns",
    "links",
    "type",
    "header",
    "private",
    "when",
    "reason",
    "min",
    "max",
    "points",
    "linear",
    "bands",
    "per",
    "percentile",
    "within",
    "formula",
    "metric",
    "default",
    "score",
    "criteria",
    "items",
    "tie_break",
    "count",
    "share",
    "at_least",
    "min_score",
    "boundary_tie",
    "subjects",
    "eligible",
    "veto",
    "bonus",
    "deductions",
    "grades",
    "ranking",
    "quota",
]

_NOISE_TYPES = {"model_type", "dict_type", "model_attributes_type"}


@dataclass
class LoadedRules:
    """A rule file after loading: the model when its shape is valid."""

    source: SourceFile
    model: RuleFile | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def load_rules(path: str | Path, text: str | None = None) -> LoadedRules:
    """Parse and validate the shape of one rule file; never raises on bad input."""
    src = load_source(path, text)
    diags = list(src.diagnostics)
    if src.data is None:
        return LoadedRules(src, None, diags)
    if not isinstance(src.data, dict):
        diags.append(src.diag("E-SHAPE", "a rule file is a mapping of keys", ()))
        return LoadedRules(src, None, diags)
    try:
        model = RuleFile.model_validate(src.data)
    except ValidationError as exc:
        diags.extend(_shape_diagnostics(src, exc))
        return LoadedRules(src, None, diags)
    except RecursionError:
        diags.append(src.diag("E-SHAPE", "the document is nested too deeply", ()))
        return LoadedRules(src, None, diags)
    if any(d.is_error for d in diags):
        return LoadedRules(src, None, diags)
    return LoadedRules(src, model, diags)


def _data_path(data: Any, loc: tuple[Any, ...]) -> PathKey:
    """Keep the parts of a pydantic `loc` that walk through the YAML data."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if (
            isinstance(node, dict)
            and part in node
            or isinstance(node, list)
            and isinstance(part, int)
            and 0 <= part < len(node)
        ):
            out.append(part)
            node = node[part]
        # anything else is a union tag or a model name: skip it
    return tuple(out)


def _shape_diagnostics(src: SourceFile, exc: ValidationError) -> list[Diagnostic]:
    errors = exc.errors(include_url=False)
    meaningful = [e for e in errors if e["type"] not in _NOISE_TYPES]
    errors = meaningful or errors
    errors = [
        e for e in errors if not (e["type"] == "literal_error" and isinstance(e["input"], dict))
    ]
    seen: set[PathKey] = set()
    out: list[Diagnostic] = []
    for err in errors:
        loc = tuple(err["loc"])
        path = _data_path(src.data, loc)
        kind = err["type"]
        if kind == "missing":
            name = str(loc[-1])
            key = (*path, f"missing:{name}")
            if key in seen:
                continue
            seen.add(key)
            out.append(src.diag("E-MISSING", f"missing required key `{name}`", path, at_key=True))
            continue
        if path in seen:
            continue
        seen.add(path)
        if kind == "extra_forbidden":
            name = str(path[-1]) if path else str(loc[-1])
            out.append(
                src.diag(
                    "E-UNKNOWN-KEY",
                    f"unknown key `{name}`",
                    path,
                    at_key=True,
                    hint=did_you_mean(name, KNOWN_KEYS),
                )
            )
        elif kind == "score_kind":
            given = (
                [k for k in err["input"] if isinstance(k, str)]
                if isinstance(err["input"], dict)
                else []
            )
            hint = "expected one of: " + ", ".join(SCORE_KINDS)
            unknown = [k for k in given if k not in SCORE_KINDS]
            close = next((h for k in unknown if (h := did_you_mean(k, SCORE_KINDS))), None)
            out.append(
                src.diag(
                    "E-SCORE",
                    "a score needs exactly one scoring function",
                    path,
                    hint=f"{close} {hint}" if close else hint,
                )
            )
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
            where = ".".join(str(p) for p in path) or "the file"
            out.append(src.diag("E-SHAPE", f"{where}: {msg[:1].lower()}{msg[1:]}", path))
    return out
