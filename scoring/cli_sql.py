"""`pioneer sql` (print the SQL a plan compiles to, or write it as a batch for another
engine) and `pioneer import-results` (store that batch's results as a run)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from scoring import service
from scoring.backends.sql.dialects import DIALECTS
from scoring.backends.sql.imported import import_results, write_batch
from scoring.backends.sql.listing import render_plan
from scoring.backends.sql.sqlbackend import stored_dataset
from scoring.cli_common import actor_option, db_option, today_option, user_errors
from scoring.errors import PioneerError


def register(cli: click.Group) -> None:
    """Add the `sql` and `import-results` commands to the `pioneer` group."""
    cli.add_command(sql)
    cli.add_command(import_results_command)


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
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="With --db: write AWARD.sql per award and manifest.json into this folder"
    " (a batch to run elsewhere and bring back with `pioneer import-results`).",
)
@user_errors
def sql(
    rules_path: str, dialect: str, period: str | None, db_path: str | None, out: str | None
) -> None:
    """Print the SQL the plan of RULES compiles to, per award (fallbacks as comments)."""
    rules = service.load(rules_path)
    chosen = service.parse_period_text(period or str(dt.date.today().year))
    if out is not None and db_path is None:
        raise PioneerError("--out needs --db: a batch is compiled for one stored dataset")
    dataset = None
    if db_path is not None:
        db = service.open_existing(db_path)
        dataset = stored_dataset(db, service.latest_dataset(db, rules))
    if out is not None:
        assert dataset is not None
        manifest = write_batch(Path(out), rules.plan, dataset, chosen, dialect)
        for name, entry in manifest["awards"].items():
            if "local" in entry:
                click.echo(f"{name}: scored locally on import ({entry['local']})")
            elif entry["upstream"]:
                reads = ", ".join(entry["upstream"])
                click.echo(f"{name}: {name}.sql reads {reads}; scored locally on import")
            else:
                click.echo(f"{name}: run {name}.sql, save its rows as {name}.jsonl")
        click.echo(f"wrote {Path(out) / 'manifest.json'}")
        return
    click.echo(render_plan(rules.plan, dialect, chosen, dataset), nl=False)


@click.command("import-results")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--rules", "rules_path", required=True, type=click.Path(dir_okay=False))
@db_option
@actor_option
@today_option
@user_errors
def import_results_command(
    folder: str, rules_path: str, db_path: str, actor: str | None, today: dt.date | None
) -> None:
    """Store a run from a batch written by `pioneer sql --out` and run elsewhere
    (DIR/AWARD.jsonl per award); awards without results are scored here. Prints the run id."""
    rules = service.load(rules_path)
    db = service.open_existing(db_path)
    run, imported = import_results(db, rules, Path(folder), actor=actor, today=today)
    for award, n in run.subjects.items():
        source = "imported" if award in imported else "scored here"
        click.echo(
            f"{award}: {n} {source}, {run.ranked[award]} ranked, {run.selected[award]} selected"
        )
    click.echo(f"run {run.run_id}")
