"""Results computed elsewhere (a Spark cluster) brought back into a store as a run.

`write_batch` compiles every award for one stored dataset and period in one
dialect and writes a batch folder: `AWARD.sql` per award and `manifest.json`
(campaign, rules and dataset SHA-256, period, dialect, and per award the
result columns in order, the upstream awards it reads, the SHA-256 of its
SQL). The operator runs each `AWARD.sql` wherever the data lives and saves
its rows as JSON lines, `AWARD.jsonl` (or Spark's folder `AWARD.jsonl/` of
`part-*` files: `df.write.json(...)`), beside them.

`ImportedBackend` is then an ordinary backend: `read_batch` checks the folder
against the rule file, the stored dataset and the plan recompiled for it
(same columns, same SQL), every row's values and the subject keys, before
anything is written; the run is scored by the pipeline as any other, so its
results are byte-identical to a local run's. An award whose file is absent
is scored by the local SQL engine; an award that reads another award's
results must be (its upstream table would have to come from pioneer's own
ranking), and a file for one is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from scoring import roles
from scoring.backend import DatasetRef, Outcome, Upstream
from scoring.errors import PioneerError, Remedy
from scoring.ingest.query import find_dataset
from scoring.ingest.tables import data_table
from scoring.periods import Period, parse_period
from scoring.pipeline import score_run
from scoring.plan import AwardPlan, Plan
from scoring.roles import current_user
from scoring.rules import Rules
from scoring.runs import RunSummary
from scoring.store import quote_identifier

from .award import CompiledAward
from .dialects import BY_NAME, Dialect
from .listing import AwardSql, plan_sql
from .outcomes import RowReader
from .sqlbackend import SqlBackend, row_display
from .stats import dataset_stats

MANIFEST = "manifest.json"
FORMAT = "pioneer-sql-batch/1"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _compiled(
    plan: Plan, dataset: DatasetRef, period: Period, dialect: Dialect
) -> dict[str, AwardSql]:
    """award -> its compiled query and SQL text, or why it is scored locally
    (`listing.plan_sql`, over the tables' declared names)."""
    stats = dataset_stats(dataset.db, dataset.dataset_id, dataset.sha256, plan.catalog)
    return {found.award.name: found for found in plan_sql(plan, dialect, stats, period)}


def _file_text(found: AwardSql) -> str:
    """What `AWARD.sql` holds."""
    return found.text + ";\n"


def write_batch(
    folder: Path, plan: Plan, dataset: DatasetRef, period: Period, dialect_name: str
) -> dict[str, Any]:
    """Write `AWARD.sql` for every award that compiles, and `manifest.json`."""
    dialect = BY_NAME[dialect_name]
    folder.mkdir(parents=True, exist_ok=True)
    awards: dict[str, Any] = {}
    for name, found in _compiled(plan, dataset, period, dialect).items():
        compiled = found.compiled
        if compiled is None:
            awards[name] = {"local": found.text}
            continue
        sql = _file_text(found)
        (folder / f"{name}.sql").write_text(sql, encoding="utf-8")
        awards[name] = {
            "columns": compiled.columns,
            "upstream": list(compiled.upstream),
            "sql_sha256": _sha(sql),
        }
    manifest = {
        "format": FORMAT,
        "campaign": plan.campaign,
        "rules_sha256": plan.rules_sha256,
        "dataset_sha256": dataset.sha256,
        "period": {"label": period.label, "start": str(period.start), "end": str(period.end)},
        "dialect": dialect.name,
        "awards": awards,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")
    return manifest


@dataclass(frozen=True)
class Batch:
    """A checked batch folder: its manifest and every imported award's rows in key order."""

    manifest: dict[str, Any]
    rows: dict[str, list[tuple[Any, ...]]]
    readers: dict[str, RowReader]


def read_manifest(folder: Path) -> dict[str, Any]:
    """The batch's manifest (a clear error when it is missing or not one)."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PioneerError(
            "no manifest.json: not a batch folder (the compiled SQL with its manifest)",
            file=str(path),
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise PioneerError(f"not a batch manifest: {exc}", file=str(path)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PioneerError(f"not a batch manifest (format {FORMAT})", file=str(path))
    return manifest


def read_batch(
    folder: Path, manifest: dict[str, Any], plan: Plan, dataset: DatasetRef, period: Period
) -> Batch:
    """Check the batch (its manifest already read) against the rules, the dataset and
    the recompiled plan; read its rows."""
    where = str(folder / MANIFEST)
    expected = {
        "campaign": plan.campaign,
        "rules_sha256": plan.rules_sha256,
        "dataset_sha256": dataset.sha256,
    }
    for key, want in expected.items():
        if manifest.get(key) != want:
            raise PioneerError(
                f"{key} is {manifest.get(key)!r}, but this store and rule file give {want!r}",
                file=where,
            )
    dialect_name = manifest.get("dialect")
    if dialect_name not in BY_NAME:
        raise PioneerError(f"unknown dialect {dialect_name!r}", file=where)
    dialect = BY_NAME[dialect_name]
    recompiled = _compiled(plan, dataset, period, dialect)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    readers: dict[str, RowReader] = {}
    listed = manifest.get("awards", {})
    for award in plan.awards:
        source = _source(folder, award.name)
        if source is None:
            continue
        found = recompiled[award.name]
        entry = listed.get(award.name, {})
        compiled = found.compiled
        if compiled is None or "columns" not in entry:
            raise PioneerError(
                f"award {award.name} is scored locally here; remove its results", file=str(source)
            )
        if (
            entry.get("sql_sha256") != _sha(_file_text(found))
            or entry.get("columns") != compiled.columns
        ):
            raise PioneerError(
                f"award {award.name}: the batch's SQL is not what this plan compiles to now",
                file=where,
            )
        if compiled.upstream:
            raise PioneerError(
                f"award {award.name} reads the results of {', '.join(compiled.upstream)}:"
                " score it locally (leave its results out of the batch)",
                file=str(source),
            )
        reader = RowReader(
            compiled,
            plan.precision,
            _key_type(plan, award),
            row_display(plan, award, dataset),
            scaled=dialect.numbers_scaled,
        )
        rows[award.name] = _rows(source, compiled, plan, award, dataset)
        readers[award.name] = reader
    return Batch(manifest, rows, readers)


def _source(folder: Path, award: str) -> Path | None:
    path = folder / f"{award}.jsonl"
    return path if path.exists() else None


def _lines(source: Path) -> Iterator[tuple[str, int, str]]:
    files = sorted(source.glob("part-*")) if source.is_dir() else [source]
    for file in files:
        with file.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield str(file), number, line


def _rows(
    source: Path, compiled: CompiledAward, plan: Plan, award: AwardPlan, dataset: DatasetRef
) -> list[tuple[Any, ...]]:
    columns = compiled.columns
    known = set(columns)
    int_key = _key_type(plan, award) == "int"
    out: list[tuple[Any, ...]] = []
    for file, number, line in _lines(source):
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise PioneerError(f"not a JSON line: {exc}", file=file, line=number) from None
        if not isinstance(record, dict):
            raise PioneerError("a row must be a JSON object", file=file, line=number)
        extra = sorted(set(record) - known)
        if extra:
            raise PioneerError(f"columns the plan has not: {extra}", file=file, line=number)
        row = tuple(record.get(c) for c in columns)
        for column, value in zip(columns, row, strict=True):
            if value is not None and not isinstance(value, bool | int | str):
                raise PioneerError(
                    f"{value!r} is not an integer, a boolean or text (numbers must stay"
                    " exact integers, as the SQL computes them)",
                    file=file,
                    line=number,
                    column=column,
                )
        if row[0] is None:
            raise PioneerError("a row without its subject key `k`", file=file, line=number)
        out.append(row)
    out.sort(key=lambda r: int(r[0]) if int_key else str(r[0]))
    got = [str(r[0]) for r in out]
    want = _subject_keys(plan, award, dataset)
    if got != want:
        missing = sorted(set(want) - set(got))[:3]
        unknown = sorted(set(got) - set(want))[:3]
        raise PioneerError(
            f"award {award.name}: {len(got)} rows for {len(want)} subjects"
            f" (missing {missing}, unknown or repeated {unknown or 'none'})",
            file=str(source),
        )
    return out


def _key_type(plan: Plan, award: AwardPlan) -> Any:
    info = plan.catalog.tables[award.subjects]
    assert info.key is not None
    return info.columns[info.key]


def _subject_keys(plan: Plan, award: AwardPlan, dataset: DatasetRef) -> list[str]:
    info = plan.catalog.tables[award.subjects]
    assert info.key is not None
    table = quote_identifier(data_table(dataset.dataset_id, award.subjects))
    keys = [r[0] for r in dataset.db.execute(f"SELECT {quote_identifier(info.key)} FROM {table}")]
    int_key = info.columns[info.key] == "int"
    keys.sort(key=lambda k: int(k) if int_key else str(k))
    return [str(int(k)) if int_key else str(k) for k in keys]


class ImportedBackend:
    """Hands back the batch's rows as outcomes; other awards go to the local engine."""

    def __init__(self, batch: Batch, local: SqlBackend) -> None:
        self.batch = batch
        self.local = local
        self.name = f"import ({batch.manifest['dialect']})"

    def unsupported(self, plan: Plan, award: AwardPlan) -> str | None:
        if award.name in self.batch.rows:
            return None
        return self.local.unsupported(plan, award)

    def score_award(
        self, plan: Plan, award: AwardPlan, dataset: DatasetRef, period: Period, upstream: Upstream
    ) -> Iterator[Outcome]:
        rows = self.batch.rows.get(award.name)
        if rows is None:
            return self.local.score_award(plan, award, dataset, period, upstream)
        return self.batch.readers[award.name].outcomes(rows)


def stored_by_sha(db: Database, sha256: str, where: str) -> DatasetRef:
    """The stored dataset with this SHA-256 (ingest stores each content once)."""
    found = find_dataset(db, sha256)
    if found is None:
        raise PioneerError(
            f"the store holds no dataset with SHA-256 {sha256}: ingest the same files first",
            file=where,
            remedy=Remedy.INGEST,
        )
    return DatasetRef(db, found, sha256)


def import_results(
    db: Database,
    rules: Rules,
    folder: Path,
    *,
    actor: str | None = None,
    today: dt.date | None = None,
) -> tuple[RunSummary, frozenset[str]]:
    """Store a run whose figures come from a batch folder (the rest scored locally);
    also says which awards came from the batch."""
    who = actor or current_user()
    roles.require(db, who, "score")
    manifest = read_manifest(folder)
    where = str(folder / MANIFEST)
    dataset = stored_by_sha(db, str(manifest.get("dataset_sha256")), where)
    stated = manifest.get("period", {})
    try:
        period = parse_period(str(stated.get("label")))
    except ValueError as exc:
        raise PioneerError(f"period: {exc}", file=where) from None
    if (str(period.start), str(period.end)) != (stated.get("start"), stated.get("end")):
        raise PioneerError(f"period {period.label} does not match its dates", file=where)
    batch = read_batch(folder, manifest, rules.plan, dataset, period)
    backend = ImportedBackend(batch, SqlBackend("sqlite"))
    run = score_run(rules, dataset, period, backend, actor=who, today=today)
    return run, frozenset(batch.rows)
