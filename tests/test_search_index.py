"""A run's name and key search answered from its index (`scoring.search_index`)
gives exactly what the LIKE scan gives: on the shipped example and on
generated Chinese names, for fragments of 1, 2 and 3+ characters, LIKE's
wildcards and ASCII case included; the reviewer UI builds the index on the
run's first search."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path

from test_tui_actions import reviewed  # noqa: F401  (the scored example, in review)
from test_tui_paging import synthetic_store
from tui_helpers import until

from scoring import browse, search_index, service
from scoring.browse import RankFilter, Store
from tui.app import ReviewApp
from tui.screens.run import RunScreen
from tui.widgets.ranking import AwardRanking

ROOT = Path(__file__).resolve().parent.parent
AWARDS = ("pioneer_rider", "pioneer_team", "pioneer_route")


def _fragments(values: list[str], step: int) -> list[str]:
    """Substrings of 1 to 4 characters of every `step`-th value, and a few specials."""
    found: set[str] = {"%", "_", "\\", '"', " ", "r00", "R00", "yl0", "先锋", "王", "镇", "R0001x"}
    for value in values[::step]:
        for size in (1, 2, 3, 4):
            found.update(value[i : i + size] for i in range(len(value) - size + 1))
    return sorted(found)


def _answers(
    store: Store, run: int, awards: tuple[str, ...], texts: list[str]
) -> dict[str, object]:
    out: dict[str, object] = {}
    with store.connect() as db:
        for text in texts:
            for award in awards:
                f = RankFilter(name=text)
                page = browse.ranking_page(db, run, award, f, 0, 20)
                out[f"{award} {text}"] = (
                    browse.ranking_count(db, run, award, f),
                    [r.subject for r in page],
                )
            out[f"find {text}"] = browse.find_subjects(db, run, text)
    return out


def _compare(path: Path, run: int, awards: tuple[str, ...], values: list[str], step: int) -> None:
    store = Store(path)
    texts = _fragments(values, step)
    scanned = _answers(store, run, awards, texts)
    assert browse.build_search_index(store, run)
    with store.connect() as db:
        assert browse.has_search_index(db, run)
    assert _answers(store, run, awards, texts) == scanned
    assert any(count for count, _ in (v for k, v in scanned.items() if not k.startswith("find")))


def _names_and_keys(path: Path, run: int) -> list[str]:
    with Store(path).connect() as db:
        rows = db.execute(
            "SELECT subject, name FROM results WHERE run_id = ? ORDER BY award, ord", [run]
        ).fetchall()
    return [v for row in rows for v in row if v]


def test_the_index_answers_as_the_scan_on_the_example(
    reviewed: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    shutil.copy(reviewed, path)
    _compare(path, 1, AWARDS, _names_and_keys(path, 1), step=41)


def test_the_index_answers_as_the_scan_on_generated_names(tmp_path: Path) -> None:
    path = tmp_path / "names.db"
    run = synthetic_store(path, 1000)
    _compare(path, run, ("pioneer_rider",), _names_and_keys(path, run), step=73)


def test_which_searches_the_index_answers(tmp_path: Path) -> None:
    path = tmp_path / "names.db"
    run = synthetic_store(path, 500)
    store = Store(path)
    with store.connect() as db:
        assert search_index.candidates(db, run, None, "王伟芳") is None  # no index yet
    assert not browse.build_search_index(store, run, lambda: True)  # the UI quit meanwhile
    with store.connect() as db:
        assert not browse.has_search_index(db, run)
    assert browse.build_search_index(store, run)  # starts over
    assert browse.build_search_index(store, run)  # once: the second call finds it
    with store.connect() as db:
        for text in ("王伟芳", "S00012", "王", "伟芳"):  # 3+ characters, or none a key holds
            assert search_index.candidates(db, run, None, text) is not None, text
        for text in ("S0", "1", "s"):  # short fragments of keys: the scan answers
            assert search_index.candidates(db, run, None, text) is None, text
        assert search_index.candidates(db, run + 1, None, "王伟芳") is None  # another run


def test_the_first_search_in_the_ui_builds_the_index(
    reviewed: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    shutil.copy(reviewed, path)
    app = ReviewApp(str(path), actor="clerk")

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            app.open_run(1)
            await until(
                pilot,
                lambda: isinstance(app.screen, RunScreen) and bool(app.screen.query(AwardRanking)),
            )
            screen = app.screen
            assert isinstance(screen, RunScreen)
            ranking = screen.active_ranking()
            await until(pilot, lambda: ranking.table.row_count > 0)
            ranking.query_one("#filter-name").focus()
            await pilot.press(*"丁鹏飞")
            await until(pilot, lambda: ranking.matching == 1)
            assert [str(c) for c in ranking.table.get_column("subject")] == ["R0168"]
            with Store(path).connect() as db:
                assert browse.has_search_index(db, 1)

    asyncio.run(main())


def test_the_index_builds_while_a_batch_scores_a_new_run(
    reviewed: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Two writers at once (the UI's index build and a batch's `score`): each
    waits for the other's short transactions, neither fails."""
    path = tmp_path / "store.db"
    shutil.copy(reviewed, path)
    rules = service.load(ROOT / "rules" / "three_pioneers.yaml")
    start = threading.Barrier(2)
    done: dict[str, object] = {}

    def batch() -> None:
        db = service.open_db(path)
        try:
            start.wait()
            done["run"] = service.score(db, rules, "2022").run_id
        finally:
            db.close()

    def index() -> None:
        start.wait()
        done["index"] = browse.build_search_index(Store(path), 1)

    threads = [threading.Thread(target=batch), threading.Thread(target=index)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert done == {"run": 2, "index": True}
    assert browse.build_search_index(Store(path), 2)
    with Store(path).connect() as db:
        assert browse.has_search_index(db, 1) and browse.has_search_index(db, 2)
        assert [h.subject for h in browse.find_subjects(db, 2, "丁鹏飞")] == ["R0168"]
