"""`pioneer check RULES...` as a user runs it (SPEC §6): compiler-style
diagnostics on stderr, one status line per file on stdout, exit 1 on any
error, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from scoring.cli import cli
from scoring.diagnostics import MAX_PER_FILE

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p for p in (ROOT / "rules").glob("*.yaml") if not p.name.endswith(".test.yaml"))
INVALID = ROOT / "tests" / "fixtures" / "rules" / "invalid"
HEAD = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning)\[(?P<code>[A-Z0-9-]+)\]: "
)


def check(*paths: str | Path) -> Result:
    result = CliRunner().invoke(cli, ["check", *map(str, paths)])
    assert "Traceback" not in result.output + result.stderr
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    return result


def heads(text: str) -> list[re.Match[str]]:
    return [m for line in text.splitlines() if (m := HEAD.match(line))]


def test_shipped_rules_pass() -> None:
    result = check(*SHIPPED)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    for path in SHIPPED:
        assert f"{path}: ok (0 error(s), 0 warning(s))" in result.stdout


def test_invalid_fixture_fails_with_position_and_caret() -> None:
    path = INVALID / "unknown_column_in_metric.yaml"
    result = check(path)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{path}:16:49: error[E-EXPR-NAME]: metric of `volume`: `deliveries` has no column `parcel`"
    )
    source = path.read_text(encoding="utf-8").splitlines()[15]
    assert lines[1] == f"    {source}"
    assert lines[2] == "    " + " " * 48 + "^" * len("parcel")
    assert lines[3] == "    = hint: did you mean `parcels`?"
    assert result.stdout == f"{path}: FAILED (1 error(s), 0 warning(s))\n"


def test_caret_counts_display_columns_of_chinese_text() -> None:
    path = INVALID / "chinese_literal_before_error.yaml"
    result = check(path)
    assert result.exit_code == 1
    _, source, caret, *_ = result.stderr.splitlines()
    column = source.index("levle")
    wide = sum(1 for ch in source[:column] if "\u4e00" <= ch <= "\u9fff")
    assert caret.index("^") == column + wide  # each CJK character takes two columns
    assert caret.strip() == "^^^^^"


def test_warnings_only_exit_zero() -> None:
    path = INVALID / "children_max_sum.yaml"
    result = check(path)
    assert result.exit_code == 0
    [head] = heads(result.stderr)
    assert (head["sev"], head["code"]) == ("warning", "W-MAX-SUM")
    assert result.stdout == f"{path}: ok (0 error(s), 1 warning(s))\n"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    result = check(path)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{path}:1:1: error[E-FILE]: no such file"
    assert "FAILED" in result.stdout


def test_directory_is_a_clear_error(tmp_path: Path) -> None:
    result = check(tmp_path)
    assert result.exit_code == 1
    assert "error[E-FILE]: cannot read the file" in result.stderr


def test_yaml_syntax_error_is_reported_not_raised() -> None:
    result = check(INVALID / "yaml_syntax_error.yaml")
    assert result.exit_code == 1
    [head] = heads(result.stderr)
    assert head["code"] == "E-YAML"


def test_long_error_list_is_capped(tmp_path: Path) -> None:
    leaves = "".join(
        f"      n{i}: {{max: 1, metric: missing_{i}, score: {{per: 1}}}}\n" for i in range(80)
    )
    path = tmp_path / "many.yaml"
    path.write_text(
        "version: 1\n"
        "campaign: {id: many, title: 许多错误}\n"
        "tables:\n"
        "  riders: {key: id, columns: {id: text, unit: text}}\n"
        "awards:\n"
        "  a:\n"
        "    title: 奖\n"
        "    subjects: riders\n"
        "    criteria:\n" + leaves,
        encoding="utf-8",
    )
    result = check(path)
    assert result.exit_code == 1
    shown = heads(result.stderr)
    assert len(shown) == MAX_PER_FILE
    assert all(h["code"] == "E-EXPR-NAME" for h in shown)
    assert [int(h["line"]) for h in shown] == sorted(int(h["line"]) for h in shown)
    assert result.stderr.rstrip().endswith(f"... and {80 - MAX_PER_FILE} more in {path}")
    assert result.stdout == f"{path}: FAILED (80 error(s), 0 warning(s))\n"


def test_several_files_are_each_reported(tmp_path: Path) -> None:
    bad = INVALID / "leaf_without_max.yaml"
    also_bad = INVALID / "duplicate_key.yaml"
    warned = INVALID / "grades_not_descending.yaml"
    missing = tmp_path / "gone.yaml"
    result = check(SHIPPED[0], bad, warned, also_bad, missing)
    assert result.exit_code == 1
    files = [h["file"] for h in heads(result.stderr)]
    assert files == [str(bad), str(warned), str(also_bad), str(missing)]
    assert result.stdout.splitlines() == [
        f"{SHIPPED[0]}: ok (0 error(s), 0 warning(s))",
        f"{bad}: FAILED (1 error(s), 0 warning(s))",
        f"{warned}: ok (0 error(s), 1 warning(s))",
        f"{also_bad}: FAILED (1 error(s), 0 warning(s))",
        f"{missing}: FAILED (1 error(s), 0 warning(s))",
    ]


def test_no_file_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 2


def test_installed_entry_point() -> None:
    """The real executable: same output, same exit codes."""
    exe = Path(sys.executable).parent / "pioneer"
    path = INVALID / "award_cycle.yaml"
    done = subprocess.run(
        [str(exe), "check", str(path), *map(str, SHIPPED)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [head] = heads(done.stderr)
    assert (head["line"], head["col"], head["code"]) == ("11", "15", "E-AWARD-CYCLE")
    assert done.stderr.splitlines()[2].strip() == "^" * len("service_star")
    assert done.stdout.count(": ok (") == len(SHIPPED)
