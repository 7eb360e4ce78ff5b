"""Rule unit tests, `pioneer test` (SPEC §7): the shipped `rules/*.test.yaml`
pass and cover every node, and the command reports failing expectations,
malformed test files and rejected rows clearly (exit 1, never a traceback).

The fixtures in `tests/fixtures/ruletest/` are a tiny rule file (`ok/tiny.yaml`)
with passing test files beside it, and test files that go wrong on purpose
(`bad/`). Everything runs in-process through click's `CliRunner`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from scoring.cli import cli

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
FIX = Path(__file__).resolve().parent / "fixtures" / "ruletest"
OK = FIX / "ok"
BAD = FIX / "bad"
NOTE = "no case checks"
RESULT_KEYS = ("eligible", "veto", "total", "rank", "grade", "selected")


def run(*args: str | Path) -> Result:
    """`pioneer test ARGS` in-process; no input may end in a traceback."""
    result = CliRunner().invoke(cli, ["test", *map(str, args)])
    assert "Traceback" not in result.output, result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output}")
    return result


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the only line of `path` that contains `text`."""
    found = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line]
    assert len(found) == 1, (text, found)
    return found[0]


# -- the shipped rule tests ------------------------------------------------------------


def shipped_rule_files() -> list[Path]:
    return sorted(p for p in RULES.glob("*.yaml") if not p.name.endswith(".test.yaml"))


def test_every_shipped_rule_file_has_a_test_file() -> None:
    assert shipped_rule_files()
    for rule in shipped_rule_files():
        assert rule.with_name(rule.stem + ".test.yaml").is_file(), rule


def test_shipped_rule_tests_pass_and_cover_every_node() -> None:
    result = run(RULES)
    assert result.exit_code == 0, result.output
    assert NOTE not in result.output
    for rule in shipped_rule_files():
        name = str(RULES / (rule.stem + ".test.yaml"))
        assert f"{name}: ok: " in result.output, result.output
    assert "FAILED" not in result.output


@pytest.mark.parametrize("rule", shipped_rule_files(), ids=lambda p: p.stem)
def test_shipped_tests_check_every_award_result(rule: Path) -> None:
    """Each award's eligible, veto, total, rank, grade and selected are
    checked by some case (the points of every node are the note's job)."""
    awards = yaml.safe_load(rule.read_text("utf-8"))["awards"]
    test = yaml.safe_load(rule.with_name(rule.stem + ".test.yaml").read_text("utf-8"))
    checked: dict[str, set[str]] = {award: set() for award in awards}
    for case in test["cases"]:
        for award, subjects in case["expect"].items():
            for expected in subjects.values():
                checked[award].update(expected)
    for award, keys in checked.items():
        missing = [k for k in RESULT_KEYS if k not in keys]
        assert not missing, f"{award}: no case checks {missing}"


# -- finding test files ----------------------------------------------------------------


def test_a_rule_file_finds_its_sibling_test_file() -> None:
    result = run(OK / "tiny.yaml")
    assert result.exit_code == 0, result.output
    assert f"{OK / 'tiny.test.yaml'}: ok: 1 case(s), 25 expectation(s), 0 failing" in result.output
    assert "second.test.yaml" not in result.output
    assert NOTE not in result.output


def test_a_folder_finds_every_test_file() -> None:
    result = run(OK)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{OK / 'second.test.yaml'}: ok: 1 case(s), 2 expectation(s), 0 failing" in lines
    assert f"{OK / 'tiny.test.yaml'}: ok: 1 case(s), 25 expectation(s), 0 failing" in lines


def test_a_node_no_case_checks_is_noted() -> None:
    result = run(OK / "second.test.yaml")
    assert result.exit_code == 0, result.output
    note = [line for line in result.output.splitlines() if NOTE in line]
    assert len(note) == 1, result.output
    assert note[0].startswith(f"{OK / 'second.test.yaml'}: note: ")
    for path in ("helper:work.days", "helper:bonus.praise", "helper:deductions.late"):
        assert path in note[0]
    assert "helper:work.amount" not in note[0]  # the one node it does check


def test_a_table_a_case_leaves_out_is_empty() -> None:
    result = run(FIX / "more" / "no_acts.test.yaml")
    assert result.exit_code == 0, result.output
    assert "0 failing" in result.output


def test_a_rule_file_without_a_test_file(tmp_path: Path) -> None:
    lonely = tmp_path / "lonely.yaml"
    shutil.copy(OK / "tiny.yaml", lonely)
    result = run(lonely)
    assert result.exit_code == 1
    assert "has no test file lonely.test.yaml" in result.output


def test_a_missing_test_file(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.test.yaml"
    result = run(missing)
    assert result.exit_code == 1
    assert f"{missing}: no such test file" in result.output


def test_a_folder_without_test_files(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.exit_code == 1
    assert "no *.test.yaml files found" in result.output


# -- failures --------------------------------------------------------------------------


def test_a_failing_expectation_names_file_line_case_and_path() -> None:
    path = BAD / "failing.test.yaml"
    result = run(path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    amount = line_of(path, "work.amount: 7")
    total = line_of(path, "total: 6.5")
    assert (
        f"{path}:{amount}: case '错的': helper P1 points.work.amount: expected 7, got 5.00" in lines
    )
    assert f"{path}:{total}: case '错的': helper P1 total: expected 6.5, got 7.00" in lines
    # the case '对的' and the expectations that hold print nothing
    assert "'对的'" not in result.output
    assert sum(line.startswith(f"{path}:") and ": case '" in line for line in lines) == 2
    assert f"{path}: FAILED: 2 case(s), 5 expectation(s), 2 failing" in lines


def test_a_row_the_ingest_rejects_is_a_failure_naming_the_table() -> None:
    path = BAD / "bad_date.test.yaml"
    result = run(path)
    assert result.exit_code == 1
    line = line_of(path, "2022-13-45")
    failures = [x for x in result.output.splitlines() if x.startswith(f"{path}:{line}: ")]
    assert len(failures) == 1, result.output
    assert "case '日期写错'" in failures[0]
    assert "row of acts rejected" in failures[0]
    assert "2022-13-45" in failures[0]


def test_an_unknown_award_is_refused_before_anything_runs() -> None:
    path = BAD / "unknown_subject.test.yaml"
    result = run(path)
    assert result.exit_code == 1
    # the line of the award's key, not of the mapping under it
    expected = f"{path}:{line_of(path, 'nosuch:')}: case '没有这个对象': the rule file has no award `nosuch`"
    assert expected in result.output


def test_an_unknown_subject_is_a_failing_expectation(tmp_path: Path) -> None:
    path = BAD / "unknown_subject.test.yaml"
    text = path.read_text(encoding="utf-8")
    fixed = tmp_path / "unknown_subject.test.yaml"
    fixed.write_text(
        text.replace("rules: ../ok/tiny.yaml", f"rules: {BAD.parent / 'ok' / 'tiny.yaml'}").split(
            "      nosuch:"
        )[0],
        encoding="utf-8",
    )
    result = run(fixed)
    assert result.exit_code == 1
    assert f"{fixed}:{line_of(fixed, 'P9:')}: case '没有这个对象': helper P9: " in result.output


# -- malformed test files: exit 1 and a clear message -------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "unknown_table",
            "unknown_table.test.yaml:7: case '多了一张表': the rule file declares no table `deliveries`",
        ),
        ("unknown_key", "unknown expectation `score`"),
        ("malformed", "malformed.test.yaml:7:"),
        ("no_cases", "no_cases.test.yaml:1: a test file is a mapping with `cases:`"),
        ("expect_not_mapping", "expect_not_mapping.test.yaml:"),
        ("tables_not_mapping", "tables_not_mapping.test.yaml:"),
        ("row_not_mapping", "row_not_mapping.test.yaml:"),
        ("unknown_column", "amout"),
    ],
)
def test_a_malformed_test_file_exits_1_with_a_message(name: str, message: str) -> None:
    result = run(BAD / f"{name}.test.yaml")
    assert result.exit_code == 1, result.output
    assert message in result.output


# -- `pioneer check` given test files (rules/*.yaml matches them too) ---------------------


def test_check_validates_a_test_file_without_running_it() -> None:
    result = CliRunner().invoke(cli, ["check", str(RULES / "three_pioneers.test.yaml")])
    assert result.exit_code == 0, result.output
    assert "ok (rule unit test file, " in result.output
    assert "run it with `pioneer test`" in result.output


def test_check_fails_a_malformed_test_file_with_its_line() -> None:
    path = BAD / "unknown_column.test.yaml"
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert f"{path}: FAILED (rule unit test file)" in result.output
    assert "amout" in result.output


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "unknown_node",
            "unknown_node.test.yaml:10: case '未知的节点': `points`: award `helper` has no node "
            "`work.amout` (did you mean `work.amount`?)",
        ),
        ("fullwidth_colon", "fullwidth_colon.test.yaml:2:7: error[E-YAML-FULLWIDTH]"),
    ],
)
def test_a_slip_in_a_test_file_is_refused_on_its_line_with_a_hint(name: str, message: str) -> None:
    result = run(BAD / f"{name}.test.yaml")
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "hint" in result.output or "did you mean" in result.output
