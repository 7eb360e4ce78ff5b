"""`--engine auto|sqlite|duckdb`: which SQL backend scores a run.

`sqlite` runs the compiled SQL on the store itself; `duckdb` on the
dataset's columnar copy; `auto` picks DuckDB when it is installed and the
dataset is large (at least `AUTO_DUCKDB_ROWS` rows in all), else SQLite.
Either way an award the SQL backend cannot compile is scored by the
interpreter, and results are byte-identical whichever engine ran.
"""

from __future__ import annotations

from scoring.backend import DatasetRef
from scoring.catalog import Catalog

from .names import ENGINES as ENGINES  # re-exported: engines.ENGINES
from .names import EngineChoice, duckdb_installed
from .sqlbackend import SqlBackend
from .stats import dataset_stats

AUTO_DUCKDB_ROWS = 2_000_000
"""From about here DuckDB's columnar execution outweighs building its copy once."""


def backend_for(engine: EngineChoice, dataset: DatasetRef, catalog: Catalog) -> SqlBackend:
    """The SQL backend for `engine` over `dataset`."""
    if engine == "sqlite":
        return SqlBackend("sqlite")
    if engine == "duckdb":
        return SqlBackend("duckdb")
    stats = dataset_stats(dataset.db, dataset.dataset_id, dataset.sha256, catalog)
    rows = sum(stats.row_count(t) for t in catalog.tables)
    if duckdb_installed() and rows >= AUTO_DUCKDB_ROWS:
        return SqlBackend("duckdb")
    return SqlBackend("sqlite")
