"""docs/rules.md cannot rot: every fenced yaml block in it is marked with
what it is, and checked or run as such.

    <!-- pioneer: rules NAME -->   a complete rule file: `check` finds nothing
    <!-- pioneer: test NAME -->    a test file: passes, with 100% coverage
    <!-- pioneer: tables -->       tables added to the first rule file
    <!-- pioneer: criteria -->     criteria nodes added to its award `courier`
    <!-- pioneer: award -->        keys set on that award

A marker may end with `; needs: FEATURE, …` for language features that come
from another branch; such a block is skipped (saying so) until the feature
is there, then checked like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from scoring.diagnostics import Diagnostic
from scoring.model import Quota
from scoring.ruletest import run_test_file
from scoring.service import check_file

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "rules.md"
MARKER = re.compile(r"<!-- pioneer: (\w+)(?: ([\w.]+))?(?:; needs: ([^>]*?))? -->")


@dataclass(frozen=True)
class Block:
    kind: str
    name: str | None
    needs: tuple[str, ...]
    text: str
    line: int


def blocks() -> list[Block]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    for i, line in enumerate(lines):
        if line.strip() != "```yaml":
            continue
        marker = MARKER.fullmatch(lines[i - 1].strip()) if i else None
        assert marker, f"docs/rules.md:{i + 1}: a yaml block without a `<!-- pioneer: … -->` marker"
        end = lines.index("```", i + 1)
        needs = tuple(n.strip() for n in (marker[3] or "").split(",") if n.strip())
        out.append(Block(marker[1], marker[2], needs, "\n".join(lines[i + 1 : end]) + "\n", i + 2))
    return out


BLOCKS = blocks()
FIRST = next(b for b in BLOCKS if b.kind == "rules")


def _works(tmp: Path, expression: str) -> bool:
    """Whether a station award reading `expression` over its couriers checks
    (beside the first rule file's courier award)."""
    base: dict[str, Any] = yaml.safe_load(FIRST.text)
    base["awards"]["station"] = {
        "title": "probe",
        "subjects": "stations",
        "criteria": {"n": {"max": 1, "metric": expression, "score": {"per": 1}}},
    }
    path = tmp / "probe.yaml"
    path.write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
    diagnostics, _ = check_file(path)
    return not any(d.is_error for d in diagnostics)


FEATURES = {
    "per_at_least": lambda tmp: "per_at_least" in Quota.model_fields,
    "award fields": lambda tmp: _works(tmp, "count(couriers[courier.eligible])"),
    "months and years": lambda tmp: _works(
        tmp, "count(couriers[joined <= period.end - years(1) - months(1)])"
    ),
}


def missing(needs: tuple[str, ...], tmp: Path) -> list[str]:
    """The features a block needs that this build does not have yet."""
    for need in needs:
        assert need in FEATURES, f"unknown feature {need!r} in a docs marker"
    return [need for need in needs if not FEATURES[need](tmp)]


def errors(diagnostics: list[Diagnostic]) -> str:
    return "\n".join(d.render() for d in diagnostics)


def merged(block: Block) -> str:
    """The first rule file with a snippet added where its kind says."""
    base: dict[str, Any] = yaml.safe_load(FIRST.text)
    snippet = yaml.safe_load(block.text)
    assert isinstance(snippet, dict), f"docs/rules.md:{block.line}: a snippet is a mapping"
    if block.kind == "tables":
        base["tables"].update(snippet)
    elif block.kind == "criteria":
        base["awards"]["courier"]["criteria"].update(snippet)
    elif block.kind == "award":
        base["awards"]["courier"].update(snippet)
    else:
        raise AssertionError(f"docs/rules.md:{block.line}: unknown block kind {block.kind!r}")
    # snippets may read the table the tables example adds
    base["tables"].update(yaml.safe_load(next(b for b in BLOCKS if b.kind == "tables").text))
    return yaml.safe_dump(base, allow_unicode=True, sort_keys=False)


def test_every_kind_of_block_is_there() -> None:
    kinds = {b.kind for b in BLOCKS}
    assert kinds == {"rules", "test", "tables", "criteria", "award"}
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: f"line{b.line}-{b.kind}")
def test_doc_block(block: Block, tmp_path: Path) -> None:
    lacking = missing(block.needs, tmp_path)
    if lacking:
        pytest.skip(f"needs {', '.join(lacking)} (the lang branch); runs once that is merged")
    for other in BLOCKS:  # every named file of the guide, side by side
        if other.name is not None:
            (tmp_path / other.name).write_text(other.text, encoding="utf-8")
    if block.kind == "rules":
        assert block.name is not None
        diagnostics, _ = check_file(tmp_path / block.name)
        assert diagnostics == [], errors(diagnostics)
    elif block.kind == "test":
        assert block.name is not None
        report = run_test_file(tmp_path / block.name)
        assert [f.render() for f in report.failures] == []
        assert report.checked > 10
        assert report.coverage.missed == [], [t.label() for t in report.coverage.missed]
    else:
        path = tmp_path / "merged.yaml"
        path.write_text(merged(block), encoding="utf-8")
        diagnostics, _ = check_file(path)
        found = [d for d in diagnostics if d.is_error]
        assert found == [], f"docs/rules.md:{block.line}:\n" + errors(found)


def test_the_doc_names_every_key_of_the_rule_language() -> None:
    text = DOC.read_text(encoding="utf-8")
    from scoring.model import Award, Band, Campaign, ColumnSpec, Node, Ranking, Table, Veto
    from scoring.model import Block as BlockModel

    for model in (Campaign, ColumnSpec, Table, Veto, Band, Node, BlockModel, Ranking, Quota, Award):
        for key in model.model_fields:
            assert f"`{key}" in text or f"{key}:" in text, f"docs/rules.md never mentions `{key}`"
    for function in ("linear", "bands", "per", "percentile", "formula", "when"):
        assert f"`{function}" in text
