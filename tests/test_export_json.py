"""The §4.1 export document: its JSON Schema and its deterministic JSON text."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from importlib.resources import files
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.export import export_schema, render_json

D = Decimal
SHA_A = "a" * 64
SHA_B = "0123456789abcdef" * 4


def result(subject: str, **over: Any) -> dict[str, Any]:
    """One result row in §4.1 key order, ranked and eligible unless overridden."""
    row: dict[str, Any] = {
        "subject": subject,
        "name": "张三",
        "unit": "城关镇",
        "eligible": True,
        "veto": [],
        "total": D("87.25"),
        "rank": 1,
        "grade": "良好",
        "selected": True,
        "boundary_tie": False,
        "points": {
            "business": D("35.50"),
            "business.volume": D("18.00"),
            "business.on_time": D("17.50"),
            "bonus": D("2.00"),
            "bonus.honors": D("2.00"),
            "deductions": D("0.00"),
            "deductions.late_reports": D("0.00"),
        },
        "metrics": {
            "business.volume": D("5400"),
            "business.on_time": D("0.982000"),
            "bonus.honors": D("1"),
            "deductions.late_reports": D("0"),
            "service.rating": None,
            "identity.badge": True,
            "joined": "2021-03-01",
        },
        "adjustments": [],
    }
    row.update(over)
    return row


def sample_doc() -> dict[str, Any]:
    """A document exercising every shape §4.1 allows."""
    return {
        "run": {
            "id": 3,
            "campaign": "three_pioneers",
            "period": {"start": "2022-01-01", "end": "2022-12-31"},
            "status": "notice",
            "rules_sha256": SHA_A,
            "dataset_sha256": SHA_B,
            "results_sha256": SHA_A,
            "audit_head": SHA_B,
        },
        "awards": {
            "pioneer_rider": {
                "title": "先锋骑手",
                "results": [
                    result("R0001"),
                    result(
                        "R0002",
                        name="李四",
                        total=D("80.30"),
                        computed_total=D("79.30"),
                        rank=2,
                        adjustments=[
                            {
                                "target": "total",
                                "delta": D("1.00"),
                                "reason": "补录志愿服务时长",
                                "author": "wang",
                                "approved_by": "zhao",
                                "at": "2023-01-05T10:00:00+08:00",
                            }
                        ],
                    ),
                    result("R0003", eligible=False, rank=None, grade=None, selected=False),
                    result(
                        "R0004",
                        veto=["发生重大安全责任事故"],
                        rank=None,
                        grade=None,
                        selected=False,
                    ),
                ],
            },
            "pioneer_team": {"title": "先锋班组", "results": []},
        },
    }


def validate(doc: Any) -> None:
    jsonschema.Draft202012Validator(export_schema()).validate(doc)


def errors(doc: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(export_schema())
    return [e.message for e in validator.iter_errors(doc)]


# --- the schema -----------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = export_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_ships_as_package_data_at_the_package_root() -> None:
    # pyproject's package-data `scoring = ["*.json"]` covers this path.
    assert files("scoring").joinpath("export_schema.json").is_file()


def test_export_schema_returns_a_fresh_copy() -> None:
    export_schema()["required"].append("mutated")
    assert "mutated" not in export_schema()["required"]


def test_sample_document_is_valid_with_decimals() -> None:
    validate(sample_doc())


def test_rendered_json_parsed_back_is_valid() -> None:
    validate(json.loads(render_json(sample_doc())))


def test_optional_campaign_title_and_null_audit_head_are_valid() -> None:
    doc = sample_doc()
    doc["run"]["campaign_title"] = "三个先锋评选"
    doc["run"]["audit_head"] = None
    validate(doc)


def test_adjustment_items_allow_extra_keys() -> None:
    doc = sample_doc()
    adj = doc["awards"]["pioneer_rider"]["results"][1]["adjustments"][0]
    adj["approved_by"] = None
    adj["anything"] = {"nested": [1, 2]}
    validate(doc)


def first_result(doc: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = doc["awards"]["pioneer_rider"]["results"][0]
    return row


def _subject_int(doc: dict[str, Any]) -> None:
    first_result(doc)["subject"] = 1


def _drop_result_key(key: str) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        del first_result(doc)[key]

    return mutate


def _drop_run_key(key: str) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        del doc["run"][key]

    return mutate


def _set_run(key: str, value: Any) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        doc["run"][key] = value

    return mutate


def _set_result(key: str, value: Any) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        first_result(doc)[key] = value

    return mutate


def _drop_computed_total(doc: dict[str, Any]) -> None:
    del doc["awards"]["pioneer_rider"]["results"][1]["computed_total"]


def _adjustment_without_reason(doc: dict[str, Any]) -> None:
    del doc["awards"]["pioneer_rider"]["results"][1]["adjustments"][0]["reason"]


def _ineligible_but_ranked(doc: dict[str, Any]) -> None:
    doc["awards"]["pioneer_rider"]["results"][2]["rank"] = 3


def _vetoed_but_graded(doc: dict[str, Any]) -> None:
    doc["awards"]["pioneer_rider"]["results"][3]["grade"] = "合格"


def _unranked_but_selected(doc: dict[str, Any]) -> None:
    doc["awards"]["pioneer_rider"]["results"][2]["selected"] = True


def _award_without_title(doc: dict[str, Any]) -> None:
    del doc["awards"]["pioneer_team"]["title"]


def _bad_award_key(doc: dict[str, Any]) -> None:
    doc["awards"]["先锋"] = doc["awards"].pop("pioneer_team")


INVALID = {
    "subject is an int": _subject_int,
    "missing total": _drop_result_key("total"),
    "missing rank": _drop_result_key("rank"),
    "missing veto": _drop_result_key("veto"),
    "missing adjustments": _drop_result_key("adjustments"),
    "missing metrics": _drop_result_key("metrics"),
    "missing results_sha256": _drop_run_key("results_sha256"),
    "missing audit_head": _drop_run_key("audit_head"),
    "bad status": _set_run("status", "approved"),
    "short sha256": _set_run("rules_sha256", "abc123"),
    "upper-case sha256": _set_run("dataset_sha256", "A" * 64),
    "run id as string": _set_run("id", "3"),
    "period end not a date": _set_run("period", {"start": "2022-01-01", "end": "2022-13-01"}),
    "rank zero": _set_result("rank", 0),
    "rank as string": _set_result("rank", "1"),
    "total as string": _set_result("total", "87.25"),
    "eligible as string": _set_result("eligible", "true"),
    "veto holds a non-string": _set_result("veto", [1]),
    "points value not a number": _set_result("points", {"business": "35.5"}),
    "points key not a path": _set_result("points", {"business volume": D("1")}),
    "metrics value is an object": _set_result("metrics", {"business.volume": {"x": 1}}),
    "unknown result key": _set_result("phone", "13800000000"),
    "adjustment without computed_total": _drop_computed_total,
    "adjustment without reason": _adjustment_without_reason,
    "ineligible but ranked": _ineligible_but_ranked,
    "vetoed but graded": _vetoed_but_graded,
    "unranked but selected": _unranked_but_selected,
    "award without title": _award_without_title,
    "award key not an identifier": _bad_award_key,
}


@pytest.mark.parametrize("mutate", INVALID.values(), ids=INVALID.keys())
def test_invalid_documents_are_rejected(mutate: Any) -> None:
    doc = sample_doc()
    mutate(doc)
    assert errors(doc)


def test_missing_top_level_key_is_rejected() -> None:
    doc = sample_doc()
    del doc["awards"]
    assert any("awards" in message for message in errors(doc))


# --- render_json ----------------------------------------------------------


def test_render_json_is_byte_identical_for_equal_documents() -> None:
    first = render_json(sample_doc())
    assert render_json(sample_doc()) == first
    assert render_json(copy.deepcopy(sample_doc())) == first


def test_render_json_keeps_decimal_digits_and_never_writes_floats() -> None:
    text = render_json({"a": D("0.30"), "b": D("18.00"), "c": D("0.982000"), "d": D("5400")})
    assert '"a": 0.30' in text
    assert '"b": 18.00' in text
    assert '"c": 0.982000' in text
    assert '"d": 5400' in text
    assert "0.3," not in text and "18.0," not in text


def test_render_json_round_trips_through_decimal_parsing() -> None:
    doc = sample_doc()
    parsed = json.loads(render_json(doc), parse_float=Decimal)
    assert parsed == doc
    assert str(parsed["awards"]["pioneer_rider"]["results"][0]["points"]["business"]) == "35.50"


def test_render_json_layout_matches_json_dumps() -> None:
    plain = {"x": [1, {"a": []}, {}], "y": "中文", "z": None, "t": [True, False], "q": 'a"\\\n'}
    assert render_json(plain) == json.dumps(plain, ensure_ascii=False, indent=2) + "\n"


def test_render_json_keeps_key_order_and_chinese_text() -> None:
    text = render_json(sample_doc())
    assert text.index('"run"') < text.index('"awards"')
    assert text.index('"subject"') < text.index('"name"') < text.index('"eligible"')
    assert "先锋骑手" in text and "\\u" not in text
    assert text.endswith("}\n")


def test_render_json_rejects_floats_with_their_location() -> None:
    doc = sample_doc()
    first_result(doc)["points"]["business"] = 35.5
    with pytest.raises(TypeError, match=r"\$\.awards\.pioneer_rider\.results\[0\]\.points"):
        render_json(doc)


@pytest.mark.parametrize("bad", [D("NaN"), D("Infinity"), D("-Infinity")])
def test_render_json_rejects_non_finite_decimals(bad: Decimal) -> None:
    with pytest.raises(ValueError, match=r"\$\.x"):
        render_json({"x": bad})


@pytest.mark.parametrize("bad", [{1: "a"}, {"a": {1, 2}}, {"a": b"bytes"}])
def test_render_json_rejects_what_json_cannot_hold(bad: dict[Any, Any]) -> None:
    with pytest.raises(TypeError):
        render_json(bad)


def test_render_json_writes_exponents_as_plain_digits_and_drops_negative_zero() -> None:
    assert render_json({"a": D("1E+2"), "b": D("-0.00"), "c": D("1E-7")}) == (
        '{\n  "a": 100,\n  "b": 0.00,\n  "c": 0.0000001\n}\n'
    )


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6))
def test_render_json_writes_any_decimal_exactly(value: Decimal) -> None:
    parsed = json.loads(render_json({"v": value}), parse_float=Decimal, parse_int=Decimal)
    assert parsed["v"] == value
    assert str(parsed["v"]).lstrip("-") == format(value, "f").lstrip("-")
