"""The plan compiled to SQL (SQLite, DuckDB, Spark), exact to the last digit.

`SqlBackend` implements `scoring.backend.Backend`; `render_plan` prints the
SQL of every award for `pioneer sql`.
"""

from .dialects import DIALECTS, Dialect
from .sqlbackend import Fallback, SqlBackend
from .values import Unsupported

__all__ = ["DIALECTS", "Dialect", "Fallback", "SqlBackend", "Unsupported"]
