"""The store's working-day calendar (SPEC §5): import, show, and notices in a
year only the store knows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from review_helpers import Store, in_review, invoke

from scoring.review.calendar import UnknownYear, WorkCalendar
from scoring.review.calendar_store import parse_calendar

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "calendar-2027.csv"
D = dt.date


def calendar(store: Store, *args: str | Path) -> tuple[int, str, str]:
    result = invoke("calendar", *args, "--db", store.path)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str, name: str = "cal.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_notice_across_the_2027_new_year_with_the_imported_calendar(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    err = store.refused("notice", "--as", "pat", "--today", "2026-12-28")
    assert "no data for 2027" in err and "pioneer calendar import FILE --db" in err
    assert store.sql("SELECT status FROM runs") == [("in_review",)]

    code, out, err = calendar(store, "import", EXAMPLE, "--as", "admin", "--today", "2026-12-01")
    assert code == 0, err
    assert "imported 35 day(s) for 2027: 35 added" in out
    # Mon 28 Dec – Thu 31 Dec (package), Fri 1 – Sun 3 Jan 元旦 (store), Mon 4 Jan
    out = store.ok("notice", "--as", "pat", "--today", "2026-12-28")
    assert "2026-12-28 to 2027-01-04 (5 working days)" in out
    assert "publication possible from 2027-01-05" in out


def test_the_import_is_audited_and_needs_an_admin(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    code, _out, err = calendar(store, "import", EXAMPLE, "--as", "pat")
    assert code == 1 and "pat may not calendar-import: it needs the `admin` role" in err
    assert store.sql("SELECT name FROM sqlite_master WHERE name = 'calendar_days'") == []
    code, _out, err = calendar(store, "import", EXAMPLE, "--as", "admin", "--today", "2026-11-30")
    assert code == 0, err
    entry = store.last_audit()
    assert entry["action"] == "calendar-import" and entry["actor"] == "admin"
    assert entry["today"] == "2026-11-30"
    assert entry["detail"]["file"] == "calendar-2027.csv"
    assert entry["detail"]["days"] == 35 and entry["detail"]["years"] == [2027]
    assert len(entry["detail"]["sha256"]) == 64
    assert "audit log ok" in invoke("audit", "verify", "--db", store.path).stdout


def test_a_second_import_replaces_what_changed(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    calendar(store, "import", EXAMPLE, "--as", "admin")
    fix = write(tmp_path, "2027-01-01,holiday,元旦\n2027-01-04,holiday,元旦（补）\n")
    code, out, err = calendar(store, "import", fix, "--as", "admin")
    assert code == 0, err
    assert "imported 2 day(s) for 2027: 1 added, 0 replaced, 1 unchanged" in out
    # the new holiday on Mon 4 Jan moves the end of a notice opened on Thu 31 Dec
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    out = store.ok("notice", "--as", "pat", "--today", "2026-12-31", "--days", "2")
    assert "2026-12-31 to 2027-01-05 (2 working days)" in out


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,vacation,元旦\n",
         "cal.csv:3: kind: `vacation` is not one of: holiday, workday"),
        ("2027-01-01,holiday,元旦\n2027-13-01,holiday,元旦\n",
         "cal.csv:2: date: `2027-13-01` is not a date like 2027-01-01"),
        ("2027-01-01,holiday,元旦\n2027/1/2,holiday,元旦\n",
         "cal.csv:2: date: `2027/1/2` is not a date like 2027-01-01"),
        ("# note\n2027-01-01,holiday,元旦\n\n2027-01-01,workday,调休\n",
         "cal.csv:4: date: 2027-01-01 is already given on line 2"),
        ("2027-01-01,holiday\n", "cal.csv:1: expected 3 fields (date, kind, name), found 2"),
        ("2027-01-01,holiday,\n", "cal.csv:1: name: empty"),
        ("# only a comment\n", "no days in the file"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_with_file_and_line_and_nothing_is_written(
    tmp_path: Path, text: str, problem: str
) -> None:
    store = in_review(tmp_path)
    before = store.audit_actions()
    code, out, err = calendar(store, "import", write(tmp_path, text), "--as", "admin")
    assert code == 1, out
    assert err.startswith("error: ") and problem in err
    assert "nothing was imported" in err
    assert "Traceback" not in err
    assert store.audit_actions() == before
    tables = store.sql("SELECT name FROM sqlite_master WHERE name = 'calendar_days'")
    assert tables == [] or store.sql("SELECT COUNT(*) FROM calendar_days") == [(0,)]


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "2027-01-01,off,元旦\n2027-02-30,holiday,春节\n")
    with pytest.raises(Exception, match=r"2 problem\(s\)") as caught:
        parse_calendar(path, path.read_text(encoding="utf-8"))
    assert ":1: kind" in str(caught.value) and ":2: date" in str(caught.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    code, _out, err = calendar(store, "import", tmp_path / "nope.csv", "--as", "admin")
    assert code == 1 and "nope.csv: cannot read the calendar file" in err


def test_show_lists_both_sources_and_the_store_wins(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    override = write(
        tmp_path,
        "date,kind,name\n"
        "2026-10-10,holiday,国庆节（本单位不调休）\n"  # the package has a make-up workday
        "2026-12-31,holiday,本地节日\n"
        "2027-01-01,holiday,元旦\n",
    )
    assert calendar(store, "import", override, "--as", "admin")[0] == 0
    code, out, _err = calendar(store, "show", "2026")
    assert code == 0
    lines = out.splitlines()
    assert "2026-01-01  周四  holiday  休  package  元旦" in lines
    assert "2026-02-14  周六  workday  班  package  春节" in lines
    assert any(
        line.startswith("2026-10-10  周六  holiday")
        and "store" in line
        and "(package: workday)" in line
        for line in lines
    )
    assert any(line.startswith("2026-12-31  周四  holiday  休  store") for line in lines)
    assert lines[-1].endswith("40 day(s), 2 from the store, 38 from the package")
    # the store's days count: 2026-10-10 is now a day off, 2026-12-31 too
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    out = store.ok("notice", "--as", "pat", "--today", "2026-10-09", "--days", "2")
    assert "2026-10-09 to 2026-10-12 (2 working days)" in out


def test_show_of_a_year_nobody_knows_names_the_import_command(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    code, _out, err = calendar(store, "show", "2031")
    assert code == 1
    assert "no data for 2031" in err and "pioneer calendar import FILE" in err


def test_the_library_message_says_what_to_do_without_cli_syntax() -> None:
    with pytest.raises(UnknownYear) as caught:
        WorkCalendar().notice_window(D(2031, 3, 2), 5)
    message = str(caught.value)
    assert "import 2031's holidays and make-up workdays" in message
    assert "pioneer" not in message and "--db" not in message


def test_a_year_only_the_store_knows_counts_weekdays_plus_its_days() -> None:
    from scoring.review.calendar import StoreDay

    cal = WorkCalendar({D(2031, 1, 1): StoreDay(D(2031, 1, 1), "holiday", "元旦")})
    assert not cal.is_workday(D(2031, 1, 1))  # a Wednesday, but a holiday
    assert cal.is_workday(D(2031, 1, 2))
    assert not cal.is_workday(D(2031, 1, 4))  # Saturday
    with pytest.raises(UnknownYear):
        cal.is_workday(D(2032, 1, 5))


def test_the_example_file_says_it_is_provisional() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "PROVISIONAL" in text and "State Council" in text
    rows = parse_calendar(EXAMPLE, text)
    assert {entry.day.year for _line, entry in rows} == {2027}


def test_the_terminal_ui_shows_the_library_message(tmp_path: Path) -> None:
    from scoring import service
    from tui.review import perform

    store = in_review(tmp_path)
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")

    def open_notice(db: object) -> str:
        service.open_notice(db, "1", actor="pat", today=D(2026, 12, 28))  # type: ignore[arg-type]
        return "opened"

    outcome = perform(str(store.path), open_notice)
    assert not outcome.ok
    assert "no data for 2027" in outcome.text and "import 2027's holidays" in outcome.text


def test_a_calendar_saved_by_chinese_excel_as_gb18030_imports(tmp_path: Path) -> None:
    store = in_review(tmp_path)
    path = tmp_path / "gbk.csv"
    path.write_bytes(EXAMPLE.read_text(encoding="utf-8").encode("gb18030"))
    code, out, err = calendar(store, "import", path, "--as", "admin")
    assert code == 0, err
    code, out, _err = calendar(store, "show", "2027")
    assert code == 0
    assert "2027-02-20  周六  workday  班  store    春节调休" in out.splitlines()
    assert out.splitlines()[-1] == "2027: 35 day(s), 35 from the store, 0 from the package"
    bad = write(tmp_path, "", name="bad.csv")
    bad.write_bytes(b"2027-01-01,holiday,\xff\xfe\xff\n")
    code, _out, err = calendar(store, "import", bad, "--as", "admin")
    assert code == 1 and "neither UTF-8 nor GB18030" in err
