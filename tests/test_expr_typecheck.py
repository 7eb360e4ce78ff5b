"""Type checking expressions against a catalog: names, scopes, aggregates, types."""

from __future__ import annotations

import pytest

from scoring.catalog import Catalog, TableInfo
from scoring.expr import CheckedExpr, ExprContext, ExprError, ExprIssue, check
from scoring.expr.nodes import walk

RIDERS = TableInfo(
    name="riders",
    kind="subject",
    key="id",
    columns={
        "id": "text",
        "name": "text",
        "unit": "text",
        "team": "text",
        "party_member": "bool",
        "joined": "date",
    },
    links={"teams": "team"},
    virtual={"pioneer_rider": "先锋骑手", "service_pioneer": "为民服务先锋"},
)
TEAMS = TableInfo(
    name="teams",
    kind="subject",
    key="id",
    columns={"id": "text", "name": "text", "unit": "text"},
    virtual={"pioneer_team": "先锋班组"},
)
ROUTES = TableInfo(name="routes", kind="subject", key="id", columns={"id": "text", "unit": "text"})


def _record(name: str, columns: dict[str, str], links: dict[str, str]) -> TableInfo:
    return TableInfo(
        name=name,
        kind="record",
        date="day",
        columns={"day": "date", **columns},  # type: ignore[dict-item]
        links=links,
    )


DELIVERIES = _record(
    "deliveries",
    {"rider": "text", "team": "text", "parcels": "int", "on_time": "int", "weight": "number"},
    {"riders": "rider", "teams": "team"},
)
COMPLAINTS = _record(
    "complaints", {"rider": "text", "verified": "bool", "kind": "text"}, {"riders": "rider"}
)
VOTES = _record("votes", {"rider": "text", "voter": "text", "option": "text"}, {"riders": "rider"})
HONORS = _record("honors", {"rider": "text", "level": "text", "kind": "text"}, {"riders": "rider"})
PANEL = _record("panel", {"rider": "text", "judge": "text", "score": "number"}, {"riders": "rider"})
CATALOG = Catalog(
    {t.name: t for t in (RIDERS, TEAMS, ROUTES, DELIVERIES, COMPLAINTS, VOTES, HONORS, PANEL)}
)
PATHS = frozenset({"business", "business.volume", "business.on_time", "service"})

PLAIN = ExprContext(CATALOG, "riders")
FORMULA = ExprContext(CATALOG, "riders", x_type="int", node_paths=PATHS)
TEAM = ExprContext(CATALOG, "teams", hidden_virtual=frozenset({"pioneer_team"}))


def ok(text: str, ctx: ExprContext = PLAIN) -> CheckedExpr:
    return check(text, ctx)


def issues(text: str, ctx: ExprContext = PLAIN) -> list[ExprIssue]:
    with pytest.raises(ExprError) as info:
        check(text, ctx)
    return info.value.issues


def only_issue(text: str, ctx: ExprContext = PLAIN) -> ExprIssue:
    found = issues(text, ctx)
    assert len(found) == 1, found
    return found[0]


def at(text: str, issue: ExprIssue) -> str:
    return text[issue.start : issue.end]


# -- what a checked expression reads -------------------------------------------------


def test_eligibility_reads_subject_columns() -> None:
    checked = ok("party_member and joined <= period.end - days(180)")
    assert checked.type == "bool"
    assert checked.reads == {("riders", "party_member"), ("riders", "joined")}
    assert checked.tables == frozenset()
    assert checked.nodes == frozenset()
    assert checked.reads_x is False


def test_metric_reads_record_columns() -> None:
    checked = ok("sum(deliveries.on_time) / sum(deliveries.parcels)")
    assert checked.type == "number"
    assert checked.reads == {("deliveries", "on_time"), ("deliveries", "parcels")}
    assert checked.tables == {"deliveries"}


def test_filter_reads_table_and_subject_columns() -> None:
    checked = ok("share(votes[option == '优秀' and voter != subject.id])")
    assert checked.type == "number"
    assert checked.reads == {("votes", "option"), ("votes", "voter"), ("riders", "id")}
    assert checked.tables == {"votes"}


def test_count_of_bare_table_reads_no_column() -> None:
    checked = ok("count(complaints) + count(honors[level in ['city', 'province']])")
    assert checked.reads == {("honors", "level")}
    assert checked.tables == {"complaints", "honors"}


def test_formula_reads_x_and_nodes() -> None:
    checked = ok("x * 2 + node('business') - node('service')", FORMULA)
    assert checked.type == "number"
    assert checked.reads_x is True
    assert checked.nodes == {"business", "service"}
    assert checked.reads == frozenset()


def test_types_of_sub_expressions_are_recorded() -> None:
    checked = ok("joined <= period.end - days(180) and period.end - joined > 30")
    by_text = {
        "joined <= period.end - days(180) and period.end - joined > 30"[n.start : n.end]: n
        for n in walk(checked.expr)
    }
    assert checked.types[by_text["period.end - days(180)"]] == "date"
    assert checked.types[by_text["days(180)"]] == "duration"
    assert checked.types[by_text["period.end - joined"]] == "number"


def test_other_awards_are_virtual_number_columns() -> None:
    checked = ok("pioneer_rider >= 90 or service_pioneer > 80")
    assert checked.reads == {("riders", "pioneer_rider"), ("riders", "service_pioneer")}


def test_team_award_reads_member_awards() -> None:
    checked = ok("avg(riders.pioneer_rider) + count(riders[pioneer_rider >= 90])", TEAM)
    assert checked.tables == {"riders"}
    assert checked.reads == {("riders", "pioneer_rider")}
    assert ok("sum(deliveries.parcels)", TEAM).tables == {"deliveries"}


def test_own_award_total_is_hidden() -> None:
    text = "pioneer_team > 0"
    issue = only_issue(text, TEAM)
    assert issue.code == "E-EXPR-NAME"
    assert at(text, issue) == "pioneer_team"
    assert "cannot be read here" in issue.message


def test_hidden_award_inside_a_filter() -> None:
    ctx = ExprContext(CATALOG, "teams", hidden_virtual=frozenset({"pioneer_rider"}))
    text = "count(riders[pioneer_rider >= 90])"
    issue = only_issue(text, ctx)
    assert (issue.code, at(text, issue)) == ("E-EXPR-NAME", "pioneer_rider")
    text = "avg(riders.pioneer_rider)"
    issue = only_issue(text, ctx)
    assert (issue.code, at(text, issue)) == ("E-EXPR-NAME", "pioneer_rider")


# -- names -------------------------------------------------------------------------


def test_unknown_column_with_did_you_mean() -> None:
    text = "party_membr and true"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-NAME"
    assert issue.message == "unknown column `party_membr` of `riders`"
    assert issue.hint == "did you mean `party_member`?"
    assert (issue.start, issue.end) == (0, 11)


def test_unknown_column_that_belongs_to_a_linked_table() -> None:
    issue = only_issue("parcels > 10")
    assert issue.code == "E-EXPR-NAME"
    assert issue.hint is not None and "sum(deliveries.parcels)" in issue.hint


def test_x_is_only_available_with_a_metric() -> None:
    issue = only_issue("x > 3")
    assert issue.code == "E-EXPR-SCOPE"
    assert "`x`" in issue.message
    assert ok("x > 3", FORMULA).type == "bool"


def test_x_type_follows_the_context() -> None:
    ctx = ExprContext(CATALOG, "riders", x_type="bool")
    assert ok("x and party_member", ctx).type == "bool"
    text = "x + 1"
    issue = only_issue(text, ctx)
    assert (issue.code, at(text, issue)) == ("E-EXPR-TYPE", "x")


def test_bare_table_outside_an_aggregate() -> None:
    issue = only_issue("deliveries > 0")
    assert issue.code == "E-EXPR-SCOPE"
    assert issue.hint == "like `count(deliveries)`"


def test_table_column_outside_an_aggregate() -> None:
    text = "deliveries.parcels > 3"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-SCOPE"
    assert at(text, issue) == "deliveries.parcels"
    assert issue.hint == "like `sum(deliveries.parcels)`"


def test_subject_ref_outside_a_filter() -> None:
    text = "subject.unit == '城关镇'"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-SCOPE"
    assert at(text, issue) == "subject.unit"


@pytest.mark.parametrize("name", ["period", "subject"])
def test_period_and_subject_alone(name: str) -> None:
    issue = only_issue(f"{name} == 1")
    assert issue.code == "E-EXPR-NAME"


# -- aggregates --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["sum(name)", "avg(party_member)", "count(unit)"])
def test_aggregate_over_a_subject_column(text: str) -> None:
    issue = only_issue(text)
    assert issue.code == "E-EXPR-AGG"
    assert issue.message.startswith("aggregates take a table column, like `")
    assert at(text, issue) == text[text.index("(") + 1 : -1]


def test_aggregate_over_a_subject_column_names_a_real_example() -> None:
    issue = only_issue("sum(name)")
    assert issue.message == "aggregates take a table column, like `sum(deliveries.parcels)`"


def test_aggregate_over_a_bare_record_column() -> None:
    issue = only_issue("sum(parcels)")
    assert issue.code == "E-EXPR-AGG"
    assert issue.message == "aggregates take a table column, like `sum(deliveries.parcels)`"
    assert issue.hint == "did you mean `deliveries.parcels`?"


def test_aggregate_over_x() -> None:
    assert only_issue("avg(x)", FORMULA).code == "E-EXPR-AGG"


def test_unknown_table_with_did_you_mean() -> None:
    text = "count(delivery)"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-NAME"
    assert issue.message == "unknown table `delivery`"
    assert issue.hint == "did you mean `deliveries`?"
    assert at(text, issue) == "delivery"


def test_unknown_table_in_a_column_reference() -> None:
    text = "sum(delivery.parcels)"
    issue = only_issue(text)
    assert (issue.code, at(text, issue)) == ("E-EXPR-NAME", "delivery")
    assert issue.hint == "did you mean `deliveries`?"


def test_table_without_a_link() -> None:
    text = "count(routes) + count(teams[unit == 'a'])"
    found = issues(text)
    assert [i.code for i in found] == ["E-EXPR-LINK", "E-EXPR-LINK"]
    assert found[0].message == "table `routes` has no link to `riders`"
    assert at(text, found[0]) == "routes"
    assert at(text, found[1]) == "teams"
    assert found[0].hint is not None and "deliveries" in found[0].hint


def test_subject_table_cannot_aggregate_itself() -> None:
    issue = only_issue("count(riders)")
    assert issue.code == "E-EXPR-LINK"
    assert "subject table itself" in issue.message


def test_unknown_column_of_a_table() -> None:
    text = "sum(deliveries.parcel)"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-NAME"
    assert issue.message == "`deliveries` has no column `parcel`"
    assert issue.hint == "did you mean `parcels`?"
    assert at(text, issue) == "parcel"


def test_count_forms() -> None:
    for text in (
        "count(deliveries)",
        "count(complaints[verified])",
        "count(deliveries.weight)",
        "count(deliveries[parcels > 3].weight)",
        "count_distinct(deliveries.day)",
        "count_distinct(votes[option == '优秀'].voter)",
    ):
        assert ok(text).type == "number", text


@pytest.mark.parametrize(
    ("text", "code", "span"),
    [
        ("sum(deliveries)", "E-EXPR-AGG", "deliveries"),
        ("avg(deliveries[parcels > 3])", "E-EXPR-AGG", "deliveries[parcels > 3]"),
        ("count_distinct(votes)", "E-EXPR-AGG", "votes"),
        ("share(votes)", "E-EXPR-AGG", "votes"),
        ("share(votes.option)", "E-EXPR-AGG", "votes.option"),
        ("share(votes[option == 'a'].voter)", "E-EXPR-AGG", "votes[option == 'a'].voter"),
        ("sum(1)", "E-EXPR-AGG", "1"),
        ("sum(avg(deliveries.parcels))", "E-EXPR-AGG", "avg(deliveries.parcels)"),
        ("sum(votes.option)", "E-EXPR-TYPE", "votes.option"),
        ("avg(complaints.verified)", "E-EXPR-TYPE", "complaints.verified"),
        ("median(deliveries.day)", "E-EXPR-TYPE", "deliveries.day"),
        ("trimmed_mean(votes.voter, 1)", "E-EXPR-TYPE", "votes.voter"),
        ("max(votes.option)", "E-EXPR-TYPE", "votes.option"),
        ("min(complaints.verified)", "E-EXPR-TYPE", "complaints.verified"),
    ],
)
def test_aggregate_argument_errors(text: str, code: str, span: str) -> None:
    issue = only_issue(text)
    assert issue.code == code
    assert at(text, issue) == span


def test_aggregate_types() -> None:
    assert ok("min(deliveries.day)").type == "date"
    assert ok("max(deliveries.weight)").type == "number"
    assert ok("median(panel.score) + trimmed_mean(panel.score, 1)").type == "number"
    assert ok("max(deliveries.day) - min(deliveries.day)").type == "number"


def test_aggregate_inside_a_filter() -> None:
    text = "count(deliveries[parcels > avg(deliveries.parcels)])"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-SCOPE"
    assert at(text, issue) == "avg(deliveries.parcels)"


# -- row filters -------------------------------------------------------------------


def test_filter_sees_table_columns_period_and_subject() -> None:
    text = (
        "count(votes[voter != subject.id and option in ['优秀', '称职'] "
        "and day >= period.start + days(7)])"
    )
    assert ok(text).type == "number"


def test_filter_does_not_see_bare_subject_columns() -> None:
    text = "count(deliveries[unit == '城关镇'])"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-NAME"
    assert issue.message == "`deliveries` has no column `unit`"
    assert issue.hint == "the subject's own column is `subject.unit`"
    assert at(text, issue) == "unit"


def test_filter_column_did_you_mean() -> None:
    issue = only_issue("count(complaints[verifed])")
    assert issue.hint == "did you mean `verified`?"


def test_filter_cannot_read_x_or_nodes() -> None:
    text = "count(deliveries[parcels > x])"
    issue = only_issue(text, FORMULA)
    assert (issue.code, at(text, issue)) == ("E-EXPR-SCOPE", "x")
    text = "count(deliveries[parcels > node('business')])"
    issue = only_issue(text, FORMULA)
    assert (issue.code, at(text, issue)) == ("E-EXPR-SCOPE", "node('business')")


def test_filter_condition_must_be_bool() -> None:
    text = "count(deliveries[parcels])"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-TYPE"
    assert at(text, issue) == "parcels"
    assert ok("count(deliveries[null])").type == "number"


def test_unknown_subject_column_in_a_filter() -> None:
    text = "count(votes[voter != subject.ids])"
    issue = only_issue(text)
    assert (issue.code, at(text, issue)) == ("E-EXPR-NAME", "subject.ids")
    assert issue.hint == "did you mean `id`?"


# -- node() ------------------------------------------------------------------------


def test_node_is_not_available_outside_formula() -> None:
    text = "node('business') > 10"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-SCOPE"
    assert at(text, issue) == "node('business')"


def test_unknown_node_path() -> None:
    text = "node('busines.volume')"
    issue = only_issue(text, FORMULA)
    assert issue.code == "E-EXPR-NODE"
    assert issue.hint == "did you mean `business.volume`?"
    assert at(text, issue) == "'busines.volume'"


# -- types -------------------------------------------------------------------------


def test_text_compared_with_number_has_the_caret_on_the_comparison() -> None:
    text = "party_member and unit == 3"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-TYPE"
    assert issue.message == "cannot compare text with a number"
    assert (issue.start, issue.end) == (17, 26)


def test_text_compared_with_number_inside_chinese_text() -> None:
    text = "count(honors[kind == '见义勇为']) > 0 and unit >= 10"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-TYPE"
    assert at(text, issue) == "unit >= 10"
    assert issue.start == text.index("unit")


def test_comparison_chain_reports_the_failing_link() -> None:
    text = "0 < unit <= 5"
    found = issues(text)
    assert [at(text, i) for i in found] == ["0 < unit", "unit <= 5"]


def test_quoted_number_hint() -> None:
    issue = only_issue("count(deliveries) == '3'")
    assert issue.hint == "write the number without quotes"


def test_date_compared_with_text_hint() -> None:
    issue = only_issue("joined >= '2022-01-01'")
    assert issue.code == "E-EXPR-TYPE"
    assert issue.hint is not None and "no date literals" in issue.hint


@pytest.mark.parametrize(
    "text",
    [
        "joined == null",
        "null != unit",
        "party_member == true",
        "unit < '城关镇'",
        "joined < period.end",
        "count(deliveries) >= 0.5",
        "joined is null and unit is not null",
    ],
)
def test_compatible_comparisons(text: str) -> None:
    assert ok(text).type == "bool"


def test_booleans_cannot_be_ordered() -> None:
    text = "party_member < true"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-TYPE"
    assert at(text, issue) == text


def test_durations_cannot_be_compared() -> None:
    assert only_issue("days(3) < days(4)").code == "E-EXPR-TYPE"


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("unit and party_member", "unit"),
        ("party_member or count(deliveries)", "count(deliveries)"),
        ("not unit", "unit"),
        ("1 if unit else 2", "unit"),
    ],
)
def test_logic_needs_bool(text: str, span: str) -> None:
    issue = only_issue(text)
    assert issue.code == "E-EXPR-TYPE"
    assert at(text, issue) == span


def test_in_list_elements_must_match() -> None:
    text = "unit in ['城关镇', 3, null]"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-TYPE"
    assert at(text, issue) == "3"
    assert ok("unit not in ['城关镇', null]").type == "bool"
    assert ok("null in [1, 2]").type == "bool"


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("unit + 1", "unit"),
        ("1 - party_member", "party_member"),
        ("count(deliveries) * unit", "unit"),
        ("joined / 2", "joined"),
        ("-unit", "unit"),
        ("abs(unit)", "unit"),
        ("round(joined, 1)", "joined"),
        ("joined + days(unit)", "unit"),
    ],
)
def test_arithmetic_needs_numbers(text: str, span: str) -> None:
    issue = only_issue(text)
    assert issue.code == "E-EXPR-TYPE"
    assert at(text, issue) == span


@pytest.mark.parametrize(
    ("text", "type_"),
    [
        ("period.end - days(180)", "date"),
        ("days(7) + joined", "date"),
        ("period.end - joined", "number"),
        ("period.end - (days(1) + days(2))", "date"),
        ("joined + null", "null"),
        ("1 + null", "null"),
        ("-(period.end - joined)", "number"),
        ("count(deliveries) / 3", "number"),
    ],
)
def test_date_and_null_arithmetic(text: str, type_: str) -> None:
    assert ok(text).type == type_


@pytest.mark.parametrize("text", ["joined + 3", "period.end - 180", "joined + joined"])
def test_bad_date_arithmetic(text: str) -> None:
    issue = only_issue(text)
    assert issue.code == "E-EXPR-TYPE"
    assert at(text, issue) == text


def test_date_plus_number_hint() -> None:
    assert "days(n)" in (only_issue("joined + 3").hint or "")


def test_a_bare_duration_is_not_a_value() -> None:
    issue = only_issue("days(3)")
    assert issue.code == "E-EXPR-TYPE"
    assert "duration" in issue.message


def test_conditional_branches_unify() -> None:
    assert ok("1 if party_member else null").type == "number"
    assert ok("null if party_member else joined").type == "date"
    assert ok("null if party_member else null").type == "null"
    text = "1 if party_member else '无'"
    issue = only_issue(text)
    assert issue.code == "E-EXPR-TYPE"
    assert at(text, issue) == text


def test_scalar_functions() -> None:
    assert ok("least(joined, period.end)").type == "date"
    assert ok("greatest(1, null, 2.5)").type == "number"
    assert ok("coalesce(unit, '未知')").type == "text"
    assert ok("coalesce(party_member, false)").type == "bool"
    assert ok("round(avg(panel.score), 2) + abs(-1)").type == "number"
    text = "greatest(1, unit)"
    issue = only_issue(text)
    assert (issue.code, at(text, issue)) == ("E-EXPR-TYPE", "unit")
    text = "least(party_member, false)"
    assert only_issue(text).code == "E-EXPR-TYPE"


def test_all_issues_are_reported_together() -> None:
    text = "unit == 3 and sum(name) > 0 and count(delivery) > 0 and party_membr"
    found = issues(text)
    assert [i.code for i in found] == ["E-EXPR-TYPE", "E-EXPR-AGG", "E-EXPR-NAME", "E-EXPR-NAME"]
    assert [at(text, i) for i in found] == ["unit == 3", "name", "delivery", "party_membr"]


def test_syntax_errors_come_from_the_parser() -> None:
    issue = only_issue("sum(deliveries.parcels")
    assert issue.code == "E-EXPR-SYNTAX"


def test_unknown_subject_table_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not in the catalog"):
        check("1", ExprContext(CATALOG, "nobody"))
