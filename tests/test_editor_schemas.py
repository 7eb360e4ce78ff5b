"""Editor support: `rules/test.schema.json` for `*.test.yaml` is generated
from the model and kept in step; the shipped test files point at it; every
description an editor shows on hover, in both schemas, is self-contained
(Chinese and English, no reference to a document users do not have)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from scoring.cli import cli
from scoring.model import rule_schema
from scoring.ruletest_model import ruletest_schema

ROOT = Path(__file__).resolve().parent.parent
TEST_SCHEMA = ROOT / "rules" / "test.schema.json"
FIX = Path(__file__).resolve().parent / "fixtures" / "ruletest"
SHIPPED_TESTS = sorted((ROOT / "rules").glob("*.test.yaml"))
PASSING = (
    SHIPPED_TESTS + sorted((FIX / "ok").glob("*.test.yaml")) + [FIX / "more" / "no_acts.test.yaml"]
)
SHAPE_BROKEN = [
    "expect_not_mapping",
    "no_cases",
    "row_not_mapping",
    "tables_not_mapping",
    "unknown_key",
]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(TEST_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_committed_test_schema_matches_the_model() -> None:
    committed = json.loads(TEST_SCHEMA.read_text(encoding="utf-8"))
    assert committed == ruletest_schema(), "rules/test.schema.json is stale: run `make schema`"


def test_pioneer_schema_tests_prints_it() -> None:
    result = CliRunner().invoke(cli, ["schema", "--tests"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads(TEST_SCHEMA.read_text(encoding="utf-8"))


def test_shipped_test_files_point_at_the_test_schema() -> None:
    assert SHIPPED_TESTS
    for path in SHIPPED_TESTS:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=test.schema.json", path.name


@pytest.mark.parametrize("path", PASSING, ids=lambda p: p.name)
def test_schema_accepts_working_test_files(validator: Draft202012Validator, path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(document)] == []


@pytest.mark.parametrize("name", SHAPE_BROKEN)
def test_schema_rejects_test_files_of_the_wrong_shape(
    validator: Draft202012Validator, name: str
) -> None:
    document = yaml.safe_load((FIX / "bad" / f"{name}.test.yaml").read_text(encoding="utf-8"))
    assert not validator.is_valid(document)


def descriptions(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        text = node.get("description")
        if isinstance(text, str):
            yield where, text
        for key, value in node.items():
            if key != "description":
                yield from descriptions(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from descriptions(value, f"{where}/{i}")


CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b[A-Za-z]{3,}\b.*\b[A-Za-z]{3,}\b")


@pytest.mark.parametrize(
    ("name", "schema"), [("rule", rule_schema()), ("test", ruletest_schema())], ids=["rule", "test"]
)
def test_every_description_is_self_contained_in_chinese_and_english(
    name: str, schema: dict[str, Any]
) -> None:
    found = list(descriptions(schema))
    assert len(found) > 15
    for where, text in found:
        assert "SPEC" not in text and "§" not in text, (name, where, text)
        assert CJK.search(text), (name, where, "no Chinese", text)
        assert ENGLISH.search(text), (name, where, "no English", text)
