"""`pioneer check` on slips a Chinese typist makes and on files with several
independent errors: each is located on its own line with the fix as a hint."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scoring.cli import cli
from scoring.service import check_file
from scoring.slips import number_hint

INVALID = Path(__file__).parent / "fixtures" / "rules" / "invalid"
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("name", "line", "hint"),
    [
        ("fullwidth_colon", 15, "use the half-width colon `:`"),
        ("fullwidth_colon_in_flow", 10, "use the half-width colon `:`"),
        ("fullwidth_comma", 12, "half-width comma `,`"),
        ("tab_in_indentation", 9, "replace the tab with spaces"),
    ],
)
def test_slip_is_reported_on_its_own_line_with_the_fix(name: str, line: int, hint: str) -> None:
    path = INVALID / f"{name}.yaml"
    diagnostics, _ = check_file(path)
    (found,) = diagnostics
    assert found.line == line
    assert found.hint is not None and hint in found.hint
    # the parser's later, vaguer complaint is not shown beside it
    assert "could not find expected" not in found.message


def test_a_colon_inside_a_title_is_not_a_slip() -> None:
    diagnostics, _ = check_file(INVALID / "fullwidth_colon.yaml")
    assert all(d.line != 13 for d in diagnostics)  # title: 评价：星级


def test_percent_and_fullwidth_digits_get_the_number_to_write() -> None:
    diagnostics, _ = check_file(INVALID / "percent_in_band.yaml")
    hints = sorted(d.hint or "" for d in diagnostics)
    assert hints == [
        "write a percentage as a fraction: `98%` is `0.98`",
        "write the number with half-width digits and no separators: `0.95`",
    ]


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("98%", "`0.98`"),
        ("12.5%", "`0.125`"),
        ("９８％", "`0.98`"),
        ("1,000", "`1000`"),
        ("１，０００", "`1000`"),
        ("abc", None),
        (98, None),
    ],
)
def test_number_hint(typed: object, hint: str | None) -> None:
    got = number_hint(typed)
    assert (got is None) if hint is None else (got is not None and got.endswith(hint))


def test_a_shape_error_does_not_hide_an_error_in_another_award() -> None:
    diagnostics, ctx = check_file(INVALID / "shape_error_beside_quota_error.yaml")
    assert ctx is None  # a broken file never compiles
    assert sorted((d.code, d.line) for d in diagnostics) == [
        ("E-QUOTA", 20),
        ("E-UNKNOWN-KEY", 14),
    ]


def test_a_broken_award_still_resolves_for_an_award_reading_it(tmp_path: Path) -> None:
    """The broken award keeps its name: a team award reading its total gets
    no invented "unknown column" error, while its own real error shows."""
    path = tmp_path / "rules.yaml"
    path.write_text(
        "version: 1\n"
        "campaign: {id: demo, title: 示例}\n"
        "tables:\n"
        "  riders: {key: id, columns: {id: text, unit: text, team: text, stars: number},"
        " links: {teams: team}}\n"
        "  teams: {key: id, columns: {id: text, unit: text}}\n"
        "awards:\n"
        "  rider:\n"
        "    title: 骑手\n"
        "    subjects: riders\n"
        "    criteria:\n"
        "      rating: {max: 10, metric: stars, score: {bands: [{min: 98%, points: 10}]}}\n"
        "  team:\n"
        "    title: 班组\n"
        "    subjects: teams\n"
        "    criteria:\n"
        "      members: {max: 10, metric: avg(riders.rider), score: {linear: [0, 10]}}\n"
        "      oops: {max: 5, metric: avg(riders.starz), score: {per: 1}}\n",
        encoding="utf-8",
    )
    diagnostics, _ = check_file(path)
    assert sorted((d.code, d.line) for d in diagnostics) == [
        ("E-EXPR-NAME", 17),
        ("E-SHAPE", 11),
    ]


def test_check_accepts_a_folder_like_test_does(tmp_path: Path) -> None:
    for p in (ROOT / "rules").glob("*.yaml"):
        (tmp_path / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "schema.json").write_text(
        (ROOT / "rules" / "schema.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    checked = [line.split(":")[0] for line in result.stdout.splitlines()]
    assert checked == [str(tmp_path / "three_pioneers.yaml"), str(tmp_path / "three_shows.yaml")]


def test_check_on_a_folder_without_rules_fails_clearly(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "it is a folder, and it holds no rule files (*.yaml)" in result.stderr


def test_bonus_leaves_outside_items_get_the_items_hint() -> None:
    diagnostics, _ = check_file(INVALID / "bonus_leaves_without_items.yaml")
    hints = {d.code: d.hint or "" for d in diagnostics}
    assert "under `items:`" in hints["E-MISSING"]
    assert "bonus: {max: …, items: {honors: {…}}}" in hints["E-UNKNOWN-KEY"]


def test_a_comma_in_a_chinese_title_is_not_taken_for_a_slip(tmp_path: Path) -> None:
    """Another YAML error stays reported as it is; the title's comma is text."""
    path = tmp_path / "rules.yaml"
    path.write_text(
        "version: 1\n"
        "campaign: {id: demo, title: 服务，质量}\n"
        "tables: [riders\n",  # an unclosed flow list: the real error
        encoding="utf-8",
    )
    diagnostics, _ = check_file(path)
    assert [d.code for d in diagnostics] == ["E-YAML"]


_BASE = """version: 1
campaign: {id: demo, title: 示例}
tables:
  riders: {key: id, columns: {id: text, unit: text, stars: number, hours: int}}
awards:
  rider:
    title: 骑手
    subjects: riders
    eligible: "hours >= 1"
    criteria:
      rating:
        max: 10
        metric: stars
        score: {linear: [3, 5]}
      hours: {max: 10, metric: hours, score: {bands: [{min: 0.9, points: 10}, {points: 0}]}}
    ranking: {tie_break: [rating, hours]}
    quota: {share: 0.1}
"""


@pytest.mark.parametrize(
    ("typed", "wrote", "code", "line", "col", "hint"),
    [
        # valid YAML: `max： 10` is the text of `rating`, the slip is still located
        (
            "colon in a block",
            ("        max: 10\n        metric: stars\n        score: {linear: [3, 5]}\n", "        max： 10\n"),
            "E-YAML-FULLWIDTH", 12, 12, "half-width colon `:`",
        ),
        ("comma in a list", ("[3, 5]", "[3，5]"), "E-YAML-FULLWIDTH", 14, 27, "half-width comma"),
        ("comma in names", ("[rating, hours]", "[rating，hours]"), "E-YAML-FULLWIDTH", 16, 33, "half-width comma"),
        ("tab in a number", ("min: 0.9,", "min: 0.\t9,"), "E-YAML-TAB", 15, 63, "replace the tab"),
        ("tab after a dash", ("ranking: {tie_break: [rating, hours]}", "ranking:\n      tie_break:\n        -\trating"), "E-YAML", 18, 10, "replace the tab with a space"),
        ("98% in a share", ("share: 0.1", "share: 10%"), "E-SHAPE", 17, 20, "`10%` is `0.1`"),
        ("full-width digits", ("min: 0.9,", "min: ０.９,"), "E-SHAPE", 15, 61, "`0.9`"),
        ("full-width >=", ("hours >= 1", "hours ＞＝ 1"), "E-EXPR-SYNTAX", 9, 22, "write `>=` instead of the full-width `＞＝`"),
        ("full-width ==", ("hours >= 1", "hours ＝＝ 1"), "E-EXPR-SYNTAX", 9, 22, "write `==` instead of the full-width `＝＝`"),
        ("a lone full-width =", ("hours >= 1", "hours ＝ 1"), "E-EXPR-SYNTAX", 9, 22, "write `==` (to compare)"),
        ("a lone =", ("hours >= 1", "hours = 1"), "E-EXPR-SYNTAX", 9, 22, "use `==` to compare"),
        (
            "brackets unquoted in a flow mapping",
            ("metric: hours, score", "metric: count(riders[hours]), score"),
            "E-YAML", 15, 44, "goes in quotes",
        ),
    ],
)  # fmt: skip
def test_a_slip_in_otherwise_valid_yaml_is_located_with_its_fix(
    tmp_path: Path,
    typed: str,
    wrote: tuple[str, str],
    code: str,
    line: int,
    col: int,
    hint: str,
) -> None:
    """Each slip is one error, on the line and column where it was typed,
    with what to type instead; never a vague complaint elsewhere."""
    old, new = wrote
    assert old in _BASE, typed
    path = tmp_path / "rules.yaml"
    path.write_text(_BASE.replace(old, new, 1), encoding="utf-8")
    diagnostics, _ = check_file(path)
    assert [(d.code, d.line, d.col) for d in diagnostics] == [(code, line, col)], "\n".join(
        d.render() for d in diagnostics
    )
    assert diagnostics[0].hint is not None and hint in diagnostics[0].hint


def test_the_base_of_the_slip_cases_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(_BASE, encoding="utf-8")
    assert check_file(path)[0] == []
