"""A partial model of a rule file whose shape is broken, so the later passes
can still report the independent errors elsewhere in the file.

The shape errors themselves are already reported. Here the data is repaired
just enough to validate: an unknown key is dropped; any other error inside
an award drops the offending value (the award keeps its name, subjects and
grades for the awards that read it), and an
award that still does not validate is replaced by a one-leaf stand-in with
the same name and subject table (so other awards that read it still resolve);
a broken `campaign` or `version` gets a stand-in. The spans that were changed
(the node, for an unknown key in one, with the sums of its award; else the
whole award) are returned, and diagnostics of the later passes inside them
are dropped:
they would be about the repair, not about what the author wrote. Errors in
`tables` are not repaired: every award reads the tables, so guessing there
would invent errors elsewhere.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from scoring.model import RuleFile
from scoring.source import PathKey, SourceFile

MAX_ROUNDS = 8

SUM_CODES = frozenset({"W-MAX-SUM", "E-TOTAL"})
"""What a node without its `max` changes elsewhere in its award."""

_STAND_IN_CRITERIA = {"stand_in": {"max": 1, "score": {"when": "true"}}}


@dataclass(frozen=True)
class Partial:
    """A model validated from repaired data, and the line spans that were repaired."""

    model: RuleFile
    hidden: tuple[tuple[int, int], ...]
    sums: tuple[tuple[int, int], ...] = ()  # awards where a node lost a key

    def hides(self, line: int, code: str = "") -> bool:
        """Whether a diagnostic lies inside a repaired span, or is about the
        sums of an award one of whose nodes lost a (misspelt) key."""
        if code in SUM_CODES and any(first <= line <= last for first, last in self.sums):
            return True
        return any(first <= line <= last for first, last in self.hidden)


def partial_model(src: SourceFile, error_paths: Sequence[tuple[PathKey, str]]) -> Partial | None:
    """Repair `src.data` at the given (data path, pydantic error type) pairs
    until it validates; None when the damage is outside what can be repaired."""
    data = copy.deepcopy(src.data)
    if not isinstance(data, dict):
        return None
    changed: set[PathKey] = set()
    sums: set[PathKey] = set()
    errors = list(error_paths)
    for _ in range(MAX_ROUNDS):
        for path, kind in errors:
            if not _repair(data, path, kind, changed, sums):
                return None
        try:
            model = RuleFile.model_validate(data)
        except ValidationError as exc:
            errors = [(_data_path(data, tuple(e["loc"])), e["type"]) for e in exc.errors()]
            continue
        except RecursionError:
            return None
        spans = tuple(_span(src, p) for p in sorted(changed, key=str))
        return Partial(model, spans, tuple(_span(src, p) for p in sorted(sums, key=str)))
    return None


def _repair(
    data: dict[str, Any], path: PathKey, kind: str, changed: set[PathKey], sums: set[PathKey]
) -> bool:
    if not path:
        return False
    if path[0] == "tables":
        return False  # every award reads the tables: a guess there invents errors
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
    if kind != "missing" and isinstance(path[-1], str) and _pop(data, path):
        changed.add(award_path)  # sums and references within the award may change
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
    # a block mapping ends at the start of the line after it
    last = pos.end_line - 1 if pos.end_col == 1 and pos.end_line > pos.key_line else pos.end_line
    return (pos.key_line, last)
