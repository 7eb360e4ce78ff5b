"""The SQL backend's edges: fallbacks with their reasons, key order, the DuckDB copy."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from engine_helpers import Scored, campaign
from sql_helpers import compare_all, dataset_ref, interpret

from scoring.backends.sql import Fallback, SqlBackend
from scoring.backends.sql.columnar import columnar_path
from scoring.periods import parse_period


def _award(metric: str, score: str, extra: str = "") -> str:
    return f"""
a:
  title: 测试
  subjects: people
  criteria:
    n: {{max: 10, metric: "{metric}", score: {score}}}
    m: {{max: 5, metric: "count(records)", score: {{per: 1}}{extra}}}
"""


def test_node_read_under_a_condition_compiles_and_matches(tmp_path: Path) -> None:
    # `m` is declared after `n` but scored before it (n reads it): no-data marks and
    # metrics still come out in declaration order, as the interpreter lists them
    people = [
        {"id": "P1", "name": "甲", "member": True},
        {"id": "P2", "name": "乙", "member": False},
        {"id": "P3", "name": "丙", "member": None},
    ]
    records = [
        {"person": "P1", "day": "2022-03-01", "v": "2"},
        {"person": "P2", "day": "2022-03-01", "v": "1.5"},
        {"person": "P2", "day": "2022-03-02"},
    ]
    scored = campaign(
        tmp_path,
        _award("max(records.v)", "{formula: \"1 if member else node('m') + x\"}"),
        {"people": people, "records": records},
    )
    plan = scored.rules.plan
    assert SqlBackend("sqlite").unsupported(plan, plan.award("a")) is None
    results = compare_all(scored.db, plan, scored.report.dataset_id, "2022")
    assert [(r.fallback, r.problems) for r in results] == [(None, []), (None, [])]


def test_trimmed_mean_under_a_condition_falls_back_with_its_reason(tmp_path: Path) -> None:
    scored = campaign(
        tmp_path,
        _award("count(records)", '{formula: "1 if member else trimmed_mean(records.v, 1)"}'),
    )
    plan = scored.rules.plan
    reason = SqlBackend("sqlite").unsupported(plan, plan.award("a"))
    assert reason == "`trimmed_mean` under a condition"


def test_percentile_of_ratios_orders_them_exactly(tmp_path: Path) -> None:
    # avg gives ratios with per-subject denominators: 1/2 == 2/4 must tie, -1/3 < 0
    values = {
        "P1": ["1", "0"],
        "P2": ["0.5", "0.5", "0.5", "0.5"],
        "P3": ["-1", "0", "0"],
        "P4": ["0.333", "0.334"],
        "P5": ["0.5"],
        "P6": [],
    }
    people = [{"id": k, "name": k, "unit": "u"} for k in values]
    records = [{"person": k, "day": "2022-04-01", "v": v} for k, vs in values.items() for v in vs]
    scored = campaign(
        tmp_path,
        _award("avg(records.v)", "{percentile: {}}"),
        {"people": people, "records": records},
    )
    results = compare_all(scored.db, scored.rules.plan, scored.report.dataset_id, "2022")
    assert [(r.fallback, r.problems) for r in results] == [(None, []), (None, [])]
    points = {r["subject"]: r["points"]["n"] for r in scored.results()}
    assert points["P1"] == points["P2"] == points["P5"]  # 1/2 = 2/4 = 0.5: one rank


def _huge(tmp_path: Path) -> Scored:
    people = [{"id": "P1", "name": "甲", "unit": "u"}]
    records = [
        {"person": "P1", "day": "2022-03-01", "v": "900000000000000.123456", "n": 1},
        {"person": "P1", "day": "2022-03-02", "v": "1.5", "n": 2},
    ]
    return campaign(
        tmp_path,
        _award("sum(records.v) * sum(records.v)", "{linear: [0, 10]}"),
        {"people": people, "records": records},
    )


def test_an_integer_that_could_pass_64_bits_sends_the_award_to_the_interpreter(
    tmp_path: Path,
) -> None:
    scored = _huge(tmp_path)
    plan, award = scored.rules.plan, scored.rules.plan.award("a")
    ref = dataset_ref(scored.db, scored.report.dataset_id)
    backend = SqlBackend("sqlite")
    assert backend.unsupported(plan, award) is None  # compiles: only this data is too large
    period = parse_period("2022")
    reason = backend.fallback_reason(plan, award, ref, period, {})
    assert reason is not None and "64-bit" in reason
    with pytest.raises(Fallback, match="64-bit"):
        next(iter(backend.score_award(plan, award, ref, period, {})))


INT_KEYS = """
people:
  key: id
  columns: {id: int, name: text, unit: text, level: number, member: bool}
records:
  date: day
  links: {people: person}
  columns: {person: int, day: date, v: number, n: int, kind: text, ok: bool}
"""


def test_int_keys_come_back_in_numeric_order_on_every_engine(tmp_path: Path) -> None:
    people = [{"id": k, "name": f"人{k}", "unit": "u"} for k in (10, 9, 100, 1)]
    records = [{"person": k, "day": "2022-05-01", "v": "1.25", "n": k} for k in (9, 100)]
    scored = campaign(
        tmp_path,
        _award("sum(records.n)", "{linear: [0, 100]}"),
        {"people": people, "records": records},
        tables=INT_KEYS,
    )
    results = compare_all(scored.db, scored.rules.plan, scored.report.dataset_id, "2022")
    assert [r.problems for r in results] == [[], []]
    assert [r.fallback for r in results] == [None, None]


def test_text_keys_follow_code_point_order(tmp_path: Path) -> None:
    people = [{"id": k, "name": k, "unit": "u"} for k in ("乙", "a", "B", "甲", "Z1")]
    scored = campaign(
        tmp_path, _award("count(records)", "{per: 1}"), {"people": people, "records": []}
    )
    period = parse_period("2022")
    ref = dataset_ref(scored.db, scored.report.dataset_id)
    plan = scored.rules.plan
    for engine in ("sqlite", "duckdb"):
        got = list(SqlBackend(engine).score_award(plan, plan.award("a"), ref, period, {}))  # type: ignore[arg-type]
        assert [o.key for o in got] == sorted(["乙", "a", "B", "甲", "Z1"])


def test_duckdb_copy_is_derived_verified_and_rebuilt(tmp_path: Path) -> None:
    people = [{"id": "P1", "name": "甲", "unit": "u", "level": "2.5"}]
    records = [{"person": "P1", "day": "2022-05-01", "v": "0.125", "n": 3, "ok": True}]
    scored = campaign(
        tmp_path,
        _award("sum(records.v) + level", "{linear: [0, 5]}"),
        {"people": people, "records": records},
    )
    plan, award = scored.rules.plan, scored.rules.plan.award("a")
    ref = dataset_ref(scored.db, scored.report.dataset_id)
    period = parse_period("2022")
    expected = interpret(scored.db, plan, ref.dataset_id, period)["a"]
    backend = SqlBackend("duckdb")

    def points() -> list[object]:
        return [o.points for o in backend.score_award(plan, award, ref, period, {})]

    assert points() == [o.points for o in expected]
    path = columnar_path(scored.db, ref.sha256)
    assert path.parent == Path(f"{tmp_path / 'c' / 'store.db'}.columnar")
    built = path.stat().st_mtime_ns
    assert points() == [o.points for o in expected]
    assert path.stat().st_mtime_ns == built  # reused, not rebuilt
    path.unlink()
    assert points() == [o.points for o in expected]  # missing: rebuilt
    con = duckdb.connect(str(path))
    con.execute("UPDATE pioneer_meta SET value = '{}'")  # as if written for other data
    con.close()
    assert points() == [o.points for o in expected]  # stale: rebuilt
    con = duckdb.connect(str(path))
    meta = con.execute("SELECT value FROM pioneer_meta").fetchone()
    con.close()
    assert meta is not None and ref.sha256 in meta[0]


def test_auto_picks_sqlite_for_a_small_dataset_and_duckdb_for_a_large_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scoring.backends.sql import engines

    scored = campaign(tmp_path, _award("count(records)", "{per: 1}"))
    ref = dataset_ref(scored.db, scored.report.dataset_id)
    catalog = scored.rules.plan.catalog
    assert engines.backend_for("auto", ref, catalog).name == "sqlite"
    assert engines.backend_for("duckdb", ref, catalog).name == "duckdb"
    monkeypatch.setattr(engines, "AUTO_DUCKDB_ROWS", 0)
    assert engines.backend_for("auto", ref, catalog).name == "duckdb"
    monkeypatch.setattr(engines, "duckdb_installed", lambda: False)
    assert engines.backend_for("auto", ref, catalog).name == "sqlite"


def test_date_bool_and_text_metrics_match_the_interpreter(tmp_path: Path) -> None:
    awards = """
a:
  title: 类型
  subjects: people
  criteria:
    late: {max: 3, metric: "max(records.day)", score: {when: "x >= period.end - days(30)"}}
    first: {max: 2, metric: "min(records.day)", score: {formula: "1 if x < period.start + days(59) else 2"}}
    member: {max: 1, metric: "member", score: {when: "x"}}
    unit: {max: 4, metric: "unit", default: u9, score: {when: "x in ['u1', null]"}}
    grp: {max: 2, metric: "grp", score: {formula: "2 if x > 'a' else 1"}}
"""
    people = [
        {"id": "P1", "name": "甲", "unit": "u1", "member": True, "grp": "b"},
        {"id": "P2", "name": "乙", "unit": None, "member": None, "grp": "a"},
        {"id": "P3", "name": "丙", "unit": "u2", "member": False, "grp": None},
    ]
    records = [
        {"person": "P1", "day": "2022-12-31"},
        {"person": "P1", "day": "2022-02-01"},
        {"person": "P2", "day": "2022-06-01"},
    ]
    scored = campaign(tmp_path, awards, {"people": people, "records": records})
    results = compare_all(scored.db, scored.rules.plan, scored.report.dataset_id, "2022")
    assert [(r.fallback, r.problems) for r in results] == [(None, []), (None, [])]


def test_award_result_fields_read_by_a_later_award_match(tmp_path: Path) -> None:
    awards = """
a:
  title: 先
  subjects: people
  eligible: "coalesce(member, true)"
  criteria:
    n: {max: 10, metric: "sum(records.v)", score: {linear: [0, 4]}}
  grades: {A: 8, B: 3}
  quota: {count: 2, boundary_tie: flag}
b:
  title: 后
  subjects: people
  eligible: "a.ranked"
  veto:
    - {when: "a.grade == 'B'", reason: 乙等}
  criteria:
    rank: {max: 5, metric: "a.rank", score: {per: -1}}
    total: {max: 3, metric: "a", score: {linear: [0, 10]}}
    grade: {max: 2, metric: "a.grade", score: {when: "x in ['A', null]"}}
    chosen: {max: 1, metric: "a.selected", score: {when: "x"}}
    vetoed: {max: 1, metric: "a.vetoed", score: {when: "not x"}}
"""
    people = [
        {"id": f"P{i}", "name": f"人{i}", "unit": "u", "member": m}
        for i, m in enumerate([True, True, False, None, True])
    ]
    values = ["4", "4", "1", "2.5", "0.5"]
    records = [{"person": f"P{i}", "day": "2022-03-01", "v": v} for i, v in enumerate(values)]
    scored = campaign(tmp_path, awards, {"people": people, "records": records})
    results = compare_all(scored.db, scored.rules.plan, scored.report.dataset_id, "2022")
    assert [(r.award, r.fallback, r.problems) for r in results] == [
        ("a", None, []),
        ("a", None, []),
        ("b", None, []),
        ("b", None, []),
    ]
