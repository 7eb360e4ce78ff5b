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

`write_json` writes the same text piece by piece to a sink, and takes an
iterator (a generator) wherever a list may stand, so a document whose
results are read from the store as they are written never sits whole in
memory (`service.export`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

_INDENT = "  "
_FLUSH_PARTS = 4096
"""Pieces of text gathered before `write_json` hands them to its sink."""


def render_json(doc: Mapping[str, Any]) -> str:
    """Render an export document as JSON text, byte-identical for equal input.

    Accepted values: mappings with string keys, lists, tuples and iterators,
    str, int, bool, None and finite Decimals. Anything else, floats included,
    raises TypeError naming where in the document it sits
    (`$.awards.x.results[0]`). A negative zero Decimal is written without its
    sign.
    """
    parts: list[str] = []
    write_json(doc, parts.append)
    return "".join(parts)


def write_json(doc: Mapping[str, Any], sink: Callable[[str], object]) -> None:
    """Write `render_json(doc)` to `sink` in pieces (an iterator in the
    document is consumed as it is written)."""
    out = _Out(sink)
    try:
        _write(doc, 0, out)
    except _Bad as bad:
        where = "$" + "".join(reversed(bad.where))
        raise bad.kind(f"{where}: {bad.message}") from None
    out.append("\n")
    out.flush()


class _Bad(Exception):
    """A value that cannot be written; `where` collects its path on the way up
    (innermost first), so a document that is fine costs no path text."""

    def __init__(self, kind: type[Exception], message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.where: list[str] = []


class _Out(list[str]):
    """Pieces of text, handed to the sink now and then."""

    def __init__(self, sink: Callable[[str], object]) -> None:
        super().__init__()
        self.sink = sink

    def flush(self) -> None:
        if self:
            self.sink("".join(self))
            self.clear()


def decimal_text(value: Decimal) -> str:
    """A finite Decimal as a JSON number with its own digits (no exponent)."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    text = format(value, "f")
    if value.is_zero():
        text = text.lstrip("-")
    return text


def _write(value: object, level: int, out: _Out) -> None:
    kind = type(value)
    if kind is str:
        out.append(encode_basestring(value))  # type: ignore[arg-type]
    elif kind is Decimal:
        out.append(_decimal(value))  # type: ignore[arg-type]
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, Decimal):
        out.append(_decimal(value))
    elif isinstance(value, float):
        raise _Bad(TypeError, f"float {value!r} in an export; use decimal.Decimal")
    elif isinstance(value, Mapping):
        _write_object(value, level, out)
    elif isinstance(value, list | tuple | Iterator):
        _write_array(value, level, out)
    else:
        raise _Bad(TypeError, f"cannot write {type(value).__name__} as JSON")


def _decimal(value: Decimal) -> str:
    try:
        return decimal_text(value)
    except ValueError as exc:
        raise _Bad(ValueError, str(exc)) from None


def _write_object(value: Mapping[Any, Any], level: int, out: _Out) -> None:
    if not value:
        out.append("{}")
        return
    inner = _INDENT * (level + 1)
    lead = "{\n" + inner  # before the first key; ",\n" + inner before the others
    for key, item in value.items():
        if type(key) is not str and not isinstance(key, str):
            raise _Bad(TypeError, f"object key {key!r} is not a string")
        head = lead + encode_basestring(key) + ": "
        lead = ",\n" + inner
        try:
            kind = type(item)  # the common leaves in one piece, the rest by `_write`
            if kind is str:
                out.append(head + encode_basestring(item))
            elif kind is Decimal:
                out.append(head + _decimal(item))
            else:
                out.append(head)
                _write(item, level + 1, out)
        except _Bad as bad:
            bad.where.append(f".{key}")
            raise
    out.append("\n" + _INDENT * level + "}")


def _write_array(value: list[Any] | tuple[Any, ...] | Iterator[Any], level: int, out: _Out) -> None:
    inner = _INDENT * (level + 1)
    i = -1
    for i, item in enumerate(value):
        out.append(",\n" if i else "[\n")
        out.append(inner)
        try:
            _write(item, level + 1, out)
        except _Bad as bad:
            bad.where.append(f"[{i}]")
            raise
        if len(out) > _FLUSH_PARTS:
            out.flush()
    if i < 0:
        out.append("[]")
        return
    out.append("\n" + _INDENT * level + "]")
