"""Revealing a subject's `private` columns (phone, ID number) to an admin.

Everywhere a reviewer reads a subject, its private columns are masked; an
admin may reveal them for one subject, with a reason, and the audit log keeps
who saw which columns of whom, when and why.
"""

from __future__ import annotations

from scoring.data import DatasetReader, key_value
from scoring.errors import PioneerError
from scoring.numbers import Value
from scoring.review.context import Review, reason_text


def reveal(review: Review, award: str | None, subject: str, reason: str | None) -> dict[str, Value]:
    """The private columns of one subject (admin; logged with the reason)."""
    review.require("reveal")
    why = reason_text(reason, "revealing private columns")
    plan_award, key = review.subject(award, subject)
    info = review.plan.catalog.tables[plan_award.subjects]
    columns = sorted(info.private)
    if not columns:
        raise PioneerError(f"{plan_award.subjects} has no private columns: nothing to reveal")
    reader = DatasetReader(review.db, review.run.dataset_id, review.plan.catalog)
    row = reader.subject(plan_award.subjects, key_value(info, key)) or {}
    with review.change():
        review.log("reveal", award=plan_award.name, subject=key, columns=columns, reason=why)
    return {c: row.get(c) for c in columns}
