"""`examples/generate.py --record-share F --no-members`: the benchmarks' L shape.

A share below 1 keeps that share of the record rows and every subject row;
ids stay consecutive; the output is still a pure function of its options;
`--no-members` writes no three_shows table. Without the options the bytes
are the shipped example's (`test_examples.py` checks those).
"""

from __future__ import annotations

import csv
from pathlib import Path

from test_examples import load_generator

SUBJECTS = ("riders", "teams", "routes")


def _rows(folder: Path, table: str) -> list[list[str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]


def test_a_record_share_thins_records_only_and_stays_reproducible(tmp_path: Path) -> None:
    generate = load_generator()
    full = generate.generate(tmp_path / "full", seed=3, scale=150)
    thin = generate.generate(tmp_path / "thin", seed=3, scale=150, record_share=0.4, members=False)
    again = generate.generate(
        tmp_path / "again", seed=3, scale=150, record_share=0.4, members=False
    )
    assert thin == again
    for table in generate.LAYOUTS:
        if table in generate.SHOWS_TABLES:
            assert table not in thin and not (tmp_path / "thin" / f"{table}.csv").exists()
            continue
        made = (tmp_path / "thin" / f"{table}.csv").read_bytes()
        assert made == (tmp_path / "again" / f"{table}.csv").read_bytes()
        if table in SUBJECTS:
            assert made == (tmp_path / "full" / f"{table}.csv").read_bytes()
    records = [t for t in thin if t not in SUBJECTS]
    kept = sum(thin[t] for t in records) / sum(full[t] for t in records)
    assert 0.36 < kept < 0.44
    deliveries = _rows(tmp_path / "thin", "deliveries")
    assert [row[0] for row in deliveries] == [f"PS{n:08d}" for n in range(1, len(deliveries) + 1)]
    riders = {row[0] for row in _rows(tmp_path / "thin", "riders")}
    assert {row[1] for row in deliveries} <= riders  # every kept record still links
