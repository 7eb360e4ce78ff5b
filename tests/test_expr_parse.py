"""Parsing expressions: the node tree, character positions, rejected constructs."""

from __future__ import annotations

from fractions import Fraction

import pytest

from scoring.expr import (
    MAX_DEPTH,
    MAX_LENGTH,
    ExprError,
    ExprIssue,
    line_col,
    parse,
    render,
    render_issue,
)
from scoring.expr.nodes import (
    Binary,
    Boolean,
    Call,
    Compare,
    Conditional,
    ListExpr,
    Logical,
    Name,
    Null,
    Number,
    PeriodRef,
    String,
    SubjectRef,
    TableColumn,
    TableRows,
    Unary,
    walk,
)


def issues(text: str) -> list[ExprIssue]:
    with pytest.raises(ExprError) as info:
        parse(text)
    return info.value.issues


def only_issue(text: str) -> ExprIssue:
    found = issues(text)
    assert len(found) == 1, found
    return found[0]


def test_every_node_span_matches_its_source_text() -> None:
    text = "count(honors[kind == '见义勇为']) > 0 and unit in ['城关镇', '南寨镇']"
    expr = parse(text)
    spans = {text[n.start : n.end] for n in walk(expr)}
    assert "'见义勇为'" in spans
    assert "unit" in spans
    assert "['城关镇', '南寨镇']" in spans
    assert "honors[kind == '见义勇为']" in spans
    assert (expr.start, expr.end) == (0, len(text))


def test_positions_after_chinese_are_character_offsets() -> None:
    text = "kind == '见义勇为' and x > 1"
    expr = parse(text)
    assert isinstance(expr, Logical)
    right = expr.operands[1]
    assert isinstance(right, Compare)
    assert isinstance(right.left, Name)
    assert right.left.start == text.index("x > 1")
    assert right.left.end == right.left.start + 1
    assert expr.operands[0].end == text.index(" and")


def test_multi_line_text_gives_offsets_into_the_whole_text() -> None:
    text = "party_member\n  and joined <= period.end - days(180)\n  and unit != '草碧镇'"
    expr = parse(text)
    assert isinstance(expr, Logical) and len(expr.operands) == 3
    by_text = {text[n.start : n.end]: n for n in walk(expr)}
    assert isinstance(by_text["joined"], Name)
    assert by_text["joined"].start == text.index("joined")
    assert isinstance(by_text["period.end"], PeriodRef)
    assert isinstance(by_text["'草碧镇'"], String)
    assert by_text["'草碧镇'"].start == text.index("'草碧镇'")


def test_leading_white_space_and_crlf_are_accepted() -> None:
    text = "  \r\n  sum(deliveries.parcels)\r\n"
    expr = parse(text)
    assert isinstance(expr, Call)
    assert expr.start == text.index("sum")
    assert expr.end == text.index(")") + 1


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("42", 42),
        ("0.1", Fraction(1, 10)),
        ("2.50", Fraction(5, 2)),
        ("2.0", 2),
        ("1.", 1),
        (".5", Fraction(1, 2)),
        ("0.333333333333333333333", Fraction(333333333333333333333, 10**21)),
    ],
)
def test_numbers_are_exact(text: str, value: int | Fraction) -> None:
    expr = parse(text)
    assert isinstance(expr, Number)
    assert expr.value == value
    assert type(expr.value) is type(value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1e3", "exponents"),
        ("1.5E-2", "exponents"),
        ("0x1F", "hexadecimal"),
        ("0o17", "hexadecimal"),
        ("0b101", "hexadecimal"),
        ("1_000", "separators"),
        ("2j", "imaginary"),
    ],
)
def test_rejected_number_forms(text: str, fragment: str) -> None:
    issue = only_issue(f"x > {text}")
    assert issue.code == "E-EXPR-NUMBER"
    assert fragment in issue.message
    assert (issue.start, issue.end) == (4, 4 + len(text))


@pytest.mark.parametrize(
    ("text", "node"),
    [
        ("true", Boolean(True, start=0, end=4)),
        ("True", Boolean(True, start=0, end=4)),
        ("false", Boolean(False, start=0, end=5)),
        ("False", Boolean(False, start=0, end=5)),
        ("null", Null(start=0, end=4)),
        ("None", Null(start=0, end=4)),
        ("'见义勇为'", String("见义勇为", start=0, end=6)),
        ('"优秀"', String("优秀", start=0, end=4)),
    ],
)
def test_literals(text: str, node: object) -> None:
    assert parse(text) == node


def test_table_forms() -> None:
    rows = parse("complaints[verified]")
    assert rows == TableRows("complaints", Name("verified", start=11, end=19), start=0, end=20)
    column = parse("deliveries.parcels")
    assert column == TableColumn("deliveries", "parcels", None, start=0, end=18)
    filtered = parse("votes[voter != subject.id].option")
    assert isinstance(filtered, TableColumn)
    assert (filtered.table, filtered.column) == ("votes", "option")
    assert isinstance(filtered.where, Compare)
    assert isinstance(filtered.where.rights[0], SubjectRef)
    assert filtered.where.rights[0].column == "id"


def test_period_fields() -> None:
    assert parse("period.start") == PeriodRef("start", start=0, end=12)
    issue = only_issue("period.begin")
    assert issue.code == "E-EXPR-NAME"
    assert issue.hint == "use `period.start` or `period.end`"


def test_comparison_chains_and_membership() -> None:
    chain = parse("0 < x <= 5")
    assert isinstance(chain, Compare)
    assert chain.ops == ("<", "<=")
    member = parse("level not in ['city', null]")
    assert isinstance(member, Compare)
    assert member.ops == ("not in",)
    assert isinstance(member.rights[0], ListExpr)
    assert isinstance(member.rights[0].items[1], Null)


def test_is_null_convenience() -> None:
    expr = parse("joined is not None")
    assert isinstance(expr, Compare)
    assert expr.ops == ("is not",)
    issue = only_issue("joined is 3")
    assert issue.code == "E-EXPR-UNSUPPORTED"
    assert "only tests for null" in issue.message
    assert (issue.start, issue.end) == (10, 11)


def test_operators_and_conditional() -> None:
    expr = parse("-x + 2 * y if not ok else z / 4")
    assert isinstance(expr, Conditional)
    assert isinstance(expr.test, Unary) and expr.test.op == "not"
    assert isinstance(expr.then, Binary) and expr.then.op == "+"
    assert isinstance(expr.then.left, Unary) and expr.then.left.op == "-"
    assert isinstance(expr.otherwise, Binary) and expr.otherwise.op == "/"


@pytest.mark.parametrize(
    ("text", "code", "fragment", "span_text"),
    [
        ("a ** 2", "E-EXPR-UNSUPPORTED", "`**`", "**"),
        ("a // 2", "E-EXPR-UNSUPPORTED", "`//`", "//"),
        ("a % 2", "E-EXPR-UNSUPPORTED", "`%`", "%"),
        ("a & b", "E-EXPR-UNSUPPORTED", "use `and`", "&"),
        ("~a", "E-EXPR-UNSUPPORTED", "`~`", "~a"),
        ("lambda: 1", "E-EXPR-UNSUPPORTED", "lambdas", "lambda: 1"),
        ("[v for v in a]", "E-EXPR-UNSUPPORTED", "comprehensions", "[v for v in a]"),
        ("sum(v for v in a)", "E-EXPR-UNSUPPORTED", "comprehensions", "(v for v in a)"),
        ("f'{a}'", "E-EXPR-UNSUPPORTED", "f-strings", "f'{a}'"),
        ("{'a': 1}", "E-EXPR-UNSUPPORTED", "dictionaries", "{'a': 1}"),
        ("{1, 2}", "E-EXPR-UNSUPPORTED", "sets", "{1, 2}"),
        ("(1, 2)", "E-EXPR-UNSUPPORTED", "tuples", "(1, 2)"),
        ("[1, 2]", "E-EXPR-UNSUPPORTED", "`in`", "[1, 2]"),
        ("round(x, n=2)", "E-EXPR-UNSUPPORTED", "keyword", "n=2"),
        ("coalesce(*a)", "E-EXPR-UNSUPPORTED", "unpacking", "*a"),
        ("a.b.c", "E-EXPR-UNSUPPORTED", "attribute access", "a.b.c"),
        ("(1).real", "E-EXPR-UNSUPPORTED", "attribute access", "(1).real"),
        ("x.upper()", "E-EXPR-UNSUPPORTED", "built-in functions", "x.upper()"),
        ("a[1:2]", "E-EXPR-UNSUPPORTED", "slices", "1:2"),
        ("a[b, c]", "E-EXPR-UNSUPPORTED", "one condition", "b, c"),
        ("a[b][c]", "E-EXPR-UNSUPPORTED", "only a table", "a[b][c]"),
        ("period[1]", "E-EXPR-UNSUPPORTED", "only a table", "period[1]"),
        ("(y := 1)", "E-EXPR-UNSUPPORTED", "`:=`", "y := 1"),
        ("b'x'", "E-EXPR-UNSUPPORTED", "byte strings", "b'x'"),
        ("...", "E-EXPR-UNSUPPORTED", "literal", "..."),
        ("a in b", "E-EXPR-UNSUPPORTED", "needs a list", "b"),
        ("a in ('x', 'y')", "E-EXPR-UNSUPPORTED", "as a list", "('x', 'y')"),
        ("a in [1] == b", "E-EXPR-UNSUPPORTED", "a list can only end", "[1]"),
        ("'见义'\n'勇为' == 1", "E-EXPR-SYNTAX", "cannot span lines", "'见义'\n'勇为'"),
    ],
)
def test_rejected_constructs(text: str, code: str, fragment: str, span_text: str) -> None:
    issue = only_issue(text)
    assert issue.code == code
    assert fragment in issue.message
    assert text[issue.start : issue.end] == span_text


def test_unknown_function_suggests_a_close_name() -> None:
    issue = only_issue("avgg(ratings.stars)")
    assert issue.code == "E-EXPR-FUNC"
    assert issue.message == "unknown function `avgg`"
    assert issue.hint == "did you mean `avg`?"
    assert (issue.start, issue.end) == (0, 4)


def test_unknown_function_without_a_close_name_lists_the_functions() -> None:
    issue = only_issue("frobnicate(1)")
    assert issue.hint is not None and issue.hint.startswith("functions: count,")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("count()", "`count` takes 1 argument, got 0"),
        ("round(x, 1, 2)", "`round` takes 1 or 2 arguments, got 3"),
        ("trimmed_mean(panel.score)", "`trimmed_mean` takes 2 arguments, got 1"),
        ("coalesce()", "`coalesce` takes at least 1 argument, got 0"),
        ("days()", "`days` takes 1 argument, got 0"),
    ],
)
def test_arity(text: str, message: str) -> None:
    issue = only_issue(text)
    assert issue.code == "E-EXPR-ARITY"
    assert issue.message == message
    assert (issue.start, issue.end) == (0, len(text))


def test_min_with_several_values_points_to_least() -> None:
    issue = only_issue("min(x, 10)")
    assert issue.code == "E-EXPR-ARITY"
    assert issue.hint is not None and "least" in issue.hint


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("round(x, -1)", "-1"),
        ("round(x, 1.0)", "1.0"),
        ("round(x, n)", "n"),
        ("round(x, 21)", "21"),
        ("trimmed_mean(panel.score, k)", "k"),
        ("trimmed_mean(panel.score, 0.5)", "0.5"),
        ("trimmed_mean(panel.score, -1)", "-1"),
        ("node(path)", "path"),
    ],
)
def test_literal_arguments(text: str, literal: str) -> None:
    issue = only_issue(text)
    assert issue.code == "E-EXPR-LITERAL"
    assert text[issue.start : issue.end] == literal


def test_literal_arguments_accepted() -> None:
    assert isinstance(parse("round(x, 2)"), Call)
    assert isinstance(parse("trimmed_mean(panel.score, 0)"), Call)
    assert isinstance(parse("node('business.volume')"), Call)


def test_syntax_error_points_at_the_offending_character_after_chinese() -> None:
    text = "kind == '见义勇为' and ("
    issue = only_issue(text)
    assert issue.code == "E-EXPR-SYNTAX"
    assert issue.start == text.index("(")
    assert "never closed" in issue.message


def test_syntax_error_on_a_later_line() -> None:
    text = "party_member and\n  joined <= = period.end"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-SYNTAX"
    assert text.index("= period") <= issue.start <= text.index("period")


@pytest.mark.parametrize(
    ("text", "hint"),
    [("a && b", "use `and`"), ("a || b", "use `or`"), ("x = 1", "use `==` to compare")],
)
def test_syntax_errors_with_hints(text: str, hint: str) -> None:
    issue = only_issue(text)
    assert issue.code == "E-EXPR-SYNTAX"
    assert issue.hint == hint


def test_unterminated_string_message_is_clean() -> None:
    issue = only_issue("kind == '见义勇为")
    assert issue.code == "E-EXPR-SYNTAX"
    assert issue.message == "unterminated string literal"
    assert issue.start == 8


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_empty_text(text: str) -> None:
    issue = only_issue(text)
    assert issue.code == "E-EXPR-SYNTAX"
    assert issue.message == "the expression is empty"


def test_comments_are_refused_not_swallowed() -> None:
    text = "party_member # members only\n  and joined <= period.end"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-SYNTAX"
    assert text[issue.start : issue.end] == "# members only"
    assert parse("kind == '#1'") == parse("kind == '#1'")


def test_nul_character() -> None:
    issue = only_issue("a\0b")
    assert (issue.code, issue.start) == ("E-EXPR-SYNTAX", 1)


def test_all_issues_are_collected_in_source_order() -> None:
    found = issues("avgg(x) + a ** 2 + 1e3 + sum(a, b)")
    assert [i.code for i in found] == [
        "E-EXPR-FUNC",
        "E-EXPR-UNSUPPORTED",
        "E-EXPR-NUMBER",
        "E-EXPR-ARITY",
    ]


def test_too_long() -> None:
    issue = only_issue("1 + " * (MAX_LENGTH // 4) + "1")
    assert issue.code == "E-EXPR-LIMIT"


@pytest.mark.parametrize(
    "text",
    [
        "-" * 1000 + "1",
        "+".join(["1"] * (MAX_DEPTH + 5)),
        "not " * (MAX_DEPTH + 5) + "a",
        "(" * 300 + "1" + ")" * 300,
        "abs(" * 150 + "1" + ")" * 150,
    ],
)
def test_too_deep(text: str) -> None:
    found = issues(text)
    assert [i.code for i in found] == ["E-EXPR-LIMIT"]


def test_nesting_within_the_limit_is_fine() -> None:
    assert isinstance(parse("+".join(["1"] * (MAX_DEPTH - 5))), Binary)


@pytest.mark.parametrize(
    "text",
    [
        "party_member and joined <= period.end - days(180)",
        "sum(deliveries.on_time) / sum(deliveries.parcels)",
        "count(honors[level in ['city', 'province']])",
        "share(votes[option == '优秀' and voter != subject.id])",
        "trimmed_mean(panel.score, 1) if count(panel) >= 5 else null",
        "-(a - b) - -c * (d / (e * f))",
        "(a if b else c) if d else e if f else g",
        "not (a and b) or not c",
        "(a or b) and c",
        "(a < b) == c",
        "round(x * 0.125, 2) >= 0.5",
        "x is null or x is not null",
        'kind == "it\'s"',
    ],
)
def test_render_round_trips(text: str) -> None:
    canonical = render(parse(text))
    assert render(parse(canonical)) == canonical
    assert _shape(parse(canonical)) == _shape(parse(text))


def _shape(expr: object) -> object:
    """A tree without positions, for structural comparison."""
    if isinstance(expr, tuple):
        return tuple(_shape(e) for e in expr)
    if hasattr(expr, "__dataclass_fields__"):
        fields = [f for f in expr.__dataclass_fields__ if f not in ("start", "end")]
        return (type(expr).__name__, *(_shape(getattr(expr, f)) for f in fields))
    return expr


def test_render_of_fractions_that_are_not_decimal() -> None:
    assert render(Number(Fraction(1, 3), start=0, end=0)) == "(1 / 3)"
    assert render(Number(Fraction(-5, 8), start=0, end=0)) == "-0.625"


def test_render_issue_puts_the_caret_under_wide_characters() -> None:
    text = "kind == '见义勇为' + 1"
    issue = ExprIssue("E-EXPR-TYPE", "bad", text.index("+"), text.index("+") + 1, "a hint")
    lines = render_issue(text, issue).splitlines()
    assert lines[0] == f"1:{text.index('+') + 1}: E-EXPR-TYPE bad"
    assert lines[1] == "  " + text
    # 9 narrow columns before the string, 4 wide characters, the closing quote and a space
    assert lines[2] == "  " + " " * (9 + 8 + 2) + "^"
    assert lines[3] == "  hint: a hint"


def test_expr_error_message_summarises() -> None:
    with pytest.raises(
        ExprError, match=r"E-EXPR-FUNC at 0: unknown function `avgg` \(and 1 more\)"
    ):
        parse("avgg(x) + a ** 2")


def test_render_issue_on_a_later_line() -> None:
    text = "party_member\n  and 见义 == 1"
    start = text.index("见义")
    issue = ExprIssue("E-EXPR-NAME", "unknown column", start, start + 2)
    lines = render_issue(text, issue).splitlines()
    assert lines == [
        "2:7: E-EXPR-NAME unknown column",
        "    and 见义 == 1",
        "  " + " " * 6 + "^^^^",
    ]


def test_line_col() -> None:
    text = "a\nbc\n见义"
    assert line_col(text, 0) == (1, 1)
    assert line_col(text, text.index("c")) == (2, 2)
    assert line_col(text, text.index("义")) == (3, 2)
    assert line_col(text, 999) == (3, 3)
