"""Exports of a run: the JSON document of SPEC §4.1 and the 公示 notice list.

* `render_json(doc)`: the export document as deterministic JSON text, Decimals
  written with their own digits;
* `export_schema()`: the document's JSON Schema (`scoring/export_schema.json`);
* `render_notice(doc, fmt, masked=...)`: the public notice as csv, xlsx, md or
  html bytes, private fields masked and cells guarded against formula
  injection.

The document itself is built by the scoring engine; nothing here reads the
store.
"""

from scoring.export.export_schema import export_schema
from scoring.export.json_text import render_json
from scoring.export.notice import MASKABLE_FIELDS, NOTICE_HEADERS, mask_value, neutralise
from scoring.export.render import NOTICE_FORMATS, render_notice

__all__ = [
    "MASKABLE_FIELDS",
    "NOTICE_FORMATS",
    "NOTICE_HEADERS",
    "export_schema",
    "mask_value",
    "neutralise",
    "render_json",
    "render_notice",
]
