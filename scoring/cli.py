"""The `pioneer` command line: each command parses its arguments, calls one
service function, and prints. Bad input: a clear message and exit code 1;
usage errors: exit 2; an ingest with rejected rows: exit 3; a bug (an
internal error): exit 70, with a plea to report it."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scoring import service
from scoring.backends.sql.names import ENGINES, EngineChoice
from scoring.cli_common import (
    actor_option,
    db_option,
    fail,
    internal,
    remedy_text,
    run_option,
    today_option,
    user_errors,
)
from scoring.cli_review import register as register_review
from scoring.cli_sql import register as register_sql
from scoring.diagnostics import has_errors, render_all, summary
from scoring.errors import PioneerError
from scoring.width import display_width
from scoring.width import ljust as pad

# The heavier modules (the rule model, the SQL compiler, DuckDB, openpyxl, the
# diff and the rule unit tests) are imported inside the commands that use
# them, so that a command like `pioneer rank` starts in a fraction of a second.
if TYPE_CHECKING:
    from scoring.coverage import Coverage
    from scoring.diff import RunDiff
    from scoring.explain import Explanation

EXIT_REJECTED = 3


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[str, int, int], None] | None]:
    """Progress on a terminal (a bar when the total is known, a counter when
    not); nothing at all when standard error is piped."""
    if not sys.stderr.isatty():
        yield None
        return
    bars: dict[str, Any] = {}
    counting = False

    def update(what: str, done: int, total: int) -> None:
        nonlocal counting
        if total <= 0:
            click.echo(f"\r{label} {what}: {done} rows\033[K", nl=False, err=True)
            counting = True
            return
        bar = bars.get(what)
        if bar is None:
            bar = click.progressbar(length=total, label=f"{label} {what}", file=sys.stderr)
            bar.__enter__()
            bars[what] = bar
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)
        if counting:
            click.echo("\r\033[K", nl=False, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pioneer")
def cli() -> None:
    """pioneer: rule-driven, auditable scoring for recognition campaigns (三个先锋, 三亮三比双争)."""


@cli.command()
@click.argument("rules", nargs=-1, required=True, type=click.Path())
def check(rules: tuple[str, ...]) -> None:
    """Validate rule files (a folder: every *.yaml in it that is not a
    *.test.yaml); compiler-style errors; exit 1 on any error."""
    failed = False
    for path in _rule_paths(rules):
        if path.endswith(".test.yaml"):
            failed = _check_test_file(path) or failed
            continue
        diagnostics, _ = service.check_file(path)
        if diagnostics:
            click.echo(render_all(diagnostics), err=True)
        status = "FAILED" if has_errors(diagnostics) else "ok"
        click.echo(f"{path}: {status} ({summary(diagnostics)})")
        failed = failed or has_errors(diagnostics)
    sys.exit(1 if failed else 0)


def _rule_paths(paths: tuple[str, ...]) -> list[str]:
    """Files named on the command line, folders expanded to their rule files."""
    out: list[str] = []
    for raw in paths:
        folder = Path(raw)
        if not folder.is_dir():
            out.append(raw)
            continue
        found = sorted(
            str(p)
            for p in folder.rglob("*.y*ml")
            if p.suffix in (".yaml", ".yml") and not p.name.endswith((".test.yaml", ".test.yml"))
        )
        out.extend(found or [raw])  # an empty folder: reported as unreadable
    return out


def _check_test_file(path: str) -> bool:
    """A rule unit test file given to `check`: validate its shape, don't run it."""
    from scoring.ruletest import load_test_file

    try:
        test = load_test_file(Path(path))
    except PioneerError as exc:
        click.echo(str(exc), err=True)
        click.echo(f"{path}: FAILED (rule unit test file)")
        return True
    cases = len(test.doc["cases"])
    click.echo(f"{path}: ok (rule unit test file, {cases} case(s); run it with `pioneer test`)")
    return False


@cli.command()
@click.option(
    "--tests", "for_tests", is_flag=True, help="The schema of rule unit test files (*.test.yaml)."
)
def schema(for_tests: bool) -> None:
    """Print the JSON Schema of rule files (or of rule unit test files)."""
    from scoring.model import rule_schema
    from scoring.ruletest_model import ruletest_schema

    document = ruletest_schema() if for_tests else rule_schema()
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


def _load(path: str) -> service.Rules:
    rules = service.load(path)
    if rules.warnings:
        click.echo(render_all(rules.warnings), err=True)
    return rules


def _ingest(db: Any, rules: service.Rules, folder: str, strict: bool, actor: str | None) -> int:
    from scoring.ingest import reader_notes, summary_lines

    with progress_bar("ingest") as progress:
        report = service.ingest_folder(
            db, rules, folder, strict=strict, actor=actor, progress=progress
        )
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for note in reader_notes(report):
        click.echo(f"note: {note}", err=True)
    if report.reused:
        click.echo(f"dataset {report.dataset_id} (identical to one already stored, reused)")
    else:
        click.echo(f"dataset {report.dataset_id} sha256 {report.sha256}")
    for line in summary_lines(report):
        click.echo(line)
    return report.rejected


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--rules", "rules_path", required=True, type=click.Path(dir_okay=False))
@db_option
@click.option("--strict", is_flag=True, help="Fail the whole ingest on the first rejected row.")
@actor_option
@user_errors
def ingest(folder: str, rules_path: str, db_path: str, strict: bool, actor: str | None) -> None:
    """Read a folder of spreadsheets (one per table) into an immutable dataset."""
    rules = _load(rules_path)
    db = service.open_db(db_path, actor=actor)
    rejected = _ingest(db, rules, folder, strict, actor)
    if rejected:
        click.echo(f"{rejected} row(s) rejected: see `pioneer rejects --db {db_path}`", err=True)
        sys.exit(EXIT_REJECTED)


@cli.command()
@click.argument("rules_path", metavar="RULES", type=click.Path(dir_okay=False))
@db_option
@click.option(
    "--period", required=True, help="2022, 2022-H2, 2022-Q4, 2022-12 or 2022-01-01..2022-06-30"
)
@click.option(
    "--data", type=click.Path(exists=True, file_okay=False), help="Ingest this folder first."
)
@click.option("--strict", is_flag=True, help="With --data: fail on the first rejected row.")
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    help="Score with compiled SQL on SQLite or DuckDB (auto: DuckDB for large datasets);"
    " default: the reference interpreter. Results are identical.",
)
@actor_option
@today_option
@user_errors
def score(
    rules_path: str,
    db_path: str,
    period: str,
    data: str | None,
    strict: bool,
    engine: EngineChoice | None,
    actor: str | None,
    today: dt.date | None,
) -> None:
    """Score every award of RULES over the period; prints the run id last."""
    rules = _load(rules_path)
    service.parse_period_text(period)
    db = service.open_db(db_path, actor=actor) if data else service.open_existing(db_path)
    rejected = 0
    dataset_id = None
    if data is not None:
        rejected = _ingest(db, rules, data, strict, actor)
        dataset_id = service.latest_dataset(db, rules)
    backend = None
    if engine is not None:
        from scoring.backends.sql.engines import backend_for
        from scoring.backends.sql.sqlbackend import stored_dataset

        chosen = dataset_id if dataset_id is not None else service.latest_dataset(db, rules)
        backend = backend_for(engine, stored_dataset(db, chosen), rules.plan.catalog)
    with progress_bar("score") as progress:
        run = service.score(
            db,
            rules,
            period,
            dataset_id=dataset_id,
            actor=actor,
            today=today,
            progress=progress,
            backend=backend,
        )
    for fallback in run.fallbacks:
        click.echo(f"note: {fallback}", err=True)
    for award, n in run.subjects.items():
        click.echo(
            f"{award}: {n} scored, {run.ranked[award]} ranked, {run.selected[award]} selected"
        )
    for award, notes in run.notes.items():
        for note in notes:
            click.echo(f"warning: {award}: {note}")
    for table, n in run.outside_period.items():
        if n:
            click.echo(f"{table}: {n} record(s) outside the period, not counted")
    found = service.run_warnings(db, run.run_id)[1]
    if found:  # none: nothing to say
        subjects = len({(award, subject) for award, subject, _ in found})
        click.echo(
            f"warnings: {len(found)} on {subjects} subject(s) "
            f"(list them: pioneer warnings --db {db_path} --run {run.run_id})"
        )
    click.echo(f"results_sha256 {run.results_sha256}")
    click.echo(f"run {run.run_id}")
    if rejected:
        sys.exit(EXIT_REJECTED)


@cli.command()
@db_option
@click.option("--dataset", "dataset_id", type=int, help="Dataset id (default: the latest).")
@user_errors
def rejects(db_path: str, dataset_id: int | None) -> None:
    """List a dataset's reject report (file, line, column, value, reason), then its warnings."""
    db = service.open_existing(db_path)
    found = service.rejects(db, dataset_id)
    for r in found:
        click.echo(
            f"{r.file}:{r.line}: {r.column or '-'}: {r.value if r.value is not None else ''!r}: {r.reason}"
        )
    click.echo(f"{len(found)} rejected row(s)")
    warned = service.ingest_warnings(db, dataset_id)
    if warned:
        click.echo("")
        click.echo("warnings (accepted, but the cell looks like a number a spreadsheet rewrote):")
        for w in warned:
            click.echo(f"{w.file}:{w.line}: {w.column or '-'}: {w.value!r}: {w.reason}")
        click.echo(f"{len(warned)} warning(s)")


@cli.command()
@db_option
@run_option
@click.option("--award", required=True)
@click.option("--subject", required=True)
@user_errors
def explain(db_path: str, run_ref: str, award: str, subject: str) -> None:
    """One subject's breakdown down to the evidence records."""
    from scoring.explain import SECTIONS, render

    db = service.open_existing(db_path)
    found = service.explain(db, run_ref, award, subject)
    head, *rest = SECTIONS  # the head ends with the notes; the remedies follow them

    def remedies(ex: Explanation) -> list[str]:
        return [f"  {remedy_text(r, args, db_path)}" for r, args in ex.remedies]

    click.echo(render(found, (head, remedies, *rest)), nl=False)


@cli.command()
@db_option
@run_option
@click.option("--award", required=True)
@click.option("--limit", type=click.IntRange(min=1), help="Show the first N.")
@user_errors
def rank(db_path: str, run_ref: str, award: str, limit: int | None) -> None:
    """An award's ranking: rank, subject, name, unit, total, grade, selected."""
    db = service.open_for_reading(db_path)
    _run, rows = service.ranking(db, run_ref, award, limit)
    table = [["rank", "subject", "name", "unit", "total", "grade", "selected", "note"]]
    for r in rows:
        note = "; ".join(
            ([f"veto: {'; '.join(r.veto)}"] if r.veto else [])
            + (["ineligible"] if not r.eligible else [])
            + (["boundary tie"] if r.boundary_tie else [])
            + ([f"adjusted (computed {r.computed_total})"] if r.total_changed else [])
            + (["objection upheld: holds no seat"] if r.excluded else [])
        )
        table.append(
            [
                str(r.rank) if r.rank is not None else "-",
                r.subject,
                r.name or "",
                r.unit or "",
                r.total,
                r.grade or "",
                "yes" if r.selected else "",
                note,
            ]
        )
    widths = [max(display_width(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        click.echo("  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())


@cli.command()
@db_option
@run_option
@click.option(
    "--format", "fmt", required=True, type=click.Choice(["json", "csv", "xlsx", "md", "html"])
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of standard output."
)
@user_errors
def export(db_path: str, run_ref: str, fmt: str, output: str | None) -> None:
    """Export a run: the full results (json) or the 公示 list (csv, xlsx, md, html)."""
    if output is None and fmt == "xlsx" and stdout_is_terminal():
        fail("an xlsx file would print as garbage on the terminal (write it to a file: -o FILE)")
    db = service.open_existing(db_path)
    data = service.export(db, run_ref, fmt)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(output)
    tmp = target.with_name(target.name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(target)
    except OSError as exc:
        raise PioneerError(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"wrote {output}", err=True)


def stdout_is_terminal() -> bool:
    """True when standard output is a terminal (not a pipe or a file)."""
    return sys.stdout.isatty()


@cli.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("log")
@db_option
@user_errors
def audit_log(db_path: str) -> None:
    """Every audit entry, oldest first."""
    db = service.open_for_reading(db_path)
    for e in service.audit_entries(db):
        run = f" run {e.run_id}" if e.run_id is not None else ""
        click.echo(
            f"{e.seq:>5}  {e.at}  {e.today}  {e.actor}  {e.action}{run}  {json.dumps(e.detail, ensure_ascii=False)}"
        )


@audit.command("verify")
@db_option
@user_errors
def audit_verify(db_path: str) -> None:
    """Walk the hash chain and recompute every run's results hash."""
    db = service.open_existing(db_path)
    broken = service.verify_audit(db)
    if broken:
        fail(broken)
    click.echo(
        f"audit log ok: {len(service.audit_entries(db))} entries, chain and results hashes match"
    )


_diff_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for scripts.",
)


def _echo_diff(found: RunDiff, fmt: str) -> None:
    from scoring.diff import render_diff, render_diff_json

    click.echo(render_diff_json(found) if fmt == "json" else render_diff(found), nl=False)


@cli.command("diff")
@db_option
@click.argument("run_a")
@click.argument("run_b")
@_diff_format
@user_errors
def diff_cmd(db_path: str, run_a: str, run_b: str, fmt: str) -> None:
    """Rank movers, grade and selection changes between two runs, and why."""
    db = service.open_for_reading(db_path)
    _echo_diff(service.diff(db, run_a, run_b), fmt)


@cli.command()
@click.argument("rules_path", metavar="R2", type=click.Path(dir_okay=False))
@db_option
@run_option
@_diff_format
@user_errors
def whatif(rules_path: str, db_path: str, run_ref: str, fmt: str) -> None:
    """Score R2 on a run's dataset and period and show what would change; saves nothing."""
    rules = _load(rules_path)
    db = service.open_existing(db_path)
    _echo_diff(service.whatif(db, rules, run_ref), fmt)


@cli.command("warnings")
@db_option
@run_option
@click.option("--award", default=None, help="Only this award's warnings.")
@user_errors
def warnings_cmd(db_path: str, run_ref: str, award: str | None) -> None:
    """List a run's per-subject warnings (e.g. too few panel scores to trim)."""
    db = service.open_for_reading(db_path)
    run, found = service.run_warnings(db, run_ref)
    shown = [w for w in found if award is None or w[0] == award]
    for name, subject, text in shown:
        click.echo(f"{name} {subject}: {text}")
    click.echo(f"run {run.id}: {len(shown)} warning(s)")


@cli.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--coverage", "show_coverage", is_flag=True, help="List which paths of each rule file ran."
)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    help="Fail unless each rule file's coverage is at least this percentage.",
)
@user_errors
def test_rules(paths: tuple[str, ...], show_coverage: bool, min_coverage: float | None) -> None:
    """Run rule unit tests (*.test.yaml); exit 1 if any expectation fails."""
    from scoring.coverage import merge_coverage, render_coverage
    from scoring.ruletest import find_test_files, run_test_file

    passed = failed = 0
    coverage: dict[str, Coverage] = {}
    for path in find_test_files(list(paths)):
        report = run_test_file(path)
        for failure in report.failures:
            click.echo(failure.render())
        passed += report.passed
        failed += report.failed
        state = "FAILED" if report.failures else "ok"
        click.echo(
            f"{report.file}: {state}: {report.cases} case(s), {report.checked} expectation(s), "
            f"{len(report.failures)} failing"
        )
        if report.uncovered:
            shown = ", ".join(report.uncovered[:10])
            more = f" and {len(report.uncovered) - 10} more" if len(report.uncovered) > 10 else ""
            click.echo(f"{report.file}: note: no case checks the points of {shown}{more}")
        merge_coverage(coverage, report.coverage)
    short = False
    if show_coverage or min_coverage is not None:
        for cov in coverage.values():
            for line in render_coverage(cov, every=show_coverage):
                click.echo(line)
            short = short or (min_coverage is not None and cov.percent < Fraction(min_coverage))
    click.echo(f"{passed} passed, {failed} failed")
    if short:
        click.echo(f"coverage below {min_coverage:g}%", err=True)
    sys.exit(1 if failed or short else 0)


@cli.command()
@user_errors
def demo() -> None:
    """Score the shipped example end to end into a temporary store."""
    for line in service.demo_lines():
        click.echo(line)


register_review(cli)
register_sql(cli)


@cli.command()
@db_option
@actor_option
@today_option
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    help="The UI's language (default: the locale's: LC_ALL, LC_MESSAGES, LANG; "
    "Chinese unless it names English).",
)
@user_errors
def review(db_path: str, actor: str | None, today: dt.date | None, lang: str | None) -> None:
    """Open the reviewer terminal UI (as NAME, on DATE, in LANG)."""
    from tui.app import run_review

    service.open_existing(db_path).close()
    run_review(db_path, actor=actor, today=today, lang=lang)


def main() -> None:
    """Entry point: no traceback ever reaches a user."""
    try:
        cli.main(prog_name="pioneer", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # a bug (InternalError or worse): plainly, without a traceback
        internal(exc)
