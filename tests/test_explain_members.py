"""`explain` of a team award shows, in its members' rows, the award totals
it read (a station's couriers' `courier`), not a blank."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from scoring.cli import cli

RULES = """version: 1
campaign: {id: demo, title: 示例}
tables:
  stations: {key: id, columns: {id: text, name: text, unit: text}}
  couriers:
    key: id
    columns: {id: text, name: text, unit: text, parcels: int}
    links: {stations: unit}
awards:
  courier:
    title: 快递员
    subjects: couriers
    criteria:
      volume: {max: 100, metric: parcels, score: {linear: [0, 1000]}}
  station:
    title: 网点
    subjects: stations
    criteria:
      members: {max: 100, metric: avg(couriers.courier), score: {linear: [0, 100]}}
"""


def test_members_rows_show_the_totals_the_team_award_read(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "stations.csv").write_text("id,name,unit\nS1,城关网点,城关镇\n", encoding="utf-8")
    (data / "couriers.csv").write_text(
        "id,name,unit,parcels\nC1,甲,S1,935\nC2,乙,S1,330\n", encoding="utf-8"
    )
    db = str(tmp_path / "x.db")
    runner = CliRunner()
    args = ["score", str(tmp_path / "rules.yaml"), "--data", str(data), "--db", db]
    assert runner.invoke(cli, [*args, "--period", "2022"]).exit_code == 0
    result = runner.invoke(
        cli, ["explain", "--db", db, "--run", "latest", "--award", "station", "--subject", "S1"]
    )
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["C1", "甲", "S1", "935", "93.5"] in rows
    assert ["C2", "乙", "S1", "330", "33"] in rows
