"""Type checking award result fields (SPEC §2.3): types, where they can be
read, and the hints that teach them (issue 9: never `sum(A.grade)`)."""

from __future__ import annotations

import pytest

from scoring.catalog import Catalog, TableInfo
from scoring.expr import ExprContext, ExprError, ExprIssue, check

CATALOG = Catalog(
    {
        "riders": TableInfo(
            "riders",
            "subject",
            {"id": "text", "team": "text", "stars": "number"},
            key="id",
            links={"teams": "team"},
            virtual={"pioneer_rider": "先锋骑手"},
        ),
        "teams": TableInfo(
            "teams",
            "subject",
            {"id": "text"},
            key="id",
            virtual={"crew": "先锋班组", "base": "基础"},
        ),
        "routes": TableInfo("routes", "subject", {"id": "text"}, key="id"),
    }
)
CREW = ExprContext(CATALOG, "teams", hidden_virtual=frozenset({"crew"}))


def issue(text: str, ctx: ExprContext = CREW) -> ExprIssue:
    with pytest.raises(ExprError) as caught:
        check(text, ctx)
    assert len(caught.value.issues) == 1, caught.value.issues
    return caught.value.issues[0]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("base.total", "number"),
        ("base.grade", "text"),
        ("base.eligible", "bool"),
        ("base.vetoed", "bool"),
        ("base.ranked", "bool"),
        ("base.selected", "bool"),
        ("base.rank", "number"),
        ("count(riders[pioneer_rider.grade == '优秀'])", "number"),
        ("share(riders[pioneer_rider.ranked and not pioneer_rider.selected])", "number"),
        ("avg(riders[pioneer_rider.eligible].pioneer_rider)", "number"),
        ("count(riders[pioneer_rider.rank <= 3 and subject.base.grade == '优秀'])", "number"),
    ],
)
def test_field_types(text: str, kind: str) -> None:
    checked = check(text, CREW)
    assert checked.type == kind


def test_a_field_read_counts_as_reading_the_award() -> None:
    assert check("base.grade == '优秀'", CREW).reads == frozenset({("teams", "base")})
    reads = check("count(riders[pioneer_rider.ranked])", CREW).reads
    assert ("riders", "pioneer_rider") in reads


def test_unknown_field_lists_or_suggests_the_fields() -> None:
    found = issue("base.rnak")
    assert (found.code, found.hint) == ("E-EXPR-NAME", "did you mean `rank`?")
    found = issue("base.points")
    assert (
        found.hint is not None
        and "total, grade, eligible, vetoed, ranked, selected, rank" in found.hint
    )
    found = issue("count(riders[subject.base.rnak == 1])")
    assert found.hint == "did you mean `rank`?"


def test_a_member_award_read_as_ones_own_hints_the_aggregate() -> None:
    found = issue("pioneer_rider.grade == '优秀'")
    assert found.code == "E-EXPR-SCOPE"
    assert found.hint == "count its riders, like `count(riders[pioneer_rider.grade == '优秀'])`"
    assert issue("pioneer_rider.rank").hint == (
        "count its riders, like `count(riders[pioneer_rider.rank <= 3])`"
    )
    assert issue("pioneer_rider.total").hint == (
        "aggregate its riders, like `avg(riders.pioneer_rider)`"
    )
    assert issue("pioneer_rider.selected").hint == (
        "count its riders, like `count(riders[pioneer_rider.selected])`"
    )
    for text in ("pioneer_rider.grade", "pioneer_rider.rank", "pioneer_rider.total"):
        hint = issue(text).hint or ""
        example = hint[hint.index("`") + 1 : -1]
        check(example, CREW)  # every suggested expression is itself valid


def test_an_award_of_an_unlinked_table() -> None:
    ctx = ExprContext(CATALOG, "routes")
    found = issue("pioneer_rider.grade == '优秀'", ctx)
    assert found.hint == "no table links `riders` to `routes`"


def test_own_award_fields_are_hidden() -> None:
    found = issue("crew.rank <= 3")
    assert found.code == "E-EXPR-NAME"
    assert "cannot be read here" in found.message


def test_bare_field_names_teach_the_award_field() -> None:
    found = issue("count(riders[grade == '优秀'])")
    assert found.hint == "an award's grade is read as `AWARD.grade`, like `pioneer_rider.grade`"
    found = issue("rank <= 3")
    assert found.hint == "an award's rank is read as `AWARD.rank`, like `base.rank`"


def test_fields_of_a_plain_column_or_an_unknown_name() -> None:
    assert issue("id.grade").code == "E-EXPR-UNSUPPORTED"
    found = issue("bsae.grade")
    assert (found.code, found.hint) == ("E-EXPR-NAME", "did you mean `base`?")


def test_field_type_errors() -> None:
    assert issue("base.grade > 90").code == "E-EXPR-TYPE"
    assert issue("sum(riders.pioneer_rider) + base.eligible").code == "E-EXPR-TYPE"
