"""`pioneer rank`, `pioneer --help` and `pioneer explain` start without the
SQL compiler (sqlglot), DuckDB or openpyxl, and `rank` and `--help` without
the rule model (pydantic) too: those cost a read command most of its start-up
time (issue 7: `rank --limit 100` under 0.2 s)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


def test_read_commands_do_not_load_the_compiler_duckdb_or_openpyxl(tmp_path: Path) -> None:
    db = service.open_db(tmp_path / "x.db")
    rules = service.load(ROOT / "rules" / "three_pioneers.yaml")
    service.ingest_folder(db, rules, ROOT / "examples" / "qianyang")
    service.score(db, rules, "2022")
    db.close()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "x.db"), ",".join(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert "丁鹏飞" in done.stdout  # rank and explain really ran
    # explain reads the run's rules: it needs the rule model, nothing heavier
    assert seen == {"help": [0, []], "rank": [0, []], "explain": [0, ["pydantic"]]}
