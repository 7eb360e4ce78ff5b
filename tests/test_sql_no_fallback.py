"""Every award of every shipped campaign (rules/*.yaml) and of every test campaign in
tests/ compiles to SQL in every dialect: none is left to the interpreter.

A new feature the SQL backend cannot compile fails here by name (campaign, award,
dialect and the reason), so a fallback is always a decision, never an accident.
The outcomes themselves are compared with the interpreter's in
`test_sql_shipped.py`, `test_sql_engines.py` and `test_sql_differential.py`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from scoring import service
from scoring.backends.sql.award import compile_award
from scoring.backends.sql.dialects import BY_NAME, DIALECTS
from scoring.backends.sql.stats import ASSUMED
from scoring.backends.sql.values import Unsupported
from scoring.periods import parse_period
from scoring.plan import Plan

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p for p in (ROOT / "rules").glob("*.yaml") if not p.name.endswith(".test.yaml"))
TEST_CAMPAIGNS = sorted(
    p
    for p in (ROOT / "tests").rglob("*.yaml")
    if not p.name.endswith(".test.yaml")
    and "invalid" not in p.parts
    and "benchmarks" not in p.parts
)


@cache
def _plan(path: Path) -> Plan:
    return service.load(path).plan


def _awards(paths: list[Path]) -> list[tuple[Path, str]]:
    return [(p, a.name) for p in paths for a in _plan(p).awards]


SHIPPED_AWARDS = _awards(SHIPPED)


def test_the_shipped_campaigns_have_the_awards_this_test_lists() -> None:
    listed = {f"{p.stem}.{a}" for p, a in SHIPPED_AWARDS}
    assert {
        "three_pioneers.pioneer_rider",
        "three_pioneers.pioneer_crew",
        "three_pioneers.pioneer_route",
        "three_shows.excellent_member",
        "three_shows.service_pioneer",
    } <= listed


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    ("path", "award"),
    SHIPPED_AWARDS + _awards(TEST_CAMPAIGNS),
    ids=lambda v: v if isinstance(v, str) else str(v.relative_to(ROOT)),
)
def test_every_campaign_award_compiles_with_no_fallback(
    path: Path, award: str, dialect: str
) -> None:
    plan = _plan(path)
    period = parse_period("2022")
    try:
        compile_award(
            plan, plan.award(award), BY_NAME[dialect], ASSUMED, (period.start, period.end)
        )
    except Unsupported as exc:
        pytest.fail(f"{path.name} {award} on {dialect} falls back to the interpreter: {exc}")
