"""Checks on a rule file, as an ordered tuple of small passes.

Each pass takes the shared `CheckContext` and yields diagnostics. Adding a
check is adding a function to `PASSES`. `check_rules` is the entry point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from scoring.checks.check_context import CheckContext, build_catalog
from scoring.checks.expressions import check_award_cycles, check_expressions, check_node_cycles
from scoring.checks.structure import (
    check_awards,
    check_grades,
    check_identifiers,
    check_quota,
    check_scores,
    check_tables,
    check_tie_breaks,
    check_tree,
)
from scoring.diagnostics import Diagnostic
from scoring.load import LoadedRules

Pass = Callable[[CheckContext], Iterable[Diagnostic]]

PASSES: tuple[Pass, ...] = (
    check_identifiers,
    check_tables,
    check_awards,
    check_tree,
    check_scores,
    check_grades,
    check_quota,
    check_tie_breaks,
    check_expressions,
    check_node_cycles,
    check_award_cycles,
)


def check_rules(loaded: LoadedRules) -> CheckContext | None:
    """Run every pass over a loaded rule file; diagnostics go to `loaded`.

    Returns the context (with the checked expressions and the award order)
    when the file's shape was valid, else None. A file whose shape is broken
    is still checked on its partial model (`scoring.partial`), so a shape
    error does not hide independent errors elsewhere; what the later passes
    say inside a repaired span is dropped.
    """
    model = loaded.model or (loaded.partial.model if loaded.partial else None)
    if model is None:
        return None
    ctx = CheckContext(loaded.source, model, build_catalog(model))
    found = [d for check in PASSES for d in check(ctx)]
    if loaded.model is None:
        assert loaded.partial is not None
        seen = {(d.code, d.line, d.col) for d in loaded.diagnostics}
        loaded.diagnostics.extend(
            d
            for d in found
            if not loaded.partial.hides_diagnostic(d) and (d.code, d.line, d.col) not in seen
        )
        return None
    loaded.diagnostics.extend(found)
    return ctx


__all__ = ["PASSES", "CheckContext", "check_rules"]
