"""Property tests: any text either checks or raises ExprError; checked code never crashes."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.catalog import Catalog, ColumnType, TableInfo
from scoring.expr import (
    CheckedExpr,
    DictEnv,
    ExprContext,
    ExprError,
    Value,
    check,
    compile_expr,
    parse,
    render,
)

RIDER_COLUMNS: dict[str, ColumnType] = {
    "id": "text",
    "name": "text",
    "unit": "text",
    "team": "text",
    "party_member": "bool",
    "joined": "date",
}
TABLE_COLUMNS: dict[str, dict[str, ColumnType]] = {
    "deliveries": {"rider": "text", "day": "date", "parcels": "int", "weight": "number"},
    "complaints": {"rider": "text", "day": "date", "verified": "bool"},
    "votes": {"rider": "text", "day": "date", "voter": "text", "option": "text"},
}
CATALOG = Catalog(
    {
        "riders": TableInfo(
            "riders",
            "subject",
            RIDER_COLUMNS,
            key="id",
            links={"teams": "team"},
            virtual={"pioneer_rider": "先锋骑手"},
        ),
        "teams": TableInfo("teams", "subject", {"id": "text", "unit": "text"}, key="id"),
        **{
            name: TableInfo(name, "record", columns, date="day", links={"riders": "rider"})
            for name, columns in TABLE_COLUMNS.items()
        },
    }
)
CTX = ExprContext(CATALOG, "riders", x_type="number", node_paths=frozenset({"a", "a.b"}))
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check_or_error(text: str) -> CheckedExpr | None:
    """The property every input must satisfy: a result or an ExprError, nothing else."""
    try:
        return check(text, CTX)
    except ExprError as exc:
        assert exc.issues
        for issue in exc.issues:
            assert 0 <= issue.start <= issue.end <= len(text), issue
            assert issue.code.startswith("E-EXPR-")
        return None


# -- arbitrary and token soup text ----------------------------------------------------

TOKENS = [
    *RIDER_COLUMNS,
    "x",
    "pioneer_rider",
    "deliveries",
    "votes",
    "complaints",
    ".parcels",
    ".day",
    ".verified",
    ".option",
    "period",
    ".start",
    ".end",
    "subject",
    ".id",
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "median",
    "trimmed_mean",
    "share",
    "abs",
    "round",
    "least",
    "greatest",
    "coalesce",
    "days",
    "node",
    "(",
    ")",
    "[",
    "]",
    ",",
    "+",
    "-",
    "*",
    "/",
    "**",
    "%",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "and",
    "or",
    "not",
    "in",
    "is",
    "if",
    "else",
    "null",
    "None",
    "true",
    "False",
    "lambda",
    ":",
    "0",
    "1",
    "2.5",
    "0.1",
    "1e3",
    "0x1",
    "'城关镇'",
    "'见义勇为'",
    '"a"',
    "'a.b'",
    "'",
    "#",
    "\n",
    "　",
    "（",
    "，",
]


@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    check_or_error(text)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=30), st.sampled_from(["", " ", "\n "]))
def test_token_soup(tokens: list[str], sep: str) -> None:
    check_or_error(sep.join(tokens))


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["(", "-", "not ", "abs(", "[", "x + ", "- -", "coalesce(x, ", "t["]),
    st.integers(min_value=0, max_value=3000),
)
def test_deep_nesting_never_overflows_the_stack(prefix: str, depth: int) -> None:
    closing = {"(": ")", "abs(": ")", "[": "]", "coalesce(x, ": ")", "t[": "]"}.get(prefix, "")
    check_or_error(prefix * depth + "x" + closing * depth)


# -- well-formed expressions: checked code evaluates without crashing -------------------

NUMBERS = st.sampled_from(["0", "1", "3", "2.5", "0.1", "100", "1000000000000"])
TEXTS = st.sampled_from(["'城关镇'", "'优秀'", "'a'", "''"])


def _atoms(columns: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(columns),
        NUMBERS,
        TEXTS,
        st.sampled_from(["true", "false", "null", "period.start", "period.end"]),
    )


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    return st.one_of(
        st.builds("({} {} {})".format, children, st.sampled_from("+-*/"), children),
        st.builds("({} {} {})".format, children, st.sampled_from(["and", "or"]), children),
        st.builds(
            "({} {} {})".format,
            children,
            st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
            children,
        ),
        st.builds("(not {})".format, children),
        st.builds("(-{})".format, children),
        st.builds("({} if {} else {})".format, children, children, children),
        st.builds("({} in [{}, {}])".format, children, children, children),
        st.builds("({} not in [{}, null])".format, children, children),
        st.builds("({} is null)".format, children),
        st.builds("{}({})".format, st.sampled_from(["abs", "round", "days"]), children),
        st.builds("round({}, 2)".format, children),
        st.builds(
            lambda f, ab: f"{f}({ab[0]}, {ab[1]})",
            st.sampled_from(["least", "greatest", "coalesce"]),
            pair,
        ),
        st.builds("({} + days({}))".format, children, children),
        st.builds("({} - months({}))".format, children, children),
    )


@st.composite
def _aggregates(draw: st.DrawFn) -> str:
    table = draw(st.sampled_from(sorted(TABLE_COLUMNS)))
    column = draw(st.sampled_from(sorted(TABLE_COLUMNS[table])))
    rows = table
    if draw(st.booleans()):
        rows = f"{table}[{draw(_filters(table))}]"
    func = draw(
        st.sampled_from(
            ["count", "count_distinct", "sum", "avg", "min", "max", "median", "trimmed_mean"]
        )
    )
    if func == "count" and draw(st.booleans()):
        return f"count({rows})"
    if draw(st.integers(0, 5)) == 0:
        return f"share({table}[{draw(_filters(table))}])"
    extra = f", {draw(st.integers(0, 2))}" if func == "trimmed_mean" else ""
    return f"{func}({rows}.{column}{extra})"


UNTYPED = st.recursive(
    st.one_of(_atoms([*RIDER_COLUMNS, "x", "pioneer_rider"]), _aggregates()), _grow, max_leaves=8
)


def _typed(
    columns: Mapping[str, ColumnType], top: bool, depth: int = 3
) -> dict[str, st.SearchStrategy[str]]:
    """Expressions of each type over `columns`, well typed by construction, `depth` deep."""

    def names(*types: str) -> st.SearchStrategy[str]:
        found = [name for name, ctype in columns.items() if ctype in types]
        return st.sampled_from(found) if found else st.nothing()

    def fmt(template: str, *parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.builds(template.format, *parts)

    num_atoms = [NUMBERS, names("int", "number")]
    if top:
        num_atoms += [_aggregates(), st.sampled_from(["x", "pioneer_rider", "node('a')"])]
    level = {
        "number": st.one_of(num_atoms),
        "text": st.one_of(TEXTS, names("text")),
        "date": st.one_of(st.sampled_from(["period.start", "period.end"]), names("date")),
        "bool": st.one_of(st.sampled_from(["true", "false", "null"]), names("bool")),
    }
    for _ in range(depth):
        num, text, day, boolean = (level[k] for k in ("number", "text", "date", "bool"))
        level = {
            "number": st.one_of(
                num,
                fmt("({} {} {})", num, st.sampled_from("+-*/"), num),
                fmt("(-{})", num),
                fmt("abs({})", num),
                fmt("round({}, {})", num, st.sampled_from(["0", "1", "2"])),
                fmt("{}({}, {})", st.sampled_from(["least", "greatest", "coalesce"]), num, num),
                fmt("({} if {} else {})", num, boolean, num),
                fmt("({} - {})", day, day),
            ),
            "text": st.one_of(
                text,
                fmt("coalesce({}, {})", text, text),
                fmt("({} if {} else {})", text, boolean, text),
            ),
            "date": st.one_of(
                day,
                fmt("({} {} days({}))", day, st.sampled_from("+-"), num),
                fmt(
                    "({} {} {}({}))",
                    day,
                    st.sampled_from("+-"),
                    st.sampled_from(["months", "years"]),
                    num,
                ),
                fmt("least({}, {})", day, day),
            ),
            "bool": st.one_of(
                boolean,
                fmt("({} {} {})", num, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), num),
                fmt("({} {} {})", text, st.sampled_from(["==", "!=", "<"]), text),
                fmt("({} {} {})", day, st.sampled_from(["==", "<=", ">"]), day),
                fmt("({} {} {})", boolean, st.sampled_from(["and", "or"]), boolean),
                fmt("(not {})", boolean),
                fmt("({} in [{}, {}])", text, text, st.sampled_from(["null", "'a'"])),
                fmt("({} not in [{}, null])", num, num),
                fmt("({} is null)", num),
            ),
        }
    return level


@functools.cache
def _filters(table: str) -> st.SearchStrategy[str]:
    columns = dict(TABLE_COLUMNS[table])
    columns.update({f"subject.{c}": t for c, t in RIDER_COLUMNS.items()})
    return _typed(columns, top=False, depth=2)["bool"]


EXPRESSIONS = st.one_of(list(_typed(RIDER_COLUMNS, top=True).values()))

_DATES = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
_NUMBERS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.fractions(max_denominator=1000).filter(lambda f: abs(f) < 10**6),
)
_BY_TYPE: dict[str, st.SearchStrategy[Value]] = {
    "text": st.sampled_from(["城关镇", "优秀", "a", "", "R1"]),
    "int": st.integers(-1000, 10**6),
    "number": _NUMBERS,
    "bool": st.booleans(),
    "date": _DATES,
}


def _value(ctype: str) -> st.SearchStrategy[Value]:
    return st.one_of(st.none(), _BY_TYPE[ctype])


def _row(columns: Mapping[str, ColumnType]) -> st.SearchStrategy[dict[str, Value]]:
    return st.fixed_dictionaries({name: _value(ctype) for name, ctype in columns.items()})


ENVS = st.builds(
    DictEnv,
    subject=st.fixed_dictionaries(
        {
            **{name: _value(ctype) for name, ctype in RIDER_COLUMNS.items()},
            "pioneer_rider": _value("number"),
        }
    ),
    period_start=_DATES,
    period_end=_DATES,
    x=_value("number"),
    tables=st.fixed_dictionaries(
        {name: st.lists(_row(columns), max_size=6) for name, columns in TABLE_COLUMNS.items()}
    ),
    nodes=st.fixed_dictionaries({"a": _value("number"), "a.b": _value("number")}),
)

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "number": (int, Fraction),
    "bool": (bool,),
    "text": (str,),
    "date": (date,),
    "null": (),
}


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.one_of(EXPRESSIONS, UNTYPED), ENVS)
def test_checked_expressions_evaluate_to_their_type(text: str, env: DictEnv) -> None:
    checked = check_or_error(text)
    if checked is None:
        return
    result = compile_expr(checked)(env)
    assert not isinstance(result, float)
    if result is not None:
        assert isinstance(result, _PYTHON_TYPES[checked.type]), (text, result)
        if checked.type == "number":
            assert not isinstance(result, bool)
    for warning in env.warnings:
        assert warning.startswith("trimmed_mean(")


@SETTINGS
@given(st.one_of(EXPRESSIONS, UNTYPED))
def test_render_round_trips(text: str) -> None:
    try:
        expr = parse(text)
    except ExprError:
        return
    canonical = render(expr)
    assert render(parse(canonical)) == canonical


def test_some_generated_expressions_do_type_check() -> None:
    """Guard against a generator that only ever produces type errors."""
    for text in [
        "(count(deliveries[(parcels > 3)]) + x)",
        "((joined + days(3)) < period.end)",
        "least(sum(deliveries.weight), 1)",
        "share(votes[(option == '优秀')])",
    ]:
        assert check_or_error(text) is not None, text
