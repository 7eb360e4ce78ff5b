"""The store's own working-day calendar (SPEC §5): import, read, list.

A calendar file is text of comma-separated rows `date, kind, name`, in UTF-8
(a byte-order mark is allowed) or, as Chinese Excel saves a csv, GB18030;
like a data file (SPEC §3) the encoding is decided on the whole file:

    # 2027 holidays (provisional until the State Council publishes)
    date,kind,name
    2027-01-01,holiday,元旦
    2027-02-20,workday,春节调休

`date` is YYYY-MM-DD, `kind` is `holiday` (a day off, even on a weekday) or
`workday` (a working day, even on a weekend: 调休), `name` says why. Lines
starting with `#` and blank lines are skipped; a first row `date,kind,name`
is the header. Every problem of the file (a wrong number of fields, a bad
date, an unknown kind, an empty name, a date given twice) is reported with
`FILE:LINE`, all of them at once, and then nothing is written.

An import is one transaction and one audit entry (`calendar-import`, with the
file's SHA-256 and what changed); only an admin may import. A day already in
the store takes the file's kind and name (the newest import wins).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import chinese_calendar  # type: ignore[import-untyped]

from scoring import audit, roles
from scoring.errors import PioneerError
from scoring.review.calendar import StoreDay, WorkCalendar, package_knows
from scoring.store import transaction

if TYPE_CHECKING:
    from sqlite_utils import Database

    from scoring.store import StoreHandle

KINDS = ("holiday", "workday")
HEADER = ["date", "kind", "name"]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_SHOWN = 20
_DDL = """CREATE TABLE IF NOT EXISTS calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    imported_by TEXT NOT NULL,
    imported TEXT NOT NULL
)"""


class CalendarFileError(PioneerError):
    """A calendar file with problems; nothing of it was written."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:_MAX_SHOWN]
        more = len(problems) - len(shown)
        tail = [f"… and {more} more"] if more else []
        super().__init__(
            f"the calendar file has {len(problems)} problem(s); nothing was imported:\n"
            + "\n".join(f"  {p}" for p in [*shown, *tail])
        )
        self.problems = problems


def ensure_calendar_schema(db: Database) -> None:
    """Create the store's calendar table when missing."""
    db.execute(_DDL)


def parse_calendar(path: str | Path, text: str) -> list[tuple[int, StoreDay]]:
    """The (line, day) rows of a calendar file; raises CalendarFileError."""
    problems: list[str] = []
    out: list[tuple[int, StoreDay]] = []
    seen: dict[dt.date, int] = {}
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    first = True
    for fields in reader:
        line = reader.line_num
        cells = [f.strip() for f in fields]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if first and [c.lower() for c in cells] == HEADER:
            first = False
            continue
        first = False
        where = f"{path}:{line}"
        if len(cells) != len(HEADER):
            problems.append(f"{where}: expected 3 fields (date, kind, name), found {len(cells)}")
            continue
        text_day, kind, name = cells
        day = _date(text_day)
        if day is None:
            problems.append(f"{where}: date: `{text_day}` is not a date like 2027-01-01")
        if kind not in KINDS:
            problems.append(f"{where}: kind: `{kind}` is not one of: holiday, workday")
        if not name:
            problems.append(f"{where}: name: empty (say which holiday or 调休 it is)")
        if day is not None:
            if day in seen:
                problems.append(
                    f"{where}: date: {day.isoformat()} is already given on line {seen[day]}"
                )
            else:
                seen[day] = line
        if day is not None and kind in KINDS and name and seen.get(day) == line:
            out.append((line, StoreDay(day, kind, name)))
    if problems:
        raise CalendarFileError(problems)
    if not out:
        raise CalendarFileError([f"{path}: no days in the file (rows of date, kind, name)"])
    return out


def decode_calendar(path: str | Path, raw: bytes) -> str:
    """The file's text: UTF-8 when all of it decodes so, else GB18030."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PioneerError(f"{path}: the calendar file is neither UTF-8 nor GB18030 text")


def _date(text: str) -> dt.date | None:
    if not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class CalendarImport:
    """What an import changed."""

    days: int
    added: int
    replaced: int
    unchanged: int
    years: list[int]


def import_calendar(
    db: Database, path: str | Path, actor: str, today: dt.date | None = None
) -> CalendarImport:
    """Import a calendar file into the store (admin; audited; all or nothing)."""
    roles.require(db, actor, "calendar-import")
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise PioneerError(f"{path}: cannot read the calendar file: {exc.strerror}") from None
    rows = parse_calendar(path, decode_calendar(path, raw))
    ensure_calendar_schema(db)
    added = replaced = unchanged = 0
    day_of_action = (today or dt.date.today()).isoformat()
    with transaction(db):
        for _line, entry in rows:
            old = db.execute(
                "SELECT kind, name FROM calendar_days WHERE day = ?", [entry.day.isoformat()]
            ).fetchone()
            if old is not None and (old[0], old[1]) == (entry.kind, entry.name):
                unchanged += 1
                continue
            if old is None:
                added += 1
            else:
                replaced += 1
            db.execute(
                "INSERT OR REPLACE INTO calendar_days (day, kind, name, imported_by, imported)"
                " VALUES (?, ?, ?, ?, ?)",
                [entry.day.isoformat(), entry.kind, entry.name, actor, day_of_action],
            )
        years = sorted({entry.day.year for _line, entry in rows})
        audit.append(
            db,
            actor,
            "calendar-import",
            detail={
                "file": file.name,
                "sha256": hashlib.sha256(raw).hexdigest(),
                "days": len(rows),
                "added": added,
                "replaced": replaced,
                "unchanged": unchanged,
                "years": years,
            },
            today=today,
        )
    return CalendarImport(len(rows), added, replaced, unchanged, years)


def store_calendar(db: StoreHandle) -> WorkCalendar:
    """The working-day calendar with the store's days over the package's."""
    if "calendar_days" not in db.table_names():
        return WorkCalendar()
    rows = db.execute("SELECT day, kind, name FROM calendar_days").fetchall()
    days = {}
    for day, kind, name in rows:
        entry = StoreDay(dt.date.fromisoformat(day), kind, name)
        days[entry.day] = entry
    return WorkCalendar(days)


@dataclass(frozen=True)
class CalendarLine:
    """One named day of a year: a holiday or a make-up workday, and its source.

    `overrides` is the package's kind for a store day whose kind differs."""

    day: dt.date
    kind: str
    name: str
    source: str  # store | package
    overrides: str | None = None


def calendar_year(db: StoreHandle, year: int) -> list[CalendarLine]:
    """Every holiday and make-up workday of `year`, from both sources, by date.

    Raises UnknownYear when neither the package nor the store knows the year.
    """
    calendar = store_calendar(db)
    package: dict[dt.date, tuple[str, str]] = {}
    if package_knows(year):
        for source, kind in (
            (chinese_calendar.holidays, "holiday"),
            (chinese_calendar.workdays, "workday"),
        ):
            for day, name in source.items():
                if day.year == year:
                    package[day] = (kind, _chinese(name))
    elif year not in calendar.store_years():
        calendar.is_workday(dt.date(year, 1, 1))  # raises UnknownYear
    lines = {day: CalendarLine(day, kind, name, "package") for day, (kind, name) in package.items()}
    for day, entry in calendar.days.items():
        if day.year != year:
            continue
        before = package.get(day)
        lines[day] = CalendarLine(
            day,
            entry.kind,
            entry.name,
            "store",
            before[0] if before is not None and before[0] != entry.kind else None,
        )
    return [lines[d] for d in sorted(lines)]


def _chinese(name: str) -> str:
    for holiday in chinese_calendar.Holiday:
        if holiday.value == name:
            return str(holiday.chinese)
    return name
