"""A partial model of a rule file whose shape is broken, so the later passes
can still report the independent errors elsewhere in the file.

The shape errors themselves are already reported. Here the data is repaired
just enough to validate: an unknown key is dropped; any other error inside
an award drops the offending value (the award keeps its name, subjects and
grades for the awards that read it; what is hidden is that node, with the
sums of its award, or that key of the award), and an
award that still does not validate is replaced by a one-leaf stand-in with
the same name and subject table (so other awards that read it still resolve);
a broken `campaign` or `version` gets a stand-in. Under `tables`, a key
typed with a full-width colon or misspelt is renamed to the key it stands
for, a column of unknown type is read as text, a bad value is dropped, and a
table that still does not validate becomes a stand-in; the names of those
tables and columns are "guessed", and what the later passes say about a
guessed name is dropped (every award reads the tables, so a guess there
could invent errors elsewhere). A `tables` that is not a mapping is read as
no tables, and only the passes that do not read the tables are kept. A key
typed with a full-width colon (`subjects：`) is read as the key it stands
for everywhere. The spans that were changed
(the node, for an unknown key in one, with the sums of its award; else the
whole award) are returned, and diagnostics of the later passes inside them
are dropped:
they would be about the repair, not about what the author wrote.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from scoring.diagnostics import Diagnostic
from scoring.model import RuleFile
from scoring.model_paths import allowed_keys
from scoring.source import PathKey, SourceFile

MAX_ROUNDS = 8

SUM_CODES = frozenset({"W-MAX-SUM", "E-TOTAL"})
"""What a node without its `max` changes elsewhere in its award."""

_STAND_IN_CRITERIA = {"stand_in": {"max": 1, "score": {"when": "true"}}}


TABLE_FREE_CODES = frozenset(
    {
        "E-TREE", "E-NO-MAX", "E-MAX", "E-LINEAR", "E-BAND-UNREACHABLE", "E-BAND-POINTS",
        "E-BAND-EMPTY", "E-TOTAL", "W-MAX-SUM", "W-GRADES-ORDER", "W-GRADES-FLOOR",
        "E-NODE-CYCLE", "E-NO-SCORE", "E-NO-METRIC", "E-UNKNOWN-NODE", "E-IDENT",
        "W-PER-ZERO", "E-QUOTA", "E-EXPR-SYNTAX", "E-EXPR-LIMIT",
    }
)  # fmt: skip
"""What the later passes say without reading the tables: kept when `tables` was lost."""

LINK_CODES = frozenset(
    {"E-EXPR-LINK", "E-EXPR-AGG", "E-TABLE-KIND", "E-LINK", "W-NO-LINK", "E-SUBJECTS", "W-NO-UNIT"}
)
"""What a table's dropped `key`, `date` or `links` could cause elsewhere."""

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Partial:
    """A model validated from repaired data, and the line spans that were repaired."""

    model: RuleFile
    hidden: tuple[tuple[int, int], ...]
    sums: tuple[tuple[int, int], ...] = ()  # awards where a node lost a key
    guessed: frozenset[str] = frozenset()  # tables and columns declared by a guess
    tables_lost: bool = False  # `tables` was not a mapping: read as none
    relinked: frozenset[str] = frozenset()  # tables whose key, date or links were dropped

    def hides(self, line: int, code: str = "") -> bool:
        """Whether a diagnostic lies inside a repaired span, or is about the
        sums of an award one of whose nodes lost a (misspelt) key."""
        if code in SUM_CODES and any(first <= line <= last for first, last in self.sums):
            return True
        return any(first <= line <= last for first, last in self.hidden)

    def hides_diagnostic(self, d: Diagnostic) -> bool:
        """`hides`, or a diagnostic that could come from a guessed table or
        column: it names one, or its caret is under one."""
        if self.hides(d.line, d.code):
            return True
        if self.tables_lost and d.code not in TABLE_FREE_CODES:
            return True
        if not (self.guessed or self.relinked):
            return False
        words = set(_WORD.findall(" ".join(re.findall(r"`([^`]*)`", d.message))))
        if d.source_line is not None:
            end = d.end_col if d.end_col and d.end_col > d.col else len(d.source_line) + 1
            words |= set(_WORD.findall(d.source_line[d.col - 1 : end - 1]))
        if d.code in LINK_CODES and not words.isdisjoint(self.relinked):
            return True
        return not words.isdisjoint(self.guessed)


def partial_model(src: SourceFile, error_paths: Sequence[tuple[PathKey, str]]) -> Partial | None:
    """Repair `src.data` at the given (data path, pydantic error type) pairs
    until it validates; None when the damage is outside what can be repaired."""
    data = copy.deepcopy(src.data)
    if not isinstance(data, dict):
        return None
    changed: set[PathKey] = set()
    sums: set[PathKey] = set()
    guessed: set[str] = set()
    relinked: set[str] = set()
    errors = list(error_paths)
    if _read_colon_keys(data, ()):
        try:
            return Partial(RuleFile.model_validate(data), ())
        except ValidationError as exc:
            errors = [(_data_path(data, tuple(e["loc"])), e["type"]) for e in exc.errors()]
        except RecursionError:
            return None
    for _ in range(MAX_ROUNDS):
        for path, kind in errors:
            if path[:1] == ("tables",):
                if not _repair_tables(data, path, kind, changed, guessed, relinked):
                    return None
            elif not _repair(data, path, kind, changed, sums):
                return None
        try:
            model = RuleFile.model_validate(data)
        except ValidationError as exc:
            errors = [(_data_path(data, tuple(e["loc"])), e["type"]) for e in exc.errors()]
            continue
        except RecursionError:
            return None
        spans = tuple(_span(src, p) for p in sorted(changed, key=str))
        summed = tuple(_span(src, p) for p in sorted(sums, key=str))
        lost = ("tables",) in changed
        return Partial(model, spans, summed, frozenset(guessed), lost, frozenset(relinked))
    return None


def _repair_tables(
    data: dict[str, Any],
    path: PathKey,
    kind: str,
    changed: set[PathKey],
    guessed: set[str],
    relinked: set[str],
) -> bool:
    """Repair an error under `tables`, noting the names whose declaration is a guess."""
    tables = data.get("tables")
    if len(path) < 2 or not isinstance(tables, dict):
        data["tables"] = {}
        changed.add(("tables",))
        return True
    name = str(path[1])
    table_path: PathKey = ("tables", name)
    if kind == "extra_forbidden" and len(path) in (3, 5) and _rename(data, path):
        return True  # `colums:` read as `columns:`, `links：` as `links`
    if kind == "extra_forbidden" and _pop(data, path):
        changed.add(path)  # a key the table does not have: dropping it guesses nothing,
        if len(path) == 3 and "links" not in tables[name]:
            relinked.add(name)  # unless it was meant for the table's missing `links`
        return True
    table = tables.get(name)
    if len(path) >= 4 and path[2] == "columns" and kind != "extra_forbidden":
        columns = table.get("columns") if isinstance(table, dict) else None
        if isinstance(columns, dict) and path[3] in columns:
            columns[path[3]] = "text"  # of unknown type: read as text, and guessed
            guessed.add(str(path[3]))
            changed.add(path[:4])
            return True
    if len(path) == 3 and path[2] in ("key", "date") and isinstance(table, dict):
        column = _column_for(table, str(path[2]))
        if column is not None:  # the first column that could be meant
            table[path[2]] = column
            changed.add(path)
            relinked.add(name)
            return True
    if len(path) >= 3 and kind != "missing" and isinstance(path[-1], str) and _pop(data, path):
        changed.add(path[:3])
        (relinked if path[2] in ("key", "date", "links") else guessed).add(name)
        return True
    guessed.add(name)
    key = table.get("key") if isinstance(table, dict) else None
    key = key if isinstance(key, str) and _WORD.fullmatch(key) else "id"
    tables[name] = {"key": key, "columns": {key: "text", "unit": "text"}}
    changed.add(table_path)
    return True


def _column_for(table: dict[str, Any], role: str) -> str | None:
    """The column a broken `key` (`id`, else the first) or `date` (the first
    `date` column) most likely meant."""
    columns = table.get("columns")
    if not isinstance(columns, dict) or not columns:
        return None
    names = [c for c in columns if isinstance(c, str)]
    if role == "key":
        return "id" if "id" in names else (names[0] if names else None)
    dated = [
        c
        for c in names
        if columns[c] == "date"
        or (isinstance(columns[c], dict) and columns[c].get("type") == "date")
    ]
    return dated[0] if dated else None


def _read_colon_keys(node: Any, path: PathKey) -> bool:
    """Read every key typed with a full-width colon (`subjects：`) as the key
    it stands for, where that key is allowed and not there; True if any was."""
    if isinstance(node, list):
        read = [_read_colon_keys(item, (*path, i)) for i, item in enumerate(node)]
        return any(read)  # every item read, not only up to the first
    if not isinstance(node, dict):
        return False
    found = False
    for key in list(node):
        if isinstance(key, str) and "：" in key:
            found = _rename_at(node, path, key) or found
    for key, value in list(node.items()):
        found = _read_colon_keys(value, (*path, key)) or found
    return found


def _rename(data: dict[str, Any], path: PathKey) -> bool:
    """Rename an unknown key to the key it stands for: the same name typed
    with a full-width colon, or the one allowed key it is a misspelling of;
    False when there is no such key or it is already there."""
    parent: Any = data
    for part in path[:-1]:
        if not isinstance(parent, dict) or part not in parent:
            return False
        parent = parent[part]
    return isinstance(parent, dict) and _rename_at(parent, path[:-1], path[-1])


def _rename_at(parent: dict[Any, Any], path: PathKey, key: Any) -> bool:
    """`_rename` of `parent[key]`, `parent` being the mapping at `path`."""
    typed = str(key)
    stripped = typed.replace("：", "").strip()
    allowed = allowed_keys(path)
    if stripped in allowed:
        meant: str | None = stripped
    else:
        close = difflib.get_close_matches(typed, allowed, n=1, cutoff=0.75)
        meant = close[0] if close else None
    if meant is None or meant in parent:
        return False
    parent[meant] = parent.pop(key)
    return True


def _repair(
    data: dict[str, Any], path: PathKey, kind: str, changed: set[PathKey], sums: set[PathKey]
) -> bool:
    if not path:
        return False
    if path[0] == "tables":
        return False  # every award reads the tables: a guess there invents errors
    if kind == "extra_forbidden" and "：" in str(path[-1]) and _rename(data, path):
        return True  # `subjects：` read as `subjects`
    if kind == "extra_forbidden" and _pop(data, path):
        # often a misspelt key: what its node lacks now (a metric, a max) is
        # the same slip, and so are the sums of its award
        node = _node_of(path)
        if node is not None:
            changed.add(node)
            sums.add(path[:2])
        else:
            changed.add(path[:2] if path[0] == "awards" else path[:-1])
        return True
    head = path[0]
    if head == "version":
        data["version"] = 1
        changed.add(("version",))
        return True
    if head == "campaign":
        data["campaign"] = {"id": "campaign", "title": "campaign"}
        changed.add(("campaign",))
        return True
    awards = data.get("awards")
    if head != "awards" or len(path) < 2 or not isinstance(awards, dict):
        return False
    name = path[1]
    award_path: PathKey = ("awards", name)
    if len(path) == 2 or not isinstance(awards.get(name), dict):
        awards[name] = _stand_in(awards.get(name))
        changed.add(award_path)
        return True
    if len(path) >= 4 and path[-2] in ("criteria", "items") and _set(data, path):
        changed.add(path)  # a node that is not a mapping: a one-point stand-in leaf,
        sums.add(award_path)  # so what names it (tie_break, node()) still resolves
        return True
    if kind != "missing" and isinstance(path[-1], str) and _pop(data, path):
        node = _node_of(path)
        if node is not None:  # a bad value in a node: that node, and the sums of its award
            changed.add(node)
            sums.add(award_path)
        else:  # a bad value of the award's own (quota, grades, eligible, ...): that key
            changed.add(path[:3])
        return True
    awards[name] = _stand_in(awards.get(name))
    changed.add(award_path)
    return True


def _node_of(path: PathKey) -> PathKey | None:
    """The criteria node or bonus/deduction item that `path` lies in, if any."""
    if len(path) < 5 or path[0] != "awards":
        return None
    found = None
    for i in range(2, len(path) - 2):
        if path[i] in ("criteria", "items"):
            found = path[: i + 2]
    return found


def _stand_in(original: Any) -> dict[str, Any]:
    """A minimal valid award keeping the original's subject table and title."""
    subjects = original.get("subjects") if isinstance(original, dict) else None
    title = original.get("title") if isinstance(original, dict) else None
    return {
        "title": title if isinstance(title, str) else "stand-in",
        "subjects": subjects if isinstance(subjects, str) else "",
        "criteria": copy.deepcopy(_STAND_IN_CRITERIA),
    }


def _set(data: dict[str, Any], path: PathKey) -> bool:
    """Replace the node at `path` by a stand-in leaf (when it is not a mapping)."""
    node: Any = data
    for part in path[:-1]:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    if not isinstance(node, dict) or isinstance(node.get(path[-1]), dict):
        return False
    node[path[-1]] = copy.deepcopy(_STAND_IN_CRITERIA["stand_in"])
    return True


def _pop(data: dict[str, Any], path: PathKey) -> bool:
    node: Any = data
    for part in path[:-1]:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_dict or in_list):
            return False
        node = node[part]
    if isinstance(node, dict) and path[-1] in node:
        del node[path[-1]]
        return True
    return False


def _data_path(data: Any, loc: tuple[Any, ...]) -> PathKey:
    out: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            out.append(part)
            node = node[part]
    return tuple(out)


def _span(src: SourceFile, path: PathKey) -> tuple[int, int]:
    pos, _ = src.nearest(path)
    if pos is None:
        return (1, len(src.lines))
    # a block mapping ends where the next key starts: on the line after it
    before = (src.line_text(pos.end_line) or "")[: pos.end_col - 1]
    ended = not before.strip() and pos.end_line > pos.key_line
    last = pos.end_line - 1 if ended else pos.end_line
    return (pos.key_line, last)
