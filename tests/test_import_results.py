"""A batch compiled with `pioneer sql --out`, run by another engine and brought back with
`pioneer import-results`, stores a run byte-identical to a local one (same results_sha256).

The other engine here is DuckDB running the batch's DuckDB SQL over the dataset's
columnar copy and writing JSON lines, so the route is proven without Spark
(`tests/spark/` runs the Spark dialect the same way under `make test-spark`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scoring import service
from scoring.backends.sql import SqlBackend
from scoring.backends.sql.columnar import open_copy
from scoring.backends.sql.sqlbackend import stored_dataset
from scoring.backends.sql.stats import dataset_stats
from scoring.cli import cli

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "three_pioneers.yaml"
DATA = ROOT / "examples" / "qianyang"


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("batch")
    store = tmp / "store.db"
    rules = service.load(RULES)
    db = service.open_db(store, actor="tester")
    report = service.ingest_folder(db, rules, DATA, actor="tester")
    local = service.score(db, rules, "2022", actor="tester", backend=SqlBackend("sqlite"))
    out = tmp / "batch"
    result = CliRunner().invoke(
        cli,
        ["sql", str(RULES), "--dialect", "duckdb", "--db", str(store), "--period", "2022"]
        + ["--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    ref = stored_dataset(db, report.dataset_id)
    stats = dataset_stats(db, ref.dataset_id, ref.sha256, rules.plan.catalog)
    con = open_copy(db, ref.dataset_id, ref.sha256, rules.plan.catalog, stats)
    ran = []
    for name, entry in manifest["awards"].items():
        if entry.get("upstream") == []:  # what the operator runs elsewhere
            sql = (out / f"{name}.sql").read_text(encoding="utf-8").rstrip().rstrip(";")
            con.execute(f"COPY ({sql}) TO '{out / (name + '.jsonl')}' (FORMAT JSON)")
            ran.append(name)
    con.close()
    return {"store": store, "db": db, "out": out, "local": local, "ran": ran}


def _import(batch: dict[str, Any], folder: Path | None = None) -> Any:
    args = ["import-results", str(folder or batch["out"]), "--rules", str(RULES)]
    return CliRunner().invoke(cli, [*args, "--db", str(batch["store"]), "--as", "tester"])


def _runs(db: Any) -> int:
    return int(db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])


def test_an_imported_batch_stores_the_local_runs_results_byte_for_byte(
    batch: dict[str, Any],
) -> None:
    assert batch["ran"], "no award ran elsewhere"
    result = _import(batch)
    assert result.exit_code == 0, result.output
    run_id = int(result.output.strip().splitlines()[-1].removeprefix("run "))
    for name in batch["ran"]:
        assert f"{name}: " in result.output and "imported" in result.output
    sha = batch["db"].execute("SELECT results_sha256 FROM runs WHERE id = ?", [run_id]).fetchone()
    assert sha[0] == batch["local"].results_sha256


def _copy(batch: dict[str, Any], tmp_path: Path) -> Path:
    folder = tmp_path / "b"
    folder.mkdir()
    for file in batch["out"].iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    return folder


def test_a_batch_for_another_dataset_is_refused_and_nothing_is_written(
    batch: dict[str, Any], tmp_path: Path
) -> None:
    folder = _copy(batch, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["dataset_sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    before = _runs(batch["db"])
    result = _import(batch, folder)
    assert result.exit_code == 1
    assert "manifest.json" in result.output and "ingest the same files first" in result.output
    assert _runs(batch["db"]) == before


def test_a_row_with_a_float_or_a_missing_subject_is_refused_with_its_place(
    batch: dict[str, Any], tmp_path: Path
) -> None:
    folder = _copy(batch, tmp_path)
    name = batch["ran"][0]
    lines = (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[1])
    row["total"] = 87.25  # a float: the SQL's figures are exact integers
    (folder / f"{name}.jsonl").write_text(
        "\n".join([lines[0], json.dumps(row), *lines[2:]]) + "\n", encoding="utf-8"
    )
    before = _runs(batch["db"])
    result = _import(batch, folder)
    assert result.exit_code == 1
    assert f"{name}.jsonl:2:total:" in result.output and "87.25" in result.output
    (folder / f"{name}.jsonl").write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    result = _import(batch, folder)
    assert result.exit_code == 1 and f"{len(lines) - 1} rows for {len(lines)}" in result.output
    assert _runs(batch["db"]) == before


def _edit_manifest(folder: Path, change: Any) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def _sql_edited(manifest: dict[str, Any]) -> None:
    entry = next(e for e in manifest["awards"].values() if "sql_sha256" in e)
    entry["sql_sha256"] = "0" * 64


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda m: m.update(dialect="oracle"), "unknown dialect 'oracle'"),
        (_sql_edited, "the batch's SQL is not what this plan compiles to now"),
        (lambda m: m["period"].update(end="2022-06-30"), "period 2022 does not match its dates"),
        (lambda m: m.update(format="other"), "not a batch manifest"),
    ],
)
def test_a_manifest_that_does_not_fit_is_refused_in_words_and_nothing_is_written(
    batch: dict[str, Any], tmp_path: Path, change: Any, said: str
) -> None:
    folder = _copy(batch, tmp_path)
    _edit_manifest(folder, change)
    before = _runs(batch["db"])
    result = _import(batch, folder)
    assert result.exit_code == 1
    assert "manifest.json" in result.output and said in result.output, result.output
    assert "Traceback" not in result.output
    assert _runs(batch["db"]) == before


def test_a_folder_without_a_manifest_is_refused(batch: dict[str, Any], tmp_path: Path) -> None:
    result = _import(batch, tmp_path)
    assert result.exit_code == 1 and "no manifest.json" in result.output, result.output
