"""A small campaign scored through the real CLI, with a cast for the review.

    store = reviewed_store(tmp_path)       # scored as `admin`, roles granted
    store.ok("review-start", "--as", "alice")
    store.refused("publish", "--as", "alice")   # -> the error message

Subjects of award `a` (quota 3 seats, tie-break on `s`):

| subject | k | s | total |
| --- | --- | --- | --- |
| P1 | 85 | 5 | 90 |
| P2 | 78 | 2 | 80 |
| P3 | 65 | 5 | 70 |
| P4 | 65 | 5 | 70 |
| P5 | 60 | 0 | 60 |
| P6 | 50 | 0 | 50 |

P1 and P2 are selected outright; P3 and P4 tie for the last seat (1 seat).
Cast: `admin` (created the store), `alice` and `bob` reviewers, `pat`
publisher, `aaron` author.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from engine_helpers import parse_export, rules_text, write_tables

from scoring.cli import cli
from scoring.cli_review import register

register(cli)

AWARD = """
a:
  title: 测试奖
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
    s: {max: 10, metric: "sum(records.n)", score: {per: 1}}
  grades: {优秀: 90, 良好: 75, 合格: 60}
  ranking: {tie_break: [s]}
  quota: {count: 3}
"""

FIGURES = {"P1": (85, 5), "P2": (78, 2), "P3": (65, 5), "P4": (65, 5), "P5": (60, 0), "P6": (50, 0)}
CAST = {"alice": "reviewer", "bob": "reviewer", "pat": "publisher", "aaron": "author"}


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output}")
    return result


@dataclass
class Store:
    """A scored store and the commands to drive its review."""

    path: Path
    run: str = "1"

    def call(self, command: str, *args: str) -> Result:
        if command in ("roles", "audit"):
            return invoke(command, *args, "--db", self.path)
        return invoke(command, "--db", self.path, "--run", self.run, *args)

    def ok(self, command: str, *args: str) -> str:
        result = self.call(command, *args)
        assert result.exit_code == 0, f"{command} {args}: {result.stderr}"
        return result.stdout

    def refused(self, command: str, *args: str) -> str:
        result = self.call(command, *args)
        assert result.exit_code == 1, f"{command} {args} was not refused: {result.stdout}"
        assert result.stderr.startswith("error: "), result.stderr
        return result.stderr

    def export(self) -> dict[str, Any]:
        result = invoke("export", "--db", self.path, "--run", self.run, "--format", "json")
        assert result.exit_code == 0, result.stderr
        return parse_export(result.stdout)

    def rows(self) -> dict[str, dict[str, Any]]:
        return {r["subject"]: r for r in self.export()["awards"]["a"]["results"]}

    def selected(self) -> list[str]:
        return [r["subject"] for r in self.export()["awards"]["a"]["results"] if r["selected"]]

    def total(self, subject: str) -> Decimal:
        return Decimal(self.rows()[subject]["total"])

    def sql(self, statement: str, *params: Any) -> list[Any]:
        conn = sqlite3.connect(self.path)
        try:
            with conn:
                return list(conn.execute(statement, params).fetchall())
        finally:
            conn.close()

    def audit_actions(self) -> list[str]:
        return [r[0] for r in self.sql("SELECT action FROM audit ORDER BY seq")]

    def last_audit(self) -> dict[str, Any]:
        seq, actor, action, today, detail = self.sql(
            "SELECT seq, actor, action, today, detail FROM audit ORDER BY seq DESC LIMIT 1"
        )[0]
        return {
            "seq": seq,
            "actor": actor,
            "action": action,
            "today": today,
            "detail": json.loads(detail),
        }


def reviewed_store(tmp_path: Path, figures: dict[str, tuple[int, int]] | None = None) -> Store:
    """Write the campaign, score it as `admin`, grant the cast their roles."""
    text = rules_text(AWARD)
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    figures = figures or FIGURES
    people = [{"id": k, "name": f"名{k}", "unit": "城关镇"} for k in figures]
    records = [{"person": k, "day": "2022-06-01", "v": v, "n": n} for k, (v, n) in figures.items()]
    write_tables(tmp_path / "data", text, {"people": people, "records": records})
    db = tmp_path / "store.db"
    done = invoke(
        "score", rules, "--db", db, "--period", "2022", "--data", tmp_path / "data", "--as", "admin"
    )
    assert done.exit_code == 0, done.stderr
    store = Store(db)
    for name, role in CAST.items():
        store.ok("roles", "grant", name, role, "--as", "admin")
    return store


def in_review(tmp_path: Path) -> Store:
    store = reviewed_store(tmp_path)
    store.ok("review-start", "--as", "alice", "--today", "2022-09-01")
    return store
