"""The benchmarks' data: sizes, the generated data sets (cached between runs)
and the rule file they score.

A size is chosen with `PIONEER_BENCH_SIZE` (S, M or L; default S):

| size | riders | records (three_pioneers) | generator options |
| --- | --- | --- | --- |
| S | 10,000 | about 480,000 | |
| M | 100,000 | about 4,800,000 | |
| L | 1,000,000 | about 20,100,000 | `--record-share 0.42 --no-members` |

L has issue 7's shape (a million subjects, twenty million records): at the
generator's full shape it would hold about 48 records per rider, so it keeps
42 % of the record rows, and it leaves out three_shows' tables, which the
benchmarks do not ingest.

Data sets come from `examples/generate.py --scale N` and are kept in
`PIONEER_BENCH_CACHE` (default `~/.cache/pioneer-bench`), one folder per
(scale, options, seed, SHA-256 of the generator): a second `make bench` reuses them,
and a changed generator makes a new folder. A folder is written under a
temporary name and renamed when complete, so an interrupted generation is
never reused.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "examples" / "generate.py"
RULES = ROOT / "rules" / "three_pioneers.yaml"
AWARD = "pioneer_rider"
PERIOD = "2022"
SEED = 20221206


@dataclass(frozen=True)
class Size:
    """One benchmark size: its letter, riders, and how many rounds each step gets."""

    name: str
    riders: int
    rounds: int
    """Rounds of a step that takes seconds (scoring, queries)."""
    slow_rounds: int
    """Rounds of a step that takes long (ingest, the interpreter)."""
    shape: tuple[str, ...] = ()
    """Generator options beyond `--scale` and `--seed`."""


SIZES = {
    "S": Size("S", 10_000, 5, 3),
    "M": Size("M", 100_000, 3, 1),
    "L": Size("L", 1_000_000, 1, 1, ("--record-share", "0.42", "--no-members")),
}


def chosen_size() -> Size:
    """The size of this run, from `PIONEER_BENCH_SIZE` (S, M or L)."""
    name = os.environ.get("PIONEER_BENCH_SIZE", "S").strip().upper() or "S"
    if name not in SIZES:
        raise SystemExit(f"PIONEER_BENCH_SIZE={name!r}: expected one of {', '.join(SIZES)}")
    return SIZES[name]


def cache_root() -> Path:
    default = Path.home() / ".cache" / "pioneer-bench"
    return Path(os.environ.get("PIONEER_BENCH_CACHE", str(default)))


def generator_sha256() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()


def data_folder(riders: int, shape: tuple[str, ...] = ()) -> Path:
    """The generated data set for `riders` (and generator options `shape`),
    made once and reused while the generator is unchanged."""
    options = "".join(f"-{o.lstrip('-')}" for o in shape)
    folder = cache_root() / f"scale{riders}{options}-seed{SEED}-{generator_sha256()[:12]}"
    if folder.is_dir():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(GENERATOR), "--scale", str(riders), "--seed", str(SEED)]
        + [*shape, "--out", str(partial)],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    partial.rename(folder)
    return folder


def award_only_rules(award: str = AWARD) -> str:
    """three_pioneers with one award left (the same tables, so the same
    dataset): what a hand-written query for that award is compared with."""
    doc = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    doc["awards"] = {award: doc["awards"][award]}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
