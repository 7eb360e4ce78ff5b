"""The SQL backend: the plan compiled to SQL, run on SQLite (the store) or DuckDB (a copy).

`unsupported` says which awards it cannot compile (the run scores those
with the interpreter); `fallback_reason` adds what depends on the data (an
integer that could pass 64 bits); `score_award` runs the award's one query
and reads its rows back into `Outcome`s in subject-key order; `write_award`
goes further and writes the award's results into the run in SQL
(`results_sql`, `writing`), with no `Outcome` per subject.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from sqlglot import exp
from sqlite_utils import Database

from scoring.backend import DatasetRef, Declined, Outcome, Upstream, Written
from scoring.catalog import ColumnType
from scoring.ingest.tables import data_table
from scoring.periods import Period
from scoring.plan import AwardPlan, Plan
from scoring.store import quote_identifier

from .award import CompiledAward, compile_award
from .columnar import load_rows, open_copy
from .dialects import DUCKDB, SQLITE, Dialect, sqlite_parser_refuses
from .outcomes import RowReader
from .passes import TableRef
from .rational import TooLarge
from .results_sql import ResultsQuery
from .stats import ASSUMED, DatasetStats, dataset_stats
from .upstream import COLUMNS as UPSTREAM_COLUMNS
from .upstream import rows as upstream_rows
from .upstream import upstream_table
from .values import Unsupported
from .writing import write_duckdb, write_sqlite

Engine = Literal["sqlite", "duckdb"]
_IN_PERIOD: dict[tuple[str, str, dt.date, dt.date], int] = {}
_ANY_PERIOD = (dt.date(2000, 1, 1), dt.date(2000, 12, 31))


def stored_dataset(db: Database, dataset_id: int) -> DatasetRef:
    """A reference to a stored dataset, with its SHA-256."""
    row = db.execute("SELECT sha256 FROM datasets WHERE id = ?", [dataset_id]).fetchone()
    if row is None:
        raise KeyError(dataset_id)
    return DatasetRef(db, dataset_id, str(row[0]))


def row_display(
    plan: Plan, award: AwardPlan, dataset: DatasetRef
) -> dict[str, tuple[ColumnType | None, int]]:
    """The type and scale of the subject columns a result row shows (name, unit, group)."""
    info = plan.catalog.tables[award.subjects]
    stats = dataset_stats(dataset.db, dataset.dataset_id, dataset.sha256, plan.catalog)
    display: dict[str, tuple[ColumnType | None, int]] = {}
    for role, column in (("name", "name"), ("unit", "unit"), ("group", award.quota_per)):
        if column is not None and column in info.columns:
            display[role] = (info.columns[column], stats.column(award.subjects, column).scale)
    return display


class Fallback(Declined):
    """This award cannot be scored by SQL on this dataset; score it with the interpreter."""


class SqlBackend:
    """Scores awards with one SQL query each, exactly (scaled integers, no floats)."""

    def __init__(self, engine: Engine = "sqlite") -> None:
        self.engine: Engine = engine
        self.name: str = engine
        self.dialect: Dialect = SQLITE if engine == "sqlite" else DUCKDB
        # the award `write_award` compiled but could not write: `score_award` reuses it
        # (its plan and upstream held too, so their ids in the key cannot be reused)
        self._kept: tuple[tuple[Any, ...], _Prepared, tuple[Any, ...]] | None = None

    def unsupported(self, plan: Plan, award: AwardPlan) -> str | None:
        """None when the award compiles to SQL, else why not."""
        if self._kept is not None and self._kept[0][:2] == (id(plan), award.name):
            return None  # compiled for a dataset a moment ago (`write_award`)
        try:
            compile_award(plan, award, self.dialect, ASSUMED, _ANY_PERIOD)
        except Unsupported as exc:
            return str(exc)
        return None

    def fallback_reason(
        self, plan: Plan, award: AwardPlan, dataset: DatasetRef, period: Period, upstream: Upstream
    ) -> str | None:
        """`unsupported`, plus what this dataset adds (integers beyond 64 bits, expressions
        nested past SQLite's parser)."""
        try:
            self._parsed(self._prepare(plan, award, dataset, period, upstream))
        except Fallback as exc:
            return str(exc)
        return None

    def _stats(self, plan: Plan, dataset: DatasetRef) -> DatasetStats:
        return dataset_stats(dataset.db, dataset.dataset_id, dataset.sha256, plan.catalog)

    def _compile(
        self, plan: Plan, award: AwardPlan, dataset: DatasetRef, period: Period, upstream: Upstream
    ) -> CompiledAward:
        stats = self._stats(plan, dataset)
        scale = 10**plan.precision

        def largest(name: str) -> int:
            totals = upstream.get(name, {})
            return max((abs(f.total) * scale for f in totals.values()), default=0).__ceil__()

        return compile_award(
            plan,
            award,
            self.dialect,
            stats,
            (period.start, period.end),
            tables=self.tables(dataset),
            upstream_largest=largest,
            scan_whole=self._mostly_in_period(plan, award, dataset, period, stats),
        )

    def _parsed(self, prepared: _Prepared) -> _Prepared:
        """`prepared`, once SQLite's parser accepts its query (else `Fallback`). The
        write path needs no such check: it meets the refusal when it runs the query."""
        if self.engine == "sqlite":
            refused = sqlite_parser_refuses(prepared.sql)
            if refused is not None:
                raise Fallback(refused)
        return prepared

    def _mostly_in_period(
        self, plan: Plan, award: AwardPlan, dataset: DatasetRef, period: Period, stats: DatasetStats
    ) -> frozenset[str]:
        """SQLite: the record tables with over a quarter of their rows in the period
        (counted through the date index once per dataset, table and period)."""
        if self.engine != "sqlite":
            return frozenset()
        whole = set()
        for table in sorted(award.tables):
            info = plan.catalog.tables[table]
            if info.kind != "record" or info.date is None:
                continue
            key = (dataset.sha256, table, period.start, period.end)
            inside = _IN_PERIOD.get(key)
            if inside is None:
                name = quote_identifier(data_table(dataset.dataset_id, table))
                found = dataset.db.execute(
                    f"SELECT COUNT(*) FROM {name} WHERE {quote_identifier(info.date)}"
                    " BETWEEN ? AND ?",
                    [period.start.isoformat(), period.end.isoformat()],
                ).fetchone()
                inside = _IN_PERIOD[key] = int(found[0])
            if inside * 4 > stats.row_count(table):
                whole.add(table)
        return frozenset(whole)

    def tables(self, dataset: DatasetRef) -> TableRef:
        """How this engine names the tables of `dataset` (and the upstream totals)."""

        def sqlite_table(name: str) -> exp.Table:
            if name.startswith("upstream_"):
                return exp.Table(
                    this=exp.to_identifier(f"pioneer_{name}", quoted=True),
                    db=exp.to_identifier("temp"),
                )
            return exp.Table(
                this=exp.to_identifier(data_table(dataset.dataset_id, name), quoted=True)
            )

        def duck_table(name: str) -> exp.Table:
            return exp.Table(this=exp.to_identifier(name, quoted=True))

        return sqlite_table if self.engine == "sqlite" else duck_table

    def _prepare(
        self, plan: Plan, award: AwardPlan, dataset: DatasetRef, period: Period, upstream: Upstream
    ) -> _Prepared:
        """The award compiled for this dataset and the upstream rows it reads
        (raises `Fallback` when the SQL backend cannot score it here)."""
        key = _key(plan, award, dataset, period, upstream)
        if self._kept is not None and self._kept[0] == key:
            return self._kept[1]
        try:
            compiled = self._compile(plan, award, dataset, period, upstream)
        except (Unsupported, TooLarge) as exc:
            raise Fallback(str(exc)) from None
        totals: dict[str, tuple[bool, list[tuple[Any, ...]]]] = {}
        for name in compiled.upstream:
            owner = plan.catalog.tables[plan.award(name).subjects]
            assert owner.key is not None
            int_key = owner.columns[owner.key] == "int"
            try:
                rows = list(upstream_rows(upstream.get(name, {}), plan.precision, int_key))
            except Unsupported as exc:
                raise Fallback(str(exc)) from None
            totals[name] = (int_key, rows)
        # rendered once, without its ORDER BY: the write path does not need it (it
        # orders by placing), the outcomes path adds it (its rows come in key order)
        query = compiled.query
        order = query.args["order"]
        query.set("order", None)
        unordered = self.dialect.render(query, copy=False)
        query.set("order", order)
        ordered = f"{unordered} {self.dialect.render(order)}"
        return _Prepared(compiled, ordered, totals, unordered)

    def score_award(
        self,
        plan: Plan,
        award: AwardPlan,
        dataset: DatasetRef,
        period: Period,
        upstream: Upstream,
    ) -> Iterator[Outcome]:
        """One Outcome per subject, in key order (raises `Fallback` before yielding any)."""
        prepared = self._parsed(self._prepare(plan, award, dataset, period, upstream))
        self._kept = None
        info = plan.catalog.tables[award.subjects]
        assert info.key is not None
        reader = RowReader(
            prepared.compiled,
            plan.precision,
            info.columns[info.key],
            row_display(plan, award, dataset),
            scaled=self.dialect.numbers_scaled,
        )
        return self._outcomes(plan, dataset, prepared, reader)

    def _outcomes(
        self, plan: Plan, dataset: DatasetRef, prepared: _Prepared, reader: RowReader
    ) -> Iterator[Outcome]:
        with self._session(plan, dataset, prepared) as session:
            cursor = session.execute(prepared.sql)
            while True:
                batch = cursor.fetchmany(2000)
                if not batch:
                    break
                yield from reader.outcomes(batch)

    def write_award(
        self,
        plan: Plan,
        award: AwardPlan,
        dataset: DatasetRef,
        period: Period,
        upstream: Upstream,
        run_id: int,
        keep_fields: bool,
    ) -> Written | None:
        """Score, place, spell and insert the award's results in SQL (`results_sql`);
        None when `ResultsQuery` cannot spell this award."""
        self._kept = None
        prepared = self._prepare(plan, award, dataset, period, upstream)
        info = plan.catalog.tables[award.subjects]
        assert info.key is not None
        types = {role: t for role, (t, _) in row_display(plan, award, dataset).items()}
        key = _key(plan, award, dataset, period, upstream)
        try:
            query = ResultsQuery(
                plan, prepared.compiled, self.dialect, info.columns[info.key], types
            )
        except Unsupported:
            self._kept = (key, prepared, (plan, upstream))  # scored next: `score_award`
            return None
        with self._session(plan, dataset, prepared) as session:
            if self.engine == "sqlite":
                written = write_sqlite(dataset.db, query, prepared.unordered, run_id, keep_fields)
                if written is None:
                    self._kept = (key, prepared, (plan, upstream))
                return written
            return write_duckdb(session, dataset.db, query, prepared.unordered, run_id, keep_fields)

    @contextmanager
    def _session(self, plan: Plan, dataset: DatasetRef, prepared: _Prepared) -> Iterator[Any]:
        """A connection of this engine with the upstream tables the award reads."""
        if self.engine == "sqlite":
            conn = dataset.db.conn
            created = []
            try:
                for name in prepared.compiled.upstream:
                    table = f'temp."pioneer_{upstream_table(name)}"'
                    int_key, rows = prepared.totals[name]
                    kt = "INTEGER" if int_key else "TEXT"
                    conn.execute(f"DROP TABLE IF EXISTS {table}")
                    conn.execute(
                        f"CREATE TEMP TABLE {table} (k {kt} PRIMARY KEY, t INTEGER, g TEXT,"
                        " e INTEGER, v INTEGER, r INTEGER, s INTEGER)"
                    )
                    created.append(table)
                    conn.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                yield conn
            finally:
                for table in created:
                    conn.execute(f"DROP TABLE IF EXISTS {table}")
            return
        stats = self._stats(plan, dataset)
        con = open_copy(dataset.db, dataset.dataset_id, dataset.sha256, plan.catalog, stats)
        try:
            for name in prepared.compiled.upstream:
                table = f'"{upstream_table(name)}"'
                int_key, rows = prepared.totals[name]
                kt = "BIGINT" if int_key else "VARCHAR"
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {table} (k {kt}, t HUGEINT, g VARCHAR,"
                    " e BOOLEAN, v BOOLEAN, r BIGINT, s BOOLEAN)"
                )
                load_rows(con, upstream_table(name), list(UPSTREAM_COLUMNS), rows)
            yield con
        finally:
            con.close()


def _key(
    plan: Plan, award: AwardPlan, dataset: DatasetRef, period: Period, upstream: Upstream
) -> tuple[Any, ...]:
    """What a prepared award depends on (the same objects within one run)."""
    return (id(plan), award.name, dataset.sha256, period.start, period.end, id(upstream))


@dataclass(frozen=True)
class _Prepared:
    compiled: CompiledAward
    sql: str  # rows in subject-key order
    totals: Mapping[str, tuple[bool, list[tuple[Any, ...]]]]
    unordered: str  # the same rows in no particular order
