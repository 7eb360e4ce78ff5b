"""`explain` says why a ranked subject is not selected and the smallest
change of one metric that lifts it to the next grade — verified here by
re-scoring with exactly that change (and with one step less); `warnings`
lists per-subject warnings and `score` counts them."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner, Result

from scoring.cli import cli

RULES = Path(__file__).resolve().parent / "fixtures" / "why" / "couriers.yaml"
COURIERS = [
    # id, name, unit, parcels, volunteering hours
    ("C1", "甲", "城关镇", 6000, "15"),  # 60 + 30 = 90 优秀
    ("C2", "乙", "城关镇", 4000, "15"),  # 40 + 30 = 70 良好
    ("C3", "丙", "城关镇", 6000, "4"),  # 60 + 8 = 68 合格
    ("C4", "丁", "城关镇", 3000, "0"),  # 30: below min_score 50
    ("C5", "戊", "南寨镇", 6000, "0"),  # 60
    ("C6", "己", "草碧镇", 6000, "0"),  # 60, two panel scores: too few to trim
]


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    return result


def write(
    folder: Path,
    couriers: list[tuple[str, str, str, int, str]],
    extra: dict[str, list[list[str]]] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tables: dict[str, list[list[str]]] = {
        "couriers": [["id", "name", "unit"]] + [[c[0], c[1], c[2]] for c in couriers],
        "parcels": [["courier", "day", "count"]]
        + [[c[0], "2022-05-01", str(c[3])] for c in couriers],
        "volunteering": [["courier", "day", "hours"]]
        + [[c[0], "2022-05-01", c[4]] for c in couriers if c[4] != "0"],
        # three judges score 60 (0 points); C6 has only two scores: too few to trim
        "panel": [["courier", "day", "score"]]
        + [[c[0], "2022-11-01", "60"] for c in couriers for _ in range(3 if c[0] != "C6" else 2)],
    }
    for table, rows in (extra or {}).items():
        tables[table] += rows
    for table, rows in tables.items():
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows(rows)
    return folder


def score(tmp: Path, name: str, **kwargs: object) -> Path:
    db = tmp / f"{name}.db"
    data = write(tmp / name, kwargs.get("couriers", COURIERS), kwargs.get("extra"))  # type: ignore[arg-type]
    result = run("score", RULES, "--data", data, "--db", db, "--period", "2022")
    assert result.exit_code == 0, result.output
    return db


def explain(db: Path, subject: str) -> list[str]:
    result = run(
        "explain", "--db", db, "--run", "latest", "--award", "courier", "--subject", subject
    )
    assert result.exit_code == 0, result.output
    return [line.strip() for line in result.stdout.splitlines()]


def grade(db: Path, subject: str) -> str:
    line = next(x for x in explain(db, subject) if x.startswith("rank "))
    return line.split("grade ")[1].split(";")[0]


def test_quota_of_the_unit_filled(tmp_path: Path) -> None:
    db = score(tmp_path, "base")
    lines = explain(db, "C3")
    assert "rank 3 of 6; grade 合格; not selected" in lines
    assert (
        "why not selected: the quota of unit 城关镇 is filled at rank 2: its 2 seats went to "
        "ranks 1..2; this subject is rank 3"
    ) in lines


def test_below_min_score(tmp_path: Path) -> None:
    lines = explain(score(tmp_path, "base"), "C4")
    assert (
        "why not selected: total 30.00 is below min_score 50: only totals of at least 50 "
        "can be selected"
    ) in lines


def test_remainder_tie_lost_to_another_unit(tmp_path: Path) -> None:
    # 2 seats over 城关镇 4, 南寨镇 1, 草碧镇 1 ranked: shares 4/3, 1/3, 1/3; the
    # seat left over ties on remainder 1/3 and goes to the larger 城关镇
    lines = explain(score(tmp_path, "base"), "C5")
    assert "why not selected: the quota of unit 南寨镇 has no seat" in lines
    assert any(
        x.startswith("why not selected: unit 南寨镇 lost a remainder tie to 城关镇") for x in lines
    ), lines


def test_boundary_tie_open(tmp_path: Path) -> None:
    couriers = [COURIERS[0], ("C2", "乙", "城关镇", 4000, "15"), ("C3", "丙", "城关镇", 4000, "15")]
    lines = explain(score(tmp_path, "tie", couriers=couriers), "C3")
    assert any(
        x.startswith("why not selected: boundary tie open at rank 2: 2 subjects") for x in lines
    )


def test_selected_and_unranked_subjects_get_no_reason(tmp_path: Path) -> None:
    db = score(tmp_path, "base")
    assert not any(x.startswith("why not selected") for x in explain(db, "C1"))


def test_next_grade_by_hours_is_exact_and_verified_by_rescoring(tmp_path: Path) -> None:
    lines = explain(score(tmp_path, "base"), "C3")
    assert (
        "next grade: 再提高 0.9975 志愿时长 -> 良好 (hours: sum(volunteering.hours) 4 -> 4.9975)"
    ) in lines
    # 4.9975 h * 2 = 9.995 points, rounded half up: 10.00, total 70.00
    more = {"volunteering": [["C3", "2022-06-01", "0.9975"]]}
    assert grade(score(tmp_path, "lifted", extra=more), "C3") == "良好"
    less = {"volunteering": [["C3", "2022-06-01", "0.9974"]]}
    assert grade(score(tmp_path, "short", extra=less), "C3") == "合格"


def test_next_grade_by_a_whole_count(tmp_path: Path) -> None:
    lines = explain(score(tmp_path, "base"), "C2")
    assert (
        "next grade: 再提高 2000 派送量 -> 优秀 (volume: sum(parcels.count) 4000 -> 6000)"
    ) in lines
    # hours are at their cap (30 of 30): no lift through them
    assert not any("志愿时长 -> 优秀" in x for x in lines)
    assert (
        grade(score(tmp_path, "c2up", extra={"parcels": [["C2", "2022-06-01", "2000"]]}), "C2")
        == "优秀"
    )
    assert (
        grade(score(tmp_path, "c2short", extra={"parcels": [["C2", "2022-06-01", "1999"]]}), "C2")
        == "良好"
    )


def test_warnings_are_counted_by_score_and_listed(tmp_path: Path) -> None:
    data = write(tmp_path / "w", COURIERS)
    db = tmp_path / "w.db"
    result = run("score", RULES, "--data", data, "--db", db, "--period", "2022")
    assert (
        f"warnings: 1 on 1 subject(s) (list them: pioneer warnings --db {db} --run 1)"
        in result.stdout
    )
    listed = run("warnings", "--db", db, "--run", "latest")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0].startswith(
        "courier C6: panel: trimmed_mean(panel.score, 1) needs more than 2 values"
    )
    assert lines[-1] == "run 1: 1 warning(s)"
    assert run(
        "warnings", "--db", db, "--run", "latest", "--award", "nosuch"
    ).stdout.splitlines() == ["run 1: 0 warning(s)"]


# -- whatif / diff: grade and selection changes, and why -------------------------------


def test_whatif_shows_grade_and_selection_changes_and_the_nodes_behind_them(
    tmp_path: Path,
) -> None:
    db = score(tmp_path, "base")
    changed = tmp_path / "couriers.yaml"
    changed.write_text(
        RULES.read_text(encoding="utf-8").replace("score: {per: 2}", "score: {per: 3}"),
        encoding="utf-8",
    )
    result = run("whatif", changed, "--db", db, "--run", "latest")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # C3: hours 4 * 3 = 12 (was 8): 72 > C2's 70, so C3 takes 城关镇's second seat
    assert "courier: 2 changed, 1 newly selected, 1 no longer selected, 1 grade changes" in lines
    assert "  + selected     C3 丙  rank 2, total 72.00" in lines
    assert "  - not selected C2 乙  rank 2 -> 3" in lines
    assert "  ~ grade        C3 丙  合格 -> 良好 (total 68.00 -> 72.00)" in lines
    assert "  C3 丙: rank 3 -> 2, total 68.00 -> 72.00 (+4.00): hours +4.00" in lines
    # C2's own points did not change (hours 15 * 3 is still capped at 30)
    assert (
        "  C2 乙: rank 2 -> 3, total 70.00 -> 70.00 (0.00): own points unchanged: others moved"
        in lines
    )


def test_whatif_json(tmp_path: Path) -> None:
    import json

    db = score(tmp_path, "base")
    changed = tmp_path / "couriers.yaml"
    changed.write_text(
        RULES.read_text(encoding="utf-8").replace("score: {per: 2}", "score: {per: 3}"),
        encoding="utf-8",
    )
    result = run("whatif", changed, "--db", db, "--run", "latest", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout, parse_float=str)
    award = doc["awards"]["courier"]
    assert (award["entered"], award["left"], award["grade_changes"]) == (["C3"], ["C2"], ["C3"])
    c3 = next(m for m in award["moves"] if m["subject"] == "C3")
    assert c3["grade"] == ["合格", "良好"]
    assert c3["rank"] == [3, 2]
    assert c3["total"] == ["68.00", "72.00"]  # exact digits, never a binary float
    assert c3["nodes"] == {"hours": {"from": "8.00", "to": "12.00", "delta": "4.00"}}


def test_diff_json_of_a_run_with_itself_is_empty(tmp_path: Path) -> None:
    import json

    db = score(tmp_path, "base")
    result = run("diff", "--db", db, "1", "latest", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["awards"]["courier"]["moves"] == []


def test_per_another_column_and_a_remainder_tie_by_text_order(tmp_path: Path) -> None:
    """`per: name`: six one-courier groups share 2 seats (1/3 each); every
    remainder ties, sizes too, so text order gives the seats to 丁 (C4, whose
    30 stays below min_score: the seat stays empty) and 丙 (C3)."""
    rules = tmp_path / "by_name.yaml"
    rules.write_text(
        RULES.read_text(encoding="utf-8").replace("per: unit", "per: name"), encoding="utf-8"
    )
    data = write(tmp_path / "data", COURIERS)
    db = tmp_path / "by_name.db"
    assert run("score", rules, "--data", data, "--db", db, "--period", "2022").exit_code == 0
    assert "rank 3 of 6; grade 合格; selected" in explain(db, "C3")
    lines = explain(db, "C1")
    assert "why not selected: the quota of name 甲 has no seat" in lines
    assert any(x.startswith("why not selected: name 甲 lost a remainder tie to 丁") for x in lines)


def selected(db: Path, subject: str) -> bool:
    line = next(x for x in explain(db, subject) if x.startswith("rank "))
    return line.endswith("; selected") or "; selected;" in line


def test_over_the_quota_line_is_exact_and_verified_by_rescoring(tmp_path: Path) -> None:
    # C3 (68) must pass C2 (70), the lowest seat of 城关镇: 70.01 needs 8 + 2.01
    # = 10.01 points from hours, i.e. 5.0025 h (10.005 rounds half up to 10.01)
    lines = explain(score(tmp_path, "base"), "C3")
    assert (
        "over the quota line: 再提高 1.0025 志愿时长 -> 入选 "
        "(hours: sum(volunteering.hours) 4 -> 5.0025)"
    ) in lines
    more = {"volunteering": [["C3", "2022-06-01", "1.0025"]]}
    assert selected(score(tmp_path, "over", extra=more), "C3")
    # one step less: 70.00, equal to C2 on everything: a boundary tie, nobody in
    less = {"volunteering": [["C3", "2022-06-01", "1.0024"]]}
    assert not selected(score(tmp_path, "level", extra=less), "C3")
