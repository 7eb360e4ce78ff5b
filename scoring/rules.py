"""A rule file loaded, checked and compiled: the one place that turns YAML
text into a `Rules` value (or every diagnostic of why it cannot)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scoring.checks import CheckContext, check_rules
from scoring.diagnostics import Diagnostic, has_errors
from scoring.errors import RulesError
from scoring.load import load_rules
from scoring.model import RuleFile
from scoring.plan import Plan, compile_plan
from scoring.results import RunInfo
from scoring.slips import slip_diagnostics


@dataclass(frozen=True)
class Rules:
    """A rule file that passed every check, compiled to a plan."""

    path: str
    text: str
    model: RuleFile
    plan: Plan
    warnings: list[Diagnostic] = field(default_factory=list)


def check_file(
    path: str | Path, text: str | None = None
) -> tuple[list[Diagnostic], CheckContext | None]:
    """Every diagnostic of one rule file (errors and warnings)."""
    loaded = load_rules(path, text)
    ctx = check_rules(loaded)
    return slip_diagnostics(loaded.source, loaded.diagnostics), ctx


def load(path: str | Path, text: str | None = None) -> Rules:
    """Load, check and compile a rule file; raises `RulesError` on any error."""
    diagnostics, ctx = check_file(path, text)
    if ctx is None or has_errors(diagnostics):
        raise RulesError(diagnostics)
    source_text = ctx.src.text
    return Rules(str(path), source_text, ctx.rules, compile_plan(ctx), diagnostics)


def run_rules(run: RunInfo) -> Rules:
    """The rules a run was scored with, from the text stored in the run."""
    return load(run.rules_path, run.rules_text)
