"""`scoring/` is the core: it must work without the TUI or Textual.

The only door from the core to the TUI is the `pioneer review` command,
which imports `tui.app` when it runs; nothing imports it at module level.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SCORING = Path(__file__).resolve().parent.parent / "scoring"
TUI = {"tui", "textual"}


def _module_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:  # module level only, not inside functions
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_no_scoring_module_imports_the_tui_at_module_level() -> None:
    offenders = sorted(
        str(path.relative_to(SCORING.parent))
        for path in SCORING.rglob("*.py")
        if _module_level_imports(path) & TUI
    )
    assert offenders == []


def test_the_core_and_its_cli_work_with_textual_unavailable() -> None:
    code = (
        "import sys; sys.modules['textual'] = None; sys.modules['tui'] = None\n"
        "import scoring.service, scoring.cli\n"
        "from click.testing import CliRunner\n"
        "result = CliRunner().invoke(scoring.cli.cli, ['check', 'rules/three_pioneers.yaml'])\n"
        "assert result.exit_code == 0, result.output\n"
    )
    root = SCORING.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


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
