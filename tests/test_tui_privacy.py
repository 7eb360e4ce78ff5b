"""Private columns on screen: a rule file that marks `name` (and `phone`)
private gets names masked as the 公示 list masks them (张*) in the ranking, the
search hits and the subject's title, for every acting user; a reviewer cannot
reveal them; an admin reveals one subject's with a reason, which the audit
log keeps, and then sees the name."""

from __future__ import annotations

from pathlib import Path

from engine_helpers import rules_text, write_tables
from review_helpers import AWARD, Store, invoke
from textual.pilot import Pilot
from tui_helpers import form, open_run, session, submit, until

from scoring import browse
from scoring.browse import RankFilter
from tui.app import ReviewApp
from tui.screens.forms import ReasonForm
from tui.screens.subject import SubjectScreen

TABLES = """\
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
  columns: {person: text, day: date, v: number, n: int}
"""


def _store(tmp_path: Path) -> Store:
    text = rules_text(AWARD, TABLES)
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    people = [
        {"id": "P1", "name": "张三丰", "unit": "城关镇", "phone": "13800000000"},
        {"id": "P2", "name": "李四", "unit": "城关镇", "phone": "13900000000"},
    ]
    records = [
        {"person": "P1", "day": "2022-06-01", "v": 80, "n": 2},
        {"person": "P2", "day": "2022-06-02", "v": 70, "n": 1},
    ]
    write_tables(tmp_path / "data", text, {"people": people, "records": records})
    db = tmp_path / "store.db"
    done = invoke("score", tmp_path / "rules.yaml", "--db", db, "--period", "2022",
                  "--data", tmp_path / "data", "--as", "admin")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    store = Store(db)
    store.ok("roles", "grant", "alice", "reviewer", "--as", "admin")
    return store


def test_private_names_are_masked_in_rankings_and_search(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with browse.Store(store.path).connect() as db:
        page = browse.ranking_page(db, 1, "a", RankFilter(), 0, 10)
        assert [(r.subject, r.name, r.unit) for r in page] == [
            ("P1", "张**", "城关镇"),
            ("P2", "李*", "城关镇"),
        ]
        hits = browse.find_subjects(db, 1, "张三丰")  # found by the name, shown masked
        assert [(h.subject, h.name) for h in hits] == [("P1", "张**")]
        assert browse.private_fields(db, 1) == {"a": frozenset({"name"})}


def test_a_reviewer_sees_masked_names_and_an_admin_reveals_them(tmp_path: Path) -> None:
    store = _store(tmp_path)

    async def reviewer(pilot: Pilot[None]) -> None:
        screen = await open_run(pilot)
        shot = pilot.app.export_screenshot()
        assert "张**" in shot and "张三丰" not in shot and "李四" not in shot
        await pilot.press("enter")
        await until(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, SubjectScreen) and pilot.app.screen.view is not None
            ),
        )
        subject = pilot.app.screen
        assert isinstance(subject, SubjectScreen) and subject is not screen
        assert "张三丰" not in pilot.app.export_screenshot()
        assert subject.check_action("reveal", ()) is None  # a reviewer cannot reveal

    session(store, "alice", "2022-09-01", reviewer, size=(120, 40))

    async def admin(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, ReviewApp)
        app.open_subject(1, "a", "P1")
        await until(
            pilot, lambda: isinstance(app.screen, SubjectScreen) and app.screen.view is not None
        )
        assert "张三丰" not in app.export_screenshot()
        await pilot.press("u")
        await form(pilot, ReasonForm)
        await submit(pilot, "核实身份")
        await until(
            pilot, lambda: isinstance(app.screen, SubjectScreen) and bool(app.screen.revealed)
        )
        assert "张三丰" in app.export_screenshot()  # the title shows the revealed name
        assert app.screen.revealed == {"name": "张三丰", "phone": "13800000000"}

    session(store, "admin", "2022-09-01", admin, size=(120, 40))
    entry = store.last_audit()
    assert (entry["actor"], entry["action"]) == ("admin", "reveal")
    assert entry["detail"]["subject"] == "P1" and entry["detail"]["reason"] == "核实身份"
