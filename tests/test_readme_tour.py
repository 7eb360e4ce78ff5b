"""The README's tour runs top to bottom as pasted and leaves the checkout as it was.

The tour is every ```sh block from the heading "## A short tour" up to the
next "## " heading, in order, run by one bash from the top of the checkout
(so `$T` set in the first block is seen by the next), with the project's
`.venv/bin` first on PATH as `. .venv/bin/activate` would put it. The one rule
for skipping: a line whose comment ends with "(interactive)" (the reviewer
TUI, `pioneer review`) is not run. Every other line must exit 0; the test
names the first line that does not. `git status --porcelain --ignored` of
the checkout must be the same before and after (so not even an ignored
`x.db` may appear).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
INTERACTIVE = "(interactive)"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)


def tour_lines(readme: str) -> list[str]:
    """The tour's command lines, in order, without the interactive ones."""
    start = readme.index("## A short tour")
    end = readme.find("\n## ", start + 1)
    section = readme[start : end if end != -1 else len(readme)]
    lines: list[str] = []
    for block in BLOCK.findall(section):
        for line in block.splitlines():
            if line.strip() and not line.rstrip().endswith(INTERACTIVE):
                lines.append(line)
    return lines


def script(lines: list[str]) -> str:
    """One bash script that stops at the first failing line and names it."""
    out = ["set -u"]
    for n, line in enumerate(lines, start=1):
        quoted = line.replace("'", "'\\''")
        out.append(
            f"{line}\nrc=$?; if [ $rc -ne 0 ]; then echo 'TOUR FAILED ({n}): {quoted}' >&2; exit $rc; fi"
        )
    return "\n".join(out) + "\n"


def git_status() -> str:
    done = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "--ignored"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_the_tour_skips_only_the_terminal_ui() -> None:
    text = README.read_text(encoding="utf-8")
    lines = tour_lines(text)
    assert lines[0] == ". .venv/bin/activate"
    assert not any(line.startswith("pioneer review ") for line in lines)
    skipped = [line for line in text.splitlines() if line.rstrip().endswith(INTERACTIVE)]
    assert len(skipped) == 1 and skipped[0].startswith("pioneer review --db")
    assert any(line.startswith("pioneer publish ") for line in lines)


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="no git")
def test_the_readme_tour_runs_as_pasted_and_writes_nothing_into_the_checkout(
    tmp_path: Path,
) -> None:
    venv = Path(sys.executable).parent
    if not (ROOT / ".venv" / "bin" / "activate").exists():
        pytest.skip("the tour starts from `make demo`'s .venv")
    before = git_status()
    env = dict(os.environ, TMPDIR=str(tmp_path), PATH=f"{venv}{os.pathsep}{os.environ['PATH']}")
    env.pop("PIONEER_DB", None)
    done = subprocess.run(
        ["bash", "-c", script(tour_lines(README.read_text(encoding="utf-8")))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "TOUR FAILED" not in done.stderr
    assert "run 2" in done.stdout  # the second run the diff compares with
    assert "run 1 published" in done.stdout
    assert git_status() == before
    tour_dirs = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert len(tour_dirs) == 1 and (tour_dirs[0] / "公示.html").is_file()
