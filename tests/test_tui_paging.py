"""A ranking of 100,000 subjects: paged, filtered and sorted in SQL, and the
UI only ever holds the pages the cursor has reached."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable
from tui_helpers import settle, until

from scoring import browse as queries
from scoring.browse import RankFilter, Store
from scoring.runs import RESULT_FIELDS
from scoring.service import open_db
from tui.app import ReviewApp
from tui.screens.run import RunScreen
from tui.widgets.ranking import PAGE, AwardRanking

ROOT = Path(__file__).resolve().parent.parent
SUBJECTS = 100_000
UNITS = ["城关镇", "崔家头镇", "南寨镇", "张家塬镇", "水沟镇", "草碧镇", "高崖镇"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏飞宇浩然博文"


def _grade(total: float) -> str:
    return "优秀" if total >= 90 else "良好" if total >= 75 else "合格" if total >= 60 else "不合格"


def _rows(run_id: int, n: int) -> Iterator[tuple[Any, ...]]:
    """`n` riders of one award: totals fall with the rank; every 50th subject is
    not ranked (vetoed or ineligible) and comes last, as `ord` orders them."""
    rnd = random.Random(7)
    ranked = [i for i in range(n) if i % 50 != 49]
    unranked = [i for i in range(n) if i % 50 == 49]
    for ord_, i in enumerate(ranked + unranked):
        is_ranked = i % 50 != 49
        rank = ord_ + 1 if is_ranked else None
        total = 100 - 90 * ord_ / n if is_ranked else rnd.uniform(20, 95)
        vetoed = not is_ranked and i % 100 == 49
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.randint(1, 2)))
        yield (
            run_id,
            "pioneer_rider",
            ord_,
            f"S{i:06d}",
            name,
            UNITS[i % len(UNITS)],
            0 if not is_ranked and not vetoed else 1,
            '["发生重大安全责任事故"]' if vetoed else "[]",
            f"{total:.2f}",
            rank,
            _grade(total) if is_ranked else None,
            1 if rank is not None and rank <= 1000 else 0,
            1 if rank in (1000, 1001) else 0,
            "{}",
            "{}",
            "[]",
            "[]",
        )


def synthetic_store(path: Path, n: int = SUBJECTS) -> int:
    """A store with one synthetic run whose `pioneer_rider` award has `n`
    results, written straight into the tables."""
    db = open_db(path, actor="clerk")
    rules = (ROOT / "rules" / "three_pioneers.yaml").read_text(encoding="utf-8")
    with db.conn:
        cur = db.conn.execute(
            "INSERT INTO datasets (sha256, created, source, catalog) VALUES (?, ?, ?, ?)",
            ["synthetic", "2022-12-31T00:00:00", "synthetic", "{}"],
        )
        dataset = cur.lastrowid
        cur = db.conn.execute(
            "INSERT INTO runs (campaign, rules_path, rules_sha256, rules_text, dataset_id,"
            " period_start, period_end, period_label, status, created, actor, results_sha256,"
            " outside_period, precision)"
            " VALUES ('three_pioneers', 'rules/three_pioneers.yaml', 'synthetic', ?, ?,"
            " '2022-01-01', '2022-12-31', '2022', 'draft', '2022-12-31T00:00:00', 'clerk',"
            " 'synthetic', '{}', 2)",
            [rules, dataset],
        )
        run_id = int(cur.lastrowid or 0)
        columns = ", ".join(RESULT_FIELDS)
        marks = ", ".join("?" * len(RESULT_FIELDS))
        db.conn.executemany(f"INSERT INTO results ({columns}) VALUES ({marks})", _rows(run_id, n))
    db.close()
    return run_id


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    path = tmp_path_factory.mktemp("tui-big") / "big.db"
    return str(path), synthetic_store(path)


# ---------------------------------------------------------------- SQL
def test_pages_follow_the_stored_order(big: tuple[str, int]) -> None:
    path, run = big
    with Store(path).connect() as db:
        assert queries.ranking_count(db, run, "pioneer_rider", RankFilter()) == SUBJECTS
        first = queries.ranking_page(db, run, "pioneer_rider", RankFilter(), 0, 3)
        assert [r.rank for r in first] == [1, 2, 3]
        deep = queries.ranking_page(db, run, "pioneer_rider", RankFilter(), 97_999, 3)
        assert [r.rank for r in deep] == [98_000, None, None]  # then the unranked
        assert deep[1].vetoed or not deep[1].eligible


def test_filters_combine_in_sql(big: tuple[str, int]) -> None:
    path, run = big
    with Store(path).connect() as db:

        def count(**kw: Any) -> int:
            return queries.ranking_count(db, run, "pioneer_rider", RankFilter(**kw))

        assert count(status="selected") == 1000
        assert count(status="tie") == 2
        assert count(status="vetoed") + count(status="ineligible") == SUBJECTS // 50
        assert count(status="ranked") == SUBJECTS - SUBJECTS // 50
        assert count(status="not_selected") == count(status="ranked") - 1000
        assert count(unit="城关镇") == len(range(0, SUBJECTS, len(UNITS)))
        assert count(unit="城关镇", status="selected") < count(unit="城关镇")
        assert count(grade="优秀") > 0
        assert count(name="S000123") == 1
        assert count(name="%") == 0  # LIKE wildcards are searched for, not obeyed
        assert count(name="_") == 0


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("total_desc", lambda r: float(r.total), True),
        ("total_asc", lambda r: float(r.total), False),
        ("name", lambda r: r.name, False),
    ],
)
def test_sorts(
    big: tuple[str, int], sort: queries.Sort, key: Callable[[Any], Any], reverse: bool
) -> None:
    path, run = big
    with Store(path).connect() as db:
        rows = queries.ranking_page(db, run, "pioneer_rider", RankFilter(sort=sort), 0, 500)
    assert [key(r) for r in rows] == sorted((key(r) for r in rows), reverse=reverse)


def test_facets_and_histogram(big: tuple[str, int]) -> None:
    path, run = big
    with Store(path).connect() as db:
        f = queries.facets(db, run, "pioneer_rider")
    assert f.units == sorted(UNITS)
    assert f.grades == ["优秀", "良好", "合格", "不合格"]
    assert (f.subjects, f.ranked, f.selected) == (SUBJECTS, SUBJECTS - SUBJECTS // 50, 1000)
    assert sum(f.histogram) == f.ranked
    assert 10 <= f.low < f.high <= 100


def test_palette_search_finds_by_key_or_name(big: tuple[str, int]) -> None:
    path, run = big
    with Store(path).connect() as db:
        assert queries.latest_run(db) == run
        hits = queries.find_subjects(db, run, "S000042")
        assert [h.subject for h in hits] == ["S000042"]
        some = queries.ranking_page(db, run, "pioneer_rider", RankFilter(), 10, 1)[0]
        assert some.name is not None
        by_name = queries.find_subjects(db, run, some.name)
        assert by_name[0].name == some.name
        assert queries.find_subjects(db, run, "  ") == []


# ---------------------------------------------------------------- UI


def test_a_ranking_of_100k_opens_and_pages_as_the_cursor_goes_down(big: tuple[str, int]) -> None:
    path, run = big
    app = ReviewApp(path)
    app.animation_level = "none"

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: bool(app.screen.query("#runs-table")))
            await until(pilot, lambda: app.screen.query_one("#runs-table", DataTable).row_count > 0)
            await pilot.press("enter")
            await until(pilot, lambda: bool(app.screen.query(AwardRanking)))
            screen = app.screen
            assert isinstance(screen, RunScreen)
            ranking = screen.active_ranking()
            table: DataTable[Text] = ranking.table
            await until(pilot, lambda: ranking.matching is not None)
            assert ranking.matching == SUBJECTS
            assert table.row_count == PAGE
            assert str(table.get_row_at(0)[1]) == "S000000"

            await until(pilot, lambda: app.focused is table)
            await pilot.press("end")  # the last loaded row: the next page comes
            await until(pilot, lambda: ranking.loaded == 2 * PAGE)
            await pilot.press("end")
            await until(pilot, lambda: ranking.loaded == 3 * PAGE)
            assert table.row_count == 3 * PAGE < SUBJECTS
            ranks = [int(str(c)) for c in table.get_column("rank")]
            assert ranks == list(range(1, 3 * PAGE + 1))  # pages join without gaps
            assert table.cursor_row >= 2 * PAGE - 1

            await pilot.press("pagedown")  # moving on within the loaded rows
            await settle(pilot)
            assert table.row_count < SUBJECTS

            ranking.query_one("#filter-name").focus()
            await pilot.press(*"S099999")
            print("DBG", ranking.filter, app.focused, ranking.matching)
            await until(pilot, lambda: ranking.matching == 1)
            assert [str(c) for c in table.get_column("subject")] == ["S099999"]

    asyncio.run(main())
