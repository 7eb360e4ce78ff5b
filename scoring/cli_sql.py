"""`pioneer sql`: print the SQL that a rule file's plan compiles to."""

from __future__ import annotations

import datetime as dt

import click

from scoring import service
from scoring.backends.sql.dialects import DIALECTS
from scoring.backends.sql.listing import render_plan
from scoring.backends.sql.sqlbackend import stored_dataset
from scoring.cli_common import user_errors


def register(cli: click.Group) -> None:
    """Add the `sql` command to the `pioneer` group."""
    cli.add_command(sql)


@click.command()
@click.argument("rules_path", metavar="RULES", type=click.Path(dir_okay=False))
@click.option("--dialect", type=click.Choice(DIALECTS), default="sqlite", show_default=True)
@click.option("--period", help="The period whose dates the SQL filters on (default: this year).")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    help="Compile for the latest matching dataset of this store (its tables and scales).",
)
@user_errors
def sql(rules_path: str, dialect: str, period: str | None, db_path: str | None) -> None:
    """Print the SQL the plan of RULES compiles to, per award (fallbacks as comments)."""
    rules = service.load(rules_path)
    chosen = service.parse_period_text(period or str(dt.date.today().year))
    dataset = None
    if db_path is not None:
        db = service.open_existing(db_path)
        dataset = stored_dataset(db, service.latest_dataset(db, rules))
    click.echo(render_plan(rules.plan, dialect, chosen, dataset), nl=False)
