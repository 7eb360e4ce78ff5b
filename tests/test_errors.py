"""One error hierarchy: user errors under `PioneerError` keep their position
and exit 1; a broken invariant is an `InternalError`, exit 70, never a
traceback; library messages leave command-line wording to the CLI."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scoring import cli as cli_module
from scoring import service
from scoring.cli import cli
from scoring.errors import EXIT_INTERNAL, InternalError, PioneerError, RulesError
from scoring.expr import ExprError
from scoring.ingest import IngestError
from scoring.store import StoreError

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "tests" / "fixtures" / "plans" / "features" / "linear.yaml"


@pytest.mark.parametrize("kind", [RulesError, ExprError, IngestError, StoreError])
def test_every_user_error_derives_from_the_one_root(kind: type[Exception]) -> None:
    assert issubclass(kind, PioneerError)
    assert not issubclass(InternalError, PioneerError)


def test_a_user_error_keeps_its_position_up_to_the_message() -> None:
    error = PioneerError("no column `unit`", file="data/people.csv", line=1, column=3)
    assert str(error) == "data/people.csv:1:3: no column `unit`"
    assert error.message == "no column `unit`"
    assert str(PioneerError("plain")) == "plain"


def test_a_broken_rule_file_is_a_rules_error_that_knows_where(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = RULES.read_text(encoding="utf-8").replace("sum(records.v)", "sum(records.nope)")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        service.load(bad)
    assert caught.value.file == str(bad)
    assert caught.value.line is not None and caught.value.column is not None


def test_library_messages_leave_cli_wording_to_the_cli(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    with pytest.raises(PioneerError) as caught:
        service.open_existing(missing)
    assert "pioneer" not in str(caught.value) and "--" not in str(caught.value)
    result = CliRunner().invoke(cli, ["status", "--db", str(missing), "--run", "latest"])
    assert result.exit_code == 1
    assert "no such store" in result.output
    assert "`pioneer ingest`" in result.output


def test_an_internal_error_exits_70_and_asks_for_a_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise InternalError("the plan lost a node")

    monkeypatch.setattr(service, "load", broken)
    args = ["whatif", str(RULES), "--db", str(tmp_path / "x.db"), "--run", "latest"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == EXIT_INTERNAL
    assert "internal error: InternalError: the plan lost a node" in result.output
    assert "please report" in result.output
    assert "Traceback" not in result.output


def test_any_other_exception_is_reported_as_internal_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("lost")

    monkeypatch.setattr(service, "demo_lines", broken)
    monkeypatch.setattr(sys, "argv", ["pioneer", "demo"])
    with pytest.raises(SystemExit) as exited:
        cli_module.main()
    assert exited.value.code == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "internal error: KeyError" in err and "Traceback" not in err
