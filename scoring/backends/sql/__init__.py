"""The plan compiled to SQL (SQLite, DuckDB, Spark), exact to the last digit.

`SqlBackend` implements `scoring.backend.Backend`; `render_plan` prints the
SQL of every award for `pioneer sql`.
"""

from .backend import Fallback, SqlBackend
from .dialects import DIALECTS, Dialect
from .values import Unsupported

__all__ = ["DIALECTS", "Dialect", "Fallback", "SqlBackend", "Unsupported"]
