"""The compiled plan of each shipped campaign, and of one small rule file per
language feature (`tests/fixtures/plans/features/*.yaml`), printed, equals its
golden file. Adding a feature case is adding a `.yaml` (and generating its
`.plan`).

Regenerate after an intended rule change with:
    PIONEER_UPDATE_GOLDEN=1 python -m pytest tests/test_plan_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scoring import service

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "plans"
RULES = sorted(p for p in (ROOT / "rules").glob("*.yaml") if not p.name.endswith(".test.yaml"))
FEATURES = sorted((GOLDEN / "features").glob("*.yaml"))


@pytest.mark.parametrize("rules", RULES, ids=lambda p: p.stem)
def test_plan_text_matches_golden(rules: Path) -> None:
    text = service.load(rules).plan.describe()
    golden = GOLDEN / f"{rules.stem}.plan"
    if os.environ.get("PIONEER_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("rules", FEATURES, ids=lambda p: p.stem)
def test_feature_plan_text_matches_golden(rules: Path) -> None:
    text = service.load(rules).plan.describe()
    golden = rules.with_suffix(".plan")
    if os.environ.get("PIONEER_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text


def test_node_order_puts_children_and_node_targets_first() -> None:
    plan = service.load(GOLDEN / "features" / "formula_node.yaml").plan
    # `first` reads node('second'), declared after it: `second` is scored first.
    assert plan.award("a").order == ("second", "first")


def test_every_feature_has_a_fixture() -> None:
    names = {p.stem for p in FEATURES}
    assert {
        "linear",
        "bands",
        "per",
        "percentile",
        "formula_node",
        "when",
        "eligible_veto",
        "bonus_deductions",
        "tie_break",
        "quota_per",
        "quota_share",
        "virtual_award",
        "award_fields",
        "per_at_least",
        "dates",
    } <= names


def test_plan_text_is_deterministic() -> None:
    first = service.load(RULES[0]).plan.describe()
    assert service.load(RULES[0]).plan.describe() == first
