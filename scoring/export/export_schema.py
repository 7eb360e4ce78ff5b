"""The JSON Schema of the run export (SPEC §4.1), shipped as package data.

The schema file is `scoring/export_schema.json` (draft 2020-12). It lives at
the package root so that the `scoring = ["*.json"]` package-data rule ships it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

SCHEMA_RESOURCE = "export_schema.json"


@cache
def _schema_text() -> str:
    return files("scoring").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


def export_schema() -> dict[str, Any]:
    """Return the export's JSON Schema as a fresh dict (safe to mutate)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema
