"""Fixtures shared by several test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scoring.ingest.duckpath import ENVIRONMENT


@pytest.fixture(params=["python", "duckdb"])
def ingest_reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test once per ingest path: the csv module, and DuckDB for every CSV it can read."""
    monkeypatch.setenv(ENVIRONMENT, request.param)
    yield request.param
