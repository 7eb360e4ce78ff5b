"""End to end: the shipped example scored and exported through the CLI; the
JSON export checked against the shipped schema and the §4.1 shape, and the
公示 exports (csv, xlsx, md, html) checked for their columns and masking."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
import yaml
from click.testing import CliRunner, Result
from engine_helpers import campaign, parse_export

from scoring import service
from scoring.cli import cli
from scoring.export import NOTICE_HEADERS, export_schema

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "three_pioneers.yaml"
DATA = ROOT / "examples" / "qianyang"
FORMATS = ("csv", "xlsx", "md", "html")
RUN_KEYS = {
    "id",
    "campaign",
    "period",
    "status",
    "rules_sha256",
    "dataset_sha256",
    "results_sha256",
    "audit_head",
}
RESULT_KEYS = [
    "subject",
    "name",
    "unit",
    "eligible",
    "veto",
    "total",
    "rank",
    "grade",
    "selected",
    "boundary_tie",
    "points",
    "metrics",
    "adjustments",
]


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@dataclass
class Exported:
    rules: dict[str, Any]
    score_stdout: str
    text: str
    doc: dict[str, Any]
    files: dict[str, bytes]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    tmp = tmp_path_factory.mktemp("export")
    db = tmp / "store.db"
    scored = run("score", RULES, "--data", DATA, "--db", db, "--period", "2022")
    assert scored.exit_code == 0, scored.stderr
    out = run("export", "--db", db, "--run", "latest", "--format", "json")
    assert out.exit_code == 0, out.stderr
    files = {}
    for fmt in FORMATS:
        target = tmp / f"notice.{fmt}"
        done = run("export", "--db", db, "--run", "1", "--format", fmt, "-o", target)
        assert done.exit_code == 0, done.stderr
        files[fmt] = target.read_bytes()
    text = out.stdout_bytes.decode("utf-8")
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return Exported(rules, scored.stdout, text, parse_export(text), files)


def node_paths(award: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(every points path, every path with a metric) of an award in the YAML."""
    points: list[str] = []
    metrics: list[str] = []

    def walk(prefix: str, nodes: dict[str, Any]) -> None:
        for name, node in nodes.items():
            path = f"{prefix}{name}"
            points.append(path)
            if "metric" in node:
                metrics.append(path)
            if "criteria" in node:
                walk(path + ".", node["criteria"])

    walk("", award["criteria"])
    for block in ("bonus", "deductions"):
        if block in award:
            points.append(block)
            for item, node in award[block]["items"].items():
                points.append(f"{block}.{item}")
                if "metric" in node:
                    metrics.append(f"{block}.{item}")
    return points, metrics


# ------------------------------------------------------------------ json


def test_json_export_validates_against_shipped_schema(exported: Exported) -> None:
    jsonschema.validate(json.loads(exported.text), export_schema())
    # Decimals too (numbers kept exact)
    jsonschema.validate(exported.doc, export_schema())


def test_run_block(exported: Exported) -> None:
    head = exported.doc["run"]
    assert set(head) >= RUN_KEYS
    assert head["id"] == 1
    assert head["campaign"] == exported.rules["campaign"]["id"]
    assert head["period"] == {"start": "2022-01-01", "end": "2022-12-31"}
    assert head["status"] == "draft"
    printed = re.search(r"^results_sha256 (\w+)$", exported.score_stdout, re.M)
    assert printed and head["results_sha256"] == printed.group(1)
    for key in ("rules_sha256", "dataset_sha256", "results_sha256", "audit_head"):
        assert re.fullmatch(r"[0-9a-f]{64}", head[key]), key


def test_awards_and_titles_in_rule_order(exported: Exported) -> None:
    awards = exported.rules["awards"]
    assert list(exported.doc["awards"]) == list(awards)
    for name, body in exported.doc["awards"].items():
        assert body["title"] == awards[name]["title"]
        assert body["results"], name


def test_results_fields_points_and_metrics(exported: Exported) -> None:
    for name, body in exported.doc["awards"].items():
        points, metrics = node_paths(exported.rules["awards"][name])
        for r in body["results"]:
            assert list(r)[: len(RESULT_KEYS)] == RESULT_KEYS or set(RESULT_KEYS) <= set(r)
            # optional: computed_total (with approved adjustments), warnings (when any)
            assert set(r) - set(RESULT_KEYS) <= {"computed_total", "warnings"}
            assert isinstance(r["subject"], str)
            assert set(r["points"]) == set(points), (name, set(r["points"]) ^ set(points))
            assert set(r["metrics"]) == set(metrics), (name, set(r["metrics"]) ^ set(metrics))
            assert all(isinstance(v, Decimal) and v >= 0 for v in r["points"].values())
            assert r["adjustments"] == []
        if "bonus" not in exported.rules["awards"][name]:
            assert all("bonus" not in r["points"] for r in body["results"])
        if "deductions" not in exported.rules["awards"][name]:
            assert all("deductions" not in r["points"] for r in body["results"])


def test_totals_add_up(exported: Exported) -> None:
    for name, body in exported.doc["awards"].items():
        award = exported.rules["awards"][name]
        for r in body["results"]:
            p = r["points"]
            total = sum(p[top] for top in award["criteria"])
            total += p.get("bonus", 0) - p.get("deductions", 0)
            assert r["total"] == max(total, Decimal(0)), (name, r["subject"])


def test_figures_printed_at_campaign_precision(exported: Exported) -> None:
    precision = exported.rules["campaign"]["precision"]
    figure = re.compile(rf"\d+\.\d{{{precision}}}")
    totals = re.findall(r'^ +"total": (\S+?),?$', exported.text, re.M)
    assert totals and all(figure.fullmatch(t) for t in totals)
    for body in exported.doc["awards"].values():
        for r in body["results"]:
            for value in [r["total"], *r["points"].values()]:
                assert value.as_tuple().exponent == -precision, value


def test_results_order_and_unranked(exported: Exported) -> None:
    for body in exported.doc["awards"].values():
        results = body["results"]
        ranked = [r for r in results if r["rank"] is not None]
        unranked = [r for r in results if r["rank"] is None]
        assert results == ranked + unranked
        assert [r["rank"] for r in ranked] == sorted(r["rank"] for r in ranked)
        for a, b in zip(ranked, ranked[1:], strict=False):
            assert a["total"] >= b["total"]
            if a["rank"] == b["rank"]:
                assert a["subject"] < b["subject"]
        assert [r["subject"] for r in unranked] == sorted(r["subject"] for r in unranked)
        for r in unranked:
            assert not r["eligible"] or r["veto"]
            assert r["grade"] is None and r["selected"] is False
        for r in ranked:
            assert r["eligible"] and r["veto"] == []


def test_private_columns_never_exported(exported: Exported) -> None:
    with (DATA / "riders.csv").open(encoding="utf-8-sig", newline="") as handle:
        riders = list(csv.DictReader(handle))
    secrets = [r["手机号"] for r in riders if r["手机号"]] + [
        r["身份证号"] for r in riders if r["身份证号"]
    ]
    assert secrets
    blobs = [exported.text] + [exported.files[f].decode("utf-8-sig") for f in ("csv", "md", "html")]
    for secret in secrets[:400]:
        assert all(secret not in blob for blob in blobs), secret


# ------------------------------------------------------------------ 公示 exports


def listed(doc: dict[str, Any], award: str) -> list[dict[str, Any]]:
    # SPEC §4.1 (rev. 4): every shipped award has a quota, so its list is the
    # selection plus, while a boundary tie is open (this run is a draft), the tied
    results = doc["awards"][award]["results"]
    return [r for r in results if r["selected"] or r["boundary_tie"]]


def table_rows(rows: list[list[str]]) -> list[list[str]]:
    """The csv's table: the rows before the empty line that starts the facts."""
    return rows[: rows.index([""])]


def test_notice_csv(exported: Exported) -> None:
    data = exported.files["csv"]
    assert data.startswith(b"\xef\xbb\xbf")
    rows = table_rows(list(csv.reader(io.StringIO(data.decode("utf-8-sig")))))
    assert tuple(rows[0][1:6]) == NOTICE_HEADERS
    expected = sum(len(listed(exported.doc, a)) for a in exported.doc["awards"])
    assert len(rows) - 1 == expected
    rider_rows = [r for r in rows[1:] if r[0] == exported.doc["awards"]["pioneer_rider"]["title"]]
    first = listed(exported.doc, "pioneer_rider")[0]
    assert rider_rows[0][1:6] == [
        str(first["rank"]),
        first["name"],
        first["unit"],
        str(first["total"]),
        first["grade"] or "",
    ]


def test_notice_xlsx(exported: Exported) -> None:
    book = openpyxl.load_workbook(io.BytesIO(exported.files["xlsx"]))
    assert len(book.worksheets) == len(exported.doc["awards"])
    for sheet, (award, body) in zip(book.worksheets, exported.doc["awards"].items(), strict=True):
        assert sheet.cell(row=1, column=1).value == body["title"]
        headers = tuple(sheet.cell(row=2, column=c).value for c in range(1, 6))
        assert headers == NOTICE_HEADERS
        names = [sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row + 1)]
        names = names[: names.index(None)]  # the table ends; the facts follow (rev. 4)
        assert names == [r["name"] for r in listed(exported.doc, award)]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_notice_md_and_html(exported: Exported, fmt: str) -> None:
    text = exported.files[fmt].decode("utf-8")
    assert text.strip()
    for header in NOTICE_HEADERS:
        assert header in text.replace("\\", ""), header
    for award, body in exported.doc["awards"].items():
        assert body["title"] in text
        for r in listed(exported.doc, award)[:3]:
            assert r["name"] in text, r["name"]


# ------------------------------------------------------------------ masking and injection


PRIVATE_TABLES = """
people:
  key: id
  columns:
    id: text
    name: {type: text, private: true}
    unit: text
    phone: {type: text, private: true}
records:
  date: day
  links: {people: person}
  columns: {person: text, day: date, v: number}
"""

PRIVATE_AWARD = """
a:
  title: 隐私奖
  subjects: people
  criteria:
    k: {max: 10, metric: "sum(records.v)", score: {per: 1}}
"""


def test_private_name_masked_and_cells_neutralised(tmp_path: Path) -> None:
    data = {
        "people": [
            {"id": "P1", "name": "张三丰", "unit": "=cmd|' /C calc'!A0", "phone": "13800000000"},
            {"id": "P2", "name": "李四", "unit": "+1", "phone": "13900000000"},
        ],
        "records": [{"person": "P1", "day": "2022-01-02", "v": 5}],
    }
    s = campaign(tmp_path, PRIVATE_AWARD, data, tables=PRIVATE_TABLES)
    for fmt in FORMATS:
        blob = service.export(s.db, s.run_id, fmt)
        assert blob, fmt
        if fmt == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(blob)).worksheets[0]
            found = [c for row in sheet.iter_rows() for c in row if c.value is not None]
            text = "\n".join(str(c.value) for c in found)
            # rev. 4: marked text by the quotePrefix style, not a visible apostrophe
            risky = [c for c in found if str(c.value).startswith(("=", "+", "-", "@"))]
            assert risky and all(c.quotePrefix and c.data_type == "s" for c in risky)
        else:
            text = blob.decode("utf-8-sig")
        assert "张三丰" not in text and "李四" not in text, fmt
        assert "13800000000" not in text, fmt
        plain = text.replace("\\", "")
        assert "张**" in plain and "李*" in plain, fmt
    rows = list(csv.reader(io.StringIO(service.export(s.db, s.run_id, "csv").decode("utf-8-sig"))))
    units = {r[3] for r in table_rows(rows)[1:]}
    assert units == {"'=cmd|' /C calc'!A0", "'+1"}


# ------------------------------------------------------------------ figures against the CSVs


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def six(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP).normalize()


def metric_nodes(award: dict[str, Any], metric: str) -> list[str]:
    """Paths of the award's nodes whose metric is exactly `metric`."""
    found: list[str] = []

    def walk(prefix: str, nodes: dict[str, Any]) -> None:
        for name, node in nodes.items():
            if node.get("metric") == metric:
                found.append(prefix + name)
            walk(f"{prefix}{name}.", node.get("criteria", {}))

    walk("", award["criteria"])
    return found


def test_rider_nodes_match_the_csv(exported: Exported) -> None:
    paths = metric_nodes(exported.rules["awards"]["pioneer_rider"], "sum(deliveries.parcels)")
    assert paths
    parcels: dict[str, int] = {}
    for row in read_csv("deliveries"):
        if row["月份"].startswith("2022"):
            parcels[row["骑手编号"]] = parcels.get(row["骑手编号"], 0) + int(row["派送件数"])
    for r in exported.doc["awards"]["pioneer_rider"]["results"]:
        for path in paths:
            assert r["metrics"][path] == parcels.get(r["subject"], 0), r["subject"]


def test_crew_reads_current_members_totals(exported: Exported) -> None:
    # The shipped crew award averages its current riders who are eligible for
    # 先锋骑手 (fourth revision: `avg(riders[pioneer_rider.eligible].pioneer_rider)`).
    award = exported.rules["awards"]["pioneer_crew"]
    avg_paths = metric_nodes(award, "avg(riders[pioneer_rider.eligible].pioneer_rider)")
    assert avg_paths
    riders = exported.doc["awards"]["pioneer_rider"]["results"]
    totals = {r["subject"]: r["total"] for r in riders if r["eligible"]}
    assert 0 < len(totals) < len(riders)  # some riders are left out
    members: dict[str, list[Decimal]] = {}
    for row in read_csv("riders"):
        if row["现所在班组"] and row["骑手编号"] in totals:
            members.setdefault(row["现所在班组"], []).append(totals[row["骑手编号"]])
    crews = exported.doc["awards"]["pioneer_crew"]["results"]
    assert crews
    for r in crews:
        mine = members.get(r["subject"], [])
        expected = six(sum(mine, Decimal(0)) / len(mine)) if mine else None
        for path in avg_paths:
            got = r["metrics"][path]
            assert (got if got is None else got.normalize()) == expected, r["subject"]
