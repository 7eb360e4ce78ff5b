"""The fourth revision's language through the command line: `check` locates
misuse of award fields, durations and `per_at_least` with a caret and a hint;
`score` reports a seat decided by the remainder tie-break and the run keeps it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from engine_helpers import rules_text, write_tables
from sqlite_utils import Database

from scoring.cli import cli
from scoring.run_notes import notes

INVALID = Path(__file__).resolve().parent / "fixtures" / "rules" / "invalid"


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    return result


def caret_under(stderr: str, head: str) -> str:
    """The text the caret line marks under the source line that follows `head`."""
    lines = stderr.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(head))
    source, carets = lines[at + 1], lines[at + 2]
    start = carets.index("^")
    return source[start : start + carets.count("^")]


def test_misspelt_award_field() -> None:
    path = INVALID / "award_field_unknown.yaml"
    result = run("check", str(path))
    assert result.exit_code == 1
    head = f"{path}:19:59: error[E-EXPR-NAME]: metric of `best`: award `pioneer_rider` has no field `grdae`"
    assert head in result.stderr
    assert caret_under(result.stderr, head) == "grdae"
    assert "= hint: did you mean `grade`?" in result.stderr


def test_reading_a_member_award_as_ones_own_teaches_the_aggregate() -> None:
    path = INVALID / "award_field_of_other_subjects.yaml"
    result = run("check", str(path))
    assert result.exit_code == 1
    head = f"{path}:20:37: error[E-EXPR-SCOPE]"
    assert head in result.stderr
    assert caret_under(result.stderr, head) == "pioneer_rider.grade"
    assert "count(riders[pioneer_rider.grade == '优秀'])" in result.stderr
    assert "sum(" not in result.stderr  # the old, wrong hint: a grade is text


def test_per_at_least_without_per() -> None:
    path = INVALID / "per_at_least_without_per.yaml"
    result = run("check", str(path))
    assert result.exit_code == 1
    head = f"{path}:14:38: error[E-QUOTA]: `per_at_least` goes with `per` only"
    assert head in result.stderr
    assert caret_under(result.stderr, head) == "per_at_least"
    assert "per: unit, per_at_least: 1" in result.stderr


def test_months_of_text() -> None:
    path = INVALID / "months_of_text.yaml"
    result = run("check", str(path))
    head = f"{path}:12:46: error[E-EXPR-TYPE]: eligible: `months` needs a number"
    assert head in result.stderr
    assert caret_under(result.stderr, head) == "unit"


TIE_AWARD = """\
star:
  title: 之星
  subjects: people
  criteria:
    lvl: {max: 100, metric: level, score: {per: 1}}
  quota: {count: 2, per: unit, boundary_tie: flag}
"""


def test_score_reports_and_keeps_a_remainder_tie(tmp_path: Path) -> None:
    text = rules_text(TIE_AWARD)
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    people = [
        {"id": f"{u}{i}", "name": f"{u}{i}", "unit": u, "level": 90 - i}
        for u in ("东站", "南站", "西站")
        for i in range(2)
    ]
    write_tables(tmp_path / "data", text, {"people": people})
    db_path = tmp_path / "store.db"
    result = run(
        "score", str(tmp_path / "rules.yaml"), "--db", str(db_path), "--period", "2022",
        "--data", str(tmp_path / "data"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.stdout.splitlines() if line.startswith("warning: "))
    assert warning.startswith("warning: star: a seat was decided by the remainder tie-break")
    assert "东站, 南站" in warning and "西站" in warning
    run_id = int(result.stdout.splitlines()[-1].split()[-1])
    kept = notes(Database(db_path), run_id)
    assert kept == [("star", warning.removeprefix("warning: star: "))]
    status = run("status", "--db", str(db_path), "--run", str(run_id))
    assert status.exit_code == 0, status.output
    assert warning in status.stdout.splitlines()


def test_score_without_a_remainder_tie_says_nothing(tmp_path: Path) -> None:
    text = rules_text(TIE_AWARD.replace("count: 2", "count: 3"))
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    people = [{"id": f"{u}1", "name": u, "unit": u, "level": 80} for u in ("东站", "南站", "西站")]
    write_tables(tmp_path / "data", text, {"people": people})
    result = run(
        "score", str(tmp_path / "rules.yaml"), "--db", str(tmp_path / "s.db"), "--period", "2022",
        "--data", str(tmp_path / "data"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stdout


def test_at_least_with_count_and_per_teaches_per_at_least(tmp_path: Path) -> None:
    # issue 9: "at least one per 网点" written as `at_least` beside `count` and `per`
    award = TIE_AWARD.replace("count: 2, per: unit", "count: 5, per: unit, at_least: 1")
    path = tmp_path / "rules.yaml"
    path.write_text(rules_text(award), encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 1
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "at_least" in t)
    col = path.read_text().splitlines()[line - 1].index("at_least") + 1
    head = f"{path}:{line}:{col}: error[E-QUOTA]: `at_least` goes with `share` only"
    assert head in result.stderr
    assert "= hint: to give every `unit` at least 1 seat(s) write `per_at_least: 1`" in (
        result.stderr
    )
