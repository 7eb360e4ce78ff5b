"""The names the CLI offers as choices (`--dialect`, `--engine`), kept apart
from the compiler so that building the command line imports neither sqlglot
nor DuckDB."""

from __future__ import annotations

from typing import Literal

DialectName = Literal["sqlite", "duckdb", "spark"]
DIALECTS: tuple[DialectName, ...] = ("sqlite", "duckdb", "spark")
EngineChoice = Literal["auto", "sqlite", "duckdb"]
ENGINES: tuple[EngineChoice, ...] = ("auto", "sqlite", "duckdb")
