"""Read a YAML rule file into plain Python values while keeping where each
node came from, so later passes can point at `file:line:col`.

Numbers with a fraction part become `Decimal` (YAML `0.8` means exactly 8/10);
duplicate mapping keys are reported, not silently overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from scoring.diagnostics import Diagnostic

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    """Where a YAML node sits: its key (for mapping values) and its value."""

    line: int
    col: int
    end_line: int
    end_col: int
    key_line: int
    key_col: int
    style: str | None = None  # scalar style: None plain, "'" / '"' quoted, "|" / ">" block


@dataclass
class SourceFile:
    """A parsed rule file: its text, its data, and positions by path."""

    path: str
    text: str
    data: Any = None
    positions: dict[PathKey, Position] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def line_text(self, line: int) -> str | None:
        lines = self.lines
        return lines[line - 1] if 0 < line <= len(lines) else None

    def nearest(self, path: PathKey) -> tuple[Position | None, PathKey]:
        """The position of `path`, or of its closest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p], p
            p = p[:-1]
        return self.positions.get(()), ()

    def diag(
        self,
        code: str,
        message: str,
        path: PathKey,
        *,
        severity: str = "error",
        hint: str | None = None,
        at_key: bool = False,
    ) -> Diagnostic:
        """A diagnostic located at the node `path` (its key when `at_key`)."""
        pos, found = self.nearest(path)
        if pos is None:
            line, col, end = 1, 1, None
        elif at_key or found != tuple(path):
            line, col = pos.key_line, pos.key_col
            end = None
        else:
            line, col = pos.line, pos.col
            end = pos.end_col if pos.end_line == pos.line else None
        return self.at(code, message, line, col, end, severity=severity, hint=hint)

    def at(
        self,
        code: str,
        message: str,
        line: int,
        col: int,
        end_col: int | None = None,
        *,
        severity: str = "error",
        hint: str | None = None,
    ) -> Diagnostic:
        """A diagnostic at an explicit 1-based line and column."""
        sev = "warning" if severity == "warning" else "error"
        return Diagnostic(
            code=code,
            severity=sev,
            message=message,
            file=self.path,
            line=line,
            col=col,
            end_col=end_col,
            hint=hint,
            source_line=self.line_text(line),
        )

    def expression_position(self, path: PathKey, offset: int) -> tuple[int, int]:
        """Map a character offset inside the scalar at `path` to (line, col)."""
        pos = self.positions.get(tuple(path))
        if pos is None:
            found, _ = self.nearest(path)
            return (found.key_line, found.key_col) if found else (1, 1)
        if pos.style in ("|", ">"):
            return _block_scalar_position(self, pos, offset)
        quote = 1 if pos.style in ("'", '"') else 0
        value_lines = _scalar_lines(self, pos)
        # Walk the expression's own lines: plain and quoted scalars continue on
        # following lines (folded), each starting at its first non-blank char.
        line, col, remaining = pos.line, pos.col + quote, offset
        for i, seg in enumerate(value_lines):
            if remaining <= len(seg) or i == len(value_lines) - 1:
                return line, col + remaining
            remaining -= len(seg) + 1
            line += 1
            nxt = self.line_text(line) or ""
            col = len(nxt) - len(nxt.lstrip()) + 1
        return line, col + remaining


def _scalar_lines(src: SourceFile, pos: Position) -> list[str]:
    """The scalar's text split at its physical lines (for folded scalars)."""
    out: list[str] = []
    for n in range(pos.line, pos.end_line + 1):
        text = src.line_text(n) or ""
        start = pos.col - 1 if n == pos.line else len(text) - len(text.lstrip())
        stop = pos.end_col - 1 if n == pos.end_line else len(text)
        out.append(text[start:stop])
    return out


def _block_scalar_position(src: SourceFile, pos: Position, offset: int) -> tuple[int, int]:
    line = pos.line + 1
    remaining = offset
    while True:
        text = src.line_text(line)
        if text is None:
            return pos.line, pos.col
        indent = len(text) - len(text.lstrip())
        body = text[indent:]
        if remaining <= len(body):
            return line, indent + 1 + remaining
        remaining -= len(body) + 1
        line += 1


def _construct_scalar(node: yaml.ScalarNode) -> Any:
    """A YAML float as an exact Decimal; `.inf`/`.nan` stay text for the model to reject."""
    text = node.value.replace("_", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return node.value
    return number if number.is_finite() else node.value


class _Builder:
    """Turns a composed YAML node tree into values and a position map."""

    def __init__(self, src: SourceFile) -> None:
        self.src = src
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: PathKey, key_mark: yaml.Mark | None) -> Any:
        start, end = node.start_mark, node.end_mark
        km = key_mark or start
        style = node.style if isinstance(node, yaml.ScalarNode) else None
        self.src.positions[path] = Position(
            start.line + 1,
            start.column + 1,
            end.line + 1,
            end.column + 1,
            km.line + 1,
            km.column + 1,
            style,
        )
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build_key(key_node)
                if key in result:
                    first = self.src.positions.get((*path, key))
                    where = f" (first at line {first.key_line})" if first else ""
                    self.src.diagnostics.append(
                        self.src.at(
                            "E-YAML-DUPKEY",
                            f"duplicate key `{key}`{where}",
                            key_node.start_mark.line + 1,
                            key_node.start_mark.column + 1,
                            key_node.end_mark.column + 1,
                            hint="each key may appear once in a mapping; merge the two entries",
                        )
                    )
                    continue
                result[key] = self.build(value_node, (*path, key), key_node.start_mark)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), None) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self.scalar(node)

    def build_key(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node)
            return value if isinstance(value, str | int | bool) or value is None else str(value)
        return f"<{node.id} key>"

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == "tag:yaml.org,2002:float":
            return _construct_scalar(node)
        if node.tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError:
            return node.value


def load_source(path: str | Path, text: str | None = None) -> SourceFile:
    """Parse a rule file; YAML errors become diagnostics, never exceptions."""
    name = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            src = SourceFile(name, "")
            src.diagnostics.append(src.at("E-FILE", "no such file", 1, 1))
            return src
        except (OSError, UnicodeDecodeError) as exc:
            src = SourceFile(name, "")
            reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror
            src.diagnostics.append(src.at("E-FILE", f"cannot read the file: {reason}", 1, 1))
            return src
    src = SourceFile(name, text)
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        src.diagnostics.append(src.at("E-YAML", f"invalid YAML: {problem}", line, col))
        return src
    except yaml.YAMLError as exc:
        src.diagnostics.append(src.at("E-YAML", f"invalid YAML: {exc}", 1, 1))
        return src
    if node is None:
        src.diagnostics.append(src.at("E-YAML", "the file is empty", 1, 1))
        return src
    try:
        src.data = _Builder(src).build(node, (), None)
    except RecursionError:
        src.diagnostics.append(src.at("E-YAML", "the document is nested too deeply", 1, 1))
        src.data = None
    return src
