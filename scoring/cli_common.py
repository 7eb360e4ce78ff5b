"""What every `pioneer` command shares: turning a PioneerError into one clear
message and exit code 1 (with the CLI's wording of its remedy), an internal
error into a plea to report it and exit code 70, and the `--db`, `--as`,
`--today` options."""

from __future__ import annotations

import datetime as dt
import functools
import shlex
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import click

from scoring.errors import (
    EXIT_INTERNAL,
    InternalError,
    PioneerError,
    Remedy,
    RulesError,
    with_hint,
)

if TYPE_CHECKING:
    from scoring.review.items import OpenItem

F = TypeVar("F", bound=Callable[..., Any])


REMEDIES: dict[Remedy, str] = {
    Remedy.CREATE_STORE: "create one with `pioneer ingest` or `pioneer score --data DIR`",
    Remedy.INGEST: "ingest one with `pioneer ingest DIR --rules R --db {db}`"
    " or `pioneer score R --data DIR ...`",
    Remedy.SCORE: "score one with `pioneer score R --db {db} --period P`",
    Remedy.REINGEST_AND_DIFF: "ingest the data again with the new rules, score,"
    " and compare the runs with `pioneer diff`",
    Remedy.LIST_RUNS: "its runs: {runs}; `pioneer status` shows one with `--run ID`",
    Remedy.IMPORT_CALENDAR: "import that year's days with `pioneer calendar import FILE --db {db}`,"
    " FILE having rows of date,kind,name as in examples/calendar-2027.csv,"
    " or update the `chinesecalendar` package",
    Remedy.START_REVIEW: "start the review with `pioneer review-start --run {run}`",
    Remedy.OPEN_NOTICE: "open the notice with `pioneer notice --run {run}`",
    Remedy.REVOKE: "a published run can no longer change; a veto that surfaced later is"
    " recorded with `pioneer revoke`",
    Remedy.NAME_AWARD: "name the award with `--award`",
    Remedy.GIVE_REASON: "give one with `--reason`",
    Remedy.SELECT: "name them with `--select`",
    Remedy.NAME_OBJECTOR: "give the name with `--objector`",
    Remedy.LIST_ITEMS: "see `pioneer status --run {run}`",
    Remedy.GRANT_ROLE: "an admin grants it with `pioneer roles grant {actor} {role} --db {db}`",
    Remedy.RESOLVE_TIE: "to resolve the tie, a reviewer picks {seats} of {keys} with `pioneer resolve-tie --db {db}"
    " --run {run} --award {award} --select KEY`, one --select per seat",
}
"""How the command line words each remedy a library error names."""


def fail(message: str) -> None:
    """Print `error: MESSAGE` on standard error and exit 1."""
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def internal(exc: BaseException) -> None:
    """Report a bug without a traceback and exit `EXIT_INTERNAL`."""
    click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
    click.echo("this is a bug in pioneer: please report it with the command you ran", err=True)
    sys.exit(EXIT_INTERNAL)


def worded(template: str, args: Mapping[str, object], db: str | None) -> str:
    """`template` filled with `args` and `{db}`: the store's path when known, else DB."""
    return template.format_map({**args, "db": shlex.quote(db) if db else "DB"})


def remedy_text(remedy: Remedy, args: Mapping[str, object], db: str | None = None) -> str:
    """The command line's wording of a remedy; `db`, when known, is the store's path."""
    return worded(REMEDIES[remedy], args, db)


def user_message(exc: PioneerError, db: str | None = None) -> str:
    """The error's text with one hint: the command line's wording of its
    remedy in place of the library's plain hint; `db` is the store's path."""
    from scoring.review.items import OpenItemsError  # here: only a refusal needs it

    if isinstance(exc, OpenItemsError):
        where = exc.where()
        head = f"{where}: {exc.head}" if where else exc.head
        return head + "\n" + "\n".join(f"  - {item_line(i)}" for i in exc.items)
    if exc.remedy is None:
        return str(exc)
    return exc.hinted(remedy_text(exc.remedy, exc.remedy_args, db))


ITEM_COMMANDS = {
    "tie": "choose with `pioneer resolve-tie --db {db} --run {run} --award {award} --select KEY`,"
    " one --select per seat",
    "objection": "resolve it with `pioneer resolve-objection --db {db} --run {run} {id} --upheld`"
    " or `--dismissed --reason TEXT`",
    "selection": "open a new notice with `pioneer notice --db {db} --run {run}`",
}
"""How the command line words the command that settles each kind of open item."""


def item_line(item: OpenItem) -> str:
    """An open item's text with one hint: the command that settles it, if
    any, in place of the library's plain hint (`status` and `publish` list
    the same items, so the store is named `DB` in both)."""
    command = ITEM_COMMANDS.get(item.kind)
    return with_hint(item.text, worded(command, item.refs, None) if command else item.hint)


def user_errors(fn: F) -> F:
    """A PioneerError becomes one message on standard error and exit code 1;
    an InternalError a plea to report it and exit code 70."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RulesError as exc:  # already compiler-style: file:line:col: error[...]
            click.echo(str(exc), err=True)
            sys.exit(1)
        except PioneerError as exc:
            fail(user_message(exc, kwargs.get("db_path")))
        except InternalError as exc:
            internal(exc)

    return wrapper  # type: ignore[return-value]


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    """A click callback for YYYY-MM-DD options."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"`{value}` is not a date like 2022-10-10") from None


run_option = click.option(
    "--run", "run_ref", required=True, metavar="ID", help="Run id or `latest`."
)
today_option = click.option(
    "--today",
    metavar="DATE",
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
