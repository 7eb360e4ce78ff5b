"""Plain-text snapshots of the reviewer UI at 80x24 and 120x40, with the
shipped example's Chinese names and long route names (`县电商配送中心—…`): the
ranking of each award, a route's subject screen, the adjust form and the help
screen. Each screen is dumped as the characters on the terminal, one line per
row, and compared word by word, line by line with
`tests/fixtures/tui/SIZE/NAME.txt`, so a column that disappears, a name cut at
the wrong width or a line that wraps fails the test (styles, colours and the
exact runs of blanks are not compared); every line must fit the width.
`PIONEER_UPDATE_SNAPSHOTS=1` rewrites the fixtures; review the diff.

Beside the fixtures it asserts what matters whatever the fixtures say: at
120x40 every column of every award is on screen, at 80x24 排名, the name, 总分
and 状态 are. The UI language is pinned to Chinese (LANG=zh_CN.UTF-8).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from test_tui_actions import reviewed  # noqa: F401  (the scored example, in review)
from textual.app import App
from textual.pilot import Pilot
from tui_helpers import settle, until

from scoring import service
from scoring.width import display_width
from tui.app import ReviewApp
from tui.screens.forms import AdjustForm
from tui.screens.help import HelpScreen
from tui.screens.run import RunScreen
from tui.screens.subject import SubjectScreen
from tui.widgets.criteria import CriteriaTree
from tui.widgets.ranking import AwardRanking

FIXTURES = Path(__file__).parent / "fixtures" / "tui"
SIZES = [(80, 24), (120, 40)]
AWARDS = ("pioneer_rider", "pioneer_crew", "pioneer_route")
EVERY_COLUMN = ("排名", "编号", "单位", "总分", "等次", "状态", "标记")
FIRST_COLUMNS = ("排名", "总分", "状态")
ROUTE = "YL002"  # 县电商配送中心—崔家头镇快件分拣站—董家沟村, the longest name


def screen_text(app: App[object]) -> str:
    """The current screen as the characters on the terminal, one line per row
    (trailing blanks dropped; a wide character is one character of two cells)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips) + "\n"


def check(name: str, size: tuple[int, int], text: str) -> None:
    """Compare `text` with its fixture (or write it when updating)."""
    path = FIXTURES / f"{size[0]}x{size[1]}" / f"{name}.txt"
    if os.environ.get("PIONEER_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path}: run with PIONEER_UPDATE_SNAPSHOTS=1"
    expected = path.read_text(encoding="utf-8")
    assert _words(text) == _words(expected), f"{name} at {size[0]}x{size[1]} differs from {path}"
    for line in text.splitlines():
        assert display_width(line) <= size[0], line


def _words(text: str) -> list[list[str]]:
    """Each line's words: the runs of blanks between them are not compared,
    since an auto-sized column (编号) may settle a cell wider or narrower
    depending on when its rows arrive; every word, its line and its order are."""
    return [line.split() for line in text.splitlines()]


def header_line(text: str) -> str:
    """The ranking's column headers (the line that starts the table)."""
    return next(line for line in text.splitlines() if "排名" in line and "总分" in line)


@pytest.fixture
def store(reviewed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    path = tmp_path / "store.db"
    shutil.copy(reviewed, path)
    db = service.open_existing(path)
    try:
        service.grant_role(db, "clerk", "reviewer")
    finally:
        db.close()
    return str(path)


def _run(store: str, size: tuple[int, int], scenario: object) -> None:
    app = ReviewApp(store, actor="clerk", today=dt.date(2022, 12, 31))
    app.animation_level = "none"

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)  # type: ignore[operator]

    asyncio.run(main())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_rankings_of_every_award(store: str, size: tuple[int, int]) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, ReviewApp)
        app.open_run(1)
        await until(
            pilot,
            lambda: isinstance(app.screen, RunScreen) and bool(app.screen.query(AwardRanking)),
        )
        screen = app.screen
        assert isinstance(screen, RunScreen)
        for i, award in enumerate(AWARDS):
            if i:
                await pilot.press("right_square_bracket")
            ranking = screen.ranking(award)
            await until(
                pilot,
                lambda r=ranking: (  # type: ignore[misc]
                    r.table.row_count > 0 and r.facets is not None and not r.fetching
                ),
            )
            await settle(pilot)
            text = screen_text(app)
            header = header_line(text)
            wanted = EVERY_COLUMN if size[0] >= 120 else FIRST_COLUMNS
            for label in (*wanted, ranking.name_label):
                assert label in header, f"{award}: {label} not on screen at {size}"
            table = ranking.table
            used = sum(c.get_render_width(table) for c in table.columns.values())
            if size[0] >= 120:
                assert used <= table.size.width, f"{award}: a column is off screen"
            check(f"ranking-{award}", size, text)

    _run(store, size, scenario)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_route_form_and_help(store: str, size: tuple[int, int]) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, ReviewApp)
        app.open_subject(1, "pioneer_route", ROUTE)
        await until(
            pilot,
            lambda: isinstance(app.screen, SubjectScreen) and bool(app.screen.query(CriteriaTree)),
        )
        await settle(pilot)
        text = screen_text(app)
        assert "得分" in text and "总分" in text
        check("subject-route", size, text)

        await pilot.press("j")
        await until(pilot, lambda: isinstance(app.screen, AdjustForm))
        await settle(pilot)
        check("form-adjust", size, screen_text(app))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SubjectScreen))

        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await settle(pilot)
        check("help-subject", size, screen_text(app))

    _run(store, size, scenario)
