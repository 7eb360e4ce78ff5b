"""The store's working-day calendar on the command line (SPEC §5, §6):

    pioneer calendar import FILE --db DB [--as NAME] [--today DATE]
    pioneer calendar show YEAR --db DB

Each command parses its arguments, calls one service function and prints the
outcome. A year nobody knows is refused by the library with
`Remedy.IMPORT_CALENDAR`, which `scoring.cli_common` words as the import
command. Registered on the `pioneer` group by `scoring.cli_review.register`.
"""

from __future__ import annotations

import datetime as dt

import click

from scoring import service
from scoring.cli_common import actor_option, db_option, today_option, user_errors

_WEEKDAYS = "一二三四五六日"
_KINDS = {"holiday": "休", "workday": "班"}


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
    lines = service.calendar_year(service.open_for_reading(db_path), year)
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
