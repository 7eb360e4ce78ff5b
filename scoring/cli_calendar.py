"""The store's working-day calendar on the command line (SPEC §5, §6):

    pioneer calendar import FILE --db DB [--as NAME] [--today DATE]
    pioneer calendar show YEAR --db DB

Each command parses its arguments, calls one service function and prints the
outcome; `calendar_hint` turns the library's "year unknown" refusal into one
that names the command to run. Registered on the `pioneer` group by
`scoring.cli_review.register`.
"""

from __future__ import annotations

import datetime as dt

import click

from scoring import service
from scoring.cli_common import actor_option, db_option, fail, today_option, user_errors
from scoring.review.calendar import UnknownYear

_WEEKDAYS = "一二三四五六日"
_KINDS = {"holiday": "休", "workday": "班"}


def calendar_hint(exc: UnknownYear, db_path: str) -> str:
    """The refusal of a year nobody knows, with the command that fixes it."""
    return (
        f"{exc}\n  to fix: pioneer calendar import FILE --db {db_path}   "
        f"(FILE: rows of date,kind,name for {exc.year}; the format: examples/calendar-2027.csv)"
    )


@click.group()
def calendar() -> None:
    """The store's working-day calendar: holidays and make-up workdays."""


@calendar.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@actor_option
@today_option
@user_errors
def calendar_import(file: str, db_path: str, actor: str | None, today: dt.date | None) -> None:
    """Import FILE (rows of date,kind,name; kind holiday or workday) into the store (admin)."""
    done = service.import_calendar(service.open_existing(db_path), file, actor=actor, today=today)
    years = ", ".join(str(y) for y in done.years)
    click.echo(
        f"imported {done.days} day(s) for {years}: {done.added} added, "
        f"{done.replaced} replaced, {done.unchanged} unchanged"
    )


@calendar.command("show")
@click.argument("year", type=click.IntRange(min=1900, max=9999))
@db_option
@user_errors
def calendar_show(year: int, db_path: str) -> None:
    """Every holiday and make-up workday of YEAR, with where it comes from."""
    try:
        lines = service.calendar_year(service.open_existing(db_path), year)
    except UnknownYear as exc:
        fail(calendar_hint(exc, db_path))
        return
    for line in lines:
        weekday = _WEEKDAYS[line.day.weekday()]
        note = f"  (package: {line.overrides})" if line.overrides else ""
        click.echo(
            f"{line.day.isoformat()}  周{weekday}  {line.kind:<7}  {_KINDS[line.kind]}  "
            f"{line.source:<7}  {line.name}{note}"
        )
    stored = sum(1 for line in lines if line.source == "store")
    click.echo(
        f"{year}: {len(lines)} day(s), {stored} from the store, {len(lines) - stored} from the package"
    )
