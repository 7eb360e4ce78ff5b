"""The review workflow on the command line (SPEC §5 and §6): each command
parses its arguments, calls one service function and prints what happened.

    register(cli)   # adds review-start, adjust, approve, flag, unflag,
                    # resolve-tie, notice, object, resolve-objection, publish,
                    # revoke, status, the roles and calendar groups

Every command takes `--db`, `--as NAME` (default: the OS user) and
`--today DATE` (the date the action counts as taken). A refused action
prints one line on standard error saying why and what to do, and exits 1.

This module does not import `scoring.cli` (which calls `register`), so that
either may be imported first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from scoring import run_notes, service
from scoring.cli_common import (
    ITEM_COMMANDS,
    F,
    actor_option,
    db_option,
    item_line,
    parse_date,
    run_option,
    today_option,
    user_errors,
    worded,
)
from scoring.results import resolve_run

if TYPE_CHECKING:  # annotations only: the review workflow loads the rule model
    from sqlite_utils import Database

    from scoring.review.publication import RunStatus

T = TypeVar("T")


def _common(fn: F) -> F:
    """--db, --run, --as and --today, and PioneerError → exit 1."""
    for option in reversed(
        (
            db_option,
            run_option,
            actor_option,
            today_option,
        )
    ):
        fn = option(fn)
    return user_errors(fn)


def _subject(fn: F) -> F:
    fn = click.option("--subject", required=True, help="The subject's key.")(fn)
    return click.option(
        "--award", help="The award (needed when the subject is in several awards)."
    )(fn)


def _reason(required_text: str) -> Callable[[F], F]:
    return click.option("--reason", help=required_text)


def _open(db_path: str) -> Database:
    return service.open_existing(db_path)


def _sign(delta: str) -> str:
    return delta if delta.startswith("-") else f"+{delta}"


@click.command("review-start")
@_common
@_reason("Why (recorded; optional).")
def review_start(
    db_path: str, run_ref: str, actor: str | None, today: dt.date | None, reason: str | None
) -> None:
    """Start the review of a draft run (draft → in_review)."""
    db = _open(db_path)
    service.review_start(db, run_ref, reason=reason, actor=actor, today=today)
    click.echo(f"run {resolve_run(db, run_ref).id} is in review")


@click.command()
@_common
@_subject
@click.option("--target", required=True, help="A node's dotted path, or `total`.")
@click.option("--delta", required=True, help="The signed change, e.g. +2 or -1.5.")
@_reason("Why (mandatory).")
def adjust(
    db_path: str,
    run_ref: str,
    actor: str | None,
    today: dt.date | None,
    award: str | None,
    subject: str,
    target: str,
    delta: str,
    reason: str | None,
) -> None:
    """Adjust a node or the total of a subject; it counts once another reviewer approves it."""
    db = _open(db_path)
    adj = service.adjust(
        db, run_ref, subject, target, delta, reason=reason, award=award, actor=actor, today=today
    )
    approve_it = worded(
        "`pioneer approve --db {db} --run {run} {id}`", {"run": adj.run_id, "id": adj.id}, db_path
    )
    click.echo(
        f"adjustment {adj.id}: {adj.award} {adj.subject} {adj.target} {_sign(adj.delta)}, "
        f"pending: another reviewer approves it with {approve_it}"
    )


@click.command()
@_common
@click.argument("adjustment_id", metavar="ADJUSTMENT", type=int)
@click.option("--reject", is_flag=True, help="Reject it instead (its author may withdraw it so).")
@_reason("Why (mandatory with --reject).")
def approve(
    db_path: str,
    run_ref: str,
    actor: str | None,
    today: dt.date | None,
    adjustment_id: int,
    reject: bool,
    reason: str | None,
) -> None:
    """Approve an adjustment made by someone else (four-eyes), or reject it."""
    db = _open(db_path)
    if reject:
        adj = service.reject_adjustment(
            db, run_ref, adjustment_id, reason=reason, actor=actor, today=today
        )
        click.echo(f"adjustment {adj.id} rejected: it does not count")
        return
    adj = service.approve(db, run_ref, adjustment_id, reason=reason, actor=actor, today=today)
    click.echo(
        f"adjustment {adj.id} approved: {adj.award} {adj.subject} {adj.target} "
        f"{_sign(adj.delta)} now counts"
    )


def _subject_command(
    name: str,
    act: Callable[[], Callable[..., T]],
    reason_help: str,
    doc: str,
    said: Callable[[T], str],
) -> click.Command:
    """A command that takes one action on one subject with a reason (flag,
    unflag, revoke) and prints `said` of what it did. `act` names the action
    when called: the review workflow is loaded only when such a command runs."""

    @click.command(name, help=doc)
    @_common
    @_subject
    @_reason(reason_help)
    def command(
        db_path: str,
        run_ref: str,
        actor: str | None,
        today: dt.date | None,
        award: str | None,
        subject: str,
        reason: str | None,
    ) -> None:
        done = act()(
            _open(db_path), run_ref, subject, reason=reason, award=award, actor=actor, today=today
        )
        click.echo(said(done))

    return command


flag = _subject_command(
    "flag",
    lambda: service.flag,
    "Why the subject is held (mandatory).",
    "Flag a subject: the run cannot be published while it is flagged.",
    lambda f: f"flag {f.id}: {f.award} {f.subject} is held",
)
unflag = _subject_command(
    "unflag",
    lambda: service.unflag,
    "Why the hold is lifted (mandatory).",
    "Lift the flag on a subject.",
    lambda f: f"flag {f.id} lifted: {f.award} {f.subject}",
)
revoke = _subject_command(
    "revoke",
    lambda: service.revoke,
    "Why (mandatory), e.g. a veto that surfaced later.",
    "Revoke a published selection; recorded beside the published result.",
    lambda r: f"revocation {r.id}: {r.award} {r.subject} revoked",
)


@click.command("resolve-tie")
@_common
@click.option("--award", required=True, help="The award whose boundary tie is resolved.")
@click.option(
    "--select",
    "select",
    multiple=True,
    required=True,
    help="A subject of the tie to select; repeat for each seat left.",
)
@_reason("Why (recorded).")
def resolve_tie(
    db_path: str,
    run_ref: str,
    actor: str | None,
    today: dt.date | None,
    award: str,
    select: tuple[str, ...],
    reason: str | None,
) -> None:
    """Choose who of a boundary tie is selected: exactly as many as seats are left."""
    res = service.resolve_tie(
        _open(db_path), run_ref, award, list(select), reason=reason, actor=actor, today=today
    )
    left = [k for k in res.tied if k not in res.selected]
    click.echo(
        f"tie resolved in {res.award}: {', '.join(res.selected)} selected"
        + (f", {', '.join(left)} not" if left else "")
    )


@click.command()
@_common
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Working days on the Chinese calendar.",
)
@click.option("--start", callback=parse_date, help="The first day (default: --today).")
@_reason("Why (recorded; optional).")
def notice(
    db_path: str,
    run_ref: str,
    actor: str | None,
    today: dt.date | None,
    days: int,
    start: dt.date | None,
    reason: str | None,
) -> None:
    """Open the public notice (公示) for a number of working days."""
    opened = service.open_notice(
        _open(db_path), run_ref, days=days, start=start, reason=reason, actor=actor, today=today
    )
    publishable = dt.date.fromisoformat(opened.last_day) + dt.timedelta(days=1)
    click.echo(
        f"notice {opened.id}: {opened.first_day} to {opened.last_day} "
        f"({opened.days} working days); publication possible from {publishable.isoformat()}"
    )


@click.command("object")
@_common
@_subject
@click.option("--objector", help="The objector's real name (mandatory: 异议须实名).")
@_reason("The objection (mandatory).")
def object_cmd(
    db_path: str,
    run_ref: str,
    actor: str | None,
    today: dt.date | None,
    award: str | None,
    subject: str,
    objector: str | None,
    reason: str | None,
) -> None:
    """Record an objection (异议) to a subject during the notice."""
    obj = service.raise_objection(
        _open(db_path),
        run_ref,
        subject,
        objector=objector,
        reason=reason,
        award=award,
        actor=actor,
        today=today,
    )
    resolve = worded(ITEM_COMMANDS["objection"], {"run": obj.run_id, "id": obj.id}, db_path)
    click.echo(
        f"objection {obj.id} to {obj.award} {obj.subject} recorded; the run cannot be "
        f"published until it is resolved: {resolve}"
    )


@click.command("resolve-objection")
@_common
@click.argument("objection_id", metavar="OBJECTION", type=int)
@click.option("--upheld", "finding", flag_value="upheld", help="Remove the subject (递补).")
@click.option("--dismissed", "finding", flag_value="dismissed", help="Keep the subject.")
@_reason("The finding (mandatory when dismissed).")
def resolve_objection(
    db_path: str,
    run_ref: str,
    actor: str | None,
    today: dt.date | None,
    objection_id: int,
    finding: str | None,
    reason: str | None,
) -> None:
    """Record the finding on an objection: --upheld or --dismissed."""
    if finding is None:
        raise click.UsageError("say --upheld or --dismissed")
    db = _open(db_path)
    obj = service.resolve_objection(
        db,
        run_ref,
        objection_id,
        upheld=finding == "upheld",
        reason=reason,
        actor=actor,
        today=today,
    )
    if finding == "upheld":
        click.echo(
            f"objection {obj.id} upheld: {obj.award} {obj.subject} is removed from the selection,"
            f" the next in rank takes the seat; run {obj.run_id} is back in review for a new notice"
        )
    else:
        click.echo(f"objection {obj.id} dismissed")


@click.command()
@_common
@_reason("Why (recorded; optional).")
def publish(
    db_path: str, run_ref: str, actor: str | None, today: dt.date | None, reason: str | None
) -> None:
    """Publish a run whose notice has ended with nothing left open."""
    db = _open(db_path)
    digest = service.publish(db, run_ref, reason=reason, actor=actor, today=today)
    run_id = resolve_run(db, run_ref).id
    click.echo(f"run {run_id} published; standings_sha256 {digest}")


@click.command()
@_common
def status(db_path: str, run_ref: str, actor: str | None, today: dt.date | None) -> None:
    """A run's state, notice window and open items (as of --today)."""
    db = _open(db_path)
    found = service.run_status(db, run_ref, today=today)
    for line in status_lines(found):
        click.echo(line)
    for award, note in run_notes.notes(db, found.run_id):  # e.g. seats decided by a remainder tie
        click.echo(f"warning: {award}: {note}")


def status_lines(found: RunStatus) -> list[str]:
    """What `status` prints."""
    from scoring.export.notice import STATUS_LABELS

    lines = [f"run {found.run_id}: {found.status} ({STATUS_LABELS.get(found.status, '')})"]
    if found.notice is not None:
        n = found.notice
        state = f" (closed: {n.closed})" if n.closed else ""
        lines.append(
            f"notice {n.id}: {n.first_day} to {n.last_day} ({n.days} working days){state}; "
            f"publication possible from {found.publishable_from}"
        )
        if found.status == "notice" and n.closed is None:
            ended = found.today > dt.date.fromisoformat(n.last_day)
            lines.append(
                f"as of {found.today}: "
                + ("the notice has ended" if ended else "the notice is running")
            )
    for award, keys in found.selection.items():
        lines.append(f"selected in {award}: {', '.join(keys) if keys else '(none)'}")
    if found.adjustments:
        counts = {
            s: sum(a.status == s for a in found.adjustments)
            for s in ("approved", "pending", "rejected")
        }
        lines.append("adjustments: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    lines.extend(
        f"objection {o.id} to {o.award} {o.subject}: {o.status}"
        + (f" ({o.finding})" if o.finding else "")
        for o in found.objections
        if o.status != "open"
    )
    lines.extend(
        f"revoked: {r.award} {r.subject} on {r.revoked} by {r.actor}: {r.reason}"
        for r in found.revocations
    )
    if found.status == "published":
        return lines
    if found.items:
        lines.append(f"open items ({len(found.items)}):")
        lines.extend(f"  - {item_line(item)}" for item in found.items)
    else:
        lines.append("nothing open")
    return lines


@click.group()
def roles() -> None:
    """Who may do what: author, reviewer, publisher, admin."""


def _roles_options(fn: F) -> F:
    return user_errors(db_option(actor_option(today_option(fn))))


@roles.command("grant")
@click.argument("name")
@click.argument("role", type=click.Choice(["author", "reviewer", "publisher", "admin"]))
@_roles_options
def roles_grant(
    name: str, role: str, db_path: str, actor: str | None, today: dt.date | None
) -> None:
    """Give NAME a ROLE (admin)."""
    service.grant_role(_open(db_path), name, role, actor=actor, today=today)
    click.echo(f"{name} is now {role}")


@roles.command("revoke")
@click.argument("name")
@click.argument("role", type=click.Choice(["author", "reviewer", "publisher", "admin"]))
@_roles_options
def roles_revoke(
    name: str, role: str, db_path: str, actor: str | None, today: dt.date | None
) -> None:
    """Take ROLE from NAME (admin; never the last admin)."""
    service.revoke_role(_open(db_path), name, role, actor=actor, today=today)
    click.echo(f"{name} is no longer {role}")


@roles.command("list")
@_roles_options
def roles_list(db_path: str, actor: str | None, today: dt.date | None) -> None:
    """Every name and its roles."""
    by_name: dict[str, list[str]] = {}
    for name, role in service.list_roles(service.open_for_reading(db_path)):
        by_name.setdefault(name, []).append(role)
    for name, held in by_name.items():
        click.echo(f"{name}: {', '.join(held)}")


COMMANDS: tuple[click.Command, ...] = (
    review_start,
    adjust,
    approve,
    flag,
    unflag,
    resolve_tie,
    notice,
    object_cmd,
    resolve_objection,
    publish,
    revoke,
    status,
    roles,
)


def register(group: click.Group) -> None:
    """Add the review commands to `group` (the `pioneer` command group), and
    the calendar's (`scoring.cli_calendar`)."""
    from scoring.cli_calendar import calendar

    for command in (*COMMANDS, calendar):
        if command.name not in group.commands:
            group.add_command(command)
