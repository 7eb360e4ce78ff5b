"""The shape of a rule unit test file (`*.test.yaml`) as pydantic models,
from which `rules/test.schema.json` is generated for editors
(`pioneer schema --tests`). `scoring.ruletest` reads the files themselves,
with messages that name the test file's lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scoring.model import one_line_descriptions


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expectation(_Strict):
    """对一个评选对象的预期结果；只写要检查的项。What one subject's result must be;
    write only what the case checks, e.g. `R1: {total: 87.25, rank: 1, grade: 良好}`"""

    eligible: bool | None = Field(
        None, description="是否具备参评资格。Eligible or not, e.g. `eligible: true`"
    )
    veto: list[str] | str | None = Field(
        None,
        description="否决理由：列表须完全一致，单个文本表示包含该理由。The veto reasons: a list "
        "must match exactly (rule-file order), one text must be among them, "
        "e.g. `veto: [发生重大安全责任事故]` or `veto: 发生重大安全责任事故`",
    )
    total: Decimal | None = Field(
        None, description="总分（按精度四舍五入）。The total, rounded, e.g. `total: 87.25`"
    )
    rank: int | None = Field(
        None, description="名次；未参与排名为 null。The rank; null when not ranked, e.g. `rank: 1`"
    )
    grade: str | None = Field(
        None, description="等次；无等次为 null。The grade; null without one, e.g. `grade: 优秀`"
    )
    selected: bool | None = Field(
        None, description="是否入选。Selected or not, e.g. `selected: true`"
    )
    boundary_tie: bool | None = Field(
        None,
        description="是否卡线同分。In a tie for the last seat or not, e.g. `boundary_tie: false`",
    )
    points: dict[str, Decimal] | None = Field(
        None,
        description="各评分项得分，按点分路径。Points by dotted node path, incl. bonus and "
        "deductions, e.g. `points: {business.volume: 18, bonus: 2}`",
    )
    metrics: dict[str, Any] | None = Field(
        None,
        description="各指标值 x，按点分路径。Metric values x by dotted node path, "
        "e.g. `metrics: {business.on_time: 0.98}`",
    )


class Case(_Strict):
    """一个测试用例：几张表的数据行与预期结果。One case: inline rows for some tables
    (the others are empty) and what named subjects must get."""

    name: str = Field(description="用例名称。The case's name, e.g. `name: 满分骑手`")
    period: str | int | None = Field(
        None,
        description="本用例的评选期（覆盖文件的 period）。This case's period, overriding the "
        "file's, e.g. `period: 2022-H1`",
    )
    tables: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description="表名 -> 数据行（列名: 值）；未列出的表为空。Table -> its rows, each a mapping "
        "of column: value, read as the ingest reads a spreadsheet; tables left out are empty, "
        "e.g. `riders: [{id: R1, name: 张三, unit: 城关镇}]`",
    )
    expect: dict[str, dict[str, Expectation]] = Field(
        description="奖项 -> 对象主键 -> 预期。Award -> subject key -> expectations, "
        "e.g. `expect: {pioneer_rider: {R1: {total: 110, rank: 1}}}`"
    )


class RuleTestFile(_Strict):
    """评分规则的单元测试文件（*.test.yaml），用 `pioneer test` 运行。A rule unit test
    file, run with `pioneer test`."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="pioneer rule unit tests",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    rules: str | None = Field(
        None,
        description="被测试的规则文件，相对本文件；默认同名去掉 .test。The rule file under test, "
        "relative to this file (default: this name without `.test`), "
        "e.g. `rules: three_pioneers.yaml`",
    )
    period: str | int | None = Field(
        None,
        description="评选期：年、半年、季度、月或日期范围。The period of every case: a year, "
        "half, quarter, month or a date range, e.g. `period: 2022`, `2022-H2`, "
        "`2022-01-01..2022-06-30`",
    )
    cases: list[Case] = Field(description="测试用例列表。The cases, e.g. `cases: [{name: …}]`")


def ruletest_schema() -> dict[str, Any]:
    """The JSON Schema of a rule unit test file, as committed in `rules/test.schema.json`."""
    return dict(one_line_descriptions(RuleTestFile.model_json_schema()))
