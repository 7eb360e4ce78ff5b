"""The fourth revision's language through the command line: `check` locates
misuse of award fields, durations and `per_at_least` with a caret and a hint;
`score` reports a seat decided by the remainder tie-break and the run keeps it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
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


@dataclass(frozen=True)
class Checked:
    """`pioneer check` run on a rule file it refuses (exit code 1)."""

    path: Path
    stderr: str

    def error(self, at: str, message: str) -> str:
        """Assert the error `PATH:AT: MESSAGE` is reported; return what its caret marks."""
        head = f"{self.path}:{at}: {message}"
        assert head in self.stderr, self.stderr
        return caret_under(self.stderr, head)


@pytest.fixture
def check() -> Callable[[Path], Checked]:
    """Run `pioneer check` on a rule file that must be refused."""

    def checking(path: Path) -> Checked:
        result = run("check", str(path))
        assert result.exit_code == 1, result.output
        return Checked(path, result.stderr)

    return checking


@dataclass(frozen=True)
class Scored:
    """`pioneer score --data` of a one-table campaign: its output and store."""

    stdout: str
    db: Path

    @property
    def run_id(self) -> int:
        return int(self.stdout.splitlines()[-1].split()[-1])


@pytest.fixture
def score(tmp_path: Path) -> Callable[[str, list[dict[str, object]]], Scored]:
    """Write the award's rule file and a `people` table, ingest and score 2022."""

    def scoring(award: str, rows: list[dict[str, object]]) -> Scored:
        text = rules_text(award)
        (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
        write_tables(tmp_path / "data", text, {"people": rows})
        db = tmp_path / "store.db"
        result = run(
            "score", str(tmp_path / "rules.yaml"), "--db", str(db), "--period", "2022",
            "--data", str(tmp_path / "data"),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        return Scored(result.stdout, db)

    return scoring


def test_misspelt_award_field(check: Callable[[Path], Checked]) -> None:
    checked = check(INVALID / "award_field_unknown.yaml")
    message = "error[E-EXPR-NAME]: metric of `best`: award `pioneer_rider` has no field `grdae`"
    assert checked.error("19:59", message) == "grdae"
    assert "= hint: did you mean `grade`?" in checked.stderr


def test_reading_a_member_award_as_ones_own_teaches_the_aggregate(
    check: Callable[[Path], Checked],
) -> None:
    checked = check(INVALID / "award_field_of_other_subjects.yaml")
    assert checked.error("20:37", "error[E-EXPR-SCOPE]") == "pioneer_rider.grade"
    assert "count(riders[pioneer_rider.grade == '优秀'])" in checked.stderr
    assert "sum(" not in checked.stderr  # the old, wrong hint: a grade is text


def test_per_at_least_without_per(check: Callable[[Path], Checked]) -> None:
    checked = check(INVALID / "per_at_least_without_per.yaml")
    message = "error[E-QUOTA]: `per_at_least` goes with `per` only"
    assert checked.error("14:38", message) == "per_at_least"
    assert "per: unit, per_at_least: 1" in checked.stderr


def test_months_of_text(check: Callable[[Path], Checked]) -> None:
    checked = check(INVALID / "months_of_text.yaml")
    message = "error[E-EXPR-TYPE]: eligible: `months` needs a number"
    assert checked.error("12:46", message) == "unit"


TIE_AWARD = """\
star:
  title: 之星
  subjects: people
  criteria:
    lvl: {max: 100, metric: level, score: {per: 1}}
  quota: {count: 2, per: unit, boundary_tie: flag}
"""


def test_score_reports_and_keeps_a_remainder_tie(
    score: Callable[[str, list[dict[str, object]]], Scored],
) -> None:
    people = [
        {"id": f"{u}{i}", "name": f"{u}{i}", "unit": u, "level": 90 - i}
        for u in ("东站", "南站", "西站")
        for i in range(2)
    ]
    scored = score(TIE_AWARD, people)
    warning = next(line for line in scored.stdout.splitlines() if line.startswith("warning: "))
    assert warning.startswith("warning: star: a seat was decided by the remainder tie-break")
    assert "东站, 南站" in warning and "西站" in warning
    kept = notes(Database(scored.db), scored.run_id)
    assert kept == [("star", warning.removeprefix("warning: star: "))]
    status = run("status", "--db", str(scored.db), "--run", str(scored.run_id))
    assert status.exit_code == 0, status.output
    assert warning in status.stdout.splitlines()


def test_score_without_a_remainder_tie_says_nothing(
    score: Callable[[str, list[dict[str, object]]], Scored],
) -> None:
    people = [{"id": f"{u}1", "name": u, "unit": u, "level": 80} for u in ("东站", "南站", "西站")]
    scored = score(TIE_AWARD.replace("count: 2", "count: 3"), people)
    assert "warning" not in scored.stdout


def test_at_least_with_count_and_per_teaches_per_at_least(
    tmp_path: Path, check: Callable[[Path], Checked]
) -> None:
    # issue 9: "at least one per 网点" written as `at_least` beside `count` and `per`
    award = TIE_AWARD.replace("count: 2, per: unit", "count: 5, per: unit, at_least: 1")
    path = tmp_path / "rules.yaml"
    path.write_text(rules_text(award), encoding="utf-8")
    checked = check(path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "at_least" in t)
    col = path.read_text().splitlines()[line - 1].index("at_least") + 1
    assert checked.error(f"{line}:{col}", "error[E-QUOTA]: `at_least` goes with `share` only")
    assert "= hint: to give every `unit` at least 1 seat(s) write `per_at_least: 1`" in (
        checked.stderr
    )
