"""A whole run from draft to published in the reviewer UI alone, with two
acting users (`--as`, `--today`), at 80x24; refusals worded for a clerk; the
refresh key; the help screen; markers and their filters.

The store is `review_helpers.reviewed_store` (award `a`, 3 seats, P3 and P4
tie for the last one); `alice` is a reviewer, `pat` a publisher and reviewer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from review_helpers import Store, invoke, reviewed_store
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, SelectionList, Static
from tui_helpers import (
    LARGE,
    SMALL,
    cursor_to,
    footer_fits,
    form,
    form_error,
    open_run,
    open_subject,
    outcome,
    reread,
    review_app,
    row,
    session,
    settle,
    shown,
    submit,
    title,
    until,
)

from tui.lang import tr
from tui.refusals import clerk_item, clerk_text
from tui.screens.forms import (
    AdjustForm,
    ApproveForm,
    ConfirmForm,
    NoticeForm,
    ObjectForm,
    PublishForm,
    ReasonForm,
    ResolveObjectionForm,
    TieForm,
)
from tui.screens.help import HelpScreen
from tui.screens.run import RunScreen
from tui.screens.subject import SubjectScreen
from tui.widgets.who import WhoBar


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = reviewed_store(tmp_path)
    s.ok("roles", "grant", "pat", "reviewer", "--as", "admin")
    return s


def tie_resolved(store: Store) -> None:
    """alice starts the review and gives the last seat to P3."""
    store.ok("review-start", "--as", "alice", "--today", "2022-09-01")
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--reason", "r", "--as", "alice")


def objection_upheld(store: Store) -> None:
    """Then pat opens the notice, and an objection to P1 is upheld (P4 is substituted)."""
    store.ok("notice", "--as", "pat", "--today", "2022-09-01")
    store.ok("object", "--subject", "P1", "--objector", "王五", "--reason", "材料造假",
             "--as", "alice", "--today", "2022-09-02")  # fmt: skip
    store.ok("resolve-objection", "1", "--upheld", "--reason", "属实", "--as", "alice",
             "--today", "2022-09-02")  # fmt: skip


def test_a_run_from_draft_to_published_in_the_ui_with_two_acting_users(store: Store) -> None:
    async def alice_starts(pilot: Pilot[None]) -> None:
        bar = str(pilot.app.screen.query_one(WhoBar).render())
        assert "操作人 alice (评审员)" in bar and "2022-09-01" in bar
        screen = await open_run(pilot)
        assert "草稿" in title(screen)
        await pilot.press("b")
        await form(pilot, ConfirmForm)
        await submit(pilot)
        assert (await outcome(pilot, 1)).ok
        await until(pilot, lambda: "审核中" in title(screen))
        # the tie: P3 and P4 for the last seat
        await pilot.press("t")
        await form(pilot, TieForm)
        pilot.app.screen.query_one("#form-tied", SelectionList).select("P3")
        await submit(pilot, "材料更完整")
        done = await outcome(pilot, 2)
        assert done.ok, done.shown
        # an adjustment of P6's total, from the subject screen
        await cursor_to(pilot, screen, "P6")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, SubjectScreen))
        subject = pilot.app.screen
        assert isinstance(subject, SubjectScreen)
        await until(pilot, lambda: subject.review is not None)
        await pilot.press("j")
        await form(pilot, AdjustForm)
        pilot.app.screen.query_one("#form-delta", Input).value = "+1"
        await submit(pilot, "补录志愿时长")
        done = await outcome(pilot, 3)
        assert done.ok and "待另一位评审员批准" in done.shown

    session(store, "alice", "2022-09-01", alice_starts)

    async def pat_approves_and_opens_the_notice(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        await pilot.press("p")
        await form(pilot, ApproveForm)
        await submit(pilot, "核实无误")
        assert (await outcome(pilot, 1)).ok
        await reread(pilot, screen, lambda: "51.00" in row(screen, "P6"))
        assert "调" in row(screen, "P6")[-1]  # the adjusted marker
        await pilot.press("n")
        await form(pilot, NoticeForm)
        window = shown(pilot, "#form-window")
        assert "2022-09-01 至 2022-09-07" in window and "2022-09-08 起可以发布" in window
        await submit(pilot)
        done = await outcome(pilot, 2)
        assert done.ok and "2022-09-07" in done.shown
        await until(pilot, lambda: "公示中" in title(screen))

    session(store, "pat", "2022-09-01", pat_approves_and_opens_the_notice)

    async def alice_takes_and_upholds_an_objection(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        await cursor_to(pilot, screen, "P1")
        await pilot.press("o")
        await form(pilot, ObjectForm)
        await submit(pilot, "材料造假")
        assert isinstance(pilot.app.screen, ObjectForm)  # refused to close
        assert "异议人" in form_error(pilot)
        pilot.app.screen.query_one("#form-objector", Input).value = "王五"
        await submit(pilot, "材料造假")
        done = await outcome(pilot, 1)
        assert done.ok, done.shown
        await pilot.press("e")
        await form(pilot, ResolveObjectionForm)
        pilot.app.screen.query_one("#form-finding", Select).value = "upheld"
        await submit(pilot, "经核实属实")
        done = await outcome(pilot, 2)
        assert done.ok and "递补" in done.shown and "P4" in done.shown, done.shown
        await until(pilot, lambda: "审核中" in title(screen))
        await reread(pilot, screen, lambda: "补" in row(screen, "P4")[-1])
        assert "除" in row(screen, "P1")[-1] and "入选" not in row(screen, "P1")[6]
        assert "入选" in row(screen, "P4")[6]

    session(store, "alice", "2022-09-02", alice_takes_and_upholds_an_objection)

    async def pat_opens_a_new_notice_and_cannot_publish_yet(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        await pilot.press("n")
        await form(pilot, NoticeForm)
        await submit(pilot)
        assert (await outcome(pilot, 1)).ok
        await until(pilot, lambda: "公示中" in title(screen))
        await pilot.press("P")
        await form(pilot, PublishForm)
        lines = shown(pilot, "#form-lines")
        assert "公示期到 2022-09-09 才结束, 2022-09-10 起才能发布" in lines, lines
        assert pilot.app.screen.query_one("#form-ok", Button).disabled
        await pilot.press("escape")

    session(store, "pat", "2022-09-05", pat_opens_a_new_notice_and_cannot_publish_yet)

    async def pat_publishes_and_revokes(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        await pilot.press("P")
        await form(pilot, PublishForm)
        lines = shown(pilot, "#form-lines")
        assert "入选 3 名" in lines and "P4" in lines, lines
        await submit(pilot)
        done = await outcome(pilot, 1)
        assert done.ok and "已发布" in done.shown, done.shown
        await until(pilot, lambda: "已发布" in title(screen))
        await cursor_to(pilot, screen, "P2")
        await pilot.press("R")
        await form(pilot, ReasonForm)
        await submit(pilot, "事后发现重大事故")
        assert (await outcome(pilot, 2)).ok
        await reread(pilot, screen, lambda: "撤" in row(screen, "P2")[-1])

    session(store, "pat", "2022-09-13", pat_publishes_and_revokes)

    doc = store.export()
    assert doc["run"]["status"] == "published"
    rows = store.rows()
    assert store.selected() == ["P2", "P3", "P4"]
    assert "excluded" in rows["P1"] and "revoked" in rows["P2"]
    assert rows["P6"]["total"] == 51


def test_actions_a_role_does_not_allow_are_disabled_with_the_reason(store: Store) -> None:
    async def aaron(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        assert screen.check_action("review_start", ()) is None
        assert screen.check_action("publish", ()) is None
        assert screen.check_action("search", ()) is True
        await pilot.press("question_mark")
        await form(pilot, HelpScreen)
        text = shown(pilot, "#help-keys")
        assert "开始审核" in text and "「开始审核」需要「评审员」角色" in text
        assert "「发布」需要「发布人」角色" in text
        await pilot.press("escape")
        await pilot.press("f1")
        await form(pilot, HelpScreen)

    session(store, "aaron", "2022-09-01", aaron)

    async def alice(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        assert screen.check_action("review_start", ()) is True
        assert screen.check_action("notice", ()) is None  # a publisher's action
        assert screen.check_action("publish", ()) is None
        await pilot.press("n")  # pressed anyway: it says why, and opens nothing
        await settle(pilot)
        assert isinstance(pilot.app.screen, RunScreen)
        said = [str(n.message) for n in pilot.app._notifications]
        assert "alice 没有这项权限: 「开始公示」需要「发布人」角色" in said

    session(store, "alice", "2022-09-01", alice)

    async def pat(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        assert screen.check_action("notice", ()) is True
        await pilot.press("n")  # a draft cannot go on notice: refused, in a clerk's words
        await form(pilot, NoticeForm)
        await submit(pilot)
        done = await outcome(pilot, 1)
        assert not done.ok
        assert "草稿" in done.shown and "pioneer" not in done.shown and "--" not in done.shown

    session(store, "pat", "2022-09-01", pat)


def test_refusals_are_worded_for_a_clerk() -> None:
    role = clerk_text(
        "aaron may not publish: it needs the `publisher` role (an admin can grant it)"
    )
    assert role == "aaron 没有「发布」的权限: 需要「发布人」角色, 请联系管理员授予"
    state = clerk_text(
        "cannot publish run 1: it is in_review, and publish needs a run that is notice "
        "(open the public notice first)"
    )
    assert state == "运行 1 现在是「审核中」, 「发布」要在运行处于「公示中」时才能做"
    tie = clerk_text(
        "the boundary tie in a at rank 3 (P3, P4) has 1 seat(s) left: name exactly 1 "
        "subject(s), not 2"
    )
    assert "请正好选出 1 个" in tie and "--" not in tie
    fallback = clerk_text("something odd happened (see `pioneer status --run 1`)")
    assert fallback == "操作未完成: something odd happened"
    item = clerk_item("objection 2 to a P1 by 王五: 材料造假")
    assert item == "异议 #2: 王五 对 P1 提出 (材料造假), 尚未处理"


def test_the_refresh_key_shows_what_a_batch_wrote_meanwhile(store: Store) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        assert "标" not in row(screen, "P5")[-1]
        invoke("review-start", "--db", store.path, "--run", "1", "--as", "alice")
        invoke("flag", "--db", store.path, "--run", "1", "--subject", "P5",
               "--reason", "待核实", "--as", "alice")  # fmt: skip
        await pilot.press("g")
        await reread(pilot, screen, lambda: "标" in row(screen, "P5")[-1])
        await until(pilot, lambda: "审核中" in title(screen))
        ranking = screen.active_ranking()
        ranking.filter_bar.query_one("#filter-status", Select).value = "flagged"
        await until(pilot, lambda: ranking.matching == 1)
        await until(pilot, lambda: ranking.table.row_count == 1)
        assert str(ranking.table.get_row_at(0)[1]) == "P5"

    session(store, "pat", "2022-09-01", scenario, size=LARGE)


def test_the_subject_screen_shows_objections_substitution_and_masks_private_columns(
    store: Store,
) -> None:
    tie_resolved(store)

    async def tie_kept(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        await pilot.press("t")
        await form(pilot, TieForm)
        chosen = shown(pilot, "#form-chosen")
        assert chosen.startswith("入选 (1/1): P3")  # the earlier choice is kept
        names = [name for name, _help, _act in screen.palette_actions()]
        assert "处理卡线并列" in names and "发布" not in names  # alice is no publisher

    session(store, "alice", "2022-09-01", tie_kept, size=LARGE)
    objection_upheld(store)

    async def scenario(pilot: Pilot[None]) -> None:
        for key, words in (("P1", "异议成立, 不占名额"), ("P4", "递补入选")):
            screen = await open_subject(pilot, "a", key, reviewed=True)
            assert words in str(screen.query_one("#subject-summary", Static).render())
            if key == "P1":
                history = str(screen.query_one("#review-history", Static).render())
                assert "#1 成立" in history and "异议人 王五" in history and "属实" in history
            await pilot.press("escape")

    session(store, "alice", "2022-09-02", scenario, size=LARGE)


def test_private_columns_are_masked_on_the_subject_screen(tmp_path: Path) -> None:
    from engine_helpers import rules_text, write_tables
    from review_helpers import AWARD

    tables = """\
people:
  key: id
  columns: {id: text, name: text, unit: text, phone: {type: text, private: true}}
records:
  date: day
  links: {people: person}
  columns: {person: text, day: date, v: number, n: int}
"""
    text = rules_text(AWARD, tables)
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    people = [{"id": "P1", "name": "张三", "unit": "城关镇", "phone": "13800000000"}]
    records = [{"person": "P1", "day": "2022-06-01", "v": 80, "n": 2}]
    write_tables(tmp_path / "data", text, {"people": people, "records": records})
    db = tmp_path / "store.db"
    done = invoke("score", tmp_path / "rules.yaml", "--db", db, "--period", "2022",
                  "--data", tmp_path / "data", "--as", "admin")  # fmt: skip
    assert done.exit_code == 0, done.stderr

    async def scenario(pilot: Pilot[None]) -> None:
        app = review_app(pilot)
        screen = await open_subject(pilot, "a", "P1")
        assert screen.view is not None
        assert ("phone", "***") in screen.view.subject_row
        assert ("name", "张三") in screen.view.subject_row
        await pilot.press("u")  # an admin reveals them, with a reason, logged
        await form(pilot, ReasonForm)
        await submit(pilot, "核实联系方式")
        await until(
            pilot, lambda: isinstance(app.screen, SubjectScreen) and bool(app.screen.revealed)
        )
        assert app.screen.revealed == {"phone": "13800000000"}

    session(Store(db), "admin", "2022-09-01", scenario, size=LARGE)
    entry = Store(db).last_audit()
    assert (entry["actor"], entry["action"]) == ("admin", "reveal")
    assert entry["detail"]["columns"] == ["phone"] and entry["detail"]["reason"] == "核实联系方式"
    Store(db).ok("roles", "grant", "alice", "reviewer", "--as", "admin")

    async def reviewer(pilot: Pilot[None]) -> None:
        screen = await open_subject(pilot, "a", "P1")
        assert screen.check_action("reveal", ()) is None  # reviewers see masked only

    session(Store(db), "alice", "2022-09-01", reviewer, size=LARGE)


def test_a_batch_scoring_while_the_ui_reads_shows_no_lock_error(
    store: Store, tmp_path: Path
) -> None:
    import threading

    from textual.widgets import DataTable

    async def scenario(pilot: Pilot[None]) -> None:
        app = review_app(pilot)
        table = app.screen.query_one("#runs-table", DataTable)
        assert table.row_count == 1
        done: list[int] = []

        def batch() -> None:
            result = invoke("score", tmp_path / "rules.yaml", "--db", store.path,
                            "--period", "2022", "--as", "admin")  # fmt: skip
            done.append(result.exit_code)

        writer = threading.Thread(target=batch)
        writer.start()
        while writer.is_alive():  # read while the batch writes
            await pilot.press("g")
            await settle(pilot)
        writer.join()
        assert done == [0]
        await pilot.press("g")
        await until(pilot, lambda: table.row_count == 2)
        assert app.errors == []

    session(store, "pat", "2022-09-01", scenario, size=LARGE)


def _fits(screen: RunScreen) -> bool:
    table = screen.active_ranking().table
    used = sum(c.get_render_width(table) for c in table.columns.values())
    return used <= table.size.width


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_every_column_and_footer_key_fits_at_80x24_and_120x40(
    store: Store, size: tuple[int, int]
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        labels = [str(c.label) for c in screen.active_ranking().table.columns.values()]
        assert labels[-3:] == ["等次", "状态", "标记"]
        assert _fits(screen)
        assert footer_fits(pilot)  # no key cut off

    session(store, "pat", "2022-09-01", scenario, size=size)


def test_r_goes_back_to_the_runs_list_from_any_screen(store: Store) -> None:
    from tui.screens.audit import AuditScreen
    from tui.screens.runs import RunsScreen

    async def scenario(pilot: Pilot[None]) -> None:
        app = review_app(pilot)
        await open_run(pilot)
        await open_subject(pilot, "a", "P1")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RunsScreen))
        await open_run(pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AuditScreen))
        await pilot.press("escape")  # back to the runs list itself, not the run under it
        await until(pilot, lambda: isinstance(app.screen, RunsScreen))
        assert len(app.screen_stack) == 1

    session(store, "pat", "2022-09-01", scenario, size=LARGE)


def test_compare_reads_the_effective_standings(store: Store, tmp_path: Path) -> None:
    tie_resolved(store)
    objection_upheld(store)
    done = invoke("score", tmp_path / "rules.yaml", "--db", store.path, "--period", "2022",
                  "--as", "admin")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    out = invoke("diff", "--db", store.path, "1", "2").stdout
    # run 1 as reviewed: P1 removed by the upheld objection, P3 chosen, P4 substituted;
    # run 2 as computed: P1 and P2 selected, P3 and P4 tied for the last seat
    assert "+ selected     P1" in out
    assert "- not selected P3" in out and "- not selected P4" in out


def test_the_runs_list_shows_a_status_changed_on_the_run_screen(store: Store) -> None:
    from textual.widgets import DataTable

    from tui.screens.runs import RunsScreen

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        await pilot.press("b")
        await form(pilot, ConfirmForm)
        await submit(pilot)
        assert (await outcome(pilot, 1)).ok
        await until(pilot, lambda: "审核中" in title(screen))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, RunsScreen))
        table = pilot.app.screen.query_one("#runs-table", DataTable)
        await until(pilot, lambda: str(table.get_cell("1", "status")) == "审核中")

    session(store, "alice", "2022-09-01", scenario)


def test_an_action_while_a_batch_holds_the_store_says_busy_and_changes_nothing(
    store: Store,
) -> None:
    import sqlite3

    from tui.review import BUSY, perform

    holder = sqlite3.connect(store.path)
    holder.execute("BEGIN EXCLUSIVE")  # a batch writing, longer than a write waits
    try:
        done = perform(
            str(store.path),
            lambda db: str(db.execute("UPDATE runs SET status = status").rowcount),
        )
    finally:
        holder.rollback()
        holder.close()
    assert not done.ok and done.shown == tr(BUSY)
