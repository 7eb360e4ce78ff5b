"""An earlier award's computed results, as later awards read them (SPEC §2.3).

After an award is ranked, each subject's result becomes an `AwardFields`
(`scoring.backend`); later awards read it as the virtual column `A` (the
total) and the fields `A.total`, `A.grade`, `A.eligible`, `A.vetoed`,
`A.ranked`, `A.rank`, `A.selected`. The values are the computed placements,
before any review: `selected` is false for a subject in a boundary tie that
`flag` holds open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

from scoring.backend import AwardFields
from scoring.catalog import AWARD_FIELDS
from scoring.numbers import Value
from scoring.ranking import Placement


def award_fields(
    placements: Iterable[Placement], gates: Mapping[str, tuple[Fraction, bool, bool]]
) -> dict[str, AwardFields]:
    """Subject key -> its result, from the placements and each key's (total, eligible, vetoed)."""
    out: dict[str, AwardFields] = {}
    for p in placements:
        total, eligible, vetoed = gates[p.key]
        out[p.key] = AwardFields(total, p.grade, eligible, vetoed, p.rank, p.selected)
    return out


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
