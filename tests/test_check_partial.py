"""`pioneer check` on files with several independent errors: a shape error
under `tables` (or another top-level section) never hides the errors of the
other passes elsewhere, and the repair behind it invents none."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scoring.cli import cli
from scoring.service import check_file

_BASE = """version: 1
campaign: {id: demo, title: 示例}
tables:
  riders:
    key: id
    columns: {id: text, unit: text, stars: number}
  deliveries:
    date: day
    links: {riders: rider}
    columns: {rider: text, day: date, parcels: int}
awards:
  rider:
    title: 骑手
    subjects: riders
    criteria:
      volume: {max: 10, metric: sum(deliveries.parcel), score: {linear: [0, 100]}}
      rating: {max: 10, metric: stars, score: {linear: [5, 5]}}
    quota: {count: 5, at_least: 1}
"""

_OTHERS = [("E-EXPR-NAME", 16), ("E-LINEAR", 17), ("E-QUOTA", 18)]
"""The independent errors of `_BASE`: a criterion's unknown column, another
criterion's degenerate `linear`, and the quota's `at_least` with `count`."""


def _check(tmp_path: Path, text: str) -> list[tuple[str, int]]:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    diagnostics, ctx = check_file(path)
    assert ctx is None or any(d.is_error for d in diagnostics)
    return sorted((d.code, d.line) for d in diagnostics)


def test_the_base_reports_its_three_errors(tmp_path: Path) -> None:
    assert _check(tmp_path, _BASE) == _OTHERS


@pytest.mark.parametrize(
    ("old", "new", "table_error"),
    [
        # a misspelt key: reported once (not also as the missing `columns`)
        ("    columns: {id: text, unit", "    colums: {id: text, unit", ("E-UNKNOWN-KEY", 6)),
        ("unit: text, stars: number", "unit: txt, stars: number", ("E-SHAPE", 6)),
        ("parcels: int}", "parcels: integer}", ("E-SHAPE", 10)),
        ("    key: id", "    key: {id: 1}", ("E-SHAPE", 5)),
        ("    date: day", "    date: [day]", ("E-SHAPE", 8)),
        ("    links: {riders: rider}", "    links: {riders: rider}\n    extra: 1", ("E-UNKNOWN-KEY", 10)),
    ],
)  # fmt: skip
def test_a_shape_error_under_tables_hides_no_other_error(
    tmp_path: Path, old: str, new: str, table_error: tuple[str, int]
) -> None:
    assert old in _BASE
    found = _check(tmp_path, _BASE.replace(old, new, 1))
    shift = new.count("\n") - old.count("\n")
    others = [(code, line + shift if line > 9 else line) for code, line in _OTHERS]
    assert found == sorted([table_error, *others])


def test_a_whole_table_not_a_mapping_hides_only_what_reads_it(tmp_path: Path) -> None:
    """`riders` becomes a stand-in; the errors about deliveries, the linear
    and the quota still show."""
    text = _BASE.replace(
        "  riders:\n    key: id\n    columns: {id: text, unit: text, stars: number}\n",
        "  riders: [id, unit, stars]\n",
    )
    assert _check(tmp_path, text) == [
        ("E-EXPR-NAME", 14),
        ("E-LINEAR", 15),
        ("E-QUOTA", 16),
        ("E-SHAPE", 4),
    ]


def test_tables_not_a_mapping_keeps_the_errors_that_do_not_read_tables(tmp_path: Path) -> None:
    start = _BASE.index("tables:")
    end = _BASE.index("awards:")
    text = _BASE[:start] + "tables: [riders, deliveries]\n" + _BASE[end:]
    assert _check(tmp_path, text) == [("E-LINEAR", 10), ("E-QUOTA", 11), ("E-SHAPE", 3)]


def test_a_key_typed_with_a_full_width_colon_is_read_as_that_key(tmp_path: Path) -> None:
    """`subjects：` is one error; the award keeps its subjects, so another
    award reading its results gets no invented "unknown award"."""
    text = _BASE.replace("    subjects: riders", "    subjects：: riders") + (
        "  team:\n"
        "    title: 班组\n"
        "    subjects: riders\n"
        "    criteria:\n"
        "      own: {max: 10, metric: rider.total, score: {linear: [0, 20]}}\n"
    )
    assert _check(tmp_path, text) == sorted([("E-UNKNOWN-KEY", 14), *_OTHERS])


def test_check_prints_every_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(_BASE.replace("parcels: int}", "parcels: integer}"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    for line in (10, 16, 17, 18):
        assert f"rules.yaml:{line}:" in result.output
    assert "FAILED (4 error(s), 0 warning(s))" in result.output


def test_links_typed_with_a_slip_invent_no_link_error(tmp_path: Path) -> None:
    """`link： {…}` is one error: the record table then has no links, and
    what that would cause in the award is not reported."""
    text = _BASE.replace("    links: {riders: rider}", "    link： {riders: rider}")
    found = _check(tmp_path, text)
    assert ("E-UNKNOWN-KEY", 9) in found
    assert not [code for code, _ in found if code in ("E-EXPR-LINK", "W-NO-LINK", "E-LINK")]
    assert ("E-LINEAR", 17) in found and ("E-QUOTA", 18) in found


_TEAM = """version: 1
campaign: {id: demo, title: 示例}
tables:
  stations: {key: id, columns: {id: text, name: text, unit: text}}
  couriers:
    key: id
    columns: {id: text, unit: text, parcels: int}
    links: {stations: unit}
awards:
  courier:
    title: 快递员
    subjects: couriers
    criteria:
      volume: {max: 10, metric: parcels, score: {linear: [0, 100]}}
    grades: {优秀: 9, 合格: 0}
  station:
    title: 网点
    subjects: stations
    criteria:
      excellent: {max: 10, metric: METRIC, score: {per: 5}}
"""


@pytest.mark.parametrize(
    ("metric", "hint"),
    [
        ("sum(courier.grade)", "`courier` is an award over `couriers`: aggregate its results"),
        ("avg(couriers.grade)", "count them with `count(couriers[courier.grade == 'GRADE'])`"),
        ("avg(couriers.selected)", "count them with `count(couriers[courier.selected])`"),
    ],
)
def test_reading_members_grades_is_taught_by_the_hint(
    tmp_path: Path, metric: str, hint: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(_TEAM.replace("METRIC", metric), encoding="utf-8")
    diagnostics, _ = check_file(path)
    assert [(d.code, d.line) for d in diagnostics] == [("E-EXPR-NAME", 20)]
    assert diagnostics[0].hint is not None and hint in diagnostics[0].hint


def test_every_mistake_of_a_chinese_typist_in_one_run(tmp_path: Path) -> None:
    """A full-width colon and comma make the YAML unreadable; it is read
    again with them typed half-width, so `98%`, a full-width `＞＝` and a
    quota error elsewhere still show, each on its own line with a hint."""
    text = """version: 1
campaign: {id: demo, title: 示例}
tables:
  riders: {key: id, columns: {id: text, unit: text, stars: number, hours: int}}
awards:
  rider:
    title: 骑手
    subjects: riders
    eligible: "hours ＞＝ 1"
    criteria:
      rating:
        title: 评价
        max： 10
        metric: stars
        score: {bands: [{min: 98%, points: 10}, {min: 0.9， points: 5}]}
    quota: {count: 5, at_least: 1}
"""
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    diagnostics, ctx = check_file(path)
    assert ctx is None
    assert sorted((d.code, d.line, d.col) for d in diagnostics) == [
        ("E-EXPR-SYNTAX", 9, 22),
        ("E-QUOTA", 16, 23),
        ("E-SHAPE", 15, 31),
        ("E-YAML-FULLWIDTH", 13, 12),
        ("E-YAML-FULLWIDTH", 15, 58),
    ]
    assert all(d.hint for d in diagnostics)
    # the lines shown are the lines as typed, not the half-width copy
    assert [d.source_line for d in diagnostics if d.line == 13] == ["        max： 10"]
