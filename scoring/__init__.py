"""pioneer: a rule-driven, auditable evaluation and recognition scoring engine.

The pipeline, one step a module:

    rules/*.yaml ─▶ source (YAML + positions) ─▶ model (pydantic) ─▶ checks (passes)
                 ─▶ plan (frozen) ─▶ runs (the interpreter over a stored dataset)
    data files   ─▶ ingest ─▶ dataset in SQLite ─┘
    run ─▶ results with breakdown ─▶ ranking/quota ─▶ export

`scoring.service` holds the public functions the CLI and the TUI call.
"""
