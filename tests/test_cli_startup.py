"""`pioneer rank`, `pioneer --help` and `pioneer explain` start without the
SQL compiler (sqlglot), DuckDB or openpyxl, and `rank` and `--help` without
the rule model (pydantic) too: those cost a read command most of its start-up
time (issue 7: `rank --limit 100` under 0.2 s). `rank`, `warnings`,
`audit log`, `roles list`, `diff` and `calendar show`, each in a fresh
interpreter as a user runs them, load none of sqlite-utils, ingest, the
dataset reader, the rule loader, the review workflow or (for a run without
review records) the review records either."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import service

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sqlglot", "duckdb", "openpyxl", "pydantic")

# Runs each command in one fresh interpreter and prints, per command, its exit
# code and which heavy modules were loaded by then.
PROBE = """
import json, sys
from scoring.cli import cli
db, heavy = sys.argv[1], sys.argv[2].split(",")
seen = {}
for name, args in [
    ("help", ["--help"]),
    ("rank", ["rank", "--db", db, "--run", "latest", "--award", "pioneer_rider", "--limit", "3"]),
    ("explain", ["explain", "--db", db, "--run", "latest", "--award", "pioneer_rider",
                 "--subject", "R0168"]),
]:
    try:
        cli.main(args=args, prog_name="pioneer", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
    seen[name] = [code, sorted(m for m in heavy if m in sys.modules)]
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the shipped example scored (run 1), no review yet."""
    path = tmp_path_factory.mktemp("startup") / "x.db"
    db = service.open_db(path)
    rules = service.load(ROOT / "rules" / "three_pioneers.yaml")
    service.ingest_folder(db, rules, ROOT / "examples" / "qianyang")
    service.score(db, rules, "2022")
    db.close()
    return path


def test_read_commands_do_not_load_the_compiler_duckdb_or_openpyxl(scored: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(scored), ",".join(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert "丁鹏飞" in done.stdout  # rank and explain really ran
    # explain reads the run's rules: it needs the rule model, nothing heavier
    assert seen == {"help": [0, []], "rank": [0, []], "explain": [0, ["pydantic"]]}


# What a read command must not load: each is a large part of a start-up that
# `rank --limit 100` has 0.2 s for (the store is read with sqlite3 alone).
NOT_FOR_READING = (
    *HEAVY,
    "sqlite_utils",
    "scoring.ingest",
    "scoring.data",
    "scoring.rules",
    "scoring.plan",
    "scoring.pipeline",
    "scoring.review.api",
    "scoring.review.standings",
    "scoring.review.records",
    "scoring.diff",
    "scoring.export.render",
    "yaml",
    "textual",
    "tempfile",
    "hashlib",
    "difflib",
)

# One command in a fresh interpreter, as the `pioneer` script runs it: its
# exit code, its output and which of the named modules it loaded.
ONE_COMMAND = """
import io, json, sys
from contextlib import redirect_stdout
from scoring.cli import main
watch = sys.argv[1].split(",")
sys.argv = ["pioneer", *sys.argv[2:]]
out = io.StringIO()
try:
    with redirect_stdout(out):
        main()
except SystemExit as exc:
    code = exc.code
print(json.dumps([code, out.getvalue(), sorted(m for m in watch if m in sys.modules)]))
"""


@pytest.mark.parametrize(
    ("args", "shows", "needs"),
    [
        (["rank", "--run", "latest", "--award", "pioneer_rider", "--limit", "100"], "丁鹏飞", ()),
        (["warnings", "--run", "1"], "run 1: 4 warning(s)", ()),
        (["audit", "log"], "score run 1", ()),
        (["roles", "list"], ": admin", ()),
        # diff writes its JSON with the export package's encoder (whose package
        # loads the 公示 renderers and the export schema, with tempfile)
        (
            ["diff", "1", "latest"],
            "pioneer_rider: 0 changed",
            ("scoring.diff", "scoring.export.render", "tempfile"),
        ),
        # the calendar fingerprints an import file (hashlib): that module, not the workflow
        (["calendar", "show", "2022"], "2022-10-01", ("hashlib",)),
    ],
    ids=["rank", "warnings", "audit log", "roles list", "diff", "calendar show"],
)
def test_read_commands_load_only_what_they_use(
    scored: Path, args: list[str], shows: str, needs: tuple[str, ...]
) -> None:
    watch = [m for m in NOT_FOR_READING if m not in needs]
    done = subprocess.run(
        [sys.executable, "-c", ONE_COMMAND, ",".join(watch), *args, "--db", str(scored)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    code, output, loaded = json.loads(done.stdout)
    assert (code, loaded) == (0, [])
    assert shows in output
