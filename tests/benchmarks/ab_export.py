"""Exports A/B on a scored store, each step in a process of its own, so that
each step's peak memory is its own (`docs/performance.md`, "Exports and
facets, this session"):

    .venv/bin/python tests/benchmarks/ab_export.py STORE [RUN] [--formats csv,json]

Steps, per format: `pioneer` (`service.export_to` into a file, as `pioneer
export -o` writes), `pioneer before` (the replaced computation,
`tests/export_reference.py`) and `hand-sqlite` (`baselines.export_json` /
`export_csv`). Prints one line per step (seconds, peak RSS, RSS before the
step) and whether pioneer's bytes equal the before side's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = dt.date(2023, 1, 5)
ENGINES = ("pioneer", "pioneer before", "hand-sqlite")


def _mb(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    found = re.search(rf"{field}:\s+(\d+) kB", status)
    return int(found.group(1)) // 1024 if found else 0


def step(store: str, run: int, engine: str, fmt: str, out: str) -> dict[str, object]:
    """Run one step in this process and say what it took."""
    sys.path[:0] = [str(HERE.parent), str(HERE)]
    from baselines import export_csv, export_json
    from export_reference import reference_export

    from scoring import service

    db = service.open_db(store, actor="bench")
    service.run_rules(service.resolve_run(db, run))  # modules and rules loaded before the step
    Path("/proc/self/clear_refs").write_text("5")
    before = _mb("VmRSS")
    start = time.perf_counter()
    if engine == "pioneer":
        with open(out, "wb") as target:
            service.export_to(db, run, fmt, target, today=TODAY)
    elif engine == "pioneer before":
        Path(out).write_bytes(reference_export(db, run, fmt, TODAY))
    else:
        (export_json if fmt == "json" else export_csv)(Path(store), run)
    seconds = time.perf_counter() - start
    return {
        "engine": engine,
        "format": fmt,
        "seconds": seconds,
        "peak_mb": _mb("VmHWM"),
        "start_mb": before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("run", nargs="?", type=int, default=1)
    parser.add_argument("--formats", default="csv,json")
    parser.add_argument("--step", nargs=2, metavar=("ENGINE", "FORMAT"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.store, args.run, args.step[0], args.step[1], args.out)))
        return
    with tempfile.TemporaryDirectory() as folder:
        for fmt in args.formats.split(","):
            outputs = {}
            for engine in ENGINES:
                out = str(Path(folder) / f"{engine.replace(' ', '_')}.{fmt}")
                command = [
                    sys.executable,
                    __file__,
                    args.store,
                    str(args.run),
                    "--step",
                    engine,
                    fmt,
                    "--out",
                    out,
                ]
                done = subprocess.run(command, check=True, capture_output=True, text=True)
                print(done.stdout.strip(), flush=True)
                outputs[engine] = out
            same = (
                Path(outputs["pioneer"]).read_bytes()
                == Path(outputs["pioneer before"]).read_bytes()
            )
            print(f"{fmt}: pioneer's bytes {'equal' if same else 'DIFFER from'} the before side's")


if __name__ == "__main__":
    main()
