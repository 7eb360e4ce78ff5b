"""`pioneer test`'s summary line, its reject messages in the test file's own
lines, and coverage (`--coverage`, `--min-coverage P`): the shipped campaigns'
tests take every band, clamp side, branch, veto and quota path."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from scoring.cli import cli
from scoring.coverage import BELOW, CAP, INSIDE, Target, targets_of
from scoring.ruletest import load_test_file, run_test_file

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).resolve().parent / "fixtures" / "ruletest"
TINY = FIX / "ok" / "tiny.yaml"


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, ["test", *map(str, args)])
    assert "Traceback" not in result.output, result.output
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    return result


def test_shipped_campaigns_are_fully_covered() -> None:
    result = run(ROOT / "rules", "--min-coverage", "100")
    assert result.exit_code == 0, result.output
    for name in ("three_pioneers", "three_shows"):
        assert any(
            line.startswith(f"coverage of {ROOT / 'rules' / name}.yaml: 100.0% (")
            for line in result.stdout.splitlines()
        ), result.stdout
    assert "not run" not in result.stdout


def test_last_line_counts_passed_and_failed_expectations() -> None:
    result = run(FIX / "bad" / "failing.test.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "3 passed, 2 failed"
    result = run(FIX / "ok")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "27 passed, 0 failed"


def test_min_coverage_fails_and_names_the_paths_not_run() -> None:
    result = run(FIX / "ok" / "second.test.yaml", "--min-coverage", "90")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "  not run  helper.eligible: false" in lines
    assert "  not run  helper.veto[0]: held" in lines
    assert "  not run  helper.quota: boundary tie" in lines
    assert "coverage below 90%" in result.stderr
    # without --coverage, the paths that ran are not listed
    assert not any(line.startswith("  ran ") for line in lines)


def test_coverage_lists_what_ran_too() -> None:
    result = run(FIX / "ok" / "tiny.test.yaml", "--coverage")
    assert result.exit_code == 0  # --coverage alone never fails a run
    lines = result.stdout.splitlines()
    assert "  ran      helper.veto[0]: held" in lines
    assert f"  ran      helper.work.amount: {INSIDE}" in lines


def test_targets_of_a_rule_file() -> None:
    test = load_test_file(FIX / "ok" / "tiny.test.yaml")
    targets = targets_of(test.rules.model)
    assert Target("helper", "work.amount", BELOW) in targets
    assert Target("helper", "work.amount", CAP) in targets
    # per: 2 with max 4 has an inside; per: 1 on the bonus with max 2 too
    assert Target("helper", "work.days", INSIDE) in targets
    assert [t.outcome for t in targets if t.where == "quota"] == [
        "selected",
        "not selected",
        "boundary tie",
    ]


def test_coverage_is_read_from_the_results_of_each_case() -> None:
    report = run_test_file(FIX / "ok" / "tiny.test.yaml")
    cov = report.coverage
    # P1: 5.5 of 6 on amount (inside); P3 has 1 (inside); nobody is at 6
    assert Target("helper", "work.amount", INSIDE) in cov.hit
    assert Target("helper", "work.amount", CAP) not in cov.hit
    assert Target("helper", "work.days", CAP) in cov.hit  # 2 distinct days * 2 = 4 = max
    assert Target("helper", "eligible", "false") in cov.hit  # P2
    assert Target("helper", "veto[0]", "held") in cov.hit  # P3
    assert cov.percent < 100


def test_a_rejected_row_names_test_file_lines_not_internal_files(tmp_path: Path) -> None:
    test = tmp_path / "t.test.yaml"
    test.write_text(
        f"rules: {TINY}\n"
        "period: 2022\n"
        "cases:\n"
        "  - name: 缺行\n"
        "    tables:\n"
        "      people:\n"
        "        - {id: P1, name: 张三, unit: 城关镇, member: 也许}\n"
        "        - {id: P2, name: 李四, unit: 城关镇, member: true}\n"
        "        - {id: P2, name: 李四, unit: 城关镇, member: true}\n"
        "      acts:\n"
        "        - {person: P1, day: 2022-03-01, amount: 3}\n"
        "    expect:\n"
        "      helper:\n"
        "        P2: {total: 0}\n",
        encoding="utf-8",
    )
    result = run(test)
    assert result.exit_code == 1
    out = result.stdout
    assert ".jsonl" not in out
    assert f"{test}:7: case '缺行': row of people rejected" in out
    # the duplicate names the first row's line in the test file
    assert f"{test}:9: case '缺行': row of people rejected" in out
    assert "first at line 8" in out
    # the dangling link names the line of the row that was refused
    assert f"{test}:11: case '缺行': row of acts rejected" in out
    assert "its row (line 7) was rejected" in out


def test_a_subject_whose_row_was_refused_says_so(tmp_path: Path) -> None:
    test = tmp_path / "t.test.yaml"
    test.write_text(
        f"rules: {TINY}\n"
        "period: 2022\n"
        "cases:\n"
        "  - name: 行被拒\n"
        "    tables:\n"
        "      people:\n"
        "        - {id: P1, name: 张三, unit: 城关镇, member: 也许}\n"
        "    expect:\n"
        "      helper:\n"
        "        P1: {total: 0}\n",
        encoding="utf-8",
    )
    result = run(test)
    assert result.exit_code == 1
    assert (
        f"{test}:10: case '行被拒': helper P1: expected \"a scored subject\", "
        'got "not scored: its row (line 7) was rejected"'
    ) in result.stdout.splitlines()
