"""Read a YAML rule file into plain Python values while keeping where each
node came from, so later passes can point at `file:line:col`.

Numbers with a fraction part become `Decimal` (YAML `0.8` means exactly 8/10);
duplicate mapping keys are reported, not silently overwritten. Columns count
characters (not UTF-8 bytes), as PyYAML does; a leading byte-order mark is
dropped. A character offset inside a scalar (an expression) maps back to the
file through the scalar's style: quotes, escapes (`\\"`, `''`), folded lines
and block scalars (`|`, `>`) all land on the character the author wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import yaml

from scoring.diagnostics import Diagnostic

PathKey = tuple[str | int, ...]

_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""What YAML counts as a line break (str.splitlines also splits on \\v, \\f, ...)."""


@dataclass(frozen=True)
class Position:
    """Where a YAML node sits: its key (for mapping values) and its value.

    For a node that is not a mapping value (a sequence item, the document),
    the "key" is the node itself. `key_end_col` is None for a key spanning
    lines.
    """

    line: int
    col: int
    end_line: int
    end_col: int
    key_line: int
    key_col: int
    key_end_col: int | None = None
    style: str | None = None  # scalar style: None plain, "'" / '"' quoted, "|" / ">" block


@dataclass(frozen=True)
class SpanChar:
    """One character of a scalar's value and the file text it came from."""

    char: str
    line: int
    col: int
    end_col: int  # exclusive; `\u4e2d` is one character written with six


@dataclass
class SourceFile:
    """A parsed rule file: its text, its data, and positions by path."""

    path: str
    text: str
    data: Any = None
    positions: dict[PathKey, Position] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    scalars: dict[PathKey, str] = field(default_factory=dict, repr=False)
    _lines: list[str] | None = field(default=None, repr=False)
    _char_maps: dict[PathKey, list[SpanChar] | None] = field(default_factory=dict, repr=False)

    @property
    def lines(self) -> list[str]:
        """The file's lines, split where YAML sees a line break."""
        if self._lines is None:
            self._lines = _LINE_BREAK.split(self.text)
        return self._lines

    def show_lines_of(self, typed: SourceFile) -> None:
        """Show `typed`'s lines in diagnostics: this file was read from a
        copy of it with slips repaired character for character."""
        self._lines = typed.lines

    def line_text(self, line: int) -> str | None:
        """The text of a 1-based line; None for an empty (or unread) file."""
        if not self.text:
            return None
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
        severity: Literal["error", "warning"] = "error",
        hint: str | None = None,
        at_key: bool = False,
    ) -> Diagnostic:
        """A diagnostic located at the node `path` (its key when `at_key`)."""
        pos, found = self.nearest(path)
        if pos is None:
            line, col, end = 1, 1, None
        elif at_key or found != tuple(path):
            line, col, end = pos.key_line, pos.key_col, pos.key_end_col
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
        severity: Literal["error", "warning"] = "error",
        hint: str | None = None,
    ) -> Diagnostic:
        """A diagnostic at an explicit 1-based line and column."""
        return Diagnostic(
            code=code,
            severity=severity,
            message=message,
            file=self.path,
            line=line,
            col=col,
            end_col=end_col,
            hint=hint,
            source_line=self.line_text(line),
        )

    def expression_span(self, path: PathKey, start: int, end: int) -> tuple[int, int, int | None]:
        """Map characters `start`..`end` of the scalar at `path` to (line, col, end_col).

        `end_col` is None when the span ends on another line.
        """
        chars = self.scalar_chars(path)
        if chars is None:
            line, col = self._approximate_position(path, start)
            end_line, end_col = self._approximate_position(path, max(end, start + 1))
            return line, col, end_col if end_line == line else None
        first = self._char_at(path, chars, start)
        last = chars[min(max(end, start + 1), len(chars)) - 1] if chars else None
        if last is None or end <= start or start >= len(chars) or last.line != first.line:
            return first.line, first.col, None
        return first.line, first.col, last.end_col

    def _char_at(self, path: PathKey, chars: list[SpanChar], offset: int) -> SpanChar:
        if 0 <= offset < len(chars):
            return chars[offset]
        if chars:
            last = chars[-1]
            return SpanChar("", last.line, last.end_col, last.end_col)
        pos = self.positions[tuple(path)]
        return SpanChar("", pos.line, pos.col, pos.col)

    def scalar_chars(self, path: PathKey) -> list[SpanChar] | None:
        """Where each character of the scalar at `path` was written, or None
        when that cannot be worked out exactly (then positions are approximate)."""
        key = tuple(path)
        if key not in self._char_maps:
            pos, value = self.positions.get(key), self.scalars.get(key)
            self._char_maps[key] = (
                None if pos is None or value is None else _scalar_chars(self.lines, pos, value)
            )
        return self._char_maps[key]

    def _approximate_position(self, path: PathKey, offset: int) -> tuple[int, int]:
        """A best guess for scalars whose layout `_scalar_chars` does not follow."""
        pos = self.positions.get(tuple(path))
        if pos is None:
            found, _ = self.nearest(path)
            return (found.key_line, found.key_col) if found else (1, 1)
        if pos.style in ("|", ">"):
            return pos.line, pos.col
        quote = 1 if pos.style in ("'", '"') else 0
        text = self.line_text(pos.line) or ""
        return pos.line, min(pos.col + quote + max(offset, 0), len(text) + 1)


# -- where the characters of a scalar come from -------------------------------------

_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b",
    "f": "\x0c", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}

_Raw = list[tuple[str, int, int]]  # (character, line, col) as written in the file
_Token = tuple[SpanChar, bool]  # a value character; whether it is raw white space


def _scalar_chars(lines: list[str], pos: Position, value: str) -> list[SpanChar] | None:
    """The file position of every character of a scalar's value, or None when
    the rebuilt value does not match what the YAML parser read."""
    try:
        if pos.style in ("|", ">"):
            chars = _block_chars(lines, pos)
            ok = chars is not None and _text(chars).rstrip("\n") == value.rstrip("\n")
        else:
            chars = _flow_chars(lines, pos)
            ok = chars is not None and _text(chars) == value
    except (ValueError, IndexError):
        return None
    return chars if ok else None


def _text(chars: list[SpanChar]) -> str:
    return "".join(c.char for c in chars)


def _flow_chars(lines: list[str], pos: Position) -> list[SpanChar] | None:
    """Plain and quoted scalars: escapes, and line folding (a line break and the
    next line's indentation read as one space; each blank line as a newline)."""
    quote = pos.style if pos.style in ("'", '"') else None
    inset = 1 if quote else 0
    raw: list[_Raw] = []
    for n in range(pos.line, pos.end_line + 1):
        text = lines[n - 1] if 0 < n <= len(lines) else ""
        start = pos.col - 1 + inset if n == pos.line else 0
        stop = pos.end_col - 1 - inset if n == pos.end_line else len(text)
        raw.append([(text[i], n, i + 1) for i in range(start, min(stop, len(text)))])
    out: list[SpanChar] = []
    k = 0
    while k < len(raw):
        unescaped = _unescape(raw[k], quote)
        if unescaped is None:
            return None
        tokens, continued = unescaped
        last_line = k == len(raw) - 1
        if k > 0:
            while tokens and tokens[0][1]:
                tokens.pop(0)
        if not last_line and not continued:
            while tokens and tokens[-1][1]:
                tokens.pop()
        out.extend(t for t, _ in tokens)
        if last_line:
            break
        j = k + 1
        while j < len(raw) - 1 and all(c in " \t" for c, _, _ in raw[j]):
            j += 1
        line_no = pos.line + k
        col = raw[k][-1][2] + 1 if raw[k] else 1
        blanks = j - k - 1
        if blanks:
            out.extend(SpanChar("\n", line_no + i + 1, 1, 1) for i in range(blanks))
        elif not continued:
            out.append(SpanChar(" ", line_no, col, col))
        k = j
    return out


def _unescape(raw: _Raw, quote: str | None) -> tuple[list[_Token], bool] | None:
    """The value characters of one line of a flow scalar; True when the line
    ends with an escaped line break (a `\\` at the end of a double-quoted line)."""
    tokens: list[_Token] = []
    i = 0
    while i < len(raw):
        ch, line, col = raw[i]
        if quote == '"' and ch == "\\":
            if i + 1 == len(raw):
                return tokens, True
            esc = raw[i + 1][0]
            if esc in _ESCAPES:
                tokens.append((SpanChar(_ESCAPES[esc], line, col, col + 2), False))
                i += 2
            elif esc in _HEX_ESCAPES:
                size = _HEX_ESCAPES[esc]
                digits = "".join(c for c, _, _ in raw[i + 2 : i + 2 + size])
                if len(digits) != size:
                    return None
                char = chr(int(digits, 16))
                tokens.append((SpanChar(char, line, col, col + 2 + size), False))
                i += 2 + size
            else:
                return None
        elif quote == "'" and ch == "'" and i + 1 < len(raw) and raw[i + 1][0] == "'":
            tokens.append((SpanChar("'", line, col, col + 2), False))
            i += 2
        else:
            tokens.append((SpanChar(ch, line, col, col + 1), ch in " \t"))
            i += 1
    return tokens, False


def _block_chars(lines: list[str], pos: Position) -> list[SpanChar] | None:
    """Literal (`|`) and folded (`>`) block scalars, following PyYAML's scanner."""
    header = (lines[pos.line - 1] if pos.line <= len(lines) else "")[pos.col - 1 :]
    match = re.match(r"[|>]([+-]?)([1-9]?)([+-]?)", header)
    if match is None:
        return None
    is_mapping_value = (pos.key_line, pos.key_col) != (pos.line, pos.col)
    min_indent = pos.key_col if is_mapping_value else 1
    first = pos.line + 1  # 1-based number of the first content line
    if match.group(2):
        if not is_mapping_value:
            return None
        indent = pos.key_col - 1 + int(match.group(2))
    else:
        widest, k = 0, first
        while k <= len(lines) and lines[k - 1].strip(" ") == "":
            widest, k = max(widest, len(lines[k - 1])), k + 1
        if k <= len(lines):
            widest = max(widest, len(lines[k - 1]) - len(lines[k - 1].lstrip(" ")))
        indent = max(min_indent, widest, 1)

    def is_break(n: int) -> bool:
        text = lines[n - 1]
        return text[: min(len(text), indent)].strip(" ") == "" and len(text) <= indent

    def is_content(n: int) -> bool:
        return (
            n <= len(lines) and lines[n - 1][:indent] == " " * indent and len(lines[n - 1]) > indent
        )

    def breaks_from(n: int) -> tuple[list[SpanChar], int]:
        found: list[SpanChar] = []
        while n <= len(lines) and is_break(n):
            found.append(SpanChar("\n", n, 1, 1))
            n += 1
        return found, n

    out: list[SpanChar] = []
    folded = header.startswith(">")
    pending, n = breaks_from(first)
    while is_content(n):
        out.extend(pending)
        text = lines[n - 1]
        body = text[indent:]
        leading_non_space = body[:1] not in (" ", "\t")
        out.extend(SpanChar(ch, n, indent + 1 + i, indent + 2 + i) for i, ch in enumerate(body))
        eol = len(text) + 1
        pending, after = breaks_from(n + 1)
        if is_content(after):
            nxt = lines[after - 1][indent:]
            if folded and leading_non_space and nxt[:1] not in (" ", "\t"):
                if not pending:
                    out.append(SpanChar(" ", n, eol, eol))
            else:
                out.append(SpanChar("\n", n, eol, eol))
        n = after
    return out


# -- building values and positions ---------------------------------------------------


def _construct_scalar(node: yaml.ScalarNode) -> Any:
    """A YAML float as an exact Decimal; `.inf`/`.nan` stay text for the model to reject."""
    text = node.value.replace("_", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return node.value
    return number if number.is_finite() else node.value


_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (six times faster); the same nodes and marks."""


def _compose(loader_class: type[yaml.SafeLoader], text: str) -> yaml.Node | None:
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


_MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_NODES = 100_000
"""Most values a document may expand to; aliases of aliases grow exponentially."""


class _TooLarge(Exception):
    pass


class _Builder:
    """Turns a composed YAML node tree into values and a position map.

    Aliases are expanded (each use gets its own path); `<<: *anchor` merge
    keys work as in PyYAML: the mapping's own keys win, then earlier merges.
    """

    def __init__(self, src: SourceFile) -> None:
        self.src = src
        self.constructor = yaml.SafeLoader("")
        self.budget = MAX_NODES

    def build(self, node: yaml.Node, path: PathKey, key_node: yaml.Node | None) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooLarge
        start, end = node.start_mark, node.end_mark
        key_start = key_node.start_mark if key_node is not None else start
        key_end = key_node.end_mark if key_node is not None else end
        style = node.style if isinstance(node, yaml.ScalarNode) else None
        self.src.positions[path] = Position(
            line=start.line + 1,
            col=start.column + 1,
            end_line=end.line + 1,
            end_col=end.column + 1,
            key_line=key_start.line + 1,
            key_col=key_start.column + 1,
            key_end_col=key_end.column + 1 if key_end.line == key_start.line else None,
            style=style,
        )
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), None) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        self.src.scalars[path] = node.value
        return self.scalar(node)

    def build_mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.extend(self.merged_pairs(key_node, value_node))
                continue
            key = self.build_key(key_node)
            if key in result:
                first = self.src.positions.get((*path, key))
                where = f" (first at line {first.key_line})" if first else ""
                same_line = key_node.end_mark.line == key_node.start_mark.line
                self.src.diagnostics.append(
                    self.src.at(
                        "E-YAML-DUPKEY",
                        f"duplicate key `{key}`{where}",
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        key_node.end_mark.column + 1 if same_line else None,
                        hint="each key may appear once in a mapping; merge the two entries",
                    )
                )
                continue
            result[key] = self.build(value_node, (*path, key), key_node)
        for key_node, value_node in merged:
            key = self.build_key(key_node)
            if key not in result:
                result[key] = self.build(value_node, (*path, key), key_node)
        return result

    def merged_pairs(
        self, key_node: yaml.Node, value_node: yaml.Node
    ) -> list[tuple[yaml.Node, yaml.Node]]:
        """The key/value pairs a `<<` merge brings in, earlier sources first."""
        if isinstance(value_node, yaml.MappingNode):
            sources = [value_node]
        elif isinstance(value_node, yaml.SequenceNode):
            sources = list(value_node.value)
        else:
            sources = []
        if not sources or not all(isinstance(s, yaml.MappingNode) for s in sources):
            mark = value_node.start_mark
            self.src.diagnostics.append(
                self.src.at(
                    "E-YAML",
                    "`<<` merges a mapping or a list of mappings",
                    mark.line + 1,
                    mark.column + 1,
                    hint="write `<<: *anchor` where `&anchor` names a mapping",
                )
            )
            return []
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        for source in sources:
            nested: list[tuple[yaml.Node, yaml.Node]] = []
            for k, v in source.value:
                if k.tag == _MERGE_TAG:
                    nested.extend(self.merged_pairs(k, v))
                else:
                    pairs.append((k, v))
            pairs.extend(nested)
        return pairs

    def build_key(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node)
            return value if isinstance(value, str | int | bool) or value is None else str(value)
        kind = "mapping" if isinstance(node, yaml.MappingNode) else "sequence"
        return f"<{kind} key>"

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == "tag:yaml.org,2002:float":
            return _construct_scalar(node)
        if node.tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            return node.value


_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
"""What YAML refuses to read (as in PyYAML's reader)."""


def _yaml_error(src: SourceFile, exc: yaml.YAMLError) -> Diagnostic:
    """A YAML parse error at the place the parser gave up, with its context."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if line > len(src.lines):  # the parser gave up at the end of the text
            line, col = len(src.lines), len(src.lines[-1]) + 1
        problem = exc.problem or exc.context or "invalid YAML"
        context = ""
        if exc.problem and exc.context and exc.context_mark is not None:
            started = exc.context_mark
            context = (
                f" ({exc.context} started at line {started.line + 1}, column {started.column + 1})"
            )
        return src.at("E-YAML", f"invalid YAML: {problem}{context}", line, col)
    if isinstance(exc, yaml.reader.ReaderError):
        bad = _NON_PRINTABLE.search(src.text)
        before = src.text[: bad.start() if bad else max(exc.position, 0)]
        lines = _LINE_BREAK.split(before)
        char = exc.character
        code = ord(char) if isinstance(char, str) else int(char)
        shown = f"U+{code:04X}"
        return src.at(
            "E-YAML",
            f"invalid YAML: the character {shown} is not allowed in a YAML file",
            len(lines),
            len(lines[-1]) + 1,
            hint="remove the control character (often pasted in from a spreadsheet or a PDF)",
        )
    return src.at("E-YAML", f"invalid YAML: {exc}", 1, 1)


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
            if isinstance(exc, IsADirectoryError):
                reason = "it is a folder, and it holds no rule files (*.yaml)"
            src.diagnostics.append(src.at("E-FILE", f"cannot read the file: {reason}", 1, 1))
            return src
    src = SourceFile(name, text.removeprefix("\ufeff"))
    try:
        node = _compose(_FAST_LOADER, src.text)
    except (yaml.YAMLError, RecursionError):
        # libyaml said no: ask the pure-Python parser, whose messages are
        # clearer and whose positions count characters, not bytes.
        try:
            node = _compose(yaml.SafeLoader, src.text)
        except yaml.YAMLError as exc:
            src.diagnostics.append(_yaml_error(src, exc))
            return src
        except RecursionError:
            src.diagnostics.append(src.at("E-YAML", "the document is nested too deeply", 1, 1))
            return src
    if node is None:
        src.diagnostics.append(src.at("E-YAML", "the file is empty", 1, 1))
        return src
    try:
        src.data = _Builder(src).build(node, (), None)
    except RecursionError:
        src.diagnostics.append(
            src.at(
                "E-YAML",
                "the document is nested too deeply",
                1,
                1,
                hint="an alias may refer to the mapping that holds it (`&a [*a]`)",
            )
        )
        src.data = None
    except _TooLarge:
        message = f"the document expands to more than {MAX_NODES} values"
        hint = "aliases (`*name`) of aliases multiply; repeat less, or write the values out"
        src.diagnostics.append(src.at("E-YAML", message, 1, 1, hint=hint))
        src.data = None
    return src
