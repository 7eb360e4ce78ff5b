"""Deterministic JSON text for an export document.

`render_json` writes the document in the key order it was built in (SPEC §4.1
shows the order), two-space indented, non-ASCII text kept as is, with a
trailing newline. `decimal.Decimal` values are written as JSON numbers with
exactly their digits (`Decimal("18.00")` is `18.00`, never `18.0` or `18`), so
a figure rounded to the campaign precision prints with that precision. Floats
are refused: a binary float in an export is a bug upstream.

The layout is the one `json.dumps(doc, ensure_ascii=False, indent=2)` gives;
it is written by hand because the standard encoder can only print a Decimal
through a float.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

_INDENT = "  "


def render_json(doc: Mapping[str, Any]) -> str:
    """Render an export document as JSON text, byte-identical for equal input.

    Accepted values: mappings with string keys, lists and tuples, str, int,
    bool, None and finite Decimals. Anything else, floats included, raises
    TypeError naming where in the document it sits (`$.awards.x.results[0]`).
    A negative zero Decimal is written without its sign.
    """
    out: list[str] = []
    _write(doc, 0, "$", out)
    out.append("\n")
    return "".join(out)


def decimal_text(value: Decimal) -> str:
    """A finite Decimal as a JSON number with its own digits (no exponent)."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    text = format(value, "f")
    if value.is_zero():
        text = text.lstrip("-")
    return text


def _write(value: object, level: int, path: str, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, Decimal):
        try:
            out.append(decimal_text(value))
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
    elif isinstance(value, float):
        raise TypeError(f"{path}: float {value!r} in an export; use decimal.Decimal")
    elif isinstance(value, Mapping):
        _write_object(value, level, path, out)
    elif isinstance(value, list | tuple):
        _write_array(value, level, path, out)
    else:
        raise TypeError(f"{path}: cannot write {type(value).__name__} as JSON")


def _write_object(value: Mapping[Any, Any], level: int, path: str, out: list[str]) -> None:
    if not value:
        out.append("{}")
        return
    inner = _INDENT * (level + 1)
    out.append("{")
    for i, (key, item) in enumerate(value.items()):
        if not isinstance(key, str):
            raise TypeError(f"{path}: object key {key!r} is not a string")
        out.append(",\n" if i else "\n")
        out.append(inner)
        out.append(json.dumps(key, ensure_ascii=False))
        out.append(": ")
        _write(item, level + 1, f"{path}.{key}", out)
    out.append("\n" + _INDENT * level + "}")


def _write_array(value: list[Any] | tuple[Any, ...], level: int, path: str, out: list[str]) -> None:
    if not value:
        out.append("[]")
        return
    inner = _INDENT * (level + 1)
    out.append("[")
    for i, item in enumerate(value):
        out.append(",\n" if i else "\n")
        out.append(inner)
        _write(item, level + 1, f"{path}[{i}]", out)
    out.append("\n" + _INDENT * level + "]")
