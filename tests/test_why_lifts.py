"""The next grade through every scoring function that follows from one
metric: a band's threshold, a lower-is-better band table, a deduction item,
and a metric read by two leaves (a criterion and a bonus item) — each
suggestion verified by re-scoring with exactly that change, and with one
step less."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from scoring.cli import cli

RULES = Path(__file__).resolve().parent / "fixtures" / "why" / "bands.yaml"
BASE: dict[str, list[list[str]]] = {
    "couriers": [["D1", "甲", "城关镇"], ["D2", "乙", "城关镇"]],
    # D1: 30 + 20 + 10 - 2 = 58 合格; D2: 40 + 30 + 5 - 4 = 71 良好
    "parcels": [["D1", "2022-05-01", "6000"], ["D2", "2022-05-01", "8000"]],
    "volunteering": [["D1", "2022-05-01", "12"], ["D2", "2022-05-01", "20"]],
    "complaints": [["D2", "2022-05-01"]],
    "lates": [["D1", "2022-05-01"], ["D2", "2022-05-01"], ["D2", "2022-06-01"]],
}
HEADERS = {
    "couriers": ["id", "name", "unit"],
    "parcels": ["courier", "day", "count"],
    "volunteering": ["courier", "day", "hours"],
    "complaints": ["courier", "day"],
    "lates": ["courier", "day"],
}


def _score(tmp: Path, name: str, change: dict[str, list[list[str]]] | None = None) -> Path:
    """Score the base data, with `change`'s tables in place of the base's."""
    folder = tmp / name
    folder.mkdir()
    for table, rows in {**BASE, **(change or {})}.items():
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows([HEADERS[table], *rows])
    db = tmp / f"{name}.db"
    result = CliRunner().invoke(
        cli, ["score", str(RULES), "--data", str(folder), "--db", str(db), "--period", "2022"]
    )
    assert result.exit_code == 0, result.output
    return db


def _explain(db: Path, subject: str) -> list[str]:
    args = ["explain", "--db", str(db), "--run", "latest", "--award", "courier"]
    result = CliRunner().invoke(cli, [*args, "--subject", subject])
    assert result.exit_code == 0, result.output
    return [line.strip() for line in result.stdout.splitlines()]


def _grade(db: Path, subject: str) -> str:
    line = next(x for x in _explain(db, subject) if x.startswith("rank "))
    return line.split("grade ")[1].split(";")[0]


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    db = _score(tmp_path_factory.mktemp("base"), "base")
    return {s: [x for x in _explain(db, s) if x.startswith("next grade")] for s in ("D1", "D2")}


def test_the_suggestions(lines: dict[str, list[str]]) -> None:
    assert lines["D1"] == [
        # linear: 7399 parcels are 36.995 points, rounded half up to 37.00: 65.00
        "next grade: 再提高 1399 派送量 -> 良好 (volume, bonus.big: sum(parcels.count) 6000 -> 7399)",
        # the band {min: 20} is the next band that is enough (10 -> 20 gives 20, not 30)
        "next grade: 再提高 8 志愿时长 -> 良好 (hours: sum(volunteering.hours) 12 -> 20)",
    ]
    assert lines["D2"] == [
        # only the bonus item's band moves: volume is at its cap
        "next grade: 再提高 2000 派送量 -> 优秀 (volume, bonus.big: sum(parcels.count) 8000 -> 10000)",
        "next grade: 减少 1 有效投诉 -> 优秀 (complaints: count(complaints) 1 -> 0)",
        "next grade: 减少 2 迟报 -> 优秀 (deductions.late: count(lates) 2 -> 0)",
    ]


@pytest.mark.parametrize(
    ("subject", "change", "less", "grade", "before"),
    [
        ("D1", {"parcels": [["D1", "2022-05-01", "7399"], ["D2", "2022-05-01", "8000"]]},
         {"parcels": [["D1", "2022-05-01", "7398"], ["D2", "2022-05-01", "8000"]]}, "良好", "合格"),
        ("D1", {"volunteering": [["D1", "2022-05-01", "20"], ["D2", "2022-05-01", "20"]]},
         {"volunteering": [["D1", "2022-05-01", "19.999999"], ["D2", "2022-05-01", "20"]]},
         "良好", "合格"),
        ("D2", {"parcels": [["D1", "2022-05-01", "6000"], ["D2", "2022-05-01", "10000"]]},
         {"parcels": [["D1", "2022-05-01", "6000"], ["D2", "2022-05-01", "9999"]]}, "优秀", "良好"),
        ("D2", {"complaints": []}, None, "优秀", "良好"),
        ("D2", {"lates": [["D1", "2022-05-01"]]}, {"lates": [["D1", "2022-05-01"], ["D2", "2022-05-01"]]},
         "优秀", "良好"),
    ],
)  # fmt: skip
def test_each_suggestion_holds_when_rescored(
    tmp_path: Path,
    subject: str,
    change: dict[str, list[list[str]]],
    less: dict[str, list[list[str]]] | None,
    grade: str,
    before: str,
) -> None:
    assert _grade(_score(tmp_path, "lifted", change), subject) == grade
    if less is not None:  # one step short of the suggestion is not enough
        assert _grade(_score(tmp_path, "short", less), subject) == before
