"""`pioneer sql --out`: the batch for another engine, and what it refuses.

* without `--db` there is no dataset to compile for: refused in words, exit 1,
  the folder not even created;
* an award whose SQLite text SQLite's own parser refuses is not written as an
  `AWARD.sql` that could never run: the manifest and the command say it is
  scored locally on import, and why (as `pioneer sql` prints it).
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from engine_helpers import campaign, people, recs

from scoring.cli import cli

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "three_shows.yaml"

TOO_DEEP = """
deep:
  title: 日期
  subjects: people
  criteria:
    f0: {max: 5, metric: "count(records[day + years(subject.level) > period.end - months(n)])",
         score: {per: 1}}
plain:
  title: 普通
  subjects: people
  criteria:
    n: {max: 10, metric: "sum(records.n)", score: {per: 1}}
"""
"""`deep` nests past SQLite's parser stack (tests/test_sql_coverage.py); `plain` does not."""


def test_out_without_db_is_refused_in_words_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "batch"
    result = CliRunner().invoke(cli, ["sql", str(RULES), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --out needs --db: a batch is compiled for one stored dataset\n"
    )
    assert result.stdout == ""
    assert not out.exists()


def test_an_award_sqlites_parser_refuses_is_left_to_the_import_and_said(tmp_path: Path) -> None:
    data = {
        "people": people("P1", "P2"),
        "records": [*recs("P1", 2, field="n"), *recs("P2", 5, field="n")],
    }
    scored = campaign(tmp_path, TOO_DEEP, data)
    out = tmp_path / "batch"
    result = CliRunner().invoke(
        cli,
        ["sql", str(scored.tmp / "rules.yaml"), "--db", str(scored.tmp / "store.db")]
        + ["--period", "2022", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    reason = "expressions nested deeper than SQLite's parser allows"
    assert result.stdout.splitlines() == [
        f"deep: scored locally on import ({reason})",
        "plain: run plain.sql, save its rows as plain.jsonl",
        f"wrote {out / 'manifest.json'}",
    ]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["awards"]["deep"] == {"local": reason}
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "plain.sql"]
