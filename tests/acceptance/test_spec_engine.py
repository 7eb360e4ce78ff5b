"""Acceptance tests for the scoring engine, written from /work/shared/SPEC.md alone.

Every test builds its own small campaign and data folder, drives the real CLI
(click's CliRunner on `scoring.cli.cli`, plus a few real subprocesses) and reads
the §4.1 JSON export back with exact decimals.  Tests marked xfail(strict=True)
assert SPEC behaviour the product does not (yet) implement.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scoring.cli import cli

ROOT = Path(__file__).resolve().parents[2]
PIONEER = ROOT / ".venv" / "bin" / "pioneer"
if not PIONEER.exists():  # pragma: no cover - fall back to the current interpreter
    PIONEER = Path(sys.executable).with_name("pioneer")
ACTOR = ["--as", "tester"]

# --------------------------------------------------------------------------- helpers


def invoke(args: list[str]) -> Any:
    """Run the CLI in process; the result has exit_code, stdout, stderr."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)


def cells(v: Any) -> str:
    return "" if v is None else str(v)


def write_csv(
    path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8"
) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([cells(c) for c in r])
    path.write_bytes(buf.getvalue().encode(encoding))


def rules_file(
    tmp: Path, tables: str, awards: str, precision: int = 2, name: str = "r.yaml"
) -> Path:
    text = (
        "version: 1\n"
        f"campaign: {{id: acc, title: 验收评选, precision: {precision}}}\n"
        "tables:\n"
        + textwrap.indent(textwrap.dedent(tables), "  ")
        + "awards:\n"
        + textwrap.indent(textwrap.dedent(awards), "  ")
    )
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


def load_json(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


class Scored:
    def __init__(self, tmp: Path, db: Path, run_id: str, score_result: Any) -> None:
        self.tmp = tmp
        self.db = db
        self.run_id = run_id
        self.score = score_result
        exp = invoke(["export", "--db", db, "--run", run_id, "--format", "json"])
        assert exp.exit_code == 0, exp.output
        self.doc = load_json(exp.stdout)

    def award(self, name: str) -> list[dict[str, Any]]:
        return self.doc["awards"][name]["results"]

    def row(self, award: str, subject: str) -> dict[str, Any]:
        for r in self.award(award):
            if r["subject"] == subject:
                return r
        raise KeyError(subject)


def score(
    tmp: Path,
    rules: Path,
    data: Path,
    period: str = "2022",
    ok_codes: tuple[int, ...] = (0,),
) -> Scored:
    db = tmp / "store.db"
    res = invoke(["score", rules, "--db", db, "--period", period, "--data", data, *ACTOR])
    assert res.exit_code in ok_codes, (res.exit_code, res.output, res.exception)
    m = re.fullmatch(r"run (\d+)", res.stdout.strip().splitlines()[-1])
    assert m, res.stdout
    return Scored(tmp, db, m.group(1), res)


def folder(tmp: Path, tables: dict[str, tuple[list[str], list[list[Any]]]]) -> Path:
    d = tmp / "data"
    d.mkdir(exist_ok=True)
    for name, (header, rows) in tables.items():
        write_csv(d / f"{name}.csv", header, rows)
    return d


def D(x: Any) -> Decimal:
    return Decimal(str(x))


# ------------------------------------------------------------------ campaign "people"

PEOPLE = """\
people:
  key: id
  columns:
    id: text
    name: {type: text, header: 姓名}
    unit: {type: text, header: 单位}
    ok: {type: bool, header: 合格}
    lvl: number
people_rec:
  date: day
  links: {people: who}
  columns: {who: text, day: {type: date, header: 日期}, v: number, k: text, voter: text, flag: bool}
"""
PEOPLE_HDR = ["id", "姓名", "单位", "合格", "lvl"]
REC_HDR = ["who", "日期", "v", "k", "voter", "flag"]


def people_data(
    tmp: Path, people: list[list[Any]], recs: list[list[Any]]
) -> Path:  # pragma: no cover - trivial
    return folder(tmp, {"people": (PEOPLE_HDR, people), "people_rec": (REC_HDR, recs)})


# =========================================================================== §2.1 check


def check(tmp: Path, awards: str, tables: str = PEOPLE) -> Any:
    return invoke(["check", rules_file(tmp, tables, awards)])


LEAF = "{max: 10, metric: count(people_rec), score: {per: 1}}"


def test_check_clean_rule_passes(tmp_path: Path) -> None:
    res = check(tmp_path, f"a:\n  title: 甲\n  subjects: people\n  criteria:\n    x: {LEAF}\n")
    assert res.exit_code == 0, res.output


def test_check_children_max_sum_warning(tmp_path: Path) -> None:
    awards = f"""\
    a:
      title: 甲
      subjects: people
      criteria:
        grp:
          max: 30
          criteria:
            x: {LEAF}
            y: {LEAF}
    """
    res = check(tmp_path, awards)
    assert res.exit_code == 0, res.output
    assert re.search(r"warn", res.output, re.I), res.output
    assert "grp" in res.output


def test_check_leaf_without_max_is_error(tmp_path: Path) -> None:
    awards = """\
    a:
      title: 甲
      subjects: people
      criteria:
        x: {metric: count(people_rec), score: {per: 1}}
        y: {max: 5, metric: count(people_rec), score: {per: 1}}
    """
    res = check(tmp_path, awards)
    assert res.exit_code == 1, res.output


def test_check_top_level_not_positive_is_error(tmp_path: Path) -> None:
    awards = """\
    a:
      title: 甲
      subjects: people
      criteria:
        x: {max: 0, metric: count(people_rec), score: {per: 1}}
    """
    res = check(tmp_path, awards)
    assert res.exit_code == 1, res.output


@pytest.mark.parametrize(
    "score_yaml",
    [
        "{linear: [5, 5]}",
        "{bands: [{min: 1, points: 11}, {points: 0}]}",
    ],
)
def test_check_degenerate_scores_are_errors(tmp_path: Path, score_yaml: str) -> None:
    awards = f"a:\n  title: 甲\n  subjects: people\n  criteria:\n    x: {{max: 10, metric: count(people_rec), score: {score_yaml}}}\n"
    assert check(tmp_path, awards).exit_code == 1


def test_check_at_least_with_count_is_error(tmp_path: Path) -> None:
    awards = f"a:\n  title: 甲\n  subjects: people\n  criteria:\n    x: {LEAF}\n  quota: {{count: 2, at_least: 1}}\n"
    assert check(tmp_path, awards).exit_code == 1


def test_check_bonus_item_without_max_is_error(tmp_path: Path) -> None:
    awards = f"a:\n  title: 甲\n  subjects: people\n  criteria:\n    x: {LEAF}\n  bonus:\n    max: 5\n    items:\n      b: {{metric: count(people_rec), score: {{per: 1}}}}\n"
    assert check(tmp_path, awards).exit_code == 1


def test_check_trimmed_mean_k_not_literal_is_error(tmp_path: Path) -> None:
    awards = 'a:\n  title: 甲\n  subjects: people\n  criteria:\n    x: {max: 10, metric: "trimmed_mean(people_rec.v, lvl)", score: {per: 1}}\n'
    assert check(tmp_path, awards).exit_code == 1


def test_check_grades_warnings(tmp_path: Path) -> None:
    awards = f"a:\n  title: 甲\n  subjects: people\n  criteria:\n    x: {LEAF}\n  grades: {{合格: 5, 优秀: 9}}\n"
    res = check(tmp_path, awards)
    assert res.exit_code == 0, res.output
    assert re.search(r"warn", res.output, re.I)


def test_check_type_error_points_inside_yaml(tmp_path: Path) -> None:
    awards = """\
    a:
      title: 甲
      subjects: people
      criteria:
        x: {max: 10, metric: "count(people_rec[k == 3])", score: {per: 1}}
    """
    res = check(tmp_path, awards)
    assert res.exit_code == 1
    assert "r.yaml" in res.output
    assert "^" in res.output


def test_check_unknown_column_is_error(tmp_path: Path) -> None:
    awards = 'a:\n  title: 甲\n  subjects: people\n  criteria:\n    x: {max: 10, metric: "sum(people_rec.nope)", score: {per: 1}}\n'
    res = check(tmp_path, awards)
    assert res.exit_code == 1
    assert "nope" in res.output


# =========================================================================== §2.2 scoring


SCORING_AWARD = """\
s:
  title: 计分
  subjects: people
  eligible: ok
  criteria:
    lin: {max: 10, metric: "max(people_rec.v)", score: {linear: [0, 10]}}
    rev: {max: 10, metric: "max(people_rec.v)", score: {linear: [10, 0]}}
    bnd:
      max: 10
      metric: "max(people_rec.v)"
      score:
        bands:
          - {min: 8, points: 10}
          - {min: 3, max: 5, points: 6}
          - {max: 1, points: 2}
    neg: {max: 10, metric: "max(people_rec.v)", score: {per: -3}}
    pos: {max: 10, metric: "max(people_rec.v)", score: {per: 2.5}}
    pin: {max: 10, metric: "max(people_rec.v)", score: {percentile: {within: unit}}}
    pall: {max: 10, metric: "max(people_rec.v)", score: {percentile: {}}}
    frm: {max: 10, metric: "max(people_rec.v)", score: {formula: "node('lin') + 1"}}
    whn: {max: 3, metric: "max(people_rec.v)", score: {when: "x >= 4"}}
    dfl: {max: 10, metric: "max(people_rec.v)", default: 0, score: {percentile: {}}}
"""


@pytest.fixture(scope="module")
def scoring_run(tmp_path_factory: pytest.TempPathFactory) -> Scored:
    tmp = tmp_path_factory.mktemp("scoring")
    rules = rules_file(tmp, PEOPLE, SCORING_AWARD)
    people = [
        ["A", "甲", "u1", "是", None],
        ["B", "乙", "u1", "是", None],
        ["C", "丙", "u1", "是", None],
        ["D", "丁", "u1", "是", None],
        ["E", "戊", "u2", "是", None],
        ["F", "己", "u1", "否", None],  # ineligible
        ["G", "庚", "u1", "是", None],  # no records: null metric
    ]
    recs = [
        ["A", "2022-06-01", 1, None, None, None],
        ["B", "2022-06-01", 2, None, None, None],
        ["C", "2022-06-01", 2, None, None, None],
        ["D", "2022-06-01", 4, None, None, None],
        ["E", "2022-06-01", 7, None, None, None],
        ["F", "2022-06-01", 0, None, None, None],
    ]
    return score(tmp, rules, people_data(tmp, people, recs))


@pytest.mark.parametrize(
    ("subj", "node", "pts"),
    [
        ("A", "lin", "1"),
        ("E", "lin", "7"),
        ("A", "rev", "9"),
        ("D", "rev", "6"),
        ("A", "bnd", "2"),
        ("B", "bnd", "0"),
        ("D", "bnd", "6"),
        ("E", "bnd", "0"),
        ("C", "bnd", "0"),
        ("A", "neg", "7"),
        ("D", "neg", "0"),
        ("B", "pos", "5"),
        ("D", "pos", "10"),
        ("A", "frm", "2"),
        ("E", "frm", "8"),
        ("D", "whn", "3"),
        ("C", "whn", "0"),
        ("G", "lin", "0"),
        ("G", "neg", "0"),
        ("G", "whn", "0"),
    ],
)
def test_scoring_functions(scoring_run: Scored, subj: str, node: str, pts: str) -> None:
    assert scoring_run.row("s", subj)["points"][node] == D(pts)


def test_bands_inclusive_bounds(tmp_path: Path) -> None:
    awards = """\
    s:
      title: 计分
      subjects: people
      criteria:
        bnd:
          max: 10
          metric: "max(people_rec.v)"
          score:
            bands:
              - {min: 8, points: 10}
              - {min: 3, max: 5, points: 6}
              - {max: 1, points: 2}
    """
    people = [[k, k, "u", "是", None] for k in "PQRS"]
    recs = [
        ["P", "2022-01-01", 3, None, None, None],
        ["Q", "2022-01-01", 5, None, None, None],
        ["R", "2022-01-01", 8, None, None, None],
        ["S", "2022-01-01", 1, None, None, None],
    ]
    sc = score(tmp_path, rules_file(tmp_path, PEOPLE, awards), people_data(tmp_path, people, recs))
    got = {r["subject"]: r["points"]["bnd"] for r in sc.award("s")}
    assert got == {"P": 6, "Q": 6, "R": 10, "S": 2}


def test_percentile_within_ties_and_single(scoring_run: Scored) -> None:
    pin = {r["subject"]: r["points"]["pin"] for r in scoring_run.award("s")}
    assert pin == {
        "A": 0,
        "B": D("3.33"),
        "C": D("3.33"),
        "D": 10,
        "E": 10,  # n = 1 in u2
        "F": 0,  # unranked
        "G": 0,  # no data
    }
    pall = {r["subject"]: r["points"]["pall"] for r in scoring_run.award("s")}
    assert pall == {"A": 0, "B": D("2.5"), "C": D("2.5"), "D": D("7.5"), "E": 10, "F": 0, "G": 0}


def test_percentile_unranked_reports_metric(scoring_run: Scored) -> None:
    f = scoring_run.row("s", "F")
    assert f["eligible"] is False
    assert f["rank"] is None and f["grade"] is None and f["selected"] is False
    assert f["metrics"]["pin"] == 0
    assert scoring_run.row("s", "G")["metrics"]["pin"] is None


def test_default_joins_percentile_population(scoring_run: Scored) -> None:
    # G has no data but default 0 → joins; population A1 B2 C2 D4 E7 G0 (n = 6)
    dfl = {r["subject"]: r["points"]["dfl"] for r in scoring_run.award("s")}
    assert dfl["G"] == 0
    assert dfl["A"] == D("2")  # 1 smaller (G) / 5 → 0.2 × 10
    assert dfl["E"] == 10
    assert scoring_run.row("s", "G")["metrics"]["dfl"] == 0


def test_total_is_sum_of_rounded_points(scoring_run: Scored) -> None:
    for r in scoring_run.award("s"):
        assert r["total"] == sum(r["points"].values()), r


# ======================================================================= §2.3 expressions

EXPR_AWARD = """\
e:
  title: 表达式
  subjects: people
  criteria:
    cnt: {max: 100, metric: "count(people_rec)", score: {per: 1}}
    cnt_v: {max: 100, metric: "count(people_rec.v)", score: {per: 1}}
    cnt_kv: {max: 100, metric: "count(people_rec[k == 'a'].v)", score: {per: 1}}
    sum_v: {max: 100, metric: "sum(people_rec.v)", score: {per: 1}}
    avg_v: {max: 100, metric: "avg(people_rec.v)", score: {per: 1}}
    min_v: {max: 100, metric: "min(people_rec.v)", score: {per: 1}}
    cd: {max: 100, metric: "count_distinct(people_rec.k)", score: {per: 1}}
    shr: {max: 100, metric: "share(people_rec[flag])", score: {per: 1}}
    in_null: {max: 100, metric: "count(people_rec[k in ['a', null]])", score: {per: 1}}
    not_in: {max: 100, metric: "count(people_rec[k not in ['a']])", score: {per: 1}}
    not_in_null: {max: 100, metric: "count(people_rec[k not in ['a', null]])", score: {per: 1}}
    divz: {max: 100, metric: "sum(people_rec.v) / count(people_rec[k == 'zz'])", score: {per: 1}}
    med: {max: 100, metric: "median(people_rec.v)", score: {per: 1}}
    tm: {max: 100, metric: "trimmed_mean(people_rec.v, 1)", score: {per: 1}}
    selfv: {max: 100, metric: "count(people_rec[voter != subject.id])", score: {per: 1}}
    rnd_neg: {max: 100, metric: "round(0 - 2.5)", score: {per: 1}}
    rnd2: {max: 100, metric: "round(2.345, 2)", score: {per: 1}}
    rnd_h: {max: 100, metric: "round(0.125, 2)", score: {per: 1}}
    lst: {max: 100, metric: "least(avg(people_rec.v), 5, 7)", score: {per: 1}}
    grt: {max: 100, metric: "greatest(avg(people_rec.v), 1)", score: {per: 1}}
    grt_all_null: {max: 100, metric: "greatest(avg(people_rec.v), min(people_rec.v))", score: {per: 1}}
    cond: {max: 100, metric: "1 if avg(people_rec.v) > 0 else 2", score: {per: 1}}
    coal: {max: 100, metric: "coalesce(avg(people_rec.v), 42)", score: {per: 1}}
    or_null: {max: 1, metric: "avg(people_rec.v) > 0 or true", score: {when: "x"}}
    and_null: {max: 1, metric: "avg(people_rec.v) > 0 and false", score: {when: "x"}}
    not_null: {max: 1, metric: "not (avg(people_rec.v) > 0)", score: {when: "x"}}
    cmp_null: {max: 1, metric: "avg(people_rec.v) == null", score: {when: "x"}}
    dt: {max: 1, metric: "period.end - days(180)", score: {when: "x < period.end"}}
    third: {max: 100, metric: "sum(people_rec.v) / 3", score: {per: 1}}
    exact: {max: 100, metric: "0.1 + 0.2", score: {per: 1}}
"""


@pytest.fixture(scope="module")
def expr_run(tmp_path_factory: pytest.TempPathFactory) -> Scored:
    tmp = tmp_path_factory.mktemp("expr")
    rules = rules_file(tmp, PEOPLE, EXPR_AWARD, precision=2)
    people = [
        ["P1", "甲", "u", "是", None],
        ["P2", "乙", "u", "是", None],
        ["P3", "丙", "u", "是", None],
    ]
    recs = [
        ["P1", "2022-03-01", 10, "a", "P1", "是"],
        ["P1", "2022-05-01", None, "b", "X", "否"],
        ["P1", "2022-07-01", 20, None, "Y", None],
        ["P1", "2021-12-31", 100, "a", "Y", "是"],  # outside the period
        ["P1", "2023-01-01", 100, "a", "Y", "是"],  # outside the period
        ["P3", "2022-01-01", 1, "a", "P3", "是"],
        ["P3", "2022-02-01", 2, "a", "Z", "是"],
        ["P3", "2022-03-01", 3, "a", "Z", "是"],
        ["P3", "2022-04-01", 4, "a", "Z", "是"],
        ["P3", "2022-12-31", 100, "a", "Z", "是"],
    ]
    return score(tmp, rules, people_data(tmp, people, recs))


@pytest.mark.parametrize(
    ("subj", "node", "metric"),
    [
        ("P1", "cnt", 3),
        ("P1", "cnt_v", 2),
        ("P1", "cnt_kv", 1),
        ("P1", "sum_v", 30),
        ("P2", "sum_v", 0),
        ("P2", "cnt", 0),
        ("P1", "avg_v", 15),
        ("P2", "avg_v", None),
        ("P2", "min_v", None),
        ("P1", "cd", 2),
        ("P2", "cd", 0),
        ("P1", "shr", "0.333333"),
        ("P2", "shr", None),
        ("P1", "in_null", 1),
        ("P1", "not_in", 1),
        ("P1", "not_in_null", 0),
        ("P1", "divz", None),
        ("P1", "med", 15),
        ("P3", "med", 3),
        ("P2", "med", None),
        ("P3", "tm", 3),
        ("P1", "tm", None),
        ("P1", "selfv", 2),
        ("P3", "selfv", 4),
        ("P1", "rnd_neg", -3),
        ("P1", "rnd2", "2.35"),
        ("P1", "rnd_h", "0.13"),
        ("P1", "lst", 5),
        ("P2", "lst", 5),
        ("P2", "grt", 1),
        ("P2", "grt_all_null", None),
        ("P1", "cond", 1),
        ("P2", "cond", 2),
        ("P2", "coal", 42),
        ("P2", "or_null", True),
        ("P2", "and_null", False),
        ("P2", "not_null", None),
        ("P2", "cmp_null", None),
        ("P1", "dt", "2022-07-04"),
        ("P3", "third", "36.666667"),
        ("P1", "exact", "0.3"),
    ],
)
def test_expression_metrics(expr_run: Scored, subj: str, node: str, metric: Any) -> None:
    got = expr_run.row("e", subj)["metrics"][node]
    if isinstance(metric, bool) or metric is None:
        assert got is metric
    elif isinstance(metric, str) and "-" in metric[1:]:
        assert got == metric
    else:
        assert isinstance(got, int | Decimal) and not isinstance(got, bool), got
        assert D(got) == D(metric)


def test_expression_points(expr_run: Scored) -> None:
    p1 = expr_run.row("e", "P1")["points"]
    assert p1["rnd_neg"] == 0  # per clipped to [0, max]
    assert p1["divz"] == 0
    assert p1["dt"] == 1
    assert expr_run.row("e", "P3")["points"]["third"] == D("36.67")
    p2 = expr_run.row("e", "P2")["points"]
    assert p2["or_null"] == 1 and p2["not_null"] == 0


def test_metric_bools_are_json_booleans(expr_run: Scored) -> None:
    raw = invoke(
        ["export", "--db", expr_run.db, "--run", expr_run.run_id, "--format", "json"]
    ).stdout
    doc = json.loads(raw)
    row = next(r for r in doc["awards"]["e"]["results"] if r["subject"] == "P2")
    assert row["metrics"]["or_null"] is True
    assert row["metrics"]["and_null"] is False


def test_trimmed_mean_too_few_warns_naming_node(expr_run: Scored) -> None:
    res = invoke(
        [
            "explain",
            "--db",
            expr_run.db,
            "--run",
            expr_run.run_id,
            "--award",
            "e",
            "--subject",
            "P1",
        ]
    )
    assert res.exit_code == 0, res.output
    warn_lines = [ln for ln in res.output.splitlines() if re.search(r"warn|警告|trim", ln, re.I)]
    assert any("tm" in ln for ln in warn_lines), res.output


# =============================================================== §2.4 ranking and quota

STAFF = """\
staff:
  key: id
  columns:
    id: int
    name: {type: text, header: 姓名}
    unit: {type: text, header: 单位}
    ok: bool
staff_rec:
  date: day
  links: {staff: sid}
  columns: {sid: int, day: date, a: number, b: number}
"""


def rank_run(
    tmp: Path,
    subjects: list[tuple[Any, Any, Any, Any]],
    extra: str = "",
    ok: dict[Any, bool] | None = None,
) -> Scored:
    """subjects: (key, unit, a, b); total = a + b."""
    awards = (
        "r:\n  title: 排名\n  subjects: staff\n  eligible: ok\n  criteria:\n"
        "    a: {max: 1000, metric: sum(staff_rec.a), score: {per: 1}}\n"
        "    b: {max: 1000, metric: sum(staff_rec.b), score: {per: 1}}\n"
        + textwrap.indent(textwrap.dedent(extra), "  ")
    )
    ok = ok or {}
    people = [[k, f"名{k}", u, "否" if ok.get(k) is False else "是"] for k, u, _, _ in subjects]
    recs = [[k, "2022-06-30", a, b] for k, _, a, b in subjects]
    data = folder(
        tmp,
        {
            "staff": (["id", "姓名", "单位", "ok"], people),
            "staff_rec": (["sid", "day", "a", "b"], recs),
        },
    )
    return score(tmp, rules_file(tmp, STAFF, awards), data)


def order(sc: Scored, award: str = "r") -> list[tuple[str, Any]]:
    return [(r["subject"], r["rank"]) for r in sc.award(award)]


def test_competition_ranks_int_key_numeric_and_unranked_last(tmp_path: Path) -> None:
    sc = rank_run(
        tmp_path,
        [
            (10, "u", 40, 0),
            (9, "u", 30, 0),
            (2, "u", 40, 0),
            (1, "u", 50, 0),
            (20, "u", 99, 0),
            (3, "u", 99, 0),
        ],
        ok={20: False, 3: False},
    )
    assert order(sc) == [("1", 1), ("2", 2), ("10", 2), ("9", 4), ("3", None), ("20", None)]
    for r in sc.award("r"):
        assert isinstance(r["subject"], str)


def test_tie_break_descending_and_negated(tmp_path: Path) -> None:
    subj = [(2, "u", 30, 10), (10, "u", 20, 20), (1, "u", 5, 5)]
    sc = rank_run(tmp_path / "x", subj, extra="ranking: {tie_break: [b]}\n")
    assert order(sc) == [("10", 1), ("2", 2), ("1", 3)]
    sc = rank_run(tmp_path / "y", subj, extra="ranking: {tie_break: [-b]}\n")
    assert order(sc) == [("2", 1), ("10", 2), ("1", 3)]


@pytest.fixture(autouse=True)
def _mk(tmp_path: Path) -> None:
    for sub in ("x", "y", "z"):
        (tmp_path / sub).mkdir(exist_ok=True)


def selected(sc: Scored, award: str = "r") -> set[str]:
    return {r["subject"] for r in sc.award(award) if r["selected"]}


def ties(sc: Scored, award: str = "r") -> set[str]:
    return {r["subject"] for r in sc.award(award) if r["boundary_tie"]}


def test_quota_share_floor_and_at_least(tmp_path: Path) -> None:
    subj = [(i, "u", 10 * i, 0) for i in range(1, 6)]
    sc = rank_run(tmp_path / "x", subj, extra="quota: {share: 0.5}\n")
    assert selected(sc) == {"5", "4"}
    sc = rank_run(tmp_path / "y", subj, extra="quota: {share: 0.1, at_least: 3}\n")
    assert selected(sc) == {"5", "4", "3"}
    sc = rank_run(tmp_path / "z", subj, extra="quota: {share: 0.1, at_least: 9}\n")
    assert selected(sc) == {"1", "2", "3", "4", "5"}


def test_quota_no_quota_selects_nobody(tmp_path: Path) -> None:
    sc = rank_run(tmp_path, [(1, "u", 1, 0), (2, "u", 2, 0)])
    assert selected(sc) == set()


def test_quota_min_score_leaves_seats_empty(tmp_path: Path) -> None:
    subj = [(1, "u", 10, 0), (2, "u", 8, 0), (3, "u", 5, 0)]
    sc = rank_run(tmp_path, subj, extra="quota: {count: 3, min_score: 8}\n")
    assert selected(sc) == {"1", "2"}


def test_quota_per_largest_remainder_tie_more_ranked(tmp_path: Path) -> None:
    # N = 3 over 6 ranked: A 3 → 1.5, B 1 → 0.5, C 2 → 1.0; the tied .5 goes to A (more ranked)
    subj = [
        (1, "A", 90, 0),
        (2, "A", 80, 0),
        (3, "A", 70, 0),
        (4, "B", 99, 0),
        (5, "C", 60, 0),
        (6, "C", 50, 0),
    ]
    sc = rank_run(tmp_path, subj, extra="quota: {count: 3, per: unit}\n")
    assert selected(sc) == {"1", "2", "5"}


def test_quota_per_remainder_tie_text_order_null_first(tmp_path: Path) -> None:
    subj = [(1, "b", 90, 0), (2, "a", 10, 0)]
    sc = rank_run(tmp_path / "x", subj, extra="quota: {count: 1, per: unit}\n")
    assert selected(sc) == {"2"}
    subj = [(1, "a", 90, 0), (2, None, 10, 0)]
    sc = rank_run(tmp_path / "y", subj, extra="quota: {count: 1, per: unit}\n")
    assert selected(sc) == {"2"}
    subj = [(1, "甲", 90, 0), (2, "b", 10, 0)]
    sc = rank_run(tmp_path / "z", subj, extra="quota: {count: 1, per: unit}\n")
    assert selected(sc) == {"2"}


def test_quota_per_ignores_unranked_in_proportion(tmp_path: Path) -> None:
    # A has 1 ranked + 2 ineligible, B has 2 ranked: N = 1 → B (2/3 vs 1/3)
    subj = [(1, "A", 99, 0), (2, "A", 98, 0), (3, "A", 97, 0), (4, "B", 10, 0), (5, "B", 5, 0)]
    sc = rank_run(tmp_path, subj, extra="quota: {count: 1, per: unit}\n", ok={2: False, 3: False})
    assert selected(sc) == {"4"}


@pytest.mark.parametrize(
    ("policy", "sel"),
    [("flag", {"1"}), ("include_all", {"1", "2", "3"}), ("exclude_all", {"1"}), (None, {"1"})],
)
def test_boundary_tie_policies(tmp_path: Path, policy: str | None, sel: set[str]) -> None:
    subj = [(1, "u", 10, 0), (2, "u", 8, 0), (3, "u", 8, 0), (4, "u", 5, 0)]
    q = "quota: {count: 2" + (f", boundary_tie: {policy}" if policy else "") + "}\n"
    sc = rank_run(tmp_path, subj, extra=q)
    assert selected(sc) == sel
    assert ties(sc) == {"2", "3"}


def test_boundary_tie_all_fit_is_not_a_tie(tmp_path: Path) -> None:
    subj = [(1, "u", 10, 0), (2, "u", 8, 0), (3, "u", 8, 0), (4, "u", 5, 0)]
    sc = rank_run(tmp_path, subj, extra="quota: {count: 3}\n")
    assert selected(sc) == {"1", "2", "3"}
    assert ties(sc) == set()


def test_boundary_tie_below_min_score_ignored(tmp_path: Path) -> None:
    # the tie at the last seat lies below min_score: nobody there can be selected, no tie
    subj = [(1, "u", 10, 0), (2, "u", 8, 0), (3, "u", 8, 0)]
    sc = rank_run(tmp_path, subj, extra="quota: {count: 2, min_score: 9}\n")
    assert selected(sc) == {"1"}
    assert ties(sc) == set()


def test_boundary_tie_within_per_group(tmp_path: Path) -> None:
    subj = [(1, "A", 10, 0), (2, "A", 8, 0), (3, "B", 8, 0), (4, "B", 8, 0)]
    sc = rank_run(tmp_path, subj, extra="quota: {count: 2, per: unit}\n")
    assert selected(sc) == {"1"}
    assert ties(sc) == {"3", "4"}


def test_grades_by_threshold_any_order(tmp_path: Path) -> None:
    subj = [(1, "u", 95, 0), (2, "u", 80, 0), (3, "u", 10, 0), (4, "u", 99, 0)]
    sc = rank_run(tmp_path, subj, extra="grades: {合格: 60, 优秀: 90, 良好: 75}\n", ok={4: False})
    g = {r["subject"]: r["grade"] for r in sc.award("r")}
    assert g == {"1": "优秀", "2": "良好", "3": None, "4": None}


# ============================================ §2.1/§2.3/§2.5/§4.1 linked awards and export

TEAMS = """\
crews:
  key: code
  columns:
    code: {type: text, header: 班组编号}
    name: {type: text, header: 班组名称}
    unit: {type: text, header: 所属单位}
    phone: {type: text, header: 电话, private: true}
riders:
  key: id
  columns:
    id: {type: text, header: 编号}
    name: {type: text, header: 姓名}
    unit: {type: text, header: 所属单位}
    crew: {type: text, header: 班组}
    member: {type: bool, header: 党员}
    joined: {type: date, header: 入职日期}
  links: {crews: crew}
jobs:
  date: day
  links: {riders: rider, crews: crew}
  columns:
    rider: {type: text, header: 骑手}
    crew: {type: text, header: 班组}
    day: {type: date, header: 日期}
    parcels: {type: int, header: 件数}
    bad: {type: bool, header: 事故}
"""

TEAM_AWARDS = """\
star:
  title: 先锋骑手
  subjects: riders
  eligible: member and joined <= period.end - days(180)
  veto:
    - {when: "count(jobs[bad]) > 0", reason: 发生事故}
    - {when: "sum(jobs.parcels) > 1000", reason: 超量}
    - {when: "null", reason: 不应否决}
  criteria:
    work:
      title: 业务
      max: 10
      criteria:
        vol: {max: 8, metric: sum(jobs.parcels), score: {per: 0.1}}
        days: {max: 4, metric: count_distinct(jobs.day), score: {per: 1}}
  bonus:
    max: 3
    items:
      extra: {max: 2, metric: count(jobs), score: {per: 1}}
      joined_early: {max: 2, metric: "joined", score: {when: "x < period.start - days(730)"}}
  deductions:
    max: 50
    items:
      late: {max: 50, metric: "count(jobs[parcels == 0])", score: {per: 25}}
  grades: {优秀: 12, 合格: 0}
crew_award:
  title: 先锋班组
  subjects: crews
  eligible: "count(riders[star >= 5]) > 0"
  criteria:
    avg_star: {max: 20, metric: "avg(riders.star)", score: {per: 1}}
    crew_jobs: {max: 100, metric: "sum(jobs.parcels)", score: {per: 0.1}}
  quota: {count: 1}
"""


@pytest.fixture(scope="module")
def team_run(tmp_path_factory: pytest.TempPathFactory) -> Scored:
    tmp = tmp_path_factory.mktemp("teams")
    rules = rules_file(tmp, TEAMS, TEAM_AWARDS)
    data = tmp / "data"
    data.mkdir()
    write_csv(
        data / "crews.csv",
        ["班组编号", "班组名称", "所属单位", "电话"],
        [
            ["C1", "一班", "城关", "138"],
            ["C2", "二班", "城关", "139"],
            ["C3", "=SUM(A1)", "乡镇", None],
        ],
    )
    write_csv(
        data / "riders.csv",
        ["编号", "姓名", "所属单位", "班组", "党员", "入职日期"],
        [
            ["R1", "张三", "城关", "C1", "是", "2019-05-01"],
            ["R2", "李四", "城关", "C1", "是", "2022-12-01"],  # too recent → ineligible
            ["R3", "王五", "城关", "C2", "是", "2021-01-01"],  # vetoed (accident, over volume)
            ["R4", "赵六", "城关", None, "否", "2020-01-01"],  # no crew, not a member
            ["R5", "钱七", "城关", "C2", "是", "2020-06-01"],  # a zero-parcel record → deduction
        ],
    )
    write_csv(
        data / "jobs.csv",
        ["骑手", "班组", "日期", "件数", "事故"],
        [
            ["R1", "C1", "2022-01-05", 50, "否"],
            ["R1", "C1", "2022-01-05", 30, "否"],
            ["R1", "C2", "2022-02-01", 20, "否"],  # worked for C2 at the time
            ["R2", "C1", "2022-03-01", 10, "否"],
            ["R3", "C2", "2022-03-01", 1001, "是"],
            ["R5", "C2", "2022-04-01", 0, "否"],
            [None, "C3", "2022-04-01", 7, "否"],  # no rider: links to the crew only
        ],
    )
    return score(tmp, rules, data)


def test_linked_award_breakdown(team_run: Scored) -> None:
    r1 = team_run.row("star", "R1")
    assert r1["eligible"] is True and r1["veto"] == []
    assert r1["points"]["work.vol"] == 8  # 100 parcels × 0.1, clipped to 8
    assert r1["points"]["work.days"] == 2
    assert r1["points"]["work"] == 10  # 8 + 2
    assert r1["points"]["bonus.extra"] == 2
    assert r1["points"]["bonus.joined_early"] == 2
    assert r1["points"]["bonus"] == 3  # clipped to the block max
    assert r1["points"]["deductions"] == 0
    assert r1["total"] == 13
    assert r1["grade"] == "优秀"
    assert r1["metrics"]["bonus.joined_early"] == "2019-05-01"
    assert r1["metrics"]["deductions.late"] == 0
    assert set(r1["points"]) == {
        "work", "work.vol", "work.days", "bonus", "bonus.extra", "bonus.joined_early",
        "deductions", "deductions.late",
    }  # fmt: skip
    assert set(r1["metrics"]) == {
        "work.vol",
        "work.days",
        "bonus.extra",
        "bonus.joined_early",
        "deductions.late",
    }


def test_total_never_below_zero(team_run: Scored) -> None:
    r5 = team_run.row("star", "R5")
    assert r5["points"]["deductions.late"] == 25
    assert r5["total"] == 0


def test_veto_and_eligibility(team_run: Scored) -> None:
    r3 = team_run.row("star", "R3")
    assert r3["veto"] == ["发生事故", "超量"]
    assert r3["rank"] is None and r3["selected"] is False
    assert r3["points"]["work.vol"] == 8  # scored for the record
    r2 = team_run.row("star", "R2")
    assert r2["eligible"] is False and r2["rank"] is None
    assert team_run.row("star", "R4")["eligible"] is False


def test_award_reads_other_award_total(team_run: Scored) -> None:
    c1 = team_run.row("crew_award", "C1")
    star = {r["subject"]: r["total"] for r in team_run.award("star")}
    # every rider linked to C1, ranked or not: R1 and R2
    assert c1["metrics"]["avg_star"] == (star["R1"] + star["R2"]) / 2
    assert c1["eligible"] is True
    assert c1["metrics"]["crew_jobs"] == 90  # records linked through their own crew column
    c2 = team_run.row("crew_award", "C2")
    assert c2["metrics"]["crew_jobs"] == 1021
    c3 = team_run.row("crew_award", "C3")
    assert c3["eligible"] is False  # no riders at all
    assert c3["metrics"]["avg_star"] is None
    assert c3["metrics"]["crew_jobs"] == 7


def test_award_without_bonus_has_no_bonus_keys(team_run: Scored) -> None:
    for r in team_run.award("crew_award"):
        assert set(r["points"]) == {"avg_star", "crew_jobs"}


def test_export_shape(team_run: Scored) -> None:
    doc = team_run.doc
    assert set(doc) == {"run", "awards"}
    run = doc["run"]
    assert set(run) >= {
        "id",
        "campaign",
        "period",
        "status",
        "rules_sha256",
        "dataset_sha256",
        "results_sha256",
        "audit_head",
    }
    assert run["campaign"] == "acc"
    assert run["period"] == {"start": "2022-01-01", "end": "2022-12-31"}
    assert run["status"] == "draft"
    assert str(run["id"]) == team_run.run_id
    assert doc["awards"]["star"]["title"] == "先锋骑手"
    keys = {"subject", "name", "unit", "eligible", "veto", "total", "rank", "grade", "selected",
            "boundary_tie", "points", "metrics", "adjustments"}  # fmt: skip
    for award in doc["awards"].values():
        for r in award["results"]:
            assert set(r) == keys, set(r) ^ keys
            assert r["adjustments"] == []
    assert team_run.row("star", "R1")["name"] == "张三"
    assert team_run.row("star", "R1")["unit"] == "城关"


def test_export_order_rank_key_then_unranked(team_run: Scored) -> None:
    rows = team_run.award("star")
    ranked = [r for r in rows if r["rank"] is not None]
    unranked = [r for r in rows if r["rank"] is None]
    assert rows == ranked + unranked
    assert [r["subject"] for r in unranked] == sorted(r["subject"] for r in unranked)
    assert [(r["rank"], r["subject"]) for r in ranked] == sorted(
        (r["rank"], r["subject"]) for r in ranked
    )


def test_rerun_byte_identical(team_run: Scored, tmp_path: Path) -> None:
    res = invoke(
        ["score", team_run.tmp / "r.yaml", "--db", team_run.db, "--period", "2022", *ACTOR]
    )
    assert res.exit_code == 0, res.output
    second = re.fullmatch(r"run (\d+)", res.stdout.strip().splitlines()[-1])
    assert second and second.group(1) != team_run.run_id
    again = load_json(
        invoke(["export", "--db", team_run.db, "--run", "latest", "--format", "json"]).stdout
    )
    assert again["run"]["results_sha256"] == team_run.doc["run"]["results_sha256"]
    assert again["awards"] == team_run.doc["awards"]
    # a fresh store from the same inputs
    fresh = score(tmp_path, team_run.tmp / "r.yaml", team_run.tmp / "data")
    assert fresh.doc["run"]["results_sha256"] == team_run.doc["run"]["results_sha256"]
    assert fresh.doc["run"]["dataset_sha256"] == team_run.doc["run"]["dataset_sha256"]


def test_export_to_file_and_other_formats(team_run: Scored, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    res = invoke(
        ["export", "--db", team_run.db, "--run", team_run.run_id, "--format", "json", "-o", out]
    )
    assert res.exit_code == 0, res.output
    assert "results_sha256" not in res.stdout
    from_file = load_json(out.read_text(encoding="utf-8"))
    assert from_file["awards"] == team_run.doc["awards"]
    assert from_file["run"]["results_sha256"] == team_run.doc["run"]["results_sha256"]
    for fmt in ("csv", "md", "html"):
        res = invoke(["export", "--db", team_run.db, "--run", team_run.run_id, "--format", fmt])
        assert res.exit_code == 0, res.output
        assert "138" not in res.stdout  # private column masked
        assert "=SUM(A1)" not in res.stdout.replace("'=SUM(A1)", "")


def test_check_dependency_cycle_is_error(tmp_path: Path) -> None:
    awards = TEAM_AWARDS.replace(
        "eligible: member and joined <= period.end - days(180)", 'eligible: "crew_award >= 0"'
    )
    awards = awards.replace("avg(riders.star)", "avg(riders.star)").replace(
        'eligible: "count(riders[star >= 5]) > 0"', 'eligible: "count(riders[star >= 5]) > 0"'
    )
    # star reads crew_award (its crew's total is not a rider column) → use a direct cycle instead
    awards = TEAM_AWARDS.replace(
        "vol: {max: 8, metric: sum(jobs.parcels), score: {per: 0.1}}",
        'vol: {max: 8, metric: sum(jobs.parcels), score: {per: 0.1}}\n        loop: {max: 1, metric: "star", score: {per: 1}}',
    )
    res = invoke(["check", rules_file(tmp_path, TEAMS, awards)])
    assert res.exit_code == 1, res.output


# ============================================================================ §3 ingest

ING = """\
members:
  key: id
  columns:
    id: {type: text, header: 编号}
    name: {type: text, header: 姓名}
    unit: {type: text, header: 单位}
    n: {type: int, header: 数量}
    x: {type: number, header: 金额}
    b: {type: bool, header: 党员}
    d: {type: date, header: 日期}
logs:
  date: day
  links: {members: mid}
  columns: {mid: text, day: date, q: int}
"""
ING_AWARD = """\
i:
  title: 读入
  subjects: members
  criteria:
    n: {max: 1, metric: "n", score: {per: 0}}
    x: {max: 1, metric: "x", score: {per: 0}}
    b: {max: 1, metric: "b", score: {when: "x"}}
    d: {max: 1, metric: "d", score: {when: "x >= period.start"}}
    q: {max: 1000, metric: "sum(logs.q)", score: {per: 1}}
    c: {max: 1000, metric: "count(logs)", score: {per: 1}}
"""
M_HDR = "编号,姓名,单位,数量,金额,党员,日期"


def ing_folder(tmp: Path, members: str, logs: str, enc: str = "utf-8") -> Path:
    d = tmp / "data"
    d.mkdir(exist_ok=True)
    (d / "members.csv").write_bytes(members.encode(enc))
    (d / "logs.csv").write_bytes(logs.encode("utf-8"))
    return d


def ingest(tmp: Path, data: Path, *extra: str) -> Any:
    rules = rules_file(tmp, ING, ING_AWARD)
    return invoke(["ingest", data, "--rules", rules, "--db", tmp / "store.db", *ACTOR, *extra])


def ing_score(tmp: Path, members: str, logs: str, enc: str = "utf-8", ok=(0,)) -> Scored:
    data = ing_folder(tmp, members, logs, enc)
    return score(tmp, rules_file(tmp, ING, ING_AWARD), data, ok_codes=ok)


def test_cell_spellings(tmp_path: Path) -> None:
    members = (
        "\ufeff" + M_HDR + "\n"
        '\u3000Ｍ１\u3000,张三 , 城关,１２３,"1,234",是,2022年3月1日\n'
        "M2,李四,城关,3.0,95%,否,2022/3/1 08:30:00\n"
        "M3,王五,城关,-7,-0.5,Y,2022-3-1\n"
        "M4,赵六,城关,,,对,2022-03-01T00:00:00\n"
        'M5,孙七,城关,+4,"12,345.25",FALSE,\n'
        "M6,周八,城关,0,0,No,2022-12-31\n"
    )
    logs = "mid,day,q\nＭ１,2022-01-01,1\n M2 ,2022/6/30,２\n,2022-01-01,5\n"
    sc = ing_score(tmp_path, members, logs)
    m = {r["subject"]: r["metrics"] for r in sc.award("i")}
    assert set(m) == {"M1", "M2", "M3", "M4", "M5", "M6"}
    assert m["M1"]["n"] == 123 and m["M1"]["x"] == 1234 and m["M1"]["b"] is True
    assert m["M1"]["d"] == "2022-03-01"
    assert m["M2"]["n"] == 3 and m["M2"]["x"] == D("0.95") and m["M2"]["b"] is False
    assert m["M2"]["d"] == "2022-03-01"
    assert m["M3"]["n"] == -7 and m["M3"]["x"] == D("-0.5") and m["M3"]["b"] is True
    assert m["M4"]["n"] is None and m["M4"]["x"] is None and m["M4"]["b"] is True
    assert m["M5"]["n"] == 4 and m["M5"]["x"] == D("12345.25") and m["M5"]["b"] is False
    assert m["M5"]["d"] is None
    assert m["M6"]["b"] is False
    assert m["M1"]["q"] == 1 and m["M2"]["q"] == 2
    assert sc.row("i", "M1")["name"] == "张三"
    assert sc.row("i", "M1")["unit"] == "城关"


def test_gb18030_csv(tmp_path: Path) -> None:
    members = M_HDR + "\nM1,张三,城关镇,1,1,是,2022-01-01\n"
    sc = ing_score(tmp_path, members, "mid,day,q\n", enc="gb18030")
    assert sc.row("i", "M1")["name"] == "张三"
    assert sc.row("i", "M1")["unit"] == "城关镇"


BAD_MEMBERS = (
    M_HDR + "\n"  # line 1
    "M1,甲,u,1,1,是,2022-01-01\n"  # 2 ok
    "M1,甲2,u,1,1,是,2022-01-01\n"  # 3 duplicate key
    "\n"  # 4 blank: skipped, not a row
    "M2,乙,u,1e3,1,是,2022-01-01\n"  # 5 exponent
    "M3,丙,u,1,1,maybe,2022-01-01\n"  # 6 bad bool
    "M4,丁,u,99999999999999999999,1,是,2022-01-01\n"  # 7 int beyond 64 bits
    "M\u200b5,戊,u,1,1,是,2022-01-01\n"  # 8 zero-width space in key
    "M6,己,u,1,1,是,2022-01-01,extra\n"  # 9 too many fields
    "M7,庚,u,1\n"  # 10 too few fields
    "M8,辛\x00,u,1,1,是,2022-01-01\n"  # 11 NUL byte
    "M9,壬,u,3.5,1,是,2022-01-01\n"  # 12 3.5 is not an int
    "M10,癸,u,1,1,是,2022-13-01\n"  # 13 bad date
    "M11,子,u,1,12.34.5,是,2022-01-01\n"  # 14 bad number
)
BAD_LOGS = (
    "mid,day,q\n"  # 1
    "M1,2022-01-01,1\n"  # 2 ok
    "M404,2022-01-01,1\n"  # 3 dangling link
    "M1,,1\n"  # 4 no date
    "M1,not a date,1\n"  # 5 bad date
    ",2022-02-01,1\n"  # 6 empty link: accepted, links to no one
    "\n"  # 7 blank
    "M1,2021-12-31,5\n"  # 8 ok, outside the period
)


def test_rejects_exit3_summary_and_line_numbers(tmp_path: Path) -> None:
    data = ing_folder(tmp_path, BAD_MEMBERS, BAD_LOGS)
    res = ingest(tmp_path, data)
    assert res.exit_code == 3, res.output
    out = res.stdout
    assert re.search(r"^members: 12 in, 1 accepted, 11 rejected$", out, re.M), out
    assert re.search(r"^logs: 6 in, 3 accepted, 3 rejected$", out, re.M), out
    assert re.search(r"18 in, 4 accepted, 14 rejected$", out.strip().splitlines()[-1]), out
    rj = invoke(["rejects", "--db", tmp_path / "store.db"])
    assert rj.exit_code == 0, rj.output
    text = rj.stdout
    for line in (3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14):
        assert re.search(rf"members\.csv\D+{line}\b", text), (line, text)
    for line in (3, 4, 5):
        assert re.search(rf"logs\.csv\D+{line}\b", text), (line, text)
    assert "M404" in text


def test_score_with_rejects_exits_3_and_still_scores(tmp_path: Path) -> None:
    sc = ing_score(tmp_path, BAD_MEMBERS, BAD_LOGS, ok=(3,))
    assert [r["subject"] for r in sc.award("i")] == ["M1"]
    assert sc.row("i", "M1")["metrics"]["c"] == 1  # 2021-12-31 is outside the period


def test_strict_fails_and_writes_nothing(tmp_path: Path) -> None:
    data = ing_folder(tmp_path, BAD_MEMBERS, BAD_LOGS)
    res = ingest(tmp_path, data, "--strict")
    assert res.exit_code == 1, res.output
    assert_nothing_written(tmp_path)


def assert_nothing_written(tmp: Path) -> None:
    db = tmp / "store.db"
    if not db.exists():
        return
    import sqlite3

    con = sqlite3.connect(db)
    try:
        names = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        for t in names:
            if "dataset" in t or t in ("rows", "records") or t.startswith("rows_"):
                assert con.execute(f'select count(*) from "{t}"').fetchone()[0] == 0, t
    finally:
        con.close()


@pytest.mark.parametrize(
    "case",
    ["missing_file", "zero_bytes", "missing_column", "undecodable"],
)
def test_whole_file_problems_exit1(tmp_path: Path, case: str) -> None:
    data = ing_folder(
        tmp_path, M_HDR + "\nM1,甲,u,1,1,是,2022-01-01\n", "mid,day,q\nM1,2022-01-01,1\n"
    )
    logs = data / "logs.csv"
    if case == "missing_file":
        logs.unlink()
    elif case == "zero_bytes":
        logs.write_bytes(b"")
    elif case == "missing_column":
        logs.write_text("mid,day\nM1,2022-01-01\n", encoding="utf-8")
    else:
        logs.write_bytes(b"mid,day,q\nM1,2022-01-01,\xff\xfe\xfa\x80\n")
    res = ingest(tmp_path, data)
    assert res.exit_code == 1, res.output
    assert_nothing_written(tmp_path)


def test_header_only_and_extra_columns(tmp_path: Path) -> None:
    data = ing_folder(tmp_path, M_HDR + ",备注\nM1,甲,u,1,1,是,2022-01-01,随便\n", "mid,day,q\n")
    res = ingest(tmp_path, data)
    assert res.exit_code == 0, res.output
    assert re.search(r"warn|警告", res.output, re.I) and "备注" in res.output, res.output
    assert re.search(r"^logs: 0 in, 0 accepted, 0 rejected$", res.stdout, re.M), res.stdout


def test_xlsx_and_jsonl_sources(tmp_path: Path) -> None:
    from datetime import datetime

    import openpyxl

    data = tmp_path / "data"
    data.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(M_HDR.split(","))
    ws.append(["M1", "甲", "u", 5, 2.5, True, datetime(2022, 3, 1, 9, 30)])
    ws.append(["M2", "乙", "u", "7", "1,000", "否", "2022年4月2日"])
    wb.save(data / "members.xlsx")
    (data / "logs.jsonl").write_text(
        json.dumps({"mid": "M1", "day": "2022-05-01", "q": 3}, ensure_ascii=False)
        + "\n\n"
        + json.dumps({"mid": "M2", "day": "2022-05-02", "q": "4"})
        + "\n",
        encoding="utf-8",
    )
    sc = score(tmp_path, rules_file(tmp_path, ING, ING_AWARD), data)
    m1 = sc.row("i", "M1")["metrics"]
    assert m1["n"] == 5 and m1["x"] == D("2.5") and m1["b"] is True and m1["d"] == "2022-03-01"
    assert m1["q"] == 3
    m2 = sc.row("i", "M2")["metrics"]
    assert m2["n"] == 7 and m2["x"] == 1000 and m2["b"] is False and m2["d"] == "2022-04-02"
    assert m2["q"] == 4


# ==================================================================== §6 command line


@pytest.fixture(scope="module")
def period_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("periods")
    members = M_HDR + "\nM1,甲,u,1,1,是,2022-01-01\n"
    days = ["2021-12-31", "2022-01-01", "2022-06-30", "2022-07-01", "2022-09-30", "2022-10-01",
            "2022-11-30", "2022-12-01", "2022-12-31", "2023-01-01"]  # fmt: skip
    logs = "mid,day,q\n" + "".join(f"M1,{d},1\n" for d in days)
    data = ing_folder(tmp, members, logs)
    rules = rules_file(tmp, ING, ING_AWARD)
    res = invoke(["ingest", data, "--rules", rules, "--db", tmp / "store.db", *ACTOR])
    assert res.exit_code == 0, res.output
    return rules, tmp / "store.db"


@pytest.mark.parametrize(
    ("period", "count", "start", "end"),
    [
        ("2022", 8, "2022-01-01", "2022-12-31"),
        ("2022-H2", 6, "2022-07-01", "2022-12-31"),
        ("2022-H1", 2, "2022-01-01", "2022-06-30"),
        ("2022-Q4", 4, "2022-10-01", "2022-12-31"),
        ("2022-Q3", 2, "2022-07-01", "2022-09-30"),
        ("2022-12", 2, "2022-12-01", "2022-12-31"),
        ("2022-06-30..2022-07-01", 2, "2022-06-30", "2022-07-01"),
    ],
)
def test_periods(
    period_store: tuple[Path, Path], period: str, count: int, start: str, end: str
) -> None:
    rules, db = period_store
    res = invoke(["score", rules, "--db", db, "--period", period, *ACTOR])
    assert res.exit_code == 0, res.output
    run_id = re.fullmatch(r"run (\d+)", res.stdout.strip().splitlines()[-1]).group(1)  # type: ignore[union-attr]
    doc = load_json(invoke(["export", "--db", db, "--run", run_id, "--format", "json"]).stdout)
    assert doc["run"]["period"] == {"start": start, "end": end}
    assert doc["awards"]["i"]["results"][0]["metrics"]["c"] == count
    outside = 10 - count
    assert re.search(rf"logs\D*{outside}\b", res.output), res.output


@pytest.mark.parametrize(
    "period", ["2022-H3", "2022-Q5", "2022-13", "22", "2022-07-01..2022-06-01", "foo"]
)
def test_bad_period_is_refused(period_store: tuple[Path, Path], period: str) -> None:
    rules, db = period_store
    res = invoke(["score", rules, "--db", db, "--period", period, *ACTOR])
    assert res.exit_code in (1, 2), res.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke(["score"]).exit_code == 2
    assert (
        invoke(["export", "--db", tmp_path / "x.db", "--run", "1", "--format", "pdf"]).exit_code
        == 2
    )
    assert invoke(["no-such-command"]).exit_code == 2


def test_check_bad_yaml_exit_1(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("version: 1\ncampaign: [unclosed\n", encoding="utf-8")
    assert invoke(["check", p]).exit_code == 1


def test_real_subprocess_score_and_export(tmp_path: Path) -> None:
    members = M_HDR + "\nM1,甲,u,1,1,是,2022-01-01\nM2,乙,u,1,1,是,2022-01-01\n"
    data = ing_folder(tmp_path, members, "mid,day,q\nM1,2022-05-01,4\nM2,2022-05-01,9\n")
    rules = rules_file(tmp_path, ING, ING_AWARD)
    db = tmp_path / "s.db"
    p = subprocess.run(
        [PIONEER, "score", rules, "--db", db, "--period", "2022", "--data", data, *ACTOR],
        capture_output=True,
        text=True,
        check=False,
    )
    assert p.returncode == 0, p.stderr
    assert re.fullmatch(r"run \d+", p.stdout.rstrip("\n").splitlines()[-1]), p.stdout
    assert "\r" not in p.stdout + p.stderr  # no progress bar when piped
    e = subprocess.run(
        [PIONEER, "export", "--db", db, "--run", "latest", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert e.returncode == 0, e.stderr
    doc = load_json(e.stdout)
    assert [(r["subject"], r["rank"]) for r in doc["awards"]["i"]["results"]] == [
        ("M2", 1),
        ("M1", 2),
    ]
    bad = subprocess.run(
        [PIONEER, "export", "--db", db, "--run", "999", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr


# ============================================================= §2.1 precision, exactness


def test_half_up_exact_rounding(tmp_path: Path) -> None:
    awards = """\
    p:
      title: 精度
      subjects: people
      criteria:
        a: {max: 100, metric: "sum(people_rec.v)", score: {per: 1}}
        b: {max: 100, metric: "0.1 + 0.2", score: {per: 1}}
        c: {max: 100, metric: "15 * (37 / 12 - 3) / 2", score: {per: 1}}
        d: {max: 10, metric: "sum(people_rec.v)", score: {linear: [0, 3]}}
    """
    people = [["P", "甲", "u", "是", None]]
    recs = [
        ["P", "2022-01-01", "19.995", None, None, None],
        ["P", "2022-01-02", "-19", None, None, None],
    ]
    sc = score(tmp_path, rules_file(tmp_path, PEOPLE, awards), people_data(tmp_path, people, recs))
    pts = sc.row("p", "P")["points"]
    assert pts["a"] == D("1.00")  # 0.995 → 1.00
    assert pts["b"] == D("0.30")
    assert pts["c"] == D("0.63")
    assert pts["d"] == D("3.32")  # 10 × 0.995 / 3 = 3.3166…
    assert sc.row("p", "P")["total"] == D("1.00") + D("0.30") + D("0.63") + D("3.32")


def test_precision_zero_and_inner_clip(tmp_path: Path) -> None:
    awards = """\
    p:
      title: 精度
      subjects: people
      criteria:
        g:
          max: 3
          criteria:
            a: {max: 2, metric: "sum(people_rec.v)", score: {per: 1}}
            b: {max: 2, metric: "sum(people_rec.v)", score: {per: 1}}
    """
    people = [["P", "甲", "u", "是", None]]
    recs = [["P", "2022-01-01", "1.5", None, None, None]]
    sc = score(
        tmp_path,
        rules_file(tmp_path, PEOPLE, awards, precision=0),
        people_data(tmp_path, people, recs),
    )
    pts = sc.row("p", "P")["points"]
    assert pts == {"g": 3, "g.a": 2, "g.b": 2}
    assert sc.row("p", "P")["total"] == 3


def test_percentile_null_within_group_is_own_group(tmp_path: Path) -> None:
    awards = 'p:\n  title: 分位\n  subjects: people\n  criteria:\n    q: {max: 10, metric: "max(people_rec.v)", score: {percentile: {within: unit}}}\n'
    people = [
        ["A", "甲", None, "是", None],
        ["B", "乙", None, "是", None],
        ["C", "丙", "u", "是", None],
    ]
    recs = [["A", "2022-01-01", 1, None, None, None], ["B", "2022-01-01", 2, None, None, None],
            ["C", "2022-01-01", 0, None, None, None]]  # fmt: skip
    sc = score(tmp_path, rules_file(tmp_path, PEOPLE, awards), people_data(tmp_path, people, recs))
    q = {r["subject"]: r["points"]["q"] for r in sc.award("p")}
    assert q == {"A": 0, "B": 10, "C": 10}


def test_null_eligible_and_null_veto(tmp_path: Path) -> None:
    awards = """\
    p:
      title: 资格
      subjects: people
      eligible: "lvl > 1"
      veto:
        - {when: "lvl > 5", reason: 太高}
      criteria:
        a: {max: 10, metric: "count(people_rec)", score: {per: 1}}
    """
    people = [
        ["A", "甲", "u", "是", None],
        ["B", "乙", "u", "是", "3"],
        ["C", "丙", "u", "是", "9"],
    ]
    sc = score(tmp_path, rules_file(tmp_path, PEOPLE, awards), people_data(tmp_path, people, []))
    a, b, c = (sc.row("p", k) for k in "ABC")
    assert a["eligible"] is False and a["veto"] == [] and a["rank"] is None
    assert b["eligible"] is True and b["rank"] == 1
    assert c["veto"] == ["太高"] and c["rank"] is None


def test_text_not_normalised_but_keys_are(tmp_path: Path) -> None:
    members = M_HDR + '\nＭ１,Ｔ１\u3000,u,1,1,是,2022-01-01\nM2,乙,u,"12,34",1,是,2022-01-01\n'
    sc = ing_score(tmp_path, members, "mid,day,q\nM1,2022-01-01,1\n", ok=(3,))
    assert sc.row("i", "M1")["name"] == "Ｔ１"
    assert [r["subject"] for r in sc.award("i")] == ["M1"]  # "12,34" is not a number


def test_formula_null_and_when_null_score_zero(tmp_path: Path) -> None:
    awards = """\
    p:
      title: 空值
      subjects: people
      ranking: {tie_break: [-deductions]}
      criteria:
        f: {max: 10, metric: "avg(people_rec.v)", score: {formula: "x * 2"}}
        w: {max: 10, metric: "avg(people_rec.v)", score: {when: "x > 0"}}
        g: {max: 10, score: {formula: "lvl"}}
      deductions:
        max: 5
        items:
          dd: {max: 5, metric: "count(people_rec[k == 'x'])", score: {per: 1}}
    """
    people = [
        ["A", "甲", "u", "是", None],
        ["B", "乙", "u", "是", "4"],
        ["C", "丙", "u", "是", "5"],
    ]
    recs = [["C", "2022-01-01", None, "x", None, None]]
    sc = score(tmp_path, rules_file(tmp_path, PEOPLE, awards), people_data(tmp_path, people, recs))
    a = sc.row("p", "A")
    assert a["points"]["f"] == 0 and a["points"]["w"] == 0 and a["points"]["g"] == 0
    assert a["metrics"]["f"] is None
    # B: 4, C: 5 − 1 = 4 → tie on total, fewer deductions first
    assert [(r["subject"], r["rank"]) for r in sc.award("p")][:2] == [("B", 1), ("C", 2)]
