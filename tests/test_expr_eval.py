"""Evaluating expressions: SQL nulls, aggregates, exact arithmetic, dates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from fractions import Fraction

import pytest

from scoring.catalog import Catalog, ColumnType, TableInfo
from scoring.expr import DictEnv, ExprContext, Value, check, compile_expr, evaluate
from scoring.expr.nodes import Binary

N = None
START, END = date(2022, 1, 1), date(2022, 12, 31)


def _table(
    name: str,
    columns: dict[str, ColumnType],
    links: dict[str, str],
    key: str | None = None,
    virtual: dict[str, str] | None = None,
) -> TableInfo:
    kind = "subject" if key else "record"
    return TableInfo(
        name=name,
        kind=kind,
        columns=columns,
        key=key,
        date=None if key else "day",
        links=links,
        virtual=virtual or {},
    )


CATALOG = Catalog(
    {
        t.name: t
        for t in (
            _table(
                "riders",
                {
                    "id": "text",
                    "name": "text",
                    "unit": "text",
                    "team": "text",
                    "party_member": "bool",
                    "joined": "date",
                    "bonus": "number",
                },
                {"teams": "team"},
                key="id",
                virtual={"pioneer_rider": "先锋骑手"},
            ),
            _table("teams", {"id": "text", "name": "text", "unit": "text"}, {}, key="id"),
            _table(
                "deliveries",
                {"rider": "text", "team": "text", "day": "date", "parcels": "int"},
                {"riders": "rider", "teams": "team"},
            ),
            _table(
                "complaints",
                {"rider": "text", "day": "date", "verified": "bool"},
                {"riders": "rider"},
            ),
            _table(
                "votes",
                {"rider": "text", "day": "date", "voter": "text", "option": "text"},
                {"riders": "rider"},
            ),
            _table(
                "panel", {"rider": "text", "day": "date", "score": "number"}, {"riders": "rider"}
            ),
        )
    }
)
SUBJECT: dict[str, Value] = {
    "id": "R1",
    "name": "张三",
    "unit": "城关镇",
    "team": "T1",
    "party_member": True,
    "joined": date(2021, 6, 1),
    "bonus": None,
    "pioneer_rider": Fraction(175, 2),
}
Rows = Sequence[Mapping[str, Value]]


def run(
    text: str,
    *,
    x: Value = None,
    x_type: ColumnType = "number",
    subject: Mapping[str, Value] | None = None,
    tables: Mapping[str, Rows] | None = None,
    nodes: Mapping[str, Value] | None = None,
    subject_table: str = "riders",
) -> tuple[Value, list[str]]:
    ctx = ExprContext(
        CATALOG, subject_table, x_type=x_type, node_paths=frozenset({"business", "service"})
    )
    env = DictEnv(
        subject={**SUBJECT, **(subject or {})},
        period_start=START,
        period_end=END,
        x=x,
        tables=tables or {},
        nodes=nodes or {},
    )
    return evaluate(check(text, ctx), env), env.warnings


def value(text: str, **kwargs: object) -> Value:
    result, warnings = run(text, **kwargs)  # type: ignore[arg-type]
    assert warnings == []
    return result


def column(name: str, *values: Value) -> list[dict[str, Value]]:
    return [{name: v} for v in values]


# -- three-valued logic --------------------------------------------------------------

TRUTH = [True, False, None]


def _sql_and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _sql_or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


@pytest.mark.parametrize("a", TRUTH)
@pytest.mark.parametrize("b", TRUTH)
def test_and_or_truth_tables(a: bool | None, b: bool | None) -> None:
    env = {"x": a, "x_type": "bool", "subject": {"party_member": b}}
    assert value("x and party_member", **env) is _sql_and(a, b)
    assert value("x or party_member", **env) is _sql_or(a, b)
    assert value("party_member and x", **env) is _sql_and(b, a)
    assert value("party_member or x", **env) is _sql_or(b, a)


@pytest.mark.parametrize(("a", "expected"), [(True, False), (False, True), (None, None)])
def test_not(a: bool | None, expected: bool | None) -> None:
    assert value("not x", x=a, x_type="bool") is expected


def test_spec_examples_of_null_logic() -> None:
    assert value("false and null") is False
    assert value("true or null") is True
    assert value("not null") is None
    assert value("true and null") is None
    assert value("false or null") is None


def test_long_conjunctions() -> None:
    assert value("true and null and false and true") is False
    assert value("false or null or true") is True
    assert value("true and true and null") is None


@pytest.mark.parametrize(
    "text",
    ["x + 1", "1 - x", "x * 2", "x / 2", "-x", "+x", "x > 1", "1 == x", "x != 0", "abs(x)"],
)
def test_null_propagates(text: str) -> None:
    assert value(text, x=None) is None


def test_division_by_zero_is_null() -> None:
    assert value("1 / 0") is None
    assert value("x / (x - x)", x=3) is None
    assert value("sum(deliveries.parcels) / count(deliveries)") is None


def test_conditional_with_null_condition_takes_else() -> None:
    assert value("1 if x else 2", x=None, x_type="bool") == 2
    assert value("1 if x else 2", x=True, x_type="bool") == 1
    assert value("1 if x else 2", x=False, x_type="bool") == 2
    assert value("1 if x > 0 else 2", x=None) == 2


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("unit in ['城关镇', '南寨镇']", "城关镇", True),
        ("unit in ['城关镇', '南寨镇']", "高崖镇", False),
        ("unit in ['城关镇', '南寨镇']", None, None),
        ("unit in ['城关镇', null]", "城关镇", True),
        ("unit in ['城关镇', null]", "高崖镇", None),
        ("unit in [null]", None, None),
        ("unit in []", "城关镇", False),
        ("unit not in ['城关镇', '南寨镇']", "高崖镇", True),
        ("unit not in ['城关镇', '南寨镇']", "城关镇", False),
        ("unit not in ['城关镇', null]", "城关镇", False),
        ("unit not in ['城关镇', null]", "高崖镇", None),
        ("unit not in ['城关镇']", None, None),
        ("unit in [name, '高崖镇']", "张三", True),
        ("unit in [name, null]", "李四", None),
    ],
)
def test_in_follows_sql(text: str, unit: str | None, expected: bool | None) -> None:
    assert value(text, subject={"unit": unit}) is expected


def test_numbers_in_lists_compare_exactly() -> None:
    assert value("x in [0.5, 2]", x=Fraction(1, 2)) is True
    assert value("x in [0.5, 2]", x=2) is True
    assert value("x in [0.50001]", x=Fraction(1, 2)) is False


def test_is_null_never_returns_null() -> None:
    assert value("x is null", x=None) is True
    assert value("x is not null", x=None) is False
    assert value("x is null", x=0) is False


def test_comparison_chains() -> None:
    assert value("0 < x <= 5", x=5) is True
    assert value("0 < x <= 5", x=6) is False
    assert value("0 < x <= 5", x=None) is None
    assert value("1 < 0 < x", x=None) is False
    assert value("x < 1 < 0", x=None) is False


def test_comparisons_of_text_and_dates() -> None:
    assert value("unit < '草碧镇'", subject={"unit": "城关镇"}) is ("城关镇" < "草碧镇")
    assert value("joined <= period.end - days(180)") is True
    assert value("joined <= period.end - days(180)", subject={"joined": date(2022, 7, 5)}) is False
    assert value("joined <= period.end - days(180)", subject={"joined": date(2022, 7, 4)}) is True


def test_results_are_real_booleans() -> None:
    result = value("x > 1", x=3)
    assert type(result) is bool
    assert type(value("x in [1]", x=1)) is bool


# -- row filters and aggregates --------------------------------------------------------

COMPLAINTS = column("verified", True, None, False, True)
VOTES: list[dict[str, Value]] = [
    {"voter": "R1", "option": "优秀"},
    {"voter": "R2", "option": "优秀"},
    {"voter": "R3", "option": "称职"},
    {"voter": "R4", "option": None},
]


def test_filter_keeps_rows_where_the_condition_is_true() -> None:
    tables = {"complaints": COMPLAINTS}
    assert value("count(complaints)", tables=tables) == 4
    assert value("count(complaints[verified])", tables=tables) == 2
    assert value("count(complaints[not verified])", tables=tables) == 1
    assert value("count(complaints[verified or true])", tables=tables) == 4


def test_filter_reads_subject_columns_and_period() -> None:
    tables = {"votes": VOTES}
    assert value("count(votes[voter != subject.id])", tables=tables) == 3
    assert value("count(votes[option == '优秀' and voter != subject.id])", tables=tables) == 1
    rows = [{"day": date(2022, 1, 1)}, {"day": date(2022, 1, 9)}, {"day": None}]
    assert (
        value("count(deliveries[day > period.start + days(7)])", tables={"deliveries": rows}) == 1
    )


def test_share() -> None:
    tables = {"votes": VOTES}
    assert value("share(votes[option == '优秀'])", tables=tables) == Fraction(1, 2)
    assert value("share(votes[option != '优秀'])", tables=tables) == Fraction(1, 4)
    assert value("share(votes[option == '优秀'])", tables={"votes": []}) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("count(panel)", 0),
        ("count(panel.score)", 0),
        ("count_distinct(panel.score)", 0),
        ("sum(panel.score)", 0),
        ("avg(panel.score)", None),
        ("min(panel.score)", None),
        ("max(panel.score)", None),
        ("median(panel.score)", None),
        ("trimmed_mean(panel.score, 0)", None),
        ("share(panel[score > 1])", None),
    ],
)
def test_aggregates_over_no_rows(text: str, expected: Value) -> None:
    result = value(text, tables={"panel": []})
    assert result == expected and type(result) is type(expected)
    assert value(text) == expected  # a table with no rows given at all


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("count(panel)", 3),
        ("count(panel.score)", 0),
        ("count_distinct(panel.score)", 0),
        ("sum(panel.score)", 0),
        ("avg(panel.score)", None),
        ("min(panel.score)", None),
        ("max(panel.score)", None),
        ("median(panel.score)", None),
        ("count(panel[score > 0])", 0),
        ("count(panel[score is null])", 3),
    ],
)
def test_aggregates_over_only_nulls(text: str, expected: Value) -> None:
    assert value(text, tables={"panel": column("score", None, None, None)}) == expected


def test_aggregates_skip_nulls() -> None:
    tables = {"panel": column("score", 3, None, Fraction(9, 2), 3, None)}
    assert value("count(panel)", tables=tables) == 5
    assert value("count(panel.score)", tables=tables) == 3
    assert value("count(panel[score >= 3].score)", tables=tables) == 3
    assert value("count_distinct(panel.score)", tables=tables) == 2
    assert value("sum(panel.score)", tables=tables) == Fraction(21, 2)
    assert value("avg(panel.score)", tables=tables) == Fraction(7, 2)
    assert value("min(panel.score)", tables=tables) == 3
    assert value("max(panel.score)", tables=tables) == Fraction(9, 2)


def test_count_distinct_treats_equal_numbers_as_one() -> None:
    assert (
        value("count_distinct(panel.score)", tables={"panel": column("score", 2, Fraction(2))}) == 1
    )


def test_min_and_max_of_dates() -> None:
    rows = column("day", date(2022, 3, 1), None, date(2022, 1, 5))
    tables = {"deliveries": rows}
    assert value("min(deliveries.day)", tables=tables) == date(2022, 1, 5)
    assert value("max(deliveries.day)", tables=tables) == date(2022, 3, 1)
    assert value("max(deliveries.day) - min(deliveries.day)", tables=tables) == 55


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([5], 5),
        ([3, 1, 2], 2),
        ([4, 1, 3, 2], Fraction(5, 2)),
        ([1, 2], Fraction(3, 2)),
        ([Fraction(1, 3), Fraction(2, 3)], Fraction(1, 2)),
        ([7, None, 1, 3, None], 3),
    ],
)
def test_median(scores: list[Value], expected: Value) -> None:
    assert value("median(panel.score)", tables={"panel": column("score", *scores)}) == expected


def test_trimmed_mean_drops_highest_and_lowest() -> None:
    tables = {"panel": column("score", 90, 85, 100, 60, 88, None)}
    assert value("trimmed_mean(panel.score, 1)", tables=tables) == Fraction(263, 3)
    assert value("trimmed_mean(panel.score, 0)", tables=tables) == Fraction(423, 5)
    assert value("trimmed_mean(panel.score, 2)", tables=tables) == 88


@pytest.mark.parametrize("n", [0, 1, 2])
def test_trimmed_mean_with_too_few_values_is_null_and_warns(n: int) -> None:
    result, warnings = run(
        "trimmed_mean(panel.score, 1)", tables={"panel": column("score", *range(n))}
    )
    assert result is None
    assert warnings == [
        f"trimmed_mean(panel.score, 1) needs more than 2 values to drop 1 at each end, got {n}"
    ]


def test_trimmed_mean_warning_is_not_a_silent_plain_mean() -> None:
    text = "coalesce(trimmed_mean(panel.score, 2), -1)"
    result, warnings = run(text, tables={"panel": column("score", 1, 2, 3, 4)})
    assert result == -1
    assert len(warnings) == 1 and "got 4" in warnings[0]


def test_aggregate_over_members_reads_virtual_award_totals() -> None:
    riders = [{"pioneer_rider": 95}, {"pioneer_rider": Fraction(181, 2)}, {"pioneer_rider": None}]
    tables = {"riders": riders}
    assert value("count(riders[pioneer_rider >= 90])", tables=tables, subject_table="teams") == 2
    assert value("count(riders)", tables=tables, subject_table="teams") == 3
    assert value("avg(riders.pioneer_rider)", tables=tables, subject_table="teams") == Fraction(
        371, 4
    )


# -- exact arithmetic --------------------------------------------------------------


def test_exact_decimal_arithmetic() -> None:
    assert value("0.1 + 0.2 == 3/10") is True
    assert value("0.1 + 0.2") == Fraction(3, 10)
    assert value("15 * (37/12 - 3) / 2 == 5/8") is True
    assert value("15 * (37/12 - 3) / 2") == Fraction(5, 8)
    assert value("19.995 * 100") == Fraction(3999, 2)
    assert value("19.995") == Fraction(3999, 200)


def test_no_float_ever() -> None:
    texts = ["1 / 3", "0.1 * 3", "avg(panel.score)", "median(panel.score)", "round(2 / 3, 2)"]
    tables = {"panel": column("score", 1, 2)}
    for text in texts:
        result = value(text, tables=tables)
        assert isinstance(result, int | Fraction) and not isinstance(result, float), text


def test_integral_results_may_stay_int() -> None:
    assert value("6 / 3") == 2 and type(value("6 / 3")) is int
    assert type(value("1 + 2")) is int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("round(-2.5)", -3),
        ("round(2.5)", 3),
        ("round(-0.5)", -1),
        ("round(1.4999)", 1),
        ("round(0.125, 2)", Fraction(13, 100)),
        ("round(-0.125, 2)", Fraction(-13, 100)),
        ("round(19.995, 2)", 20),
        ("round(15 * (37/12 - 3) / 2, 2)", Fraction(63, 100)),
        ("round(7)", 7),
        ("round(2 / 3, 3)", Fraction(667, 1000)),
        ("round(null, 2)", None),
    ],
)
def test_round_half_away_from_zero(text: str, expected: Value) -> None:
    result = value(text)
    assert result == expected
    assert not isinstance(result, float)


def test_abs() -> None:
    assert value("abs(-3 / 2)") == Fraction(3, 2)
    assert value("abs(x)", x=-4) == 4


def test_least_greatest_ignore_nulls() -> None:
    assert value("least(3, null, 1.5)") == Fraction(3, 2)
    assert value("greatest(3, null, 1.5)") == 3
    assert value("least(x, null)", x=None) is None
    assert value("greatest(null, x)", x=None) is None
    assert value("least(joined, period.start)") == date(2021, 6, 1)
    assert value("greatest('城关镇', unit)", subject={"unit": None}) == "城关镇"


def test_coalesce_takes_the_first_non_null() -> None:
    assert value("coalesce(x, bonus, 0)", x=None) == 0
    assert value("coalesce(x, bonus, 0)", x=None, subject={"bonus": Fraction(1, 2)}) == Fraction(
        1, 2
    )
    assert value("coalesce(x, 7)", x=0) == 0
    assert value("coalesce(null, null)") is None


# -- dates -------------------------------------------------------------------------


def test_date_arithmetic() -> None:
    assert value("period.end - days(180)") == date(2022, 7, 4)
    assert value("joined + days(31)") == date(2021, 7, 2)
    assert value("days(31) + joined") == date(2021, 7, 2)
    assert value("period.end - joined") == 578
    assert value("joined - period.end") == -578
    assert value("period.end - (days(1) + days(2))") == date(2022, 12, 28)
    assert value("joined + days(x)", x=None) is None
    assert value("joined + days(x)", x=Fraction(3, 2)) is None
    assert value("joined + days(x)", x=Fraction(4, 2)) == date(2021, 6, 3)
    assert value("joined - days(-1)") == date(2021, 6, 2)
    assert isinstance(value("-(period.end - joined)"), int)


def test_date_overflow_is_null_not_a_crash() -> None:
    assert value("period.end + days(3000000)") is None
    assert value("period.start - days(999999)") is None
    assert value("period.end + days(10000000000)") is None


def test_days_is_a_duration_inside_arithmetic() -> None:
    checked = check("period.end - days(1)", ExprContext(CATALOG, "riders"))
    assert checked.types[checked.expr] == "date"
    env = DictEnv(SUBJECT, START, END)
    days = check("joined + days(1)", ExprContext(CATALOG, "riders")).expr
    assert isinstance(days, Binary)
    assert compile_expr(checked)(env) == END - timedelta(days=1)


# -- node points and the compiled function ----------------------------------------------


def test_node_points() -> None:
    assert value("node('business') + x", x=1, nodes={"business": Fraction(71, 2)}) == Fraction(
        73, 2
    )
    assert value("node('service')", nodes={}) is None


def test_compile_once_evaluate_many() -> None:
    checked = check(
        "count(complaints[verified]) * 5 + x", ExprContext(CATALOG, "riders", x_type="int")
    )
    fn = compile_expr(checked)
    for n in range(5):
        env = DictEnv(
            SUBJECT, START, END, x=n, tables={"complaints": column("verified", *[True] * n)}
        )
        assert fn(env) == 6 * n


def test_x_is_the_metric_even_when_reading_other_columns() -> None:
    assert value("x + bonus", x=2, subject={"bonus": Fraction(1, 4)}) == Fraction(9, 4)


def test_constant_parts_are_folded_without_changing_results() -> None:
    assert value("count(complaints[1 < 2 and verified])", tables={"complaints": COMPLAINTS}) == 2
    assert value("x + (1 / 0)", x=1) is None
    assert value("(1 if null else 2) * x", x=3) == 6
    assert value("period.end + days(2 * 3) - days(6)") == END


def test_dict_env_defaults() -> None:
    env = DictEnv(SUBJECT, START, END)
    assert env.rows("deliveries") == ()
    assert env.node_points("business") is None
    env.warn("careful")
    assert env.warnings == ["careful"]


def test_checked_expressions_compare_by_value() -> None:
    ctx = ExprContext(CATALOG, "riders")
    first, second = check("count(votes) > 1", ctx), check("count(votes) > 1", ctx)
    assert first == second
    assert hash(first) == hash(second)
