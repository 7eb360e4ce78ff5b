"""Stored text built in SQL, spelled exactly as `scoring.runs` spells it in Python.

The results table holds figures as text (`fixed`: '35.50'), metrics as
canonical JSON (`metric_text`: `{"n":"0.98"}`), and lists and objects as
compact JSON. These builders write the same bytes from integer columns, so
results written by SQL hash like the interpreter's: half-up rounding by
integer division (never a float), JSON keys and constant strings escaped
by Python's own `json` at compile time, and only digits spliced in at run time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlglot import exp

from .dialects import Dialect
from .rational import INT64_MAX, lit, paren

METRIC_PLACES = 6
"""Metrics are stored half up to 6 decimals (`scoring.numbers.metric_text`)."""
MILLION = 1_000_000  # 10^METRIC_PLACES


def json_text(value: str) -> str:
    """A JSON string literal as `json.dumps(ensure_ascii=False)` writes it."""
    return json.dumps(value, ensure_ascii=False)


def string(text: str) -> exp.Expression:
    return exp.Literal.string(text)


def as_text(e: exp.Expression) -> exp.Expression:
    """An integer (or text) as SQL text: '-12'."""
    return exp.Cast(this=e, to=exp.DataType.build("TEXT"))


def concat(parts: Sequence[exp.Expression]) -> exp.Expression:
    """`a || b || …` as a balanced tree (deep chains strain the renderer); '' for none."""
    if not parts:
        return string("")
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return exp.DPipe(this=concat(parts[:middle]), expression=concat(parts[middle:]))


def when(cond: exp.Expression, then: exp.Expression, otherwise: exp.Expression) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=cond, true=then)], default=otherwise)


def printf(pattern: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="printf", expressions=[string(pattern), *args])


def fixed(units: exp.Expression, places: int, dialect: Dialect) -> exp.Expression:
    """`scoring.numbers.fixed` of a non-negative count of 10^-places units: '18.00'."""
    if places == 0:
        return as_text(units)
    scale = lit(10**places)
    return printf(
        f"%d.%0{places}d",
        dialect.int_div(units, scale),
        exp.Mod(this=paren(units), expression=scale),
    )


def fixed_object(
    pairs: Sequence[tuple[str, exp.Expression]], places: int, dialect: Dialect
) -> exp.Expression:
    """`{"key":"18.00",…}`: `json_object` of `fixed` figures, spelled by one `printf`
    per `_PRINTF_PAIRS` keys (far cheaper than one call and a concatenation per figure)."""
    if not pairs:
        return string("{}")
    scale = lit(10**places)
    calls = []
    for start in range(0, len(pairs), _PRINTF_PAIRS):
        pattern, args = "", []
        for i, (key, units) in enumerate(pairs[start : start + _PRINTF_PAIRS], start):
            head = ("{" if i == 0 else ",") + json_text(key).replace("%", "%%")
            if places == 0:
                pattern += head + ':"%d"'
                args.append(units)
            else:
                pattern += head + f':"%d.%0{places}d"'
                args += [
                    dialect.int_div(units, scale),
                    exp.Mod(this=paren(units), expression=scale),
                ]
        calls.append(printf(pattern, *args))
    return concat([*calls, string("}")])


_PRINTF_PAIRS = 40
"""SQLite takes at most 127 arguments per function call."""


def metric_number_fits(dmax: int) -> bool:
    """Whether a metric n/d with d ≤ dmax can be rounded to 6 places in 64 bits."""
    return 2 * dmax * MILLION + dmax <= INT64_MAX


def metric_number(n: exp.Expression, d: int | exp.Expression, dialect: Dialect) -> exp.Expression:
    """`scoring.numbers.metric_text` of n/d (d > 0) as JSON: `{"n":"-2.125"}`, or `null`."""
    body = concat([string('{"n":"'), _metric_digits(n, d, dialect), string('"}')])
    return when(exp.Is(this=paren(n), expression=exp.Null()), string("null"), body)


def _metric_digits(n: exp.Expression, d: int | exp.Expression, dialect: Dialect) -> exp.Expression:
    """n/d half up to 6 places, trailing zeros (and a bare point) dropped, never '-0'.

    d = 1: the integer. d = 10^k (k ≤ 6, a scaled number): its k decimals, exact.
    Otherwise |n| = q·d + r and the decimals are round_half_up(r·10^6/d), a carry
    to 10^6 moving into the whole part."""
    if isinstance(d, int) and d == 1:
        return as_text(n)
    magnitude = exp.Abs(this=n)
    million = MILLION
    if isinstance(d, int) and d in _TENS:
        places = len(str(d)) - 1
        sign = when(exp.LT(this=paren(n), expression=lit(0)), string("-"), string(""))
        spelled = printf(
            f"%s%d.%0{places}d",
            sign,
            dialect.int_div(magnitude, lit(d)),
            exp.Mod(this=magnitude, expression=lit(d)),
        )
        return _rtrim(_rtrim(spelled, "0"), ".")
    den = lit(d) if isinstance(d, int) else paren(d)
    rest = exp.Mod(this=magnitude, expression=den)
    rounded = dialect.int_div(
        exp.Add(this=exp.Mul(this=paren(rest), expression=lit(2 * million)), expression=den),
        exp.Mul(this=lit(2), expression=den),
    )
    whole = exp.Add(
        this=dialect.int_div(magnitude, den),
        expression=dialect.int_div(rounded, lit(million)),
    )
    frac = exp.Mod(this=paren(rounded), expression=lit(million))
    nonzero = exp.Or(
        this=exp.GT(this=paren(whole), expression=lit(0)),
        expression=exp.GT(this=paren(frac), expression=lit(0)),
    )
    sign = when(
        exp.And(this=exp.LT(this=paren(n), expression=lit(0)), expression=paren(nonzero)),
        string("-"),
        string(""),
    )
    spelled = printf("%s%d.%06d", sign, whole, frac)
    return _rtrim(_rtrim(spelled, "0"), ".")


_TENS = frozenset(10**k for k in range(1, METRIC_PLACES + 1))


def _rtrim(e: exp.Expression, chars: str) -> exp.Expression:
    return exp.Anonymous(this="rtrim", expressions=[e, string(chars)])


def metric_bool(x: exp.Expression) -> exp.Expression:
    """A bool metric as JSON: true, false or null."""
    return exp.Case(
        ifs=[
            exp.If(this=exp.Is(this=paren(x), expression=exp.Null()), true=string("null")),
            exp.If(this=paren(x), true=string("true")),
        ],
        default=string("false"),
    )


def metric_date(x: exp.Expression) -> exp.Expression:
    """A date metric (ISO text) as JSON: "2022-01-31" or null."""
    return when(
        exp.Is(this=paren(x), expression=exp.Null()),
        string("null"),
        concat([string('"'), x, string('"')]),
    )


def json_object(pairs: Sequence[tuple[str, exp.Expression]]) -> exp.Expression:
    """`{"key":value,…}` in the given order; each value is already JSON text (never null),
    spliced by one `printf` per `_PRINTF_PAIRS` keys."""
    if not pairs:
        return string("{}")
    calls = []
    for start in range(0, len(pairs), _PRINTF_PAIRS):
        pattern = ""
        for i, (key, _) in enumerate(pairs[start : start + _PRINTF_PAIRS], start):
            pattern += ("{" if i == 0 else ",") + json_text(key).replace("%", "%%") + ":%s"
        calls.append(printf(pattern, *(value for _, value in pairs[start : start + _PRINTF_PAIRS])))
    return concat([*calls, string("}")])


def json_list(
    items: Sequence[tuple[exp.Expression | None, list[exp.Expression]]],
) -> exp.Expression:
    """A JSON list of the items whose condition holds (None: always), in order.

    Each item is a JSON value spelled as parts; items are joined with commas
    (each written with a leading comma, the first one dropped)."""
    if not items:
        return string("[]")
    parts: list[exp.Expression] = []
    for cond, spelled in items:
        entry = concat(_merged([string(","), *spelled]))
        parts.append(entry if cond is None else when(cond, entry, string("")))
    body = exp.Substring(this=paren(concat(parts)), start=lit(2))
    return concat([string("["), body, string("]")])


def _merged(parts: list[exp.Expression]) -> list[exp.Expression]:
    """Adjacent string literals joined into one."""
    out: list[exp.Expression] = []
    for part in parts:
        if (
            out
            and isinstance(part, exp.Literal)
            and part.is_string
            and isinstance(out[-1], exp.Literal)
            and out[-1].is_string
        ):
            out[-1] = string(out[-1].this + part.this)
        else:
            out.append(part)
    return out
