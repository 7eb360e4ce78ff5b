"""Writing a dataset's identity and report into the store, inside the ingest's transaction.

A dataset row is inserted first with a pending hash (so that its tables can
be named after its id), and given its SHA-256 once every row has been read
(`dataset_sha256`, the identity `scoring.ingest.dataset` describes); then its
per-table counts, its reject report and its cell warnings are written
(`record`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from sqlite_utils import Database

from scoring.catalog import Catalog
from scoring.ingest.report import IngestReport
from scoring.ingest.tables import declarations
from scoring.store import PENDING_PREFIX


def insert_pending(db: Database, folder: Path, catalog: Catalog) -> int:
    """A new dataset row with a pending hash; its id."""
    cursor = db.execute(
        "INSERT INTO datasets (sha256, created, source, catalog) VALUES (?, ?, ?, ?)",
        [
            f"{PENDING_PREFIX}{uuid4().hex}",
            datetime.now(UTC).isoformat(timespec="seconds"),
            str(folder),
            json.dumps(declarations(catalog), ensure_ascii=False),
        ],
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def dataset_sha256(catalog: Catalog, row_digests: dict[str, str]) -> str:
    """The dataset's identity from its declarations and each table's rows digest (hex)."""
    document = {
        "format": 1,
        "tables": declarations(catalog),
        "rows": {name: row_digests[name] for name in sorted(row_digests)},
    }
    canonical = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(db: Database, dataset_id: int, report: IngestReport) -> None:
    """Give dataset `dataset_id` its hash and store the counts, rejects and warnings of `report`."""
    db.execute("UPDATE datasets SET sha256 = ? WHERE id = ?", [report.sha256, dataset_id])
    db.table("dataset_tables").insert_all(
        {
            "dataset_id": dataset_id,
            "table_name": counts.table,
            "file": counts.file,
            "rows_in": counts.rows_in,
            "accepted": counts.accepted,
            "rejected": counts.rejected,
            "warnings": json.dumps(list(counts.warnings), ensure_ascii=False),
        }
        for counts in report.tables
    )
    for table, entries in (("rejects", report.rejects), ("ingest_warnings", report.cell_warnings)):
        db.table(table).insert_all(
            {
                "dataset_id": dataset_id,
                "table_name": entry.table,
                "file": entry.file,
                "line": entry.line,
                "column": entry.column,
                "value": entry.value,
                "reason": entry.reason,
            }
            for entry in entries
        )
