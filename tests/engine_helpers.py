"""Score a tiny hand-made campaign end to end and read its §4.1 export back.

    scored = campaign(tmp_path, awards=AWARD_YAML, data={"people": [...], "records": [...]})
    scored.row("P1")["points"]["business.volume"]   # Decimal("12.50")

The rule file is written as YAML text (the `tables:` block defaults to
`PEOPLE_RECORDS`: a `people` subject table and a `records` record table
linked to it), every table's rows are written as a CSV (headers = column
ids, `None` = empty cell), the folder is ingested (no reject allowed unless
`rejects_ok`), the period is scored, and the export document is parsed from
its JSON text with every number as an exact `Decimal` (integers stay int).
"""

from __future__ import annotations

import csv
import json
import textwrap
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlite_utils import Database

from scoring import service
from scoring.explain import render
from scoring.export import render_json
from scoring.ingest import IngestReport
from scoring.results import ResultRow, result
from scoring.runs import RunSummary

ACTOR = "tester"

PEOPLE_RECORDS = """\
people:
  key: id
  columns: {id: text, name: text, unit: text, level: number, member: bool, grp: text, joined: date}
records:
  date: day
  links: {people: person}
  columns: {person: text, day: date, v: number, n: int, kind: text, ok: bool}
"""


def rules_text(awards: str, tables: str = PEOPLE_RECORDS, precision: int = 2) -> str:
    """A whole rule file from the YAML text of its `tables` and `awards` blocks."""
    return (
        "version: 1\n"
        f"campaign: {{id: t, title: 测试评选, precision: {precision}}}\n"
        "tables:\n"
        + textwrap.indent(textwrap.dedent(tables), "  ")
        + "awards:\n"
        + textwrap.indent(textwrap.dedent(awards), "  ")
    )


def declared_columns(text: str) -> dict[str, list[str]]:
    """Column ids of every table of a rule file, in declaration order."""
    doc = yaml.safe_load(text)
    return {name: list(t["columns"]) for name, t in doc["tables"].items()}


def cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def write_tables(folder: Path, text: str, data: dict[str, list[dict[str, Any]] | str]) -> None:
    """One CSV per declared table; a table missing from `data` is header-only.

    A table given as `str` is written verbatim (for odd headers or cells)."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, columns in declared_columns(text).items():
        rows = data.get(table, [])
        path = folder / f"{table}.csv"
        if isinstance(rows, str):
            path.write_text(rows, encoding="utf-8")
            continue
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                unknown = set(row) - set(columns)
                assert not unknown, f"{table}: undeclared columns {unknown}"
                writer.writerow([cell(row.get(c)) for c in columns])


def parse_export(text: str) -> dict[str, Any]:
    """The JSON export with exact numbers (Decimal for fractions, int for integers)."""
    return json.loads(text, parse_float=Decimal)


@dataclass
class Scored:
    """A scored tiny campaign: the store, the rules, the run and its export."""

    tmp: Path
    db: Database
    rules: service.Rules
    report: IngestReport
    summary: RunSummary
    doc: dict[str, Any]
    json_text: str

    @property
    def run_id(self) -> int:
        return self.summary.run_id

    def award_name(self, award: str | None) -> str:
        if award is not None:
            return award
        names = list(self.doc["awards"])
        assert len(names) == 1, f"name the award: {names}"
        return names[0]

    def results(self, award: str | None = None) -> list[dict[str, Any]]:
        return list(self.doc["awards"][self.award_name(award)]["results"])

    def row(self, subject: str, award: str | None = None) -> dict[str, Any]:
        for r in self.results(award):
            if r["subject"] == subject:
                return r
        raise KeyError(subject)

    def points(self, subject: str, award: str | None = None) -> dict[str, Decimal]:
        return dict(self.row(subject, award)["points"])

    def metrics(self, subject: str, award: str | None = None) -> dict[str, Any]:
        return dict(self.row(subject, award)["metrics"])

    def total(self, subject: str, award: str | None = None) -> Decimal:
        return Decimal(self.row(subject, award)["total"])

    def order(self, award: str | None = None) -> list[str]:
        return [r["subject"] for r in self.results(award)]

    def ranks(self, award: str | None = None) -> dict[str, int | None]:
        return {r["subject"]: r["rank"] for r in self.results(award)}

    def selected(self, award: str | None = None) -> set[str]:
        return {r["subject"] for r in self.results(award) if r["selected"]}

    def ties(self, award: str | None = None) -> set[str]:
        return {r["subject"] for r in self.results(award) if r["boundary_tie"]}

    def stored(self, subject: str, award: str | None = None) -> ResultRow:
        """The stored result row (no_data, warnings: what explain shows)."""
        found = result(self.db, self.run_id, self.award_name(award), subject)
        assert found is not None, subject
        return found

    def explain(self, subject: str, award: str | None = None) -> str:
        return render(service.explain(self.db, self.run_id, self.award_name(award), subject))


def campaign(
    tmp_path: Path,
    awards: str,
    data: dict[str, list[dict[str, Any]] | str] | None = None,
    *,
    tables: str = PEOPLE_RECORDS,
    period: str = "2022",
    precision: int = 2,
    rejects_ok: bool = False,
    text: str | None = None,
    name: str = "c",
) -> Scored:
    """Write rules + tables under `tmp_path/name`, ingest, score `period`, export.

    `text` replaces the generated rule file entirely."""
    base = tmp_path / name
    base.mkdir(parents=True, exist_ok=True)
    source = text if text is not None else rules_text(awards, tables, precision)
    rule_path = base / "rules.yaml"
    rule_path.write_text(source, encoding="utf-8")
    write_tables(base / "data", source, data or {})
    rules = service.load(rule_path)
    db = service.open_db(base / "store.db", actor=ACTOR)
    report = service.ingest_folder(db, rules, base / "data", actor=ACTOR)
    if not rejects_ok:
        assert report.rejected == 0, service.rejects(db, report.dataset_id)
    summary = service.score(db, rules, period, dataset_id=report.dataset_id, actor=ACTOR)
    json_text = service.export(db, summary.run_id, "json").decode("utf-8")
    return Scored(base, db, rules, report, summary, parse_export(json_text), json_text)


def rescore(scored: Scored, period: str = "2022") -> Scored:
    """Score the same dataset again (a new run in the same store)."""
    summary = service.score(
        scored.db, scored.rules, period, dataset_id=scored.report.dataset_id, actor=ACTOR
    )
    json_text = service.export(scored.db, summary.run_id, "json").decode("utf-8")
    return Scored(
        scored.tmp,
        scored.db,
        scored.rules,
        scored.report,
        summary,
        parse_export(json_text),
        json_text,
    )


def people(*specs: tuple[str, ...] | str, unit: str = "u1") -> list[dict[str, Any]]:
    """Subjects from ids (or (id, unit) pairs), named after their id."""
    out = []
    for spec in specs:
        key, u = (spec, unit) if isinstance(spec, str) else (spec[0], spec[1])
        out.append({"id": key, "name": f"name-{key}", "unit": u})
    return out


def recs(
    person: str, *values: Any, field: str = "v", day: str = "2022-06-01", **extra: Any
) -> list[dict[str, Any]]:
    """One record per value for `person` (column `field`), all on `day`."""
    return [{"person": person, "day": day, field: v, **extra} for v in values]


D = Decimal

__all__ = [
    "ACTOR",
    "D",
    "PEOPLE_RECORDS",
    "Scored",
    "campaign",
    "declared_columns",
    "parse_export",
    "people",
    "recs",
    "render_json",
    "rescore",
    "rules_text",
    "write_tables",
]
