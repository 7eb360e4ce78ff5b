"""The 公示 list per SPEC §4.1 (fourth revision): what it carries in every
format, through the review states of a real run, and how it prints."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import openpyxl
import pytest
from engine_helpers import ACTOR, Scored, campaign, rules_text

from scoring import service
from scoring.export import export_schema, render_notice
from scoring.export.notice import build_notice
from scoring.export.notice_quota import per_label, quota_rule
from scoring.export.notice_xlsx import display_width

D = dt.date
MADE = D(2022, 12, 20)  # the day a draft list is made in these tests

# ------------------------------------------------------------------ the quota in words


def quota(**over: Any) -> SimpleNamespace:
    base: dict[str, Any] = {
        "count": None,
        "share": None,
        "at_least": None,
        "per": None,
        "min_score": None,
        "boundary_tie": "flag",
    }
    base.update(over)
    return SimpleNamespace(**base)


@pytest.mark.parametrize(
    ("spec", "label", "words"),
    [
        ({"count": 3, "min_score": Decimal("80")}, None, "限3名，最低分80分，卡线同分待评审确定"),
        (
            {"share": Decimal("0.1"), "at_least": 1},
            None,
            "按参评人数的10%择优，至少1名，卡线同分待评审确定",
        ),
        (
            {"count": 7, "per": "unit", "min_score": Decimal("75"), "boundary_tie": "include_all"},
            "镇",
            "共7名，按镇分配名额，最低分75分，卡线同分全部入选",
        ),
        (
            {"count": 5, "per": "unit", "per_at_least": 1},
            "镇",
            "共5名，按镇分配名额，每镇至少1名，卡线同分待评审确定",
        ),
        (
            {"count": 10, "min_score": Decimal("72.50"), "boundary_tie": "exclude_all"},
            None,
            "限10名，最低分72.5分，卡线同分均不入选",
        ),
        ({"share": Decimal("0.125")}, None, "按参评人数的12.5%择优，卡线同分待评审确定"),
    ],
)
def test_quota_rule_in_words(spec: dict[str, Any], label: str | None, words: str) -> None:
    assert quota_rule(quota(**spec), label) == words


@pytest.mark.parametrize(
    ("column", "header", "label"),
    [("unit", "所属镇", "镇"), ("branch", "所在党支部", "党支部"), ("team", "现所在班组", "班组"),
     ("unit", "单位", "单位"), ("unit", None, "unit"), ("x", "所属", "所属")],
)  # fmt: skip
def test_per_label_comes_from_the_header(column: str, header: str | None, label: str) -> None:
    assert per_label(column, header) == label


def test_display_width_counts_chinese_twice() -> None:
    assert display_width("县电商配送中心") == 14
    assert display_width("R0001") == 5
    assert display_width("张三 A") == 6


# ------------------------------------------------------------------ a run through its states

UNITS_TABLES = """\
units:
  key: code
  columns: {code: text, name: text, unit: text}
people:
  key: id
  columns: {id: text, name: text, unit: {type: text, header: 所属镇}, phone: {type: text, private: true}}
  links: {units: unit}
records:
  date: day
  links: {people: person}
  columns: {person: text, day: date, v: number}
"""

UNITS_AWARD = """\
a:
  title: 先锋骑手
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
  grades: {优秀: 85, 良好: 60}
  quota: {count: 4, per: unit, min_score: 50, boundary_tie: flag}
b:
  title: 参评单位
  subjects: units
  criteria:
    m: {max: 100, metric: "avg(people.a)", default: 0, score: {per: 1}}
"""

FIGURES = {"P1": ("U1", 90), "P2": ("U1", 80), "P3": ("U1", 70),
           "P4": ("U2", 85), "P5": ("U2", 60), "P6": ("U2", 60)}  # fmt: skip
ISSUER = "中共测试县委组织部"
CONTACT = "公示期间如有异议，请向县委组织部反映，电话 0917-1234567"


@pytest.fixture
def scored(tmp_path: Path) -> Scored:
    text = rules_text(UNITS_AWARD, UNITS_TABLES).replace(
        "precision: 2}", f"precision: 2, issuer: {ISSUER}, contact: {CONTACT}}}"
    )
    data: dict[str, Any] = {
        "units": [
            {"code": "U1", "name": "城关镇", "unit": "千阳县"},
            {"code": "U2", "name": "南寨镇", "unit": "千阳县"},
        ],
        "people": [
            {"id": k, "name": f"骑手{k[1]}", "unit": u, "phone": "13800000000"}
            for k, (u, _v) in FIGURES.items()
        ],
        "records": [{"person": k, "day": "2022-05-01", "v": v} for k, (_u, v) in FIGURES.items()],
    }
    return campaign(tmp_path, "", data, text=text)


def export(s: Scored, fmt: str, today: dt.date = MADE) -> bytes:
    return service.export(s.db, s.summary.run_id, fmt, today=today)


def notice_doc(s: Scored, today: dt.date = MADE) -> dict[str, Any]:
    from scoring.notice_doc import add_notice_facts
    from scoring.results import resolve_run

    run = resolve_run(s.db, s.summary.run_id)
    doc = service.export_document(s.db, run.id, with_title=True)
    return add_notice_facts(doc, s.db, run, service.run_rules(run), today)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


class Page(HTMLParser):
    """The text of an html page by element: what a reader sees, and where."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.rows: list[list[str]] = []
        self.header_rows = 0
        self.style = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th") and self.rows:
            self.rows[-1].append("")
        if tag == "thead":
            self.header_rows += 1

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not self.stack:
            return
        tag = self.stack[-1]
        if tag == "style":
            self.style += data
        self.text.setdefault(tag, []).append(data)
        if tag in ("td", "th") and self.rows:
            self.rows[-1][-1] += data

    def all_text(self) -> str:
        return "\n".join(t for tag, items in self.text.items() if tag != "style" for t in items)


def page(data: bytes) -> Page:
    parsed = Page()
    parsed.feed(data.decode("utf-8"))
    return parsed


def test_the_notice_document_is_a_valid_export_with_the_new_facts(scored: Scored) -> None:
    doc = notice_doc(scored)
    jsonschema.Draft202012Validator(export_schema()).validate(doc)
    assert doc["run"]["issuer"] == ISSUER and doc["run"]["contact"] == CONTACT
    assert doc["run"]["issued"] == "2022-12-20" and "notice" not in doc["run"]
    a = doc["awards"]["a"]
    assert a["quota_rule"] == "共4名，按镇分配名额，最低分50分，卡线同分待评审确定"
    assert a["undecided"] == ["P5", "P6"]
    assert doc["awards"]["b"]["quota_rule"] is None and doc["awards"]["b"]["undecided"] == []
    assert {r["subject"]: r["unit_name"] for r in a["results"]}["P4"] == "南寨镇"
    assert all("unit_name" not in r for r in doc["awards"]["b"]["results"])  # units' unit: text
    # the JSON export itself stays as it was
    plain = service.export_document(scored.db, scored.summary.run_id)
    assert "issuer" not in plain["run"] and "quota_rule" not in plain["awards"]["a"]


def test_a_draft_lists_the_selection_and_the_open_tie_marked_undecided(scored: Scored) -> None:
    parsed = page(export(scored, "html"))
    body = [r for r in parsed.rows if r and r[0] != "排名"]
    riders = [r for r in body if r[1].startswith("骑手")]
    assert [(r[0], r[1], r[2], r[-1]) for r in riders] == [
        ("1", "骑手1", "城关镇", ""),
        ("2", "骑手4", "南寨镇", ""),
        ("3", "骑手2", "城关镇", ""),
        ("5", "骑手5", "南寨镇", "并列待定"),
        ("5", "骑手6", "南寨镇", "并列待定"),
    ]  # rank 4 (骑手3, 城关镇) is not listed: the rule under the heading says why
    text = parsed.all_text()
    assert "名额规则：共4名，按镇分配名额，最低分50分，卡线同分待评审确定" in text
    assert "入选名单（3）；并列待定（2）" in text
    assert "U1" not in text and "U2" not in text  # unit names, not codes
    # an award without a quota lists every ranked subject, without a rule
    units = [r for r in body if r[1] in ("城关镇", "南寨镇")]
    assert [r[1] for r in units] == ["城关镇", "南寨镇"]
    assert "13800000000" not in text
    assert "（草稿，非正式公示）" in text and "生成日期：2022-12-20" in text
    assert "公示期" not in parsed.text.get("dt", [])


def open_notice(s: Scored) -> None:
    service.review_start(s.db, s.summary.run_id, actor=ACTOR, today=D(2022, 12, 1))
    service.open_notice(s.db, s.summary.run_id, actor=ACTOR, today=D(2022, 12, 26))


def test_a_run_on_notice_carries_everything_a_notice_board_needs(scored: Scored) -> None:
    open_notice(scored)
    parsed = page(export(scored, "html", today=D(2023, 3, 1)))
    text = parsed.all_text()
    facts = dict(zip(parsed.text["dt"], parsed.text["dd"], strict=True))
    assert facts == {"状态": "公示中", "公示期": "2022-12-26 至 2022-12-30（5个工作日）"}
    assert "测试评选" in text and "评选期间：2022-01-01 至 2022-12-31" in text
    assert f"异议受理：{CONTACT}" in text
    assert ISSUER in parsed.text["p"] or ISSUER in text
    assert "发布日期：2022-12-26" in text  # the day the notice opened, not the export's day
    assert "非正式公示" not in text
    assert parsed.header_rows == 2  # one table per award, each with its header row
    style = parsed.style
    assert "@page { size: A4;" in style and "counter(page)" in style and "counter(pages)" in style
    assert "thead { display: table-header-group; }" in style


def test_md_and_csv_carry_the_same_facts(scored: Scored) -> None:
    open_notice(scored)
    md = export(scored, "md").decode("utf-8")
    for line in (
        "- 状态：公示中",
        "- 公示期：2022-12-26 至 2022-12-30（5个工作日）",
        f"- 发布单位：{ISSUER}",
        f"- 异议受理：{CONTACT}",
        "- 发布日期：2022-12-26",
        "名额规则：共4名，按镇分配名额，最低分50分，卡线同分待评审确定",
        "| 5 | 骑手5 | 南寨镇 | 60.00 | 良好 | 并列待定 |",
        "| 排名 | 姓名/名称 | 单位 | 总分 | 等次 |",  # 参评单位: no open tie, no 备注 column
    ):
        assert line in md.splitlines(), line
    rows = csv_rows(export(scored, "csv"))
    assert rows[0] == ["奖项", "排名", "姓名/名称", "单位", "总分", "等次", "备注"]
    assert ["先锋骑手", "5", "骑手6", "南寨镇", "60.00", "良好", "并列待定"] in rows
    facts = {r[0]: r[1] for r in rows[rows.index([""]) + 1 :]}
    assert facts == {
        "评选活动": "测试评选",
        "评选期间": "2022-01-01 至 2022-12-31",
        "状态": "公示中",
        "公示期": "2022-12-26 至 2022-12-30（5个工作日）",
        "发布单位": ISSUER,
        "异议受理": CONTACT,
        "发布日期": "2022-12-26",
        "名额规则（先锋骑手）": "共4名，按镇分配名额，最低分50分，卡线同分待评审确定",
    }


def test_once_the_tie_is_resolved_and_published_only_the_selection_is_listed(
    scored: Scored,
) -> None:
    run = scored.summary.run_id
    service.review_start(scored.db, run, actor=ACTOR, today=D(2022, 12, 1))
    service.resolve_tie(scored.db, run, "a", ["P5"], actor=ACTOR, today=D(2022, 12, 1))
    service.open_notice(scored.db, run, actor=ACTOR, today=D(2022, 12, 26))
    service.publish(scored.db, run, actor=ACTOR, today=D(2023, 1, 4))
    md = export(scored, "md", today=D(2023, 3, 1)).decode("utf-8")
    assert "- 状态：已发布" in md and "- 发布日期：2023-01-04" in md
    assert "- 公示期：2022-12-26 至 2022-12-30（5个工作日）" in md
    assert "| 5 | 骑手5 | 南寨镇 | 60.00 | 良好 |" in md
    assert "骑手6" not in md and "并列待定" not in md and "备注" not in md
    assert "入选名单（4）" in md


def test_a_private_unit_is_masked_even_when_it_is_a_name(scored: Scored) -> None:
    doc = notice_doc(scored)
    notice = build_notice(doc, {"a": frozenset({"unit"}), "b": frozenset()})
    assert {r.unit for r in notice.sections[0].rows} == {"***"}


# ------------------------------------------------------------------ xlsx print settings


def test_xlsx_prints_landscape_one_page_wide_with_titles_and_page_numbers(
    scored: Scored,
) -> None:
    open_notice(scored)
    book = openpyxl.load_workbook(io.BytesIO(export(scored, "xlsx")))
    sheet = book["先锋骑手"]
    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert int(setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$1:$2"
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    assert "公示期 2022-12-26 至 2022-12-30" in sheet.oddHeader.right.text
    assert "测试评选" in sheet.oddHeader.center.text
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("排名", "姓名/名称", "单位", "总分", "等次", "备注")
    assert rows[5] == (5, "骑手5", "南寨镇", 60, "良好", "并列待定")
    notes = [r[0] for r in rows[8:] if r[0]]
    assert notes[0] == "名额规则：共4名，按镇分配名额，最低分50分，卡线同分待评审确定"
    assert f"发布单位：{ISSUER}" in notes and f"异议受理：{CONTACT}" in notes
    assert "公示期：2022-12-26 至 2022-12-30（5个工作日）" in notes


def test_xlsx_columns_fit_chinese_names_by_display_width() -> None:
    long_name = "县电商配送中心—崔家头镇快件分拣站—董家沟村"
    doc = {
        "run": {
            "id": 1,
            "campaign": "t",
            "campaign_title": "测试",
            "period": {"start": "2022-01-01", "end": "2022-12-31"},
            "status": "draft",
            "rules_sha256": "0" * 64,
            "dataset_sha256": "0" * 64,
            "results_sha256": "0" * 64,
            "audit_head": None,
        },
        "awards": {
            "r": {
                "title": "先锋邮路",
                "quota_rule": None,
                "undecided": [],
                "results": [
                    {
                        "subject": "L1",
                        "name": long_name,
                        "unit": "张家塬镇",
                        "total": Decimal("100.00"),
                        "rank": 1,
                        "grade": "优秀",
                        "selected": False,
                    }
                ],
            }
        },
    }
    sheet = openpyxl.load_workbook(
        io.BytesIO(render_notice(doc, "xlsx", masked={"r": frozenset()}))
    )["先锋邮路"]
    assert sheet.column_dimensions["B"].width >= display_width(long_name)
    assert sheet.column_dimensions["C"].width >= display_width("张家塬镇")
    assert sheet.column_dimensions["E"].width >= display_width("等次")


# ------------------------------------------------------------------ printed for real


def _tool(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def _pdf_pages(pdf: Path) -> list[str]:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout.split("\f")[:-1] if done.stdout.endswith("\f") else done.stdout.split("\f")


@pytest.mark.skipif(
    _tool("chromium", "chromium-browser") is None or _tool("pdftotext") is None,
    reason="needs chromium and poppler-utils",
)
def test_html_prints_to_numbered_a4_pages_with_the_header_repeated(
    scored: Scored, tmp_path: Path
) -> None:
    open_notice(scored)
    doc = notice_doc(scored)
    riders = doc["awards"]["a"]["results"]
    for i in range(80):  # enough selected rows for three pages
        riders.append({**riders[0], "subject": f"X{i:03}", "name": f"骑手X{i:03}", "rank": 1})
    page_file = tmp_path / "notice.html"
    page_file.write_bytes(render_notice(doc, "html", masked={"a": frozenset(), "b": frozenset()}))
    pdf = tmp_path / "notice.pdf"
    browser = _tool("chromium", "chromium-browser")
    done = subprocess.run(
        [str(browser), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page_file.as_uri()],
        capture_output=True, text=True, timeout=180, cwd=tmp_path,
    )  # fmt: skip
    if not pdf.exists():
        pytest.skip(f"chromium could not print here: {done.stderr[-300:]}")
    pages = _pdf_pages(pdf)
    assert len(pages) >= 3
    for n, text in enumerate(pages, start=1):
        assert f"第 {n} 页，共 {len(pages)} 页" in text
        assert "排名" in text and "姓名/名称" in text  # the table header on every page
    assert "公示期" in pages[0] and "2022-12-26 至 2022-12-30" in pages[0]
    assert ISSUER in pages[-1] and "发布日期：2022-12-26" in pages[-1]


@pytest.mark.skipif(
    _tool("soffice", "libreoffice") is None or _tool("pdftotext") is None,
    reason="needs LibreOffice and poppler-utils",
)
def test_xlsx_prints_from_libreoffice_one_page_wide_with_numbers(
    scored: Scored, tmp_path: Path
) -> None:
    open_notice(scored)
    book = tmp_path / "notice.xlsx"
    book.write_bytes(export(scored, "xlsx"))
    office = _tool("soffice", "libreoffice")
    done = subprocess.run(
        [str(office), "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    pdf = tmp_path / "notice.pdf"
    if not pdf.exists():
        pytest.skip(f"LibreOffice could not convert here: {done.stderr[-300:]}")
    pages = _pdf_pages(pdf)
    assert len(pages) == 2  # one page per award: one page wide, nothing spills over
    first = pages[0]
    for word in ("排名", "姓名/名称", "单位", "总分", "等次", "备注", "骑手5", "并列待定"):
        assert word in first, word
    assert "第 1 页，共 2 页" in first and "第 2 页，共 2 页" in pages[1]
    assert "公示期 2022-12-26 至 2022-12-30" in first
