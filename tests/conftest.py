"""Fixtures shared by several test modules.

Every test sees the same locale, whatever the machine's: none, so the
reviewer UI speaks Chinese (`tui.lang.detect`) unless a test asks for
English (`ReviewApp(..., lang="en")` or its own environment)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scoring.ingest.duckpath import ENVIRONMENT
from tui.lang import LOCALE_VARIABLES, detect, use


@pytest.fixture(autouse=True)
def _no_locale(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    use(detect())
    yield
    use(detect())


@pytest.fixture(params=["python", "duckdb"])
def ingest_reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test once per ingest path: the csv module, and DuckDB for every CSV it can read."""
    monkeypatch.setenv(ENVIRONMENT, request.param)
    yield request.param
