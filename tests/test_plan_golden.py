"""The compiled plan of each shipped campaign, printed, equals its golden file.

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


@pytest.mark.parametrize("rules", RULES, ids=lambda p: p.stem)
def test_plan_text_matches_golden(rules: Path) -> None:
    text = service.load(rules).plan.describe()
    golden = GOLDEN / f"{rules.stem}.plan"
    if os.environ.get("PIONEER_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text


def test_plan_text_is_deterministic() -> None:
    first = service.load(RULES[0]).plan.describe()
    assert service.load(RULES[0]).plan.describe() == first
