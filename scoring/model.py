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

Expression = Annotated[
    str,
    Field(min_length=1, description="An expression of the pioneer rule language (SPEC §2.3)"),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Campaign(_Strict):
    """The campaign's identity and the decimals of every points figure."""

    id: str
    title: str
    precision: StrictInt = Field(2, ge=0, le=6)


class ColumnSpec(_Strict):
    """A column with a source header or privacy flag."""

    type: ColumnType
    header: str | None = Field(None, description="The column's name in the source spreadsheet")
    private: bool = Field(False, description="Masked in every 公示 export")


class Table(_Strict):
    """A subject table (has `key`) or a record table (has `date` and `links`)."""

    key: str | None = Field(None, description="Key column: makes this a subject table")
    date: str | None = Field(None, description="Date column: makes this a record table")
    columns: dict[str, ColumnType | ColumnSpec]
    links: dict[str, str] = Field(
        default_factory=dict, description="target table -> the column holding its key"
    )

    def column_type(self, name: str) -> ColumnType | None:
        spec = self.columns.get(name)
        if spec is None:
            return None
        return spec.type if isinstance(spec, ColumnSpec) else spec


class Veto(_Strict):
    """一票否决: when the condition holds the subject is scored but not ranked."""

    when: Expression
    reason: str


class Band(_Strict):
    """One band: holds when `min` ≤ x and x ≤ `max` (bounds optional)."""

    min: Num | None = None
    max: Num | None = None
    points: Num


class Linear(_Strict):
    linear: Annotated[tuple[Num, Num], Field(description="[lo, hi]; lo > hi: lower is better")]


class Bands(_Strict):
    bands: Annotated[list[Band], Field(min_length=1)]


class Per(_Strict):
    per: Num


class PercentileOptions(_Strict):
    within: str | None = None


class Percentile(_Strict):
    percentile: PercentileOptions


class Formula(_Strict):
    formula: Expression


class When(_Strict):
    when: Expression


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

    title: str | None = None
    max: Num | None = Field(None, description="分值: the most points this node can give")
    metric: Expression | None = None
    default: bool | Num | str | None = Field(
        None, description="The value the metric takes whenever it is null"
    )
    score: Score | None = None
    criteria: dict[str, Node] | None = None

    @property
    def is_leaf(self) -> bool:
        return self.criteria is None


class Block(_Strict):
    """`bonus` or `deductions`: flat leaves whose sum is clipped to `max`."""

    max: Num | None = None
    items: dict[str, Node]


class Ranking(_Strict):
    tie_break: list[str] = Field(
        default_factory=list, description="node paths, higher first; `-PATH` for lower first"
    )


class Quota(_Strict):
    """How many subjects are selected, overall or per value of a column."""

    count: StrictInt | None = None
    share: Num | None = None
    at_least: StrictInt | None = None
    per: str | None = None
    min_score: Num | None = None
    boundary_tie: Literal["flag", "include_all", "exclude_all"] = "flag"


class Award(_Strict):
    """One award of the campaign and its 评分细则."""

    title: str
    subjects: str
    eligible: Expression | None = None
    veto: list[Veto] = Field(default_factory=list)
    criteria: dict[str, Node]
    bonus: Block | None = None
    deductions: Block | None = None
    grades: dict[str, Num] = Field(default_factory=dict)
    ranking: Ranking = Field(default_factory=Ranking)
    quota: Quota | None = None


class RuleFile(_Strict):
    """One campaign: its tables and awards."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="pioneer campaign rules",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    version: Literal[1]
    campaign: Campaign
    tables: dict[str, Table]
    awards: dict[str, Award]


def rule_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file, as committed in `rules/schema.json`."""
    return RuleFile.model_json_schema()
