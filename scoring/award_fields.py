"""An earlier award's computed results, as later awards read them (SPEC §2.3).

After an award is ranked, each subject's result becomes an `AwardFields`
(`scoring.backend`); later awards read it as the virtual column `A` (the
total) and the fields `A.total`, `A.grade`, `A.eligible`, `A.vetoed`,
`A.ranked`, `A.rank`, `A.selected`. The values are the computed placements,
before any review: `selected` is false for a subject in a boundary tie that
`flag` holds open.
"""

from __future__ import annotations

from collections.abc import Sequence

from scoring.backend import AwardFields, Outcome
from scoring.catalog import AWARD_FIELDS
from scoring.numbers import Value
from scoring.ranking import Placement


def award_fields(
    outcomes: Sequence[Outcome], placements: Sequence[Placement]
) -> dict[str, AwardFields]:
    """Subject key -> its result, from the backend's outcomes and their placements."""
    placed = {p.key: p for p in placements}
    return {
        o.key: AwardFields(
            total=o.total,
            grade=placed[o.key].grade,
            eligible=o.eligible,
            vetoed=bool(o.vetoes),
            rank=placed[o.key].rank,
            selected=placed[o.key].selected,
        )
        for o in outcomes
    }


def field_values(award: str, fields: AwardFields | None) -> dict[str, Value]:
    """The values a row of the subject table carries for award `award`: `A` and `A.FIELD`.

    All null when the subject has no result for the award.
    """
    if fields is None:
        return {award: None, **{f"{award}.{name}": None for name in AWARD_FIELDS}}
    return {
        award: fields.total,
        f"{award}.total": fields.total,
        f"{award}.grade": fields.grade,
        f"{award}.eligible": fields.eligible,
        f"{award}.vetoed": fields.vetoed,
        f"{award}.ranked": fields.ranked,
        f"{award}.selected": fields.selected,
        f"{award}.rank": fields.rank,
    }
