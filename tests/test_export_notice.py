"""The 公示 notice renderers: selection, masking, formula injection, each format."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from typing import Any

import jsonschema
import openpyxl
import pytest

from scoring.export import (
    NOTICE_FORMATS,
    NOTICE_HEADERS,
    export_schema,
    mask_value,
    neutralise,
    render_notice,
)
from scoring.export.notice import build_notice
from scoring.export.notice_xlsx import sheet_titles

D = Decimal
SHA = "0123456789abcdef" * 4
INJECTIONS = ("=1+1", "@SUM(A1:A9)", "-2", "+x", "\tcmd", "\rcmd")


def result(
    subject: str, name: str | None, unit: str | None, total: str, **over: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "subject": subject,
        "name": name,
        "unit": unit,
        "eligible": True,
        "veto": [],
        "total": D(total),
        "rank": None,
        "grade": None,
        "selected": False,
        "boundary_tie": False,
        "points": {"service": D(total)},
        "metrics": {},
        "adjustments": [],
    }
    row.update(over)
    return row


def notice_doc() -> dict[str, Any]:
    """Riders with a selection (and a boundary tie); teams with no selection."""
    riders = [
        result("R01", "张三丰", "城关镇", "95.50", rank=1, grade="优秀", selected=True),
        result("R02", "欧阳娜娜", "崔家头镇", "90.00", rank=2, grade="优秀", selected=True),
        result("R03", "李四", "南寨镇", "88.25", rank=3, grade="良好", boundary_tie=True),
        result("R04", "王五", "南寨镇", "88.25", rank=3, grade="良好", boundary_tie=True),
        result("R05", "赵", "水沟镇", "70.00", rank=5, grade="合格", selected=True),
        result("R06", "钱六", "草碧镇", "99.00", eligible=False),
        result("R07", "孙七", "高崖镇", "98.00", veto=["发生重大安全责任事故"]),
    ]
    teams = [
        result("T01", "=1+1", "@SUM(A1:A9)", "91.00", rank=1, grade="优秀"),
        result("T02", "-2", "+x", "85.50", rank=2, grade="良好"),
        result("T03", "<script>alert(1)</script>", "a|b", "85.50", rank=2, grade=None),
        result("T04", "\t制表", "\r回车", "60.00", rank=4, grade="合格"),
        result("T05", None, None, "59.00", rank=5, grade=None),
        result("T06", "不合格班组", "高崖镇", "40.00", veto=["数据造假"]),
    ]
    return {
        "run": {
            "id": 7,
            "campaign": "three_pioneers",
            "campaign_title": "三个先锋评选",
            "period": {"start": "2022-01-01", "end": "2022-12-31"},
            "status": "notice",
            "rules_sha256": SHA,
            "dataset_sha256": SHA,
            "results_sha256": SHA,
            "audit_head": None,
        },
        "awards": {
            "pioneer_rider": {"title": "先锋骑手", "results": riders},
            "pioneer_team": {"title": "先锋班组", "results": teams},
        },
    }


MASKED = {"pioneer_rider": frozenset({"name"}), "pioneer_team": frozenset[str]()}


def render(fmt: str, doc: dict[str, Any] | None = None, masked: Any = None) -> bytes:
    return render_notice(notice_doc() if doc is None else doc, fmt, masked=masked or MASKED)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def md_text(data: bytes) -> str:
    return data.decode("utf-8")


def xlsx_book(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_sample_document_is_a_valid_export() -> None:
    jsonschema.Draft202012Validator(export_schema()).validate(notice_doc())


# --- the notice model ---------------------------------------------------------


def test_selected_subjects_are_listed_in_rank_order_when_there_is_a_selection() -> None:
    notice = build_notice(notice_doc(), MASKED)
    riders = notice.sections[0]
    assert riders.selected_only
    assert [r.rank for r in riders.rows] == [1, 2, 5]
    assert [r.name for r in riders.rows] == ["张**", "欧***", "*"]


def test_every_ranked_subject_is_listed_when_nobody_is_selected() -> None:
    teams = build_notice(notice_doc(), MASKED).sections[1]
    assert not teams.selected_only
    assert [r.rank for r in teams.rows] == [1, 2, 2, 4, 5]
    assert teams.rows[4].name == "" and teams.rows[4].unit == ""


def test_listing_follows_rank_even_when_the_document_is_out_of_order() -> None:
    doc = notice_doc()
    doc["awards"]["pioneer_team"]["results"].reverse()
    teams = build_notice(doc, MASKED).sections[1]
    assert [r.rank for r in teams.rows] == [1, 2, 2, 4, 5]


def test_campaign_title_falls_back_to_the_campaign_id() -> None:
    doc = notice_doc()
    del doc["run"]["campaign_title"]
    assert build_notice(doc, MASKED).campaign == "three_pioneers"


@pytest.mark.parametrize(
    ("field", "value", "masked"),
    [
        ("name", "张三丰", "张**"),
        ("name", "张三", "张*"),
        ("name", "赵", "*"),
        ("name", "", ""),
        ("unit", "城关镇邮政支局", "***"),
        ("unit", "x", "***"),
    ],
)
def test_mask_value(field: str, value: str, masked: str) -> None:
    assert mask_value(field, value) == masked


@pytest.mark.parametrize("text", INJECTIONS)
def test_neutralise_prefixes_formula_starts(text: str) -> None:
    assert neutralise(text).startswith("'")


@pytest.mark.parametrize("text", ["张三", "城关镇", "1", "'quoted", "a=b", "a\nb"])
def test_neutralise_leaves_plain_text_alone_but_flattens_line_breaks(text: str) -> None:
    assert neutralise(text) == text.replace("\n", " ")


def test_masking_happens_before_neutralising() -> None:
    doc = notice_doc()
    masked = {"pioneer_rider": frozenset[str](), "pioneer_team": frozenset({"name", "unit"})}
    teams = build_notice(doc, masked).sections[1]
    assert teams.rows[0].name == "'=***"
    assert teams.rows[0].unit == "***"


@pytest.mark.parametrize(
    ("masked", "message"),
    [
        ({"pioneer_rider": frozenset()}, "no masking given for award 'pioneer_team'"),
        ({**MASKED, "nope": frozenset()}, "unknown awards: nope"),
        ({**MASKED, "pioneer_team": frozenset({"phone"})}, "cannot mask phone"),
    ],
)
def test_masking_must_be_explicit_for_every_award(masked: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        render("csv", masked=masked)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="expected one of: csv, xlsx, md, html"):
        render("pdf")


@pytest.mark.parametrize("fmt", NOTICE_FORMATS)
def test_every_format_is_byte_identical_for_equal_input(fmt: str) -> None:
    assert render(fmt) == render(fmt)


@pytest.mark.parametrize("fmt", NOTICE_FORMATS)
def test_no_format_shows_subject_keys_or_unlisted_subjects(fmt: str) -> None:
    data = render(fmt)
    text = data.decode("utf-8-sig") if fmt != "xlsx" else _xlsx_text(data)
    for hidden in (
        "R01",
        "T01",
        "李四",
        "王五",
        "钱六",
        "孙七",
        "不合格班组",
        "张三丰",
        "欧阳娜娜",
    ):
        assert hidden not in text


@pytest.mark.parametrize("fmt", NOTICE_FORMATS)
def test_a_document_without_awards_still_renders(fmt: str) -> None:
    doc = notice_doc()
    doc["awards"] = {}
    assert render_notice(doc, fmt, masked={})


def _xlsx_text(data: bytes) -> str:
    book = xlsx_book(data)
    return "\n".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row)


# --- csv ----------------------------------------------------------------------


def test_csv_has_a_bom_headers_and_one_table_with_an_award_column() -> None:
    data = render("csv")
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = csv_rows(data)
    assert rows[0] == ["奖项", *NOTICE_HEADERS]
    assert rows[1] == ["先锋骑手", "1", "张**", "城关镇", "95.50", "优秀"]
    assert [r[0] for r in rows[1:9]] == ["先锋骑手"] * 3 + ["先锋班组"] * 5
    assert rows[9] == [""]  # the table ends; the facts of the list follow (SPEC §4.1, rev. 4)


def test_csv_neutralises_formula_injection() -> None:
    rows = csv_rows(render("csv"))
    teams = [r for r in rows if r[0] == "先锋班组"]
    assert teams[0][2:4] == ["'=1+1", "'@SUM(A1:A9)"]
    assert teams[1][2:4] == ["'-2", "'+x"]
    assert teams[3][2:4] == ["' 制表", "' 回车"]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


# --- xlsx ---------------------------------------------------------------------


def test_xlsx_reads_back_with_one_sheet_per_award() -> None:
    book = xlsx_book(render("xlsx"))
    assert book.sheetnames == ["先锋骑手", "先锋班组"]
    riders = book["先锋骑手"]
    rows = list(riders.iter_rows(values_only=True))
    assert rows[0][0] == "先锋骑手"
    assert rows[1] == NOTICE_HEADERS
    assert rows[2] == (1, "张**", "城关镇", 95.5, "优秀")
    assert riders["D3"].number_format == "0.00"
    assert rows[5] == (None,) * 5  # the table ends; the quota rule and facts follow (rev. 4)


def test_xlsx_neutralises_formula_injection_and_holds_no_formulas() -> None:
    book = xlsx_book(render("xlsx"))
    teams = book["先锋班组"]
    # SPEC §4.1 (rev. 4): marked text by the quotePrefix style, no visible apostrophe
    assert (teams["B3"].value, teams["C3"].value) == ("=1+1", "@SUM(A1:A9)")
    assert (teams["B4"].value, teams["C4"].value) == ("-2", "+x")
    for ref in ("B3", "C3", "B4", "C4"):
        assert teams[ref].quotePrefix and teams[ref].data_type == "s"
    assert not teams["B5"].quotePrefix
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_xlsx_is_deterministic_down_to_zip_timestamps() -> None:
    data = render("xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core
    book = xlsx_book(data)
    assert book.properties.creator == "pioneer"


def test_xlsx_sheet_titles_are_legal_and_unique() -> None:
    titles = sheet_titles(
        [
            ("先锋骑手", "a"),
            ("先锋骑手", "b"),
            ("先锋[骑手]:*?/\\", "c"),
            ("x" * 40, "d"),
            ("x" * 40, "e"),
            ("", "fallback_id"),
            ("'引号'", "f"),
            ("History", "g"),
        ]
    )
    assert titles[:3] == ["先锋骑手", "先锋骑手~2", "先锋_骑手______"]
    assert titles[3] == "x" * 31 and titles[4] == "x" * 29 + "~2"
    assert titles[5:] == ["fallback_id", "引号", "History_"]
    assert all(len(t) <= 31 for t in titles)
    assert len({t.casefold() for t in titles}) == len(titles)


def test_xlsx_with_a_long_award_title_opens() -> None:
    doc = notice_doc()
    doc["awards"]["pioneer_team"]["title"] = (
        "先锋班组：优秀共产党员示范岗/为民服务先锋集体（县级）评选" * 2
    )
    book = xlsx_book(render("xlsx", doc))
    assert len(book.sheetnames[1]) == 31
    assert book.worksheets[1]["A1"].value == doc["awards"]["pioneer_team"]["title"]


# --- md -----------------------------------------------------------------------


def test_md_has_a_heading_and_a_pipe_table_per_award() -> None:
    text = md_text(render("md"))
    assert text.startswith("# 公示名单\n")
    assert "三个先锋评选，评选期间 2022-01-01 至 2022-12-31" in text
    assert "## 先锋骑手" in text and "## 先锋班组" in text
    assert "| 排名 | 姓名/名称 | 单位 | 总分 | 等次 |" in text
    assert "| 1 | 张\\*\\* | 城关镇 | 95.50 | 优秀 |" in text
    assert "入选名单（3）" in text and "参评排名（5）" in text


def test_md_escapes_pipes_and_markup_and_neutralises_formulas() -> None:
    text = md_text(render("md"))
    assert "| 2 | \\<script\\>alert(1)\\</script\\> | a\\|b | 85.50 |  |" in text
    assert "| 1 | '=1+1 | '@SUM(A1:A9) | 91.00 | 优秀 |" in text
    assert "| 2 | '-2 | '+x | 85.50 | 良好 |" in text
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 6


def test_md_shows_an_empty_award_as_none() -> None:
    doc = notice_doc()
    doc["awards"]["pioneer_team"]["results"] = []
    text = md_text(render("md", doc))
    assert "## 先锋班组\n\n（无）\n" in text


# --- html ---------------------------------------------------------------------


def test_html_is_one_standalone_page_for_a4() -> None:
    page = render("html").decode("utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert '<meta charset="utf-8">' in page
    assert "<title>公示名单 · 三个先锋评选 · 2022-01-01 至 2022-12-31</title>" in page
    assert "@page { size: A4;" in page and "@media print" in page
    for external in ("<link", "<script", "src=", "url(", "@import", "http"):
        assert external not in page
    assert page.count("<table>") == 2
    assert "<h2>先锋骑手</h2>" in page and "<h2>先锋班组</h2>" in page


def test_html_escapes_everything_and_shows_status_and_hash_in_the_footer() -> None:
    page = render("html").decode("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<td>&#x27;=1+1</td>" in page
    assert "<td>张**</td>" in page
    footer = page[page.index("<footer>") : page.index("</footer>")]
    assert "公示中" in footer and SHA in footer


def test_html_marks_a_draft_as_not_a_formal_notice() -> None:
    doc = notice_doc()
    doc["run"]["status"] = "draft"
    doc["run"]["campaign_title"] = "<b>三个先锋</b>"
    page = render("html", doc).decode("utf-8")
    assert "非正式公示" in page
    assert "&lt;b&gt;三个先锋&lt;/b&gt;" in page and "<b>" not in page
    assert "非正式公示" not in render("html").decode("utf-8")


def test_xlsx_keeps_a_formula_like_award_title_as_plain_text() -> None:
    doc = notice_doc()
    doc["awards"]["pioneer_team"]["title"] = "=先锋班组"
    sheet = xlsx_book(render("xlsx", doc)).worksheets[1]
    assert sheet["A1"].value == "=先锋班组" and sheet["A1"].quotePrefix
    assert "'" not in sheet.oddHeader.center.text
