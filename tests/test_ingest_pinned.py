"""Dataset identity pinned through every rewrite of the ingest.

The SHA-256 below were taken from the ingest as it stood before it was made to
stream (issue 7 item 5). A faster reader, a cache of converted cells or a
different batching must leave every one of them unchanged, and the reject
report of the bad-data fixture with them: the dataset hash is what runs point
at, so a change here would orphan every stored run.

The rule files are the frozen copies in `tests/fixtures/golden/`, whose table
declarations equal those of `rules/*.yaml` as they were pinned.

A larger manual check (not run by the suite): `python examples/generate.py
--scale 20000 --out /tmp/ing20k` ingested with rules/three_pioneers.yaml gives
0a1d53d32522d4bd373a39edb8dcfca8747549d56a778536d55876c1cd88047c and with
rules/three_shows.yaml ad049a3c130db36b8c5221018a86f81c73f8ee9ef08d23b8ba572ae06c52812c.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from test_ingest_dataset import FIXTURES, catalog

from scoring import service
from scoring.ingest import ingest
from scoring.store import open_store

pytestmark = pytest.mark.usefixtures("ingest_reader")  # every test runs through both ingest paths

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
EXAMPLE = ROOT / "examples" / "qianyang"

EXAMPLE_SHA256 = {
    "three_pioneers": "f0f2c13b7d74c0e558cd0aa86b3ae41e468a8bb1d135f6c5d3bb45b5cacf0fbf",
    "three_shows": "852ce8b4964ad4b93851f2c5dd7842d35b831d2a5e6aa1c6a0a288217874a02f",
}


@pytest.mark.parametrize("campaign", sorted(EXAMPLE_SHA256))
def test_example_dataset_hash_is_unchanged(tmp_path: Path, campaign: str) -> None:
    db = service.open_db(tmp_path / "pin.db", actor="pin")
    rules = service.load(GOLDEN / f"{campaign}.yaml")
    report = service.ingest_folder(db, rules, EXAMPLE, actor="pin")
    assert report.sha256 == EXAMPLE_SHA256[campaign]
    assert report.rejected == 0


FIXTURE_PINS = {
    # folder: (dataset sha256, rows in, accepted, rejected, sha256 of the reject report)
    "good": (
        "5f47ab9796dccf40bc606b76678b0a704a4638147a893e890e98b48af62dd868",
        13,
        13,
        0,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ),
    "rejects": (
        "721e442d1a5c5ed08612cfbdc36c3dbb30c2d69abacfa27ac1aabe46fe88914e",
        25,
        4,
        21,
        "2f4dfa3158b5a2cf29c2506b2670b8f4881b2488d5f807d839730816dfb48d78",
    ),
}


@pytest.mark.parametrize("name", sorted(FIXTURE_PINS))
def test_fixture_dataset_and_reject_report_are_unchanged(name: str) -> None:
    db = open_store(":memory:")
    report = ingest(FIXTURES / name, catalog(), db)
    rejects = "\n".join(str((r.table, r.line, r.column, r.value, r.reason)) for r in report.rejects)
    assert (
        report.sha256,
        report.rows_in,
        report.accepted,
        report.rejected,
        hashlib.sha256(rejects.encode()).hexdigest(),
    ) == FIXTURE_PINS[name]
