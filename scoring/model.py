"""The rule language as pydantic models (SPEC §2.1–2.5).

Models are frozen and reject unknown keys. They check shape only; meaning
(names, types, sums, cycles) is checked by the passes in `scoring.checks`.
Expressions stay strings here; `scoring.expr` parses and types them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    StrictInt,
    Tag,
    WithJsonSchema,
)

ColumnType = Literal["text", "int", "number", "bool", "date"]
SCORE_KINDS = ("linear", "bands", "per", "percentile", "formula", "when")


def _exact_number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal) and value.is_finite():
        return value
    raise ValueError("expected a number")


Num = Annotated[
    Decimal,
    PlainValidator(_exact_number),
    WithJsonSchema({"type": "number"}),
]
"""A YAML number kept as an exact decimal (`0.8` is 8/10)."""

IDENTIFIER = "^[a-z][a-z0-9_]*$"
"""Tables, columns, awards and criteria are snake_case ASCII (titles carry the labels)."""


def _names(description: str) -> Any:
    """Schema-only help for a mapping keyed by identifiers: editors flag a bad
    name while typing; `pioneer check` reports it as E-IDENT with a suggestion."""
    return {"description": description, "propertyNames": {"pattern": IDENTIFIER}}


Expression = Annotated[
    str,
    Field(min_length=1, description="An expression of the pioneer rule language (SPEC §2.3)"),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Campaign(_Strict):
    """The campaign's identity and the decimals of every points figure."""

    id: str = Field(
        description="snake_case identifier of the campaign",
        json_schema_extra={"pattern": IDENTIFIER},
    )
    title: str = Field(description="The campaign's name, e.g. 三个先锋评选")
    precision: StrictInt = Field(
        2, ge=0, le=6, description="Decimals of every points figure, rounded half up (四舍五入)"
    )
    issuer: str | None = Field(
        None,
        description="发布单位: the body that issues the 公示 list, e.g. 中共千阳县委组织部",
    )
    contact: str | None = Field(
        None,
        description="Where objections go, printed on the 公示 list, "
        "e.g. 异议请于公示期内向县委组织部反映，电话 0917-0000000",
    )


class ColumnSpec(_Strict):
    """A column with a source header or privacy flag."""

    type: ColumnType = Field(description="text, int, number (exact decimal), bool or date")
    header: str | None = Field(None, description="The column's name in the source spreadsheet")
    private: bool = Field(False, description="Masked in every 公示 export")


class Table(_Strict):
    """A subject table (has `key`) or a record table (has `date` and `links`)."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["key"]}, {"required": ["date"]}]}
    )
    key: str | None = Field(None, description="Key column: makes this a subject table")
    date: str | None = Field(None, description="Date column: makes this a record table")
    columns: dict[str, ColumnType | ColumnSpec] = Field(
        json_schema_extra=_names("column -> its type, or {type, header, private}")
    )
    links: dict[str, str] = Field(
        default_factory=dict,
        description="target table -> the column holding its key",
        json_schema_extra={"propertyNames": {"pattern": IDENTIFIER}},
    )

    def column_type(self, name: str) -> ColumnType | None:
        spec = self.columns.get(name)
        if spec is None:
            return None
        return spec.type if isinstance(spec, ColumnSpec) else spec


class Veto(_Strict):
    """一票否决: when the condition holds the subject is scored but not ranked."""

    when: Expression = Field(description="The condition that vetoes (null does not veto)")
    reason: str = Field(description="Shown wherever the veto appears, e.g. 发生重大安全责任事故")


class Band(_Strict):
    """One band: holds when `min` ≤ x and x ≤ `max` (bounds optional)."""

    min: Num | None = Field(None, description="Holds when min <= x")
    max: Num | None = Field(None, description="Holds when x <= max")
    points: Num = Field(description="Points given when the band holds (at most the node's max)")


class Linear(_Strict):
    linear: Annotated[tuple[Num, Num], Field(description="[lo, hi]; lo > hi: lower is better")]


class Bands(_Strict):
    bands: Annotated[
        list[Band],
        Field(min_length=1, description="Tried top to bottom; the first band that holds scores"),
    ]


class Per(_Strict):
    per: Num = Field(description="k > 0: k points per unit; k < 0: deduct from full marks")


class PercentileOptions(_Strict):
    within: str | None = Field(None, description="Rank within each value of this subject column")


class Percentile(_Strict):
    percentile: PercentileOptions = Field(description="max x percent_rank(x) among ranked subjects")


class Formula(_Strict):
    formula: Expression = Field(description="Points from x, node('PATH') and the subject's columns")


class When(_Strict):
    when: Expression = Field(description="Full max when the condition holds, else 0")


def _score_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kinds = [k for k in SCORE_KINDS if k in value]
        return kinds[0] if len(kinds) == 1 else None
    if isinstance(value, BaseModel):
        return next((k for k in SCORE_KINDS if k in type(value).model_fields), None)
    return None


Score = Annotated[
    Annotated[Linear, Tag("linear")]
    | Annotated[Bands, Tag("bands")]
    | Annotated[Per, Tag("per")]
    | Annotated[Percentile, Tag("percentile")]
    | Annotated[Formula, Tag("formula")]
    | Annotated[When, Tag("when")],
    Discriminator(
        _score_kind,
        custom_error_type="score_kind",
        custom_error_message="a score needs exactly one of: " + ", ".join(SCORE_KINDS),
    ),
]


class Node(_Strict):
    """A criteria node: a leaf (`metric`/`score`) or an inner node (`criteria`)."""

    # For editors: every node has a max, a leaf a score (`pioneer check` says the same).
    model_config = ConfigDict(
        json_schema_extra={
            "required": ["max"],
            "anyOf": [{"required": ["criteria"]}, {"required": ["score"]}],
        }
    )
    title: str | None = Field(None, description="The label shown in breakdowns, e.g. 比业务")
    max: Num | None = Field(
        None,
        description="分值: the most points this node can give",
        json_schema_extra={"minimum": 0},
    )
    metric: Expression | None = Field(None, description="The value `x` the score maps to points")
    default: bool | Num | str | None = Field(
        None, description="The value the metric takes whenever it is null"
    )
    score: Score | None = Field(
        None, description="One of: linear, bands, per, percentile, formula, when"
    )
    criteria: dict[str, Node] | None = Field(
        None, json_schema_extra=_names("Child nodes; this node's points are their sum")
    )

    @property
    def is_leaf(self) -> bool:
        return self.criteria is None


class Block(_Strict):
    """`bonus` or `deductions`: flat leaves whose sum is clipped to `max`."""

    model_config = ConfigDict(json_schema_extra={"required": ["max", "items"]})
    max: Num | None = Field(
        None,
        description="The block's summed points are clipped to this",
        json_schema_extra={"minimum": 0},
    )
    items: dict[str, Node] = Field(json_schema_extra=_names("Flat leaves, each with its own max"))


class Ranking(_Strict):
    tie_break: list[str] = Field(
        default_factory=list, description="node paths, higher first; `-PATH` for lower first"
    )


class Quota(_Strict):
    """How many subjects are selected, overall or per value of a column."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [{"required": ["count"]}, {"required": ["share"]}],
            "dependentRequired": {"at_least": ["share"], "per_at_least": ["per"]},
        }
    )
    count: StrictInt | None = Field(
        None, description="Seats to fill (not with share)", json_schema_extra={"minimum": 1}
    )
    share: Num | None = Field(
        None,
        description="Seats as a fraction of the ranked subjects: 10% is 0.1 (not with count)",
        json_schema_extra={"exclusiveMinimum": 0, "maximum": 1},
    )
    at_least: StrictInt | None = Field(
        None,
        description="With share: at least this many seats in all (for at least K seats in "
        "every value of `per`, write per_at_least: K)",
        json_schema_extra={"minimum": 1},
    )
    per: str | None = Field(None, description="Split the seats across this subject column's values")
    per_at_least: StrictInt | None = Field(
        None,
        description="每单位至少 K 名: with per, every value of the per column gets at least "
        "min(K, its ranked subjects) seats, the total raised when the floors need more, "
        "e.g. per: unit, per_at_least: 1",
        json_schema_extra={"minimum": 1},
    )
    min_score: Num | None = Field(None, description="Only totals at or above this can be selected")
    boundary_tie: Literal["flag", "include_all", "exclude_all"] = Field(
        "flag",
        description="Subjects tied for the last seat: flag for review, include or exclude all",
    )


class Award(_Strict):
    """One award of the campaign and its 评分细则."""

    title: str = Field(description="The award's name, e.g. 先锋骑手")
    subjects: str = Field(description="The subject table this award scores (a table with a key)")
    eligible: Expression | None = Field(None, description="资格条件: false or null -> not ranked")
    veto: list[Veto] = Field(
        default_factory=list, description="一票否决: any condition true -> scored but not ranked"
    )
    criteria: dict[str, Node] = Field(json_schema_extra=_names("评分细则: a tree of nodes"))
    bonus: Block | None = Field(None, description="加分: added to the criteria total")
    deductions: Block | None = Field(None, description="扣分: subtracted from the total")
    grades: dict[str, Num] = Field(
        default_factory=dict, description="label -> minimum total, highest first"
    )
    ranking: Ranking = Field(default_factory=Ranking, description="Tie-breaks after the total")
    quota: Quota | None = Field(None, description="How many subjects are selected")


class RuleFile(_Strict):
    """One campaign: its tables and awards."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="pioneer campaign rules",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    version: Literal[1] = Field(description="The rule language version: 1")
    campaign: Campaign
    tables: dict[str, Table] = Field(
        json_schema_extra=_names("Subject tables (with a key) and record tables (with a date)")
    )
    awards: dict[str, Award] = Field(json_schema_extra=_names("The awards of the campaign"))


def rule_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file, as committed in `rules/schema.json`."""
    return RuleFile.model_json_schema()
