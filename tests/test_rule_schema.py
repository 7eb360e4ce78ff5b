"""The committed JSON Schema of rule files (`rules/schema.json`).

* it is exactly what `pioneer schema` prints (regenerate with `make schema`);
* it accepts every shipped rule file and every valid fixture;
* it rejects the invalid fixtures marked `# shape: invalid`, and accepts the
  other invalid fixtures that are YAML at all: their mistakes are about
  meaning (names, types, cycles), which only `pioneer check` can see.

Beyond the pydantic models, the schema tells editors a little more: names are
snake_case (`propertyNames`), every node has a `max` and a leaf a `score`, a
quota has `count` or `share`, and the bounds of counts, shares and maxima.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from scoring.cli import cli
from scoring.model import rule_schema

ROOT = Path(__file__).parent.parent
SCHEMA_PATH = ROOT / "rules" / "schema.json"
SHIPPED = sorted(p for p in (ROOT / "rules").glob("*.yaml") if not p.name.endswith(".test.yaml"))
FIXTURES = Path(__file__).parent / "fixtures" / "rules"
VALID = sorted((FIXTURES / "valid").glob("*.yaml"))
INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))


def is_marked(path: Path) -> bool:
    """Whether the fixture says its shape breaks the schema (`# shape: invalid`)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            return False
        if line.strip() == "# shape: invalid":
            return True
    return False


def loads(path: Path) -> bool:
    try:
        yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return False
    return True


SHAPE_INVALID = [p for p in INVALID if is_marked(p)]
MEANING_INVALID = [p for p in INVALID if not is_marked(p) and loads(p)]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def document(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_committed_schema_matches_the_models() -> None:
    committed = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert committed == rule_schema(), "rules/schema.json is stale: run `make schema`"


def test_committed_schema_is_what_pioneer_schema_prints() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_shipped_rule_files_point_at_the_schema() -> None:
    assert SHIPPED
    for path in SHIPPED:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=schema.json", path.name


@pytest.mark.parametrize("path", SHIPPED + VALID, ids=lambda p: p.stem)
def test_schema_accepts_valid_rule_files(validator: Draft202012Validator, path: Path) -> None:
    errors = [e.message for e in validator.iter_errors(document(path))]
    assert errors == []


def test_enough_fixtures_are_invalid_by_shape() -> None:
    assert len(SHAPE_INVALID) >= 10


@pytest.mark.parametrize("path", SHAPE_INVALID, ids=lambda p: p.stem)
def test_schema_rejects_fixtures_invalid_by_shape(
    validator: Draft202012Validator, path: Path
) -> None:
    assert not validator.is_valid(document(path))


@pytest.mark.parametrize("path", MEANING_INVALID, ids=lambda p: p.stem)
def test_schema_accepts_fixtures_only_check_can_fault(
    validator: Draft202012Validator, path: Path
) -> None:
    """Keeps the `# shape: invalid` marks honest in both directions."""
    errors = [e.message for e in validator.iter_errors(document(path))]
    assert errors == [], f"{path.name}: mark it `# shape: invalid`?"


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("ident_table", ["properties", "tables"]),
        ("ident_award", ["properties", "awards"]),
        ("ident_column", ["$defs", "Table", "properties", "columns"]),
        ("ident_node", ["$defs", "Award", "properties", "criteria"]),
    ],
)
def test_identifiers_are_checked_as_snake_case(
    validator: Draft202012Validator, name: str, where: list[str]
) -> None:
    schema: Any = validator.schema
    for key in where:
        schema = schema[key]
    assert schema["propertyNames"] == {"pattern": "^[a-z][a-z0-9_]*$"}
    errors = list(validator.iter_errors(document(FIXTURES / "invalid" / f"{name}.yaml")))
    assert any("does not match" in e.message for e in errors)


def test_every_property_is_described() -> None:
    """Editors show descriptions on hover: every key of a model has one,
    except the self-explanatory ones."""
    obvious = {"header", "private"}
    schema = rule_schema()
    missing = []
    for name, model in schema["$defs"].items():
        for prop, spec in model.get("properties", {}).items():
            if "description" not in spec and "$ref" not in spec and prop not in obvious:
                missing.append(f"{name}.{prop}")
    assert missing == []
