"""The review API's public functions keep the signatures the CLI and the TUI
call them with, now that actions of one shape share one wrapper
(`scoring.review.api`), and each is bound to its own action."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine_helpers import ACTOR, campaign, people, recs

from scoring import service

RUN = ["db", "run_ref", "*", "reason=None", "actor=None", "today=None"]
SUBJECT = ["db", "run_ref", "subject", "*", "reason", "award=None", "actor=None", "today=None"]
DECISION = ["db", "run_ref", "adjustment_id", "*", "reason=None", "actor=None", "today=None"]

SIGNATURES: dict[str, list[str]] = {
    "review_start": RUN,
    "publish": RUN,
    "flag": SUBJECT,
    "unflag": SUBJECT,
    "revoke": SUBJECT,
    "reveal_private": SUBJECT,
    "approve": DECISION,
    "reject_adjustment": DECISION,
}


def _shape(fn: Callable[..., Any]) -> list[str]:
    out: list[str] = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind is p.KEYWORD_ONLY and "*" not in out:
            out.append("*")
        out.append(p.name if p.default is p.empty else f"{p.name}={p.default}")
    return out


def test_shared_wrappers_keep_each_public_signature_and_doc() -> None:
    for name, expected in SIGNATURES.items():
        fn = getattr(service, name)
        assert _shape(fn) == expected, name
        assert fn.__doc__ and "partial(" not in fn.__doc__, name


AWARD = """
a:
  title: 奖
  subjects: people
  criteria:
    k: {max: 100, metric: "sum(records.v)", score: {per: 1}}
"""


def test_each_wrapper_runs_its_own_action(tmp_path: Path) -> None:
    scored = campaign(tmp_path, AWARD, {"people": people("A", "B"), "records": recs("A", 5)})
    db, run, day = scored.db, scored.run_id, dt.date(2022, 9, 1)
    service.grant_role(db, "bob", "reviewer", actor=ACTOR)
    service.review_start(db, run, actor=ACTOR, today=day)
    assert service.run_status(db, run).status == "in_review"
    held = service.flag(db, run, "A", reason="待核实", actor=ACTOR, today=day)
    lifted = service.unflag(db, run, "A", reason="已核实", actor=ACTOR, today=day)
    assert (held.id, held.open, lifted.id, lifted.open) == (1, True, 1, False)
    first = service.adjust(db, run, "B", "total", "+1", reason="r", actor=ACTOR, today=day)
    second = service.adjust(db, run, "B", "total", "+2", reason="r", actor=ACTOR, today=day)
    assert service.approve(db, run, first.id, actor="bob", today=day).status == "approved"
    refused = service.reject_adjustment(db, run, second.id, reason="无据", actor="bob", today=day)
    assert refused.status == "rejected"
