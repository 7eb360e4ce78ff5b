"""What every `pioneer` command shares: turning a PioneerError into one clear
message and exit code 1, and the `--db`, `--as`, `--today` options."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from scoring.errors import PioneerError, RulesError

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> None:
    """Print `error: MESSAGE` on standard error and exit 1."""
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def user_errors(fn: F) -> F:
    """A PioneerError becomes one message on standard error and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RulesError as exc:  # already compiler-style: file:line:col: error[...]
            click.echo(str(exc), err=True)
            sys.exit(1)
        except PioneerError as exc:
            fail(str(exc))

    return wrapper  # type: ignore[return-value]


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    """A click callback for YYYY-MM-DD options."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"`{value}` is not a date like 2022-10-10") from None


today_option = click.option(
    "--today",
    callback=parse_date,
    help="The date the action counts as taken (YYYY-MM-DD; default: the system date).",
)
actor_option = click.option(
    "--as", "actor", metavar="NAME", help="Act as NAME instead of the OS user."
)
db_option = click.option(
    "--db",
    "db_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The store (SQLite file).",
)
