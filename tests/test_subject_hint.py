"""`results.subject_hint`: a mistyped subject key gets the key in its stored
case, else a close spelling, from one read of the keys; an award with more
keys than suggestions are made among still finds the other case in SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import Scored, campaign, people, recs

from scoring import results

AWARD = """
a:
  title: 奖
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
"""


@pytest.fixture
def scored(tmp_path: Path) -> Scored:
    keys = ("Rider01", "Rider02", "Crew7")
    data = {"people": people(*keys), "records": [r for k in keys for r in recs(k, 10)]}
    return campaign(tmp_path, AWARD, data)


def hint(s: Scored, text: str) -> str | None:
    return results.subject_hint(s.db, s.summary.run_id, ["a"], text)


def test_the_stored_case_then_a_close_spelling(scored: Scored) -> None:
    assert hint(scored, " rider02 ") == "did you mean `Rider02`?"
    assert hint(scored, "Crew8") == "did you mean `Crew7`?"
    assert hint(scored, "zzzzzz") is None


def test_too_many_keys_for_suggestions_keeps_the_case_match(
    scored: Scored, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "SUGGEST_AMONG", 2)
    assert hint(scored, "CREW7") == "did you mean `Crew7`?"
    assert hint(scored, "Crew8") is None  # no spelling suggestions among so many
