"""`scoring/` is the core: it must work without the TUI or Textual."""

from __future__ import annotations

import ast
from pathlib import Path

SCORING = Path(__file__).resolve().parent.parent / "scoring"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_scoring_never_imports_the_tui() -> None:
    offenders = {
        str(path.relative_to(SCORING.parent)): sorted(_imports(path) & {"tui", "textual"})
        for path in SCORING.rglob("*.py")
        if _imports(path) & {"tui", "textual"}
    }
    assert offenders == {}


def test_scoring_never_uses_eval() -> None:
    for path in SCORING.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name)
            and n.func.id in ("eval", "exec")
        ]
        assert not calls, f"{path} calls eval/exec"
