"""The names the CLI offers as choices (`--dialect`, `--engine`), kept apart
from the compiler so that building the command line imports neither sqlglot
nor DuckDB."""

from __future__ import annotations

import importlib.util
from typing import Literal

DialectName = Literal["sqlite", "duckdb", "spark"]
DIALECTS: tuple[DialectName, ...] = ("sqlite", "duckdb", "spark")
EngineChoice = Literal["auto", "sqlite", "duckdb"]
ENGINES: tuple[EngineChoice, ...] = ("auto", "sqlite", "duckdb")


def duckdb_installed() -> bool:
    """True when DuckDB can be imported (found without importing it)."""
    return importlib.util.find_spec("duckdb") is not None
