"""The plan compiled to SQL (SQLite, DuckDB, Spark), exact to the last digit.

`SqlBackend` implements `scoring.backend.Backend`; `render_plan` prints the
SQL of every award for `pioneer sql`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .dialects import Dialect
    from .names import DIALECTS
    from .sqlbackend import Fallback, SqlBackend
    from .values import Unsupported

# Loaded on first use: importing a light submodule (`names`) must not pull in
# sqlglot and DuckDB, which the CLI only needs when a command compiles SQL.
_LAZY = {
    "DIALECTS": "names",
    "Dialect": "dialects",
    "Fallback": "sqlbackend",
    "SqlBackend": "sqlbackend",
    "Unsupported": "values",
}

__all__ = ["DIALECTS", "Dialect", "Fallback", "SqlBackend", "Unsupported"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
