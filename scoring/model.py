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


Expression = Annotated[str, Field(min_length=1)]
"""An expression of the rule language; each field that takes one describes it."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Campaign(_Strict):
    """评选活动：标识、名称、小数位。The campaign: its id, title and the decimals of
    every points figure. e.g. `campaign: {id: three_pioneers, title: 三个先锋评选, precision: 2}`"""

    id: str = Field(
        description="活动标识，小写英文加下划线。The campaign's identifier in snake_case, "
        "e.g. `id: three_pioneers`",
        json_schema_extra={"pattern": IDENTIFIER},
    )
    title: str = Field(description="活动名称。The campaign's name, e.g. `title: 三个先锋评选`")
    precision: StrictInt = Field(
        2,
        ge=0,
        le=6,
        description="得分保留小数位（四舍五入）。Decimals of every points figure, rounded "
        "half up, 0 to 6, e.g. `precision: 2` (default 2)",
    )
    issuer: str | None = Field(
        None,
        description="发布单位，印在公示名单上。The body that issues the public notice list, "
        "e.g. `issuer: 中共千阳县委组织部`",
    )
    contact: str | None = Field(
        None,
        description="异议受理方式，印在公示名单上。Where objections go, printed on the "
        "public notice list, e.g. `contact: 异议请于公示期内向县委组织部反映，电话 0917-0000000`",
    )


class ColumnSpec(_Strict):
    """带表头或隐私标记的列。A column with its spreadsheet header or a privacy flag,
    e.g. `name: {type: text, header: 姓名}`"""

    type: ColumnType = Field(
        description="列类型：text 文本、int 整数、number 精确小数、bool 是否、date 日期。"
        "The column's type: text, int, number (an exact decimal), bool or date, e.g. `type: int`"
    )
    header: str | None = Field(
        None,
        description="源表格中的列名。The column's name in the source spreadsheet, "
        "e.g. `header: 派送件数`",
    )
    private: bool = Field(
        False,
        description="隐私列，公示导出时打码。Masked in every public notice export "
        "(phone, ID numbers), e.g. `private: true`",
    )


class Table(_Strict):
    """数据表：评选对象表（有 key）或记录表（有 date 和 links）。A subject table (it has
    a `key`: the people, crews or routes scored) or a record table (it has a `date`
    and `links`), e.g. `riders: {key: id, columns: {id: text, unit: text}}`"""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["key"]}, {"required": ["date"]}]}
    )
    key: str | None = Field(
        None,
        description="主键列，使之成为评选对象表。The key column: makes this a subject table, "
        "e.g. `key: id`",
    )
    date: str | None = Field(
        None,
        description="日期列，使之成为记录表；只计评选期内的记录。The date column: makes this a "
        "record table; only records dated inside the period count, e.g. `date: day`",
    )
    columns: dict[str, ColumnType | ColumnSpec] = Field(
        json_schema_extra=_names(
            "列名 -> 类型，或 {type, header, private}。Column name -> its type, or "
            "{type, header, private}, e.g. `columns: {id: text, parcels: int, joined: date}`"
        )
    )
    links: dict[str, str] = Field(
        default_factory=dict,
        description="关联：目标表 -> 存放其主键的列。Links: target table -> the column "
        "holding its key, e.g. `links: {riders: rider}` (the column `rider` holds a rider's "
        "id); on a subject table it links to another subject table, e.g. a courier's "
        "`unit` to a stations table: `links: {stations: unit}`",
        json_schema_extra={"propertyNames": {"pattern": IDENTIFIER}},
    )

    def column_type(self, name: str) -> ColumnType | None:
        spec = self.columns.get(name)
        if spec is None:
            return None
        return spec.type if isinstance(spec, ColumnSpec) else spec


class Veto(_Strict):
    """一票否决：条件成立则计分但不参与排名。When the condition holds, the subject is
    scored but not ranked, e.g. `{when: "count(incidents) > 0", reason: 发生安全责任事故}`"""

    when: Expression = Field(
        description="否决条件（空值不否决）。The condition that vetoes (null does not veto), "
        "e.g. `when: \"count(incidents[severity == '重大']) > 0\"`"
    )
    reason: str = Field(
        description="否决理由，随结果一并显示。Shown wherever the veto appears, "
        "e.g. `reason: 发生重大安全责任事故`"
    )


class Band(_Strict):
    """一档：min ≤ x 且 x ≤ max 时命中（界限可省略）。One band: holds when min <= x
    and x <= max (both optional; neither: the fallback), e.g. `{min: 0.98, points: 20}`"""

    min: Num | None = Field(
        None, description="下限（含）。Holds when min <= x; write 98% as 0.98, e.g. `min: 0.98`"
    )
    max: Num | None = Field(None, description="上限（含）。Holds when x <= max, e.g. `max: 0.1`")
    points: Num = Field(
        description="命中该档的得分（不超过节点分值）。Points given when the band holds "
        "(at most the node's max), e.g. `points: 16`"
    )


class Linear(_Strict):
    linear: Annotated[
        tuple[Num, Num],
        Field(
            description="线性得分：x 从 lo 到 hi 得 0 到满分；lo > hi 表示越低越好。"
            "Linear: 0 points at lo, full marks at hi, in between in proportion; "
            "lo > hi means lower is better, e.g. `linear: [0, 18000]`"
        ),
    ]


class Bands(_Strict):
    bands: Annotated[
        list[Band],
        Field(
            min_length=1,
            description="分档：自上而下，取第一个命中的档。Bands, tried top to bottom: "
            "the first that holds scores; none holds: 0, "
            "e.g. `bands: [{min: 0.98, points: 20}, {min: 0.95, points: 12}, {points: 0}]`",
        ),
    ]


class Per(_Strict):
    per: Num = Field(
        description="按件计分：k > 0 每单位得 k 分；k < 0 从满分扣减。Per unit: k > 0 gives "
        "k points per unit of x; k < 0 deducts from full marks, e.g. `per: -5` (5 off per case)"
    )


class PercentileOptions(_Strict):
    within: str | None = Field(
        None,
        description="在该列的每个取值内分别排位。Rank within each value of this subject "
        "column, e.g. `within: unit` (compare routes of the same town)",
    )


class Percentile(_Strict):
    percentile: PercentileOptions = Field(
        description="百分位得分：满分 × 百分位。Full marks times percent_rank(x) among the "
        "ranked subjects, e.g. `percentile: {within: unit}`"
    )


class Formula(_Strict):
    formula: Expression = Field(
        description="公式得分，可用 x、node('路径') 与对象的列。Points from an expression "
        "over x, node('PATH') and the subject's columns, clipped to [0, max], "
        "e.g. `formula: \"10 * x if node('operations.frequency') >= 12 else 5 * x\"`"
    )


class When(_Strict):
    when: Expression = Field(
        description="条件得分：成立得满分，否则 0 分。Full marks when the condition holds, "
        'else 0, e.g. `when: "x == 0"`'
    )


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
    """评分项：叶子（metric 与 score）或上级项（criteria）。A criteria node: a leaf
    (`metric` and `score`) or an inner node (`criteria`), addressed by its dotted
    path, e.g. `volume: {max: 20, metric: sum(deliveries.parcels), score: {linear: [0, 18000]}}`"""

    # For editors: every node has a max, a leaf a score (`pioneer check` says the same).
    model_config = ConfigDict(
        json_schema_extra={
            "required": ["max"],
            "anyOf": [{"required": ["criteria"]}, {"required": ["score"]}],
        }
    )
    title: str | None = Field(
        None, description="显示名称。The label shown in breakdowns, e.g. `title: 比业务`"
    )
    max: Num | None = Field(
        None,
        description="分值：该项最多可得的分数。The most points this node can give; an inner "
        "node's children are added and clipped to it, e.g. `max: 20`",
        json_schema_extra={"minimum": 0},
    )
    metric: Expression | None = Field(
        None,
        description="指标：评分函数的输入 x。The value x that the score maps to points, "
        "e.g. `metric: sum(deliveries.on_time) / sum(deliveries.parcels)`",
    )
    default: bool | Num | str | None = Field(
        None,
        description="指标为空时的取值。The value the metric takes whenever it is null "
        "(no records), e.g. `default: 4.5`; without it a null metric scores 0, marked no data",
    )
    score: Score | None = Field(
        None,
        description="评分函数，取其一：linear、bands、per、percentile、formula、when。"
        "The scoring function, one of: linear, bands, per, percentile, formula, when, "
        "e.g. `score: {per: 1}`",
    )
    criteria: dict[str, Node] | None = Field(
        None,
        json_schema_extra=_names(
            "下级评分项；本项得分为其和（不超过 max）。Child nodes; this node's points are "
            "their sum, clipped to its max, e.g. `criteria: {volume: {…}, on_time: {…}}`"
        ),
    )

    @property
    def is_leaf(self) -> bool:
        return self.criteria is None


class Block(_Strict):
    """加分或扣分：items 下的各项之和不超过 max。`bonus` or `deductions`: the leaves
    under `items`, whose summed points are clipped to `max`,
    e.g. `bonus: {max: 5, items: {honors: {max: 4, metric: count(honors), score: {per: 2}}}}`"""

    model_config = ConfigDict(json_schema_extra={"required": ["max", "items"]})
    max: Num | None = Field(
        None,
        description="加分或扣分的封顶分。The block's summed points are clipped to this, "
        "e.g. `max: 10`",
        json_schema_extra={"minimum": 0},
    )
    items: dict[str, Node] = Field(
        json_schema_extra=_names(
            "各加分或扣分项，每项有自己的 max。The items, each a leaf with its own max, "
            "e.g. `items: {late: {max: 6, metric: count(discipline), score: {per: 2}}}`"
        )
    )


class Ranking(_Strict):
    tie_break: list[str] = Field(
        default_factory=list,
        description="同分时依次比较的评分项（高者优先；`-路径` 低者优先）。Node paths compared "
        "when totals are equal, higher first; `-PATH` for lower first, "
        "e.g. `tie_break: [-deductions, safety, service]`",
    )


class Quota(_Strict):
    """名额：全体或按某列各取值分配。How many subjects are selected, overall or per
    value of a column, e.g. `quota: {count: 10, per: unit, min_score: 75}`"""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [{"required": ["count"]}, {"required": ["share"]}],
            "dependentRequired": {"at_least": ["share"], "per_at_least": ["per"]},
        }
    )
    count: StrictInt | None = Field(
        None,
        description="名额数（不与 share 同用）。The number of seats (not with share), "
        "e.g. `count: 10`",
        json_schema_extra={"minimum": 1},
    )
    share: Num | None = Field(
        None,
        description="名额比例：参评对象数 × share 取整（不与 count 同用）。Seats as a fraction "
        "of the ranked subjects, rounded down (not with count); 10% is written 0.1, "
        "e.g. `share: 0.1`",
        json_schema_extra={"exclusiveMinimum": 0, "maximum": 1},
    )
    at_least: StrictInt | None = Field(
        None,
        description="与 share 同用：名额总数至少为此数（每单位至少几名请用 per_at_least）。"
        "With share: at least this many seats in all (for at least K seats in every value "
        "of `per`, write per_at_least: K), e.g. `at_least: 1`",
        json_schema_extra={"minimum": 1},
    )
    per: str | None = Field(
        None,
        description="按该列取值分配名额（最大余额法）。Split the seats across this subject "
        "column's values in proportion to their ranked subjects, e.g. `per: unit`",
    )
    per_at_least: StrictInt | None = Field(
        None,
        description="每单位至少 K 名（与 per 同用）：每个取值至少 min(K, 其参评数) 个名额，"
        "不够时名额总数相应增加。With per, every value of the per column gets at least "
        "min(K, its ranked subjects) seats, the total raised when the floors need more, "
        "e.g. `per: unit, per_at_least: 1`",
        json_schema_extra={"minimum": 1},
    )
    min_score: Num | None = Field(
        None,
        description="入选最低分；名额可以空缺。Only totals at or above this can be selected; "
        "seats left over stay empty, e.g. `min_score: 75`",
    )
    boundary_tie: Literal["flag", "include_all", "exclude_all"] = Field(
        "flag",
        description="卡线同分：flag 交评审决定、include_all 全部入选、exclude_all 均不入选。"
        "Subjects tied for the last seat: flag (reviewers decide), include_all or "
        "exclude_all, e.g. `boundary_tie: flag`",
    )


class Award(_Strict):
    """一个奖项及其评分细则。One award of the campaign and its rubric,
    e.g. `pioneer_rider: {title: 先锋骑手, subjects: riders, criteria: {…}}`"""

    title: str = Field(description="奖项名称。The award's name, e.g. `title: 先锋骑手`")
    subjects: str = Field(
        description="评选对象表（有 key 的表）。The subject table this award scores, "
        "e.g. `subjects: riders`"
    )
    eligible: Expression | None = Field(
        None,
        description="资格条件：不成立或为空则不参与排名。Eligibility: false or null -> "
        "listed as ineligible, not ranked, e.g. `eligible: party_member`",
    )
    veto: list[Veto] = Field(
        default_factory=list,
        description="一票否决：任一条件成立则计分但不排名。Vetoes: any condition true -> "
        'scored but not ranked, e.g. `veto: [{when: "count(incidents) > 0", reason: 发生事故}]`',
    )
    criteria: dict[str, Node] = Field(
        json_schema_extra=_names(
            "评分细则：评分项树。The rubric: a tree of nodes, "
            "e.g. `criteria: {business: {max: 40, criteria: {…}}}`"
        )
    )
    bonus: Block | None = Field(
        None,
        description="加分：加到细则得分上。Bonus points added to the criteria total, "
        "e.g. `bonus: {max: 5, items: {…}}`",
    )
    deductions: Block | None = Field(
        None,
        description="扣分：从总分中扣除，总分不低于 0。Deductions subtracted from the total "
        "(never below 0), e.g. `deductions: {max: 10, items: {…}}`",
    )
    grades: dict[str, Num] = Field(
        default_factory=dict,
        description="等次：名称 -> 最低总分，从高到低。Grades: label -> minimum total, highest "
        "first, e.g. `grades: {优秀: 90, 良好: 75, 合格: 60, 不合格: 0}`",
    )
    ranking: Ranking = Field(
        default_factory=Ranking,
        description="排名：总分相同时的比较顺序。Ranking: the tie-breaks after the total, "
        "e.g. `ranking: {tie_break: [service, business]}`",
    )
    quota: Quota | None = Field(
        None,
        description="名额：入选多少；不设则无人入选。How many subjects are selected (none "
        "without a quota), e.g. `quota: {share: 0.1, at_least: 1}`",
    )


class RuleFile(_Strict):
    """评分规则文件：一个评选活动的数据表与奖项。One campaign: its tables and awards."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="pioneer campaign rules",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    version: Literal[1] = Field(
        description="规则语言版本，写 1。The rule language version, e.g. `version: 1`"
    )
    campaign: Campaign
    tables: dict[str, Table] = Field(
        json_schema_extra=_names(
            "数据表：评选对象表（有 key）与记录表（有 date）。Subject tables (with a key) "
            "and record tables (with a date), e.g. `tables: {riders: {key: id, columns: {…}}}`"
        )
    )
    awards: dict[str, Award] = Field(
        json_schema_extra=_names(
            "本活动的奖项。The awards of the campaign, e.g. `awards: {pioneer_rider: {…}}`"
        )
    )


def rule_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file, as committed in `rules/schema.json`."""
    return dict(one_line_descriptions(RuleFile.model_json_schema()))


def one_line_descriptions(schema: Any) -> Any:
    """Descriptions as single lines: docstrings wrap for the source, not for
    an editor's hover, which would break the sentence there."""
    if isinstance(schema, dict):
        return {
            k: " ".join(v.split("\n"))
            if k == "description" and isinstance(v, str)
            else one_line_descriptions(v)
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [one_line_descriptions(v) for v in schema]
    return schema
