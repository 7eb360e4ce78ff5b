"""YAML text → validated `RuleFile`, with pydantic's errors mapped back to the
YAML node that caused them.

Pydantic's `loc` walks the models (union tags, model names, `[key]`); the
YAML path walks the data. `_data_path` keeps the parts that exist in the data,
and messages are rewritten for rule authors: "expected a number", "did you
mean `metric`?", "expected one of: title, max, metric…" rather than class names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from scoring.diagnostics import Diagnostic, did_you_mean
from scoring.model import (
    SCORE_KINDS,
    RuleFile,
)
from scoring.model_paths import allowed_keys
from scoring.partial import Partial, partial_model
from scoring.slips import half_width_text, number_hint, with_yaml_slips
from scoring.source import PathKey, SourceFile, load_source

_NOISE_TYPES = {"model_type", "dict_type", "model_attributes_type"}
"""Errors of a union member that did not apply; dropped when a more precise error exists."""

_NOUNS = {
    "dict_type": "a mapping (`key: value`)",
    "model_type": "a mapping (`key: value`)",
    "model_attributes_type": "a mapping (`key: value`)",
    "list_type": "a list",
    "tuple_type": "a list",
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "value_error": "a number",
}


@dataclass
class LoadedRules:
    """A rule file after loading: the model when its shape is valid; else,
    when it can be repaired, a partial model for checking the rest."""

    source: SourceFile
    model: RuleFile | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    partial: Partial | None = None


def load_rules(path: str | Path, text: str | None = None) -> LoadedRules:
    """Parse and validate the shape of one rule file; never raises on bad input."""
    src = load_source(path, text)
    diags = list(src.diagnostics)
    if src.data is None and any(d.is_error for d in diags):  # the YAML was unreadable
        found = with_yaml_slips(src, diags)
        return _read_past_slips(path, src, found) or LoadedRules(src, None, found)
    return _validate(src, diags)


def _read_past_slips(
    path: str | Path, src: SourceFile, slips: list[Diagnostic]
) -> LoadedRules | None:
    """YAML unreadable only because of full-width colons or commas: read it
    again with them typed half-width (same length, so every position holds)
    and check the rest, so a slip hides no other error; the file still fails."""
    if not slips or any(d.code != "E-YAML-FULLWIDTH" for d in slips):
        return None
    text = half_width_text(src, slips)
    again = load_source(path, text) if text is not None else None
    if again is None or again.data is None:
        return None
    again.show_lines_of(src)
    return _validate(again, [*slips, *again.diagnostics])


def _validate(src: SourceFile, diags: list[Diagnostic]) -> LoadedRules:
    """Validate the shape of readable YAML data."""
    if not isinstance(src.data, dict):
        diags.append(
            src.diag(
                "E-SHAPE",
                "a rule file is a mapping of keys",
                (),
                hint="start with `version: 1`, then `campaign:`, `tables:` and `awards:`",
            )
        )
        return LoadedRules(src, None, diags)
    try:
        model = RuleFile.model_validate(src.data)
    except ValidationError as exc:
        diags.extend(_shape_diagnostics(src, exc))
        errors = [(_data_path(src.data, tuple(e["loc"])), e["type"]) for e in exc.errors()]
        return LoadedRules(src, None, diags, partial_model(src, errors))
    except RecursionError:
        diags.append(src.diag("E-SHAPE", "the document is nested too deeply", ()))
        return LoadedRules(src, None, diags)
    if any(d.is_error for d in diags):  # e.g. a duplicate key: the first one was kept
        return LoadedRules(src, None, diags, Partial(model, ()))
    return LoadedRules(src, model, diags)


def _data_path(data: Any, loc: tuple[Any, ...]) -> PathKey:
    """Keep the parts of a pydantic `loc` that walk through the YAML data."""
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if out and out[-1] == "score" and part in SCORE_KINDS and loc[i - 1] == "score":
            continue  # the tag of the score union, not the key inside the score
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            out.append(part)
            node = node[part]
        # anything else is a union tag or a model name: skip it
    return tuple(out)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"`{value}`"


def _keep(errors: Sequence[ErrorDetails], data: Any) -> list[tuple[ErrorDetails, PathKey]]:
    """The errors worth showing: a union member's "wrong container" error only
    when nothing more precise was said about the same node or inside it."""
    located = [(e, _data_path(data, tuple(e["loc"]))) for e in errors]

    def precise_at_or_below(path: PathKey, other: ErrorDetails) -> bool:
        return any(
            e is not other
            and p[: len(path)] == path
            and e["type"] not in _NOISE_TYPES
            and not (e["type"] == "literal_error" and isinstance(e["input"], dict | list))
            for e, p in located
        )

    kept = []
    for err, path in located:
        vague = err["type"] in _NOISE_TYPES or (
            err["type"] == "literal_error" and isinstance(err["input"], dict | list)
        )
        if vague and precise_at_or_below(path, err):
            continue
        kept.append((err, path))
    return kept


def _shape_diagnostics(src: SourceFile, exc: ValidationError) -> list[Diagnostic]:
    kept = _keep(exc.errors(include_url=False), src.data)
    by_path: dict[PathKey, list[ErrorDetails]] = {}
    for err, path in kept:
        by_path.setdefault(path, []).append(err)
    seen: set[PathKey] = set()
    out: list[Diagnostic] = []
    for err, path in kept:
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "missing":
            name = str(loc[-1])
            key = (*path, f"missing:{name}")
            if key in seen:
                continue
            seen.add(key)
            if not _typed_otherwise(src.data, path, name):
                out.append(_missing(src, path, loc))
            continue
        if path in seen:
            continue
        seen.add(path)
        if "[key]" in loc:
            out.append(
                src.diag(
                    "E-SHAPE",
                    f"`{path[-1] if path else loc[-2]}` is not a name: names are snake_case text",
                    path,
                    at_key=True,
                )
            )
        elif kind == "extra_forbidden":
            out.append(_unknown_key(src, path, loc))
        elif kind == "score_kind":
            out.append(_score_kind(src, path, err["input"]))
        else:
            out.append(_wrong_value(src, path, by_path[path]))
    return out


def _typed_otherwise(data: Any, path: PathKey, name: str) -> bool:
    """Whether the mapping at `path` holds `name` typed with a full-width
    colon (`name：`) or misspelt (`colums`): that key is reported, with the
    fix, so the missing one is not reported too."""
    node = data
    for part in path:
        node = node[part]
    if not isinstance(node, dict) or name in node:
        return False
    typed = [k for k in node if isinstance(k, str)]
    if any("：" in k and k.replace("：", "").strip() == name for k in typed):
        return True
    allowed = set(allowed_keys(path))
    misspelt = [k for k in typed if k not in allowed]
    return any(did_you_mean(k, allowed) == f"did you mean `{name}`?" for k in misspelt)


def _missing(src: SourceFile, path: PathKey, loc: tuple[Any, ...]) -> Diagnostic:
    name = loc[-1]
    if isinstance(name, int):
        where = ".".join(str(p) for p in path) or "the file"
        what = "two numbers: [lo, hi]" if path and path[-1] == "linear" else f"{name + 1} items"
        return src.diag("E-SHAPE", f"{where}: expected {what}", path)
    return src.diag(
        "E-MISSING",
        f"missing required key `{name}`",
        path,
        at_key=True,
        hint=_MISSING_HINTS.get(str(name)),
    )


_MISSING_HINTS = {
    "version": "the first line of a rule file is `version: 1`",
    "campaign": "add `campaign: {id: my_campaign, title: 评选名称}`",
    "tables": "declare the subject and record tables under `tables:`",
    "awards": "declare at least one award under `awards:`",
    "criteria": "an award scores its subjects by `criteria:`, a tree of nodes",
    "subjects": "name the subject table this award scores, e.g. `subjects: riders`",
    "columns": "declare the table's columns, e.g. `columns: {id: text, unit: text}`",
    "points": "each band gives `points`, e.g. `{min: 0.95, points: 12}`",
    "items": "a bonus or deductions block lists its leaves under `items:`, "
    "e.g. `items: {honors: {max: 4, metric: count(honors), score: {per: 2}}}`",
}


def _unknown_key(src: SourceFile, path: PathKey, loc: tuple[Any, ...]) -> Diagnostic:
    name = str(path[-1]) if path else str(loc[-1])
    allowed = allowed_keys(path[:-1])
    if "：" in name:
        hint = "use the half-width colon `:` (switch the input method to English punctuation)"
    elif len(path) >= 2 and path[-2] in ("bonus", "deductions") and path[0] == "awards":
        hint = f"a {path[-2]} block's leaves go under `items:`: `{path[-2]}: {{max: …, items: {{{name}: {{…}}}}}}`"
    elif allowed:
        hint = did_you_mean(name, allowed) or "expected one of: " + ", ".join(allowed)
    else:
        hint = None
    return src.diag("E-UNKNOWN-KEY", f"unknown key `{name}`", path, at_key=True, hint=hint)


def _score_kind(src: SourceFile, path: PathKey, given: Any) -> Diagnostic:
    expected = "expected one of: " + ", ".join(SCORE_KINDS)
    if not isinstance(given, dict):
        return src.diag(
            "E-SCORE",
            f"a score is a mapping with one scoring function, not {_describe(given)}",
            path,
            hint="for example `score: {linear: [0, 100]}`; " + expected,
        )
    kinds = [k for k in given if k in SCORE_KINDS]
    if len(kinds) > 1:
        return src.diag(
            "E-SCORE",
            f"a score has one scoring function, this one has {len(kinds)}: "
            + ", ".join(f"`{k}`" for k in kinds),
            (*path, kinds[1]),
            at_key=True,
            hint="keep one; combine several rules with `formula` or split the node",
        )
    unknown = [k for k in given if k not in SCORE_KINDS]
    if unknown:
        name = str(unknown[0])
        close = did_you_mean(name, SCORE_KINDS)
        return src.diag(
            "E-SCORE",
            f"unknown scoring function `{name}`",
            (*path, unknown[0]),
            at_key=True,
            hint=f"{close} {expected}" if close else expected,
        )
    return src.diag("E-SCORE", "a score needs a scoring function", path, hint=expected)


def _wrong_value(src: SourceFile, path: PathKey, errors: list[ErrorDetails]) -> Diagnostic:
    where = ".".join(str(p) for p in path) or "the file"
    err = errors[0]
    value = err["input"]
    if path == ("version",) and value == "1":
        return src.diag(
            "E-SHAPE", "version is the number 1, not text", path, hint="write `version: 1`"
        )
    if path == ("version",):
        return src.diag(
            "E-SHAPE",
            f"version {_describe(value)} is not supported: this pioneer reads rule language version 1",
            path,
            hint="write `version: 1`",
        )
    nouns = list(dict.fromkeys(_NOUNS[e["type"]] for e in errors if e["type"] in _NOUNS))
    if len(errors) > 1 and len(nouns) == len(errors):
        listed = ", ".join(nouns[:-1]) + f" or {nouns[-1]}"
        return src.diag("E-SHAPE", f"{where}: expected {listed}, not {_describe(value)}", path)
    hint = None
    if err["type"] == "literal_error":
        expected = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
        msg = f"expected {(err.get('ctx') or {}).get('expected', 'another value')}"
        hint = did_you_mean(str(value), expected) if isinstance(value, str) else None
    elif err["type"] in _NOUNS and err["type"] != "value_error":
        msg = f"expected {_NOUNS[err['type']]}, not {_describe(value)}"
    elif err["type"] == "too_long" and path and path[-1] == "linear":
        msg = "`linear` takes two numbers: [lo, hi]"
    elif err["type"] == "too_short":
        least = (err.get("ctx") or {}).get("min_length", 1)
        msg = f"expected at least {least} item{'s' if least != 1 else ''}, not none"
    elif err["type"] == "string_too_short":
        msg = "cannot be empty"
    else:
        text = str(err["msg"]).removeprefix("Value error, ")
        msg = text[:1].lower() + text[1:]
        if err["type"] == "value_error" and msg.startswith("expected") and "got" not in msg:
            msg += f", not {_describe(value)}"
            hint = number_hint(value)
    return src.diag("E-SHAPE", f"{where}: {msg}", path, hint=hint)
