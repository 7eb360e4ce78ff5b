"""A refusal a clerk sees: one message and one hint, exit code 1, no traceback.

The library says what to do in plain words (`PioneerError.hint`) and may
name a `Remedy`; the command line words the remedy as its commands and
flags *in place of* the plain hint, never beside it. The objector rule, tie
selection and revoke are triggered through the library and through the CLI.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from review_helpers import Store, invoke, reviewed_store

from scoring import service
from scoring.cli_common import user_message
from scoring.errors import PioneerError, Remedy
from scoring.explain import render


def trailing_hint(line: str) -> tuple[str, str]:
    """`line` split into its text and its last bracketed group (parentheses balanced)."""
    assert line.endswith(")"), line
    depth = 0
    for i in range(len(line) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(line[i], 0)
        if depth == 0:
            return line[:i].rstrip(), line[i + 1 : -1]
    raise AssertionError(f"unbalanced: {line}")


def hint_of(result: Result) -> str:
    """The hint of a refusal's one line: exit 1, no traceback, one bracketed hint."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    text, hint = trailing_hint(lines[0])
    assert not TRAILING_HINT.search(text), f"two bracketed hints in a row: {lines[0]}"
    return hint


TRAILING_HINT = re.compile(r" \([^()]*\)$")
"""A bracketed group at the end of a text, after a space (not `seat(s)`)."""


def one_hint(store: Store, *args: str) -> str:
    """Run a command that must be refused and change nothing; return its one hint."""
    before = store.audit_actions()
    hint = hint_of(store.call(*args))
    assert store.audit_actions() == before
    return hint


def refused(act: Callable[[], object]) -> PioneerError:
    with pytest.raises(PioneerError) as caught:
        act()
    return caught.value


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return reviewed_store(tmp_path)


ADJUST = ("adjust", "--subject", "P6", "--target", "total", "--delta", "+1", "--reason", "r")


def test_the_remedy_replaces_the_plain_hint(store: Store) -> None:
    hint = one_hint(store, *ADJUST, "--as", "alice")
    assert hint == "start the review with `pioneer review-start --run 1`"
    hint = one_hint(store, "review-start", "--as", "aaron")
    assert hint == f"an admin grants it with `pioneer roles grant aaron reviewer --db {store.path}`"
    store.ok("review-start", "--as", "alice")
    assert one_hint(store, "publish", "--as", "pat") == (
        "open the notice with `pioneer notice --run 1`"
    )
    assert one_hint(store, "flag", "--subject", "P1", "--as", "alice") == "give one with `--reason`"


def test_without_a_remedy_the_plain_hint_is_the_one_hint(store: Store) -> None:
    store.ok("review-start", "--as", "alice")
    assert one_hint(store, "review-start", "--as", "alice") == "its review has already started"
    missing = store.path.parent / "none.db"
    hint = hint_of(invoke("status", "--db", missing, "--run", "1"))
    assert hint.startswith("create one with `pioneer ingest`")
    assert not missing.exists()


def test_a_year_without_holidays_names_the_import_once(store: Store) -> None:
    store.ok("review-start", "--as", "alice")
    hint = one_hint(store, "notice", "--as", "pat", "--today", "2099-01-06")
    assert hint.startswith(
        f"import that year's days with `pioneer calendar import FILE --db {store.path}`"
    )
    assert "import 2099's holidays" not in hint  # the library's plain hint, replaced


def test_open_items_each_carry_one_hint(store: Store) -> None:
    store.ok("review-start", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok("object", "--subject", "P1", "--objector", "张三", "--reason", "材料不实",
             "--as", "alice", "--today", "2022-09-30")  # fmt: skip
    result = store.call("publish", "--as", "pat", "--today", "2022-10-11")
    assert result.exit_code == 1 and "Traceback" not in result.output
    head, *items = result.stderr.splitlines()
    assert head == "error: cannot publish run 1: 2 item(s) still open:"
    hints = [trailing_hint(item)[1] for item in items]
    assert hints == [
        "choose with `pioneer resolve-tie --db DB --run 1 --award a --select KEY`, "
        "one --select per seat",
        "resolve it with `pioneer resolve-objection --db DB --run 1 1 --upheld` or "
        "`--dismissed --reason TEXT`",
    ]
    assert not any(TRAILING_HINT.search(trailing_hint(item)[0]) for item in items)
    db = service.open_existing(store.path)
    error = refused(lambda: service.publish(db, 1, actor="pat", today=dt.date(2022, 10, 11)))
    assert "(reviewers choose who is selected)" in str(error)
    assert "(uphold or dismiss it)" in str(error)
    assert "pioneer" not in str(error)


# ------------------------------------------------------------------ objector


def test_an_objection_without_an_objector(store: Store) -> None:
    store.ok("review-start", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    args = ("object", "--subject", "P1", "--reason", "材料不实", "--as", "alice")
    for objector in ((), ("--objector", "  ")):
        hint = one_hint(store, *args, *objector, "--today", "2022-09-30")
        assert hint == "give the name with `--objector`"
    err = store.refused(*args, "--today", "2022-09-30")
    assert err == (
        "error: an objection must name its objector: 异议须实名 (give the name with `--objector`)\n"
    )
    db = service.open_existing(store.path)
    error = refused(
        lambda: service.raise_objection(
            db, 1, "P1", objector=" ", reason="材料不实", actor="alice", today=dt.date(2022, 9, 30)
        )
    )
    assert str(error) == "an objection must name its objector: 异议须实名 (give the name)"
    assert error.remedy is Remedy.NAME_OBJECTOR
    assert store.audit_actions()[-1] == "notice"


# ------------------------------------------------------------------ tie selection


def test_tie_selection_refusals(store: Store) -> None:
    store.ok("review-start", "--as", "alice")
    tie = ("resolve-tie", "--award", "a", "--as", "alice")
    assert one_hint(store, *tie, "--select", "P3", "--select", "P4") == (
        "name them with `--select`"
    )
    assert store.refused(*tie, "--select", "P3", "--select", "P4") == (
        "error: the boundary tie in a at rank 3 (P3, P4) has 1 seat(s) left: name exactly "
        "1 subject(s), not 2 (name them with `--select`)\n"
    )
    assert store.refused(*tie, "--select", "P5") == (
        "error: P5 is not in a boundary tie of award `a`: boundary tie in a at rank 3: "
        "P3, P4 tied for 1 seat(s) (select among the tied subjects)\n"
    )
    assert store.refused(*tie, "--select", "P3", "--select", "P3") == (
        "error: the selection names P3 more than once (name each subject once)\n"
    )
    db = service.open_existing(store.path)
    errors = [
        refused(lambda: service.resolve_tie(db, 1, "a", ["P3", "P4"], actor="alice")),
        refused(lambda: service.resolve_tie(db, 1, "a", [], actor="alice")),
        refused(lambda: service.resolve_tie(db, 1, "a", ["P3", "P3"], actor="alice")),
    ]
    assert [e.remedy for e in errors] == [Remedy.SELECT, Remedy.SELECT, None]
    assert str(errors[1]) == "name the subjects to select: boundary tie in a at rank 3: P3, P4 " \
        "tied for 1 seat(s)"  # fmt: skip
    assert user_message(errors[1]).endswith("(name them with `--select`)")
    assert all("--select" not in str(e) for e in errors)


# ------------------------------------------------------------------ revoke


def test_revoke_refusals(store: Store) -> None:
    store.ok("review-start", "--as", "alice")
    revoke = ("revoke", "--subject", "P1", "--reason", "事故", "--as", "pat")
    assert one_hint(store, *revoke) == (
        "before publication, flag the subject or uphold an objection instead"
    )
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok("publish", "--as", "pat", "--today", "2022-10-11")
    assert one_hint(store, *ADJUST, "--as", "alice") == (
        "a published run can no longer change; a veto that surfaced later is recorded with "
        "`pioneer revoke`"
    )
    assert one_hint(store, "revoke", "--subject", "P1", "--as", "pat") == (
        "give one with `--reason`"
    )
    assert store.refused("revoke", "--subject", "P4", "--reason", "x", "--as", "pat") == (
        "error: a P4 was not selected in published run 1: there is nothing to revoke\n"
    )
    db = service.open_existing(store.path)
    late = refused(lambda: service.adjust(db, 1, "P6", "total", "+1", reason="r", actor="alice"))
    assert late.remedy is Remedy.REVOKE
    assert str(late).endswith(
        "(a published run can no longer change; a veto that surfaced later is recorded as a "
        "revocation)"
    )
    bare = refused(lambda: service.revoke(db, 1, "P1", reason=None, actor="pat"))
    assert (str(bare), bare.remedy) == (
        "a revocation needs a reason (give one)",
        Remedy.GIVE_REASON,
    )


# ------------------------------------------------------------------ explain's tie note


def test_explain_tells_how_to_resolve_an_open_tie(store: Store) -> None:
    def explained(subject: str) -> list[str]:
        result = invoke("explain", "--db", store.path, "--run", "1", "--award", "a",
                        "--subject", subject)  # fmt: skip
        assert result.exit_code == 0, result.output
        return result.stdout.splitlines()

    lines = explained("P3")
    note = next(i for i, line in enumerate(lines) if "boundary tie open at rank 3" in line)
    remedy = next(i for i, line in enumerate(lines) if "to resolve" in line)
    assert note < remedy < lines.index("", note)  # after the notes, before the breakdown
    assert lines[remedy] == (
        "  to resolve the tie, a reviewer picks 1 of P3, P4 with `pioneer resolve-tie "
        f"--db {store.path} --run 1 --award a --select KEY`, one --select per seat"
    )
    assert not any("to resolve" in line for line in explained("P1"))
    db = service.open_existing(store.path)
    plain = render(service.explain(db, 1, "a", "P3"))
    assert "reviewers decide who is selected" in plain and "pioneer" not in plain
    store.ok("review-start", "--as", "alice")
    store.ok("resolve-tie", "--award", "a", "--select", "P4", "--as", "alice")
    assert not any("to resolve" in line for line in explained("P3"))
