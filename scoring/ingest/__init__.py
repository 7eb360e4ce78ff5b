"""Ingest: a period's spreadsheets -> one immutable, content-addressed dataset.

The pipeline is `scoring.ingest.dataset.ingest`; `scoring.ingest.query`
reads datasets back. Modules by phase: `cells` (one cell's spelling),
`encoding` (a CSV's encoding, decided on the whole file), `readers` (CSV,
xlsx, JSON Lines, streamed), `lines`, `duckpath`, `duckload` and
`chunks` (the DuckDB reader of CSV files and when it is used), `convert` (typed converters with a cache),
`suspect` (numbers a spreadsheet rewrote), `rows` (header matching and cell
checks), `batch` (CSV rows converted column-wise), `tables` (reading order and
storage layout), `dataset` (the transaction), `record` (the dataset's identity
and report written), `report` (counts, rejects, warnings), `query` (rows,
rejects and warnings from the store).
"""

from scoring.ingest.dataset import Progress, ingest
from scoring.ingest.failures import CatalogError, FileError, IngestError, RejectError
from scoring.ingest.query import (
    DatasetInfo,
    DatasetNotFound,
    dataset_info,
    find_dataset,
    iter_rows,
    latest_dataset_id,
    list_datasets,
    list_rejects,
    list_warnings,
    load_rows,
    stored_report,
)
from scoring.ingest.report import (
    CellWarning,
    IngestReport,
    Reject,
    TableCounts,
    format_summary,
    reader_notes,
    summary_lines,
)
from scoring.ingest.tables import data_table

__all__ = [
    "CatalogError",
    "CellWarning",
    "DatasetInfo",
    "DatasetNotFound",
    "FileError",
    "IngestError",
    "IngestReport",
    "Progress",
    "Reject",
    "RejectError",
    "TableCounts",
    "data_table",
    "dataset_info",
    "find_dataset",
    "format_summary",
    "ingest",
    "iter_rows",
    "latest_dataset_id",
    "list_datasets",
    "list_rejects",
    "list_warnings",
    "load_rows",
    "reader_notes",
    "stored_report",
    "summary_lines",
]
