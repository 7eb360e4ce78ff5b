"""The Spark SQL that `pioneer sql --dialect spark` prints, run on Spark in local mode over
the example data, gives exactly the interpreter's outcomes; a batch written with
`pioneer sql --dialect spark --out`, run on Spark and brought back with
`pioneer import-results`, stores the SQLite engine's results_sha256; and the date
arithmetic gives the interpreter's dates (`make test-spark`).

Optional: runs only with PIONEER_SPARK=1 (set by `make test-spark`) and
skips where pyspark or Java is missing; never part of `make test`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

if os.environ.get("PIONEER_SPARK") != "1":
    pytest.skip("Spark tests run with `make test-spark`", allow_module_level=True)
if shutil.which("java") is None:
    pytest.skip("Java is not installed", allow_module_level=True)
pyspark = pytest.importorskip("pyspark")

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import types as T  # noqa: E402
from sql_helpers import differences, interpret_with_fields  # noqa: E402
from sqlglot import exp  # noqa: E402
from test_sql_dates import CASES, _expected, _sql_duration  # noqa: E402

from scoring import service  # noqa: E402
from scoring.backends.sql import SqlBackend  # noqa: E402
from scoring.backends.sql.award import compile_award  # noqa: E402
from scoring.backends.sql.datemath import DateMath, DateValue  # noqa: E402
from scoring.backends.sql.dialects import SPARK  # noqa: E402
from scoring.backends.sql.imported import import_results, write_batch  # noqa: E402
from scoring.backends.sql.outcomes import RowReader  # noqa: E402
from scoring.backends.sql.sqlbackend import stored_dataset  # noqa: E402
from scoring.backends.sql.stats import dataset_stats  # noqa: E402
from scoring.backends.sql.upstream import rows as upstream_rows  # noqa: E402
from scoring.backends.sql.upstream import upstream_table  # noqa: E402
from scoring.ingest.tables import data_table  # noqa: E402
from scoring.periods import parse_period  # noqa: E402

# py4j leaves its gateway sockets to the garbage collector: not ours to fail on
pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "qianyang"
SPARK_TYPES = {
    "text": T.StringType(),
    "int": T.LongType(),
    "number": T.LongType(),
    "bool": T.BooleanType(),
    "date": T.StringType(),
}


@pytest.fixture(scope="module")
def spark() -> Any:
    session = (
        SparkSession.builder.master("local[2]")
        .appName("pioneer-test-spark")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


def _scaled(value: Any, scale: int) -> int | None:
    if value is None:
        return None
    whole, dot, frac = str(value).partition(".")
    return int(whole + (frac + "0" * scale)[:scale]) if dot else int(whole) * 10**scale


def _load_views(spark: Any, db: Any, plan: Any, ref: Any, stats: Any) -> None:
    """Each declared table as a Spark view of the dataset's values, numbers scaled."""
    for name, info in plan.catalog.tables.items():  # the dataset's values, numbers scaled
        columns = list(info.columns)
        schema = T.StructType([T.StructField(c, SPARK_TYPES[info.columns[c]]) for c in columns])
        rows = []
        select = ", ".join(f'"{c}"' for c in columns)
        for raw in db.execute(f'SELECT {select} FROM "{data_table(ref.dataset_id, name)}"'):
            row = list(raw)
            for i, c in enumerate(columns):
                kind = info.columns[c]
                if kind == "number":
                    row[i] = _scaled(row[i], stats.column(name, c).scale)
                elif kind == "bool" and row[i] is not None:
                    row[i] = bool(row[i])
            rows.append(row)
        spark.createDataFrame(rows, schema).createOrReplaceTempView(name)


@pytest.mark.parametrize("campaign", ["three_pioneers", "three_shows"])
def test_spark_sql_gives_the_interpreters_outcomes(
    spark: Any, tmp_path: Path, campaign: str
) -> None:
    rules = service.load(ROOT / "rules" / f"{campaign}.yaml")
    db = service.open_db(tmp_path / "store.db", actor="tester")
    report = service.ingest_folder(db, rules, DATA, actor="tester")
    plan, ref = rules.plan, stored_dataset(db, report.dataset_id)
    stats = dataset_stats(db, ref.dataset_id, ref.sha256, plan.catalog)
    _load_views(spark, db, plan, ref, stats)
    period = parse_period("2022")
    reference, fields = interpret_with_fields(db, plan, ref.dataset_id, period)
    for award in plan.awards:
        compiled = compile_award(plan, award, SPARK, stats, (period.start, period.end))
        info = plan.catalog.tables[award.subjects]
        assert info.key is not None
        for name in compiled.upstream:
            owner = plan.catalog.tables[plan.award(name).subjects]
            assert owner.key is not None
            int_key = owner.columns[owner.key] == "int"
            rows = list(upstream_rows(fields[name], plan.precision, int_key))
            schema = T.StructType(
                [
                    T.StructField("k", T.LongType() if int_key else T.StringType()),
                    T.StructField("t", T.LongType()),
                    T.StructField("g", T.StringType()),
                    T.StructField("e", T.BooleanType()),
                    T.StructField("v", T.BooleanType()),
                    T.StructField("r", T.LongType()),
                    T.StructField("s", T.BooleanType()),
                ]
            )
            spark.createDataFrame(rows, schema).createOrReplaceTempView(upstream_table(name))
        rows = spark.sql(SPARK.render(compiled.query)).collect()
        display = {}
        for role, column in (("name", "name"), ("unit", "unit"), ("group", award.quota_per)):
            if column is not None and column in info.columns:
                display[role] = (info.columns[column], stats.column(award.subjects, column).scale)
        reader = RowReader(compiled, plan.precision, info.columns[info.key], display, scaled=True)
        got = list(reader.outcomes([tuple(r) for r in rows]))
        assert differences(got, reference[award.name]) == [], award.name


@pytest.mark.parametrize("campaign", ["three_pioneers", "three_shows"])
def test_a_spark_batch_imports_as_the_sqlite_engines_results(
    spark: Any, tmp_path: Path, campaign: str
) -> None:
    rules = service.load(ROOT / "rules" / f"{campaign}.yaml")
    db = service.open_db(tmp_path / "store.db", actor="tester")
    report = service.ingest_folder(db, rules, DATA, actor="tester")
    plan, ref = rules.plan, stored_dataset(db, report.dataset_id)
    stats = dataset_stats(db, ref.dataset_id, ref.sha256, plan.catalog)
    _load_views(spark, db, plan, ref, stats)
    local = service.score(db, rules, "2022", actor="tester", backend=SqlBackend("sqlite"))
    out = tmp_path / "batch"
    manifest = write_batch(out, plan, ref, parse_period("2022"), "spark")
    ran = []
    for name, entry in manifest["awards"].items():
        if entry.get("upstream") == []:
            sql = (out / f"{name}.sql").read_text(encoding="utf-8").rstrip().rstrip(";")
            spark.sql(sql).write.json(str(out / f"{name}.jsonl"))  # a folder of part files
            ran.append(name)
    assert ran
    run, imported = import_results(db, rules, out, actor="tester")
    assert imported == frozenset(ran)
    assert run.results_sha256 == local.results_sha256


def test_spark_moves_dates_as_the_interpreter_does(spark: Any) -> None:
    math = DateMath(SPARK)
    items = [
        DateValue(math, iso=exp.Literal.string(d)).shifted(_sql_duration(math, k, n)).text()
        for d, k, n in CASES
    ]
    select = ", ".join(f"{SPARK.render(item)} AS c{i}" for i, item in enumerate(items))
    got = tuple(spark.sql(f"SELECT {select}").collect()[0])
    want = tuple(_expected(d, k, n) for d, k, n in CASES)
    assert [(c, g, w) for c, g, w in zip(CASES, got, want, strict=True) if g != w] == []
