"""The shipped example: generator determinism, CSVs matching the rule files, data integrity."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "examples" / "generate.py"
COMMITTED = ROOT / "examples" / "qianyang"
RULE_FILES = (ROOT / "rules" / "three_pioneers.yaml", ROOT / "rules" / "three_shows.yaml")

BOOLS = {"是", "否", "true", "false"}
INT = re.compile(r"[+-]?\d+")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


@cache
def load_generator() -> ModuleType:
    """Import examples/generate.py (it is a script, not a package module)."""
    spec = importlib.util.spec_from_file_location("examples_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@cache
def declared_tables() -> dict[str, dict[str, Any]]:
    """Every table declared in either rule file; a name declared twice must match."""
    tables: dict[str, dict[str, Any]] = {}
    for path in RULE_FILES:
        for name, table in yaml.safe_load(path.read_text(encoding="utf-8"))["tables"].items():
            assert tables.setdefault(name, table) == table, f"{name} declared differently"
    return tables


def columns(table: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Column id -> (type, the header the CSV should carry)."""
    out = {}
    for column, spec in table["columns"].items():
        if isinstance(spec, str):
            out[column] = (spec, column)
        else:
            out[column] = (spec["type"], spec.get("header", column))
    return out


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, list(reader)


def files(folder: Path) -> dict[str, bytes]:
    """File name -> bytes for every file in a folder."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def run_generator(out: Path, *args: str, hash_seed: str) -> None:
    """Run the generator as the README says, in a fresh interpreter."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out), *args],
        check=True,
        capture_output=True,
        env=env,
    )


def test_generator_is_deterministic(tmp_path: Path) -> None:
    run_generator(tmp_path / "a", "--scale", "60", "--seed", "7", hash_seed="1")
    run_generator(tmp_path / "b", "--scale", "60", "--seed", "7", hash_seed="2")
    first, second = files(tmp_path / "a"), files(tmp_path / "b")
    assert first == second
    run_generator(tmp_path / "c", "--scale", "60", "--seed", "8", hash_seed="1")
    assert files(tmp_path / "c") != first


def test_scale_sets_the_number_of_riders(tmp_path: Path) -> None:
    generate = load_generator()
    counts = generate.generate(tmp_path, seed=1, scale=150)
    assert counts["riders"] == 150
    assert counts["teams"] == 15 and counts["routes"] == 25 and counts["members"] == 125


def test_committed_example_equals_a_fresh_generation(tmp_path: Path) -> None:
    generate = load_generator()
    generate.generate(tmp_path)
    assert files(COMMITTED) == files(tmp_path), (
        "examples/qianyang is stale: run `python examples/generate.py`"
    )


def test_generator_layouts_follow_the_rule_files() -> None:
    layouts = load_generator().LAYOUTS
    tables = declared_tables()
    assert set(layouts) == set(tables)
    for name, table in tables.items():
        expected = [(column, header) for column, (_, header) in columns(table).items()]
        assert list(layouts[name].columns) == expected, name


@pytest.mark.parametrize("name", sorted(declared_tables()))
def test_every_declared_table_has_a_csv_with_its_columns(name: str) -> None:
    header, _ = read_rows(COMMITTED / f"{name}.csv")
    for column, (_, title) in columns(declared_tables()[name]).items():
        assert column in header or title in header, f"{name}.csv lacks {column} ({title})"


def cells(name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column id: cell}) for every row of a committed table."""
    table = declared_tables()[name]
    header, rows = read_rows(COMMITTED / f"{name}.csv")
    position = {column: header.index(title) for column, (_, title) in columns(table).items()}
    for line, row in enumerate(rows, start=2):
        assert len(row) == len(header), f"{name}.csv:{line}: field count"
        yield line, {column: row[i] for column, i in position.items()}


@cache
def keys(name: str) -> frozenset[str]:
    """The subject keys of a committed subject table (asserting they are unique)."""
    key = declared_tables()[name]["key"]
    values = [row[key] for _, row in cells(name)]
    assert len(values) == len(set(values)), f"duplicate keys in {name}.csv"
    assert all(values), f"empty key in {name}.csv"
    return frozenset(values)


@pytest.mark.parametrize("name", sorted(declared_tables()))
def test_committed_cells_have_the_declared_types_and_links(name: str) -> None:
    table = declared_tables()[name]
    types = {column: kind for column, (kind, _) in columns(table).items()}
    links = table.get("links", {})
    for line, row in cells(name):
        where = f"{name}.csv:{line}"
        for column, value in row.items():
            if value == "":
                continue
            kind = types[column]
            if kind == "int":
                assert INT.fullmatch(value), f"{where}: {column}={value!r}"
            elif kind == "number":
                assert NUMBER.fullmatch(value), f"{where}: {column}={value!r}"
            elif kind == "bool":
                assert value in BOOLS, f"{where}: {column}={value!r}"
            elif kind == "date":
                dt.date.fromisoformat(value)
        if "date" in table:
            assert row[table["date"]], f"{where}: a record without a date"
        for target, column in links.items():
            assert row[column] == "" or row[column] in keys(target), f"{where}: dangling {column}"


def test_the_edge_cases_are_in_the_data() -> None:
    deliveries = [row for _, row in cells("deliveries")]
    months = {row["month"][:7] for row in deliveries}
    assert {"2021-12", "2023-01"} <= months, "records outside 2022 exercise the period filter"
    crews: dict[str, set[str]] = {}
    for row in deliveries:
        crews.setdefault(row["rider"], set()).add(row["team"])
    assert sum(len(c - {""}) > 1 for c in crews.values()) >= 5, "riders changing crew"
    rated = {row["rider"] for _, row in cells("ratings")}
    assert len(keys("riders") - rated) >= 10, "riders without ratings (default applies)"
    statuses = {row["party_status"] for _, row in cells("members")}
    assert statuses == {"中共党员", "中共预备党员", "群众"}
    self_votes = [row for _, row in cells("member_ballots") if row["voter"] == row["candidate"]]
    own_crew = [row for _, row in cells("ballots") if row["voter_team"] == row["team"]]
    assert self_votes and own_crew
    judges: dict[str, int] = {}
    for _, row in cells("panel_scores"):
        judges[row["team"]] = judges.get(row["team"], 0) + 1
    assert min(judges.values()) <= 2, "a panel too small for the trimmed mean"
    kinds = {row["kind"] for _, row in cells("incidents")}
    assert {"交通事故", "积压邮件", "泄露客户信息", "通报批评"} <= kinds
    pending = [row for _, row in cells("complaints") if row["valid"] == ""]
    assert pending, "complaints not yet ruled on"
