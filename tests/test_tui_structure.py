"""The TUI's shape: it reads the store only through the library, its modules
import each other without cycles, and one helper measures display width."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUI = ROOT / "tui"


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at module level or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph`, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_tui_modules_import_each_other_without_cycles() -> None:
    files = {_module(p): p for p in TUI.rglob("*.py")}
    graph = {name: _imports(path) & set(files) - {name} for name, path in files.items()}
    assert _cycle(graph) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_tui_holds_no_sql_and_opens_no_store() -> None:
    offenders = []
    for path in TUI.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("sqlite3", ".execute(", "SELECT ", "open_store", "Database("):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []


def test_one_helper_measures_display_width() -> None:
    """Only scoring/width.py measures cells; everything else asks it."""
    offenders = []
    for path in [*(ROOT / "scoring").rglob("*.py"), *TUI.rglob("*.py")]:
        if path == ROOT / "scoring" / "width.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("east_asian_width", "rich.cells", "def display_width", "def ljust"):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []
