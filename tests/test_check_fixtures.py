"""Golden tests of `pioneer check`: every file in `fixtures/rules/invalid/`
states the diagnostics it must produce in its leading comments,

    # expect: E-UNKNOWN-COLUMN 14:35        an error, CODE line:col
    # expect-warning: W-MAX-SUM 9:12        a warning

and the checker must report exactly those (code, line, col), errors and
warnings alike. Files in `fixtures/rules/valid/` must produce no diagnostic at
all. Adding a case is adding a file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring.diagnostics import Diagnostic
from scoring.service import check_file

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))
VALID = sorted((FIXTURES / "valid").glob("*.yaml"))
SHIPPED = sorted(
    p
    for p in (Path(__file__).parent.parent / "rules").glob("*.yaml")
    if not p.name.endswith(".test.yaml")
)

_EXPECT = re.compile(r"#\s*expect(-warning)?:\s*([A-Z][A-Z0-9-]*)\s+(\d+):(\d+)\s*$")

Found = set[tuple[str, int, int]]


def expectations(path: Path) -> tuple[Found, Found]:
    """The (code, line, col) of the errors and warnings a fixture announces."""
    errors: Found = set()
    warnings: Found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break  # only the leading comment block holds expectations
        if "expect" not in line:
            continue
        match = _EXPECT.match(line)
        assert match, f"{path.name}: malformed expectation {line!r}"
        found = (match[2], int(match[3]), int(match[4]))
        (warnings if match[1] else errors).add(found)
    return errors, warnings


def split(diagnostics: list[Diagnostic]) -> tuple[Found, Found]:
    errors = {(d.code, d.line, d.col) for d in diagnostics if d.is_error}
    warnings = {(d.code, d.line, d.col) for d in diagnostics if not d.is_error}
    return errors, warnings


def test_there_are_enough_fixtures() -> None:
    assert len(INVALID) >= 45


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture(path: Path) -> None:
    want_errors, want_warnings = expectations(path)
    assert want_errors or want_warnings, f"{path.name} announces no diagnostic"
    diagnostics, _ = check_file(path)
    got_errors, got_warnings = split(diagnostics)
    rendered = "\n".join(d.render() for d in diagnostics)
    assert (got_errors, got_warnings) == (want_errors, want_warnings), rendered


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_every_diagnostic_points_into_the_file(path: Path) -> None:
    """Each position exists in the file, and the line shown is that line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    diagnostics, _ = check_file(path)
    for d in diagnostics:
        assert 1 <= d.line <= len(lines), d
        assert 1 <= d.col <= len(lines[d.line - 1]) + 1, d
        assert d.source_line == lines[d.line - 1]
        assert d.end_col is None or d.end_col > d.col, d
        assert d.message and d.file == str(path)


@pytest.mark.parametrize("path", VALID + SHIPPED, ids=lambda p: p.stem)
def test_valid_rule_file_has_no_diagnostics(path: Path) -> None:
    diagnostics, ctx = check_file(path)
    assert diagnostics == [], "\n".join(d.render() for d in diagnostics)
    assert ctx is not None
    # every expression maps back to the file character by character
    for where in ctx.exprs:
        assert ctx.src.scalar_chars(where) is not None, where


def diagnostic(name: str, code: str) -> Diagnostic:
    diagnostics, _ = check_file(FIXTURES / "invalid" / f"{name}.yaml")
    return next(d for d in diagnostics if d.code == code)


@pytest.mark.parametrize(
    ("name", "code", "hint"),
    [
        ("unknown_key_metirc", "E-UNKNOWN-KEY", "did you mean `metric`?"),
        ("unknown_column_in_metric", "E-EXPR-NAME", "did you mean `parcels`?"),
        ("unknown_table_in_subjects", "E-UNKNOWN-TABLE", "did you mean `riders`?"),
        ("unknown_table_in_metric", "E-EXPR-NAME", "did you mean `deliveries`?"),
        ("tie_break_unknown_node", "E-UNKNOWN-NODE", "did you mean `service.rating`?"),
        ("node_ref_unknown", "E-EXPR-NODE", "did you mean `rating`?"),
        ("percentile_within_unknown", "E-UNKNOWN-COLUMN", "did you mean `unit`?"),
        ("link_column_missing", "E-UNKNOWN-COLUMN", "did you mean `rider`?"),
        ("score_unknown_function", "E-SCORE", "did you mean `linear`?"),
        ("unknown_function", "E-EXPR-FUNC", "did you mean `avg`?"),
        ("ident_award", "E-IDENT", "e.g. `pioneer_rider`"),
        ("record_table_without_date", "E-TABLE-KIND", "`date: day`"),
    ],
)
def test_did_you_mean_hints(name: str, code: str, hint: str) -> None:
    found = diagnostic(name, code)
    assert found.hint is not None and hint in found.hint


def test_unknown_key_without_a_close_match_lists_the_keys(tmp_path: Path) -> None:
    text = (FIXTURES / "invalid" / "unknown_key_metirc.yaml").read_text(encoding="utf-8")
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace("metirc:", "zzz:"), encoding="utf-8")
    diagnostics, _ = check_file(path)
    (found,) = diagnostics
    assert found.hint == "expected one of: title, max, metric, default, score, criteria"


def test_caret_sits_under_the_token_after_chinese_text() -> None:
    found = diagnostic("chinese_literal_before_error", "E-EXPR-NAME")
    caret_line = found.render().splitlines()[2]
    source = found.source_line or ""
    # the caret counts display columns: each CJK character is two wide
    assert caret_line.index("^") - 4 == len(source[: source.index("levle")]) + 4
    assert caret_line.strip() == "^" * len("levle")


@pytest.mark.parametrize(
    ("name", "token"),
    [
        ("double_quoted_expression", "level == 3"),
        ("single_quoted_expression", "level > 2"),
        ("block_scalar_expression", "levle"),
        ("folded_block_expression", "subject.idd"),
        ("plain_multiline_expression", "parcel)"),
        ("chinese_literal_before_error", "levle"),
    ],
)
def test_expression_positions_land_on_the_token(name: str, token: str) -> None:
    diagnostics, _ = check_file(FIXTURES / "invalid" / f"{name}.yaml")
    (found,) = diagnostics
    assert found.source_line is not None
    assert found.source_line[found.col - 1 :].startswith(token)


@pytest.mark.parametrize(
    "name", ["chinese_literal_before_error", "block_scalar_expression", "duplicate_key"]
)
def test_windows_line_endings_and_bom_do_not_move_positions(tmp_path: Path, name: str) -> None:
    source = FIXTURES / "invalid" / f"{name}.yaml"
    text = source.read_text(encoding="utf-8")
    windows = tmp_path / f"{name}.yaml"
    windows.write_bytes(("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))
    want, _ = check_file(source)
    got, _ = check_file(windows)
    assert [(d.code, d.line, d.col, d.end_col, d.source_line) for d in got] == [
        (d.code, d.line, d.col, d.end_col, d.source_line) for d in want
    ]
