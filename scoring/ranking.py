"""Rank, grade and select the subjects of one award (SPEC §2.4 and §2.5).

Pure functions over plain values; no I/O, exact arithmetic only (never a float).
The caller hands over one `Entry` per subject, with the rounded published
total and the rounded points of each `tie_break` node, and gets back one
`Placement` per subject in publication order.

Readings of the specification, chosen here and relied on by the tests:

* Order: total descending, then each tie-break figure (higher first, or lower
  first for `-PATH`), then the subject key ascending (numerically when every
  entry carries `key_number`, else by code point). Ranks are standard
  competition ranks over `(total, tie-break...)`: equal figures share a rank
  and the next distinct figure gets 1 + the number of subjects ahead of it.
* Grades go to ranked subjects only: the label with the highest minimum that
  the total reaches, whatever the mapping order. Two labels with the same
  minimum (a rule error that `check` reports) resolve to the label that comes
  first in code-point order, so that the mapping order never matters.
* Seats: `count`, or `floor(share x ranked)` raised to `at_least`; either way
  never more than the number of ranked subjects (a seat nobody can hold would
  otherwise distort the split across `per` values).
* `per`: the seats are split across the values of the `per` column in
  proportion to each value's *ranked* subjects (Hamilton's largest remainder;
  `split_seats`). `min_score` does not change the split: a value whose
  subjects fall short of it leaves its seats empty.
* `per_at_least: K` (`split_seats_with_floors`): floors are min(K, ranked of
  the value), counted over *ranked* subjects like the split itself; the seats
  are raised to the floors' sum when it is larger (after `count`/`share`/
  `at_least` and the cap at the number ranked, which the floors never
  exceed). `min_score` still applies within each value, so a floor seat of a
  value whose subjects all fall short of it stays empty.
* A remainder tie (equal remainders where the seats left run out among them)
  is reported with the placements (`place_award`), never silently decided.
* Boundary tie, within one `per` value (or the whole award without `per`): the
  candidates are that value's ranked subjects at or above `min_score`, in
  rank order. When there are more candidates than seats, the subject on the
  last seat has some award-wide rank r; if the next candidate of the *same
  value* also has rank r, every candidate of that value with rank r forms the
  boundary tie. Equal award-wide ranks mean equal `(total, tie-break...)`, so
  this is the same as ranking the value's candidates on their own; subjects
  of other values sharing rank r play no part (they compete for their own
  value's seats). A tie never straddles `min_score`, since tied subjects have
  equal totals. Without seats (0 for the value) there is no last seat and so
  no boundary tie.
* `resolved` (a reviewer's choice) decides the selection of the subjects of a
  boundary tie that it names, under every policy; subjects it does not name
  follow the policy, and names of subjects outside any boundary tie are
  ignored (a stale choice after the ranking moved does not select anyone).
  Whether the choice fills exactly the tie's seats is the review workflow's
  check; `boundary_ties` tells it how many seats each tie has.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, get_args

BoundaryPolicy = Literal["flag", "include_all", "exclude_all"]
BOUNDARY_POLICIES: tuple[str, ...] = get_args(BoundaryPolicy)


@dataclass(frozen=True)
class Entry:
    """One subject of an award, as the ranking sees it.

    `key_number` is the key as an int when the subject table's key column is
    `int` (keys then order numerically), else None. `ranked` is eligible and
    not vetoed. `total` is the rounded published total (approved adjustments
    applied). `tie` holds the rounded points of each tie-break node, in the
    rule's order, with their sign as computed (direction is given separately
    to `place`). `group` is the value of the quota's `per` column (None for a
    null value, or when the quota has no `per`).
    """

    key: str
    key_number: int | None
    ranked: bool
    total: Fraction
    tie: tuple[Fraction, ...] = ()
    group: str | None = None


@dataclass(frozen=True)
class QuotaSpec:
    """An award's `quota`: how many seats, for whom, and what a boundary tie does."""

    count: int | None = None
    share: Fraction | None = None
    at_least: int | None = None
    min_score: Fraction | None = None
    per: bool = False
    boundary_tie: BoundaryPolicy = "flag"
    per_at_least: int | None = None

    def __post_init__(self) -> None:
        if (self.count is None) == (self.share is None):
            raise ValueError("a quota needs exactly one of count and share")
        if self.count is not None and self.count < 0:
            raise ValueError(f"quota count must not be negative, got {self.count}")
        if self.share is not None and not 0 <= self.share <= 1:
            raise ValueError(f"quota share must lie in [0, 1], got {self.share}")
        if self.at_least is not None:
            if self.count is not None:
                raise ValueError("at_least goes with share only, not with count")
            if self.at_least < 0:
                raise ValueError(f"quota at_least must not be negative, got {self.at_least}")
        if self.per_at_least is not None:
            if not self.per:
                raise ValueError("per_at_least goes with per only")
            if self.per_at_least < 0:
                raise ValueError(
                    f"quota per_at_least must not be negative, got {self.per_at_least}"
                )
        if self.boundary_tie not in BOUNDARY_POLICIES:
            raise ValueError(
                f"unknown boundary_tie {self.boundary_tie!r}; "
                f"expected one of: {', '.join(BOUNDARY_POLICIES)}"
            )


@dataclass(frozen=True)
class Placement:
    """Where one subject ends up: rank and grade (None when unranked), selection."""

    key: str
    rank: int | None
    grade: str | None
    selected: bool
    boundary_tie: bool


@dataclass(frozen=True)
class BoundaryTie:
    """The subjects of one `per` value tied on the rank of its last seat.

    `group` is the `per` value (None for the null value or when there is no
    `per`); `keys` are in key order; `seats` is how many of them the quota has
    room for (the value's seats minus the subjects selected ahead of the tie),
    always at least 1 and fewer than `len(keys)`.
    """

    group: str | None
    rank: int
    keys: tuple[str, ...]
    seats: int


def quota_seats(quota: QuotaSpec, ranked: int) -> int:
    """The number of seats `quota` gives an award with `ranked` ranked subjects.

    `count`, or `floor(share x ranked)` raised to `at_least`; never above
    `ranked`. Exact: 10% of 23 is 2.
    """
    if ranked < 0:
        raise ValueError(f"the number of ranked subjects must not be negative, got {ranked}")
    if quota.count is not None:
        seats = quota.count
    else:
        assert quota.share is not None  # QuotaSpec guarantees one of the two
        seats = math.floor(quota.share * ranked)
        if quota.at_least is not None:
            seats = max(seats, quota.at_least)
    return min(seats, ranked)


def _group_order(group: str | None) -> tuple[bool, str]:
    """Group values compare as text, null first."""
    return (group is not None, group or "")


@dataclass(frozen=True)
class RemainderTie:
    """Groups with equal remainders in a largest-remainder split, where the seats
    left ran out among them: the tie-break (more ranked subjects, then the value
    as text, null first) gave a seat to `won` and none to `lost`.

    `remainder` is the exact remainder they share; groups are in text order.
    """

    remainder: Fraction
    won: tuple[str | None, ...]
    lost: tuple[str | None, ...]
    by_size: bool = False  # the last seat went to a value with more ranked subjects

    def message(self) -> str:
        """One line for `score`'s output and the run's notes."""

        def names(groups: tuple[str | None, ...]) -> str:
            return ", ".join("(empty)" if g is None else g for g in groups)

        rule = "more ranked subjects" if self.by_size else "the value in text order"
        got = "got the seat" if len(self.won) == 1 else "got a seat each"
        return (
            f"a seat was decided by the remainder tie-break: {names(self.won)} and "
            f"{names(self.lost)} had the same remainder; {names(self.won)} {got} by {rule}"
        )


@dataclass(frozen=True)
class SeatSplit:
    """Seats per group, the total that was split, and the remainder ties that decided seats."""

    seats: dict[str | None, int]
    total: int
    remainder_ties: tuple[RemainderTie, ...] = ()


def split_seats(seats: int, group_sizes: Mapping[str | None, int]) -> dict[str | None, int]:
    """Split `seats` across groups in proportion to their sizes (largest remainder).

    Each group first gets `floor(seats x size / total)`; the seats left go one
    each to the groups with the largest remainders, a tie in remainder going
    to the larger group, then to the group value compared as text, null first.
    Returns every group of `group_sizes`, in that text order. `seats` may not
    exceed the total size, so no group gets more seats than members.
    """
    return _largest_remainder(seats, group_sizes).seats


def split_seats_with_floors(
    seats: int, group_sizes: Mapping[str | None, int], at_least: int | None
) -> SeatSplit:
    """`split_seats`, then `per_at_least` (SPEC §2.4), reporting remainder ties.

    Every group's floor is min(`at_least`, its size). When the floors add up
    to more than `seats`, the seats are raised to their sum (`SeatSplit.total`).
    The seats are split by largest remainder; every group given fewer than its
    floor gets exactly its floor and is set aside (all such groups at once),
    and the seats left are split afresh among the other groups the same way,
    until no group is below its floor. Remainder ties of every round are
    reported (a tie in an early round can decide which groups are set aside).
    """
    if at_least is None:
        return _largest_remainder(seats, group_sizes)
    if at_least < 0:
        raise ValueError(f"at_least must not be negative, got {at_least}")
    floors = {g: min(at_least, size) for g, size in group_sizes.items()}
    total = max(seats, sum(floors.values()))
    result: dict[str | None, int] = {}
    ties: list[RemainderTie] = []
    remaining = dict(group_sizes)
    left = total
    while True:
        split = _largest_remainder(left, remaining)
        ties.extend(split.remainder_ties)
        below = [g for g in remaining if split.seats[g] < floors[g]]
        if not below:
            result.update(split.seats)
            break
        for g in below:
            result[g] = floors[g]
            left -= floors[g]
            del remaining[g]
    ordered = {g: result[g] for g in sorted(result, key=_group_order)}
    return SeatSplit(ordered, total, tuple(ties))


def seat_split(quota: QuotaSpec, sizes: Mapping[str | None, int]) -> SeatSplit:
    """The seats of each `per` value (all under None without `per`), from the number
    of ranked subjects of each: `quota_seats`, then `split_seats_with_floors`."""
    seats = quota_seats(quota, sum(sizes.values()))
    return split_seats_with_floors(seats, sizes, quota.per_at_least if quota.per else None)


def _largest_remainder(seats: int, group_sizes: Mapping[str | None, int]) -> SeatSplit:
    """Hamilton's method (see `split_seats`), with the remainder ties that decided a seat."""
    if seats < 0:
        raise ValueError(f"seats must not be negative, got {seats}")
    if any(size < 0 for size in group_sizes.values()):
        raise ValueError("group sizes must not be negative")
    total = sum(group_sizes.values())
    if seats > total:
        raise ValueError(f"cannot split {seats} seats across {total} subjects")
    groups = sorted(group_sizes, key=_group_order)
    if total == 0:
        return SeatSplit(dict.fromkeys(groups, 0), seats)
    shares = {g: Fraction(seats * group_sizes[g], total) for g in groups}
    result = {g: math.floor(shares[g]) for g in groups}
    left = seats - sum(result.values())
    remainder = {g: shares[g] - result[g] for g in groups}
    by_remainder = sorted(groups, key=lambda g: (-remainder[g], -group_sizes[g], _group_order(g)))
    for g in by_remainder[:left]:
        result[g] += 1
    ties: tuple[RemainderTie, ...] = ()
    if 0 < left < len(by_remainder):
        cut = remainder[by_remainder[left - 1]]
        if remainder[by_remainder[left]] == cut:
            tied = [g for g in groups if remainder[g] == cut]
            won = tuple(g for g in tied if g in by_remainder[:left])
            lost = tuple(g for g in tied if g not in by_remainder[:left])
            last_in, first_out = by_remainder[left - 1], by_remainder[left]
            by_size = group_sizes[last_in] != group_sizes[first_out]
            ties = (RemainderTie(cut, won, lost, by_size),)
    return SeatSplit(result, seats, ties)


@dataclass(frozen=True)
class _Ranked:
    entry: Entry
    rank: int
    score: int  # the total times the ranking's scale, an exact integer


@dataclass(frozen=True)
class _Ranking:
    """Ranked entries in publication order, unranked ones in key order.

    Ranking works on integers: every total and tie-break figure times `scale`,
    the common denominator of them all (100 for figures of 2 decimals). That is
    exact, and much faster than comparing `Fraction`s one by one.
    """

    ranked: list[_Ranked]
    unranked: list[Entry]
    scale: int

    def threshold(self, minimum: Fraction) -> int:
        """The least score at or above `minimum` (a score is an integer)."""
        return math.ceil(minimum * self.scale)


def _scaled(value: Fraction, scale: int) -> int:
    return value.numerator * (scale // value.denominator)


def _key_of(entries: Sequence[Entry]) -> dict[str, int | str]:
    """Each entry's key as it orders; checks keys are unique and of one kind."""
    numeric = {e.key_number is not None for e in entries}
    if len(numeric) > 1:
        raise ValueError("either every entry or none has a key_number")
    order: dict[str, int | str] = {}
    for e in entries:
        if e.key in order:
            raise ValueError(f"duplicate subject key {e.key!r}")
        order[e.key] = e.key if e.key_number is None else e.key_number
    return order


def _rank(entries: Sequence[Entry], tie_desc: Sequence[bool]) -> _Ranking:
    """Order the entries and give the ranked ones their competition ranks."""
    key_of = _key_of(entries)
    contenders = [e for e in entries if e.ranked]
    for e in contenders:
        if len(e.tie) != len(tie_desc):
            raise ValueError(
                f"subject {e.key!r} has {len(e.tie)} tie-break figures, expected {len(tie_desc)}"
            )
    scale = math.lcm(*{f.denominator for e in contenders for f in (e.total, *e.tie)})
    # Smaller sorts first: the total negated, each tie figure negated when higher is better.
    signs = [-1 if desc else 1 for desc in tie_desc]
    figures = {
        e.key: (
            -_scaled(e.total, scale),
            *(sign * _scaled(f, scale) for sign, f in zip(signs, e.tie, strict=True)),
        )
        for e in contenders
    }
    ordered = sorted(contenders, key=lambda e: (figures[e.key], key_of[e.key]))
    ranked: list[_Ranked] = []
    for i, e in enumerate(ordered):
        same = ranked and figures[ranked[-1].entry.key] == figures[e.key]
        rank = ranked[-1].rank if same else i + 1
        ranked.append(_Ranked(e, rank, -figures[e.key][0]))
    unranked = sorted((e for e in entries if not e.ranked), key=lambda e: key_of[e.key])
    return _Ranking(ranked, unranked, scale)


def _select(
    ranking: _Ranking, quota: QuotaSpec
) -> tuple[set[str], list[BoundaryTie], tuple[RemainderTie, ...]]:
    """The keys selected outright, the boundary ties (their selection is left open)
    and the remainder ties of the seat split."""
    ranked = ranking.ranked
    sizes: dict[str | None, int] = (
        dict(Counter(r.entry.group for r in ranked)) if quota.per else {None: len(ranked)}
    )
    split = seat_split(quota, sizes)
    least = None if quota.min_score is None else ranking.threshold(quota.min_score)
    by_group: dict[str | None, list[_Ranked]] = {}  # candidates in rank order
    for r in ranked:
        if least is None or r.score >= least:
            by_group.setdefault(r.entry.group if quota.per else None, []).append(r)
    selected: set[str] = set()
    ties: list[BoundaryTie] = []
    for group, group_seats in split.seats.items():
        candidates = by_group.get(group, [])
        if group_seats == 0:
            continue
        if len(candidates) <= group_seats or (
            candidates[group_seats].rank != candidates[group_seats - 1].rank
        ):
            selected.update(r.entry.key for r in candidates[:group_seats])
            continue
        last = candidates[group_seats - 1].rank
        ahead = [r.entry.key for r in candidates if r.rank < last]
        tied = tuple(r.entry.key for r in candidates if r.rank == last)
        selected.update(ahead)
        ties.append(BoundaryTie(group, last, tied, group_seats - len(ahead)))
    return selected, ties, split.remainder_ties


def boundary_ties(
    entries: Sequence[Entry], *, tie_desc: Sequence[bool], quota: QuotaSpec | None
) -> list[BoundaryTie]:
    """The boundary ties of an award, one at most per `per` value, null value first.

    Takes the same inputs as `place`; the review workflow uses it to know who
    a `resolve-tie` may choose among and how many seats it must fill.
    """
    return [] if quota is None else _select(_rank(entries, tie_desc), quota)[1]


@dataclass(frozen=True)
class Placing:
    """`place`'s placements, with the remainder ties that decided seats of the split.

    A seat decided by the remainder tie-break must not pass silently: `score`
    reports `remainder_ties` and the run keeps them (`scoring.run_notes`).
    """

    placements: list[Placement]
    remainder_ties: tuple[RemainderTie, ...] = ()


def place(
    entries: Sequence[Entry],
    *,
    tie_desc: Sequence[bool],
    grades: Mapping[str, Fraction],
    quota: QuotaSpec | None,
    resolved: Mapping[str, bool] | None = None,
) -> list[Placement]:
    """Rank, grade and select the subjects of one award (`place_award`'s placements)."""
    return place_award(
        entries, tie_desc=tie_desc, grades=grades, quota=quota, resolved=resolved
    ).placements


def place_award(
    entries: Sequence[Entry],
    *,
    tie_desc: Sequence[bool],
    grades: Mapping[str, Fraction],
    quota: QuotaSpec | None,
    resolved: Mapping[str, bool] | None = None,
) -> Placing:
    """Rank, grade and select the subjects of one award (SPEC §2.4).

    `tie_desc[i]` is True when higher points of tie-break i come first, False
    for `-PATH` (lower first); every ranked entry has one `tie` figure per
    flag. `grades` maps label to minimum total. Without `quota` no one is
    selected. `resolved` maps the key of a subject in a boundary tie to the
    reviewer's choice; see the module docstring for how ties are read.

    Returns one placement per entry: ranked subjects by rank then key, then
    the unranked (rank, grade None; never selected) by key; and the remainder
    ties of the seat split. The result does not depend on the order of
    `entries` or of either mapping.
    """
    ranking = _rank(entries, tie_desc)
    # Highest minimum first (equal minima: label in code-point order), as scores.
    thresholds = [
        (label, ranking.threshold(minimum))
        for label, minimum in sorted(grades.items(), key=lambda item: (-item[1], item[0]))
    ]
    selected: set[str] = set()
    in_tie: set[str] = set()
    remainder_ties: tuple[RemainderTie, ...] = ()
    if quota is not None:
        selected, ties, remainder_ties = _select(ranking, quota)
        choice = resolved or {}
        for tie in ties:
            for key in tie.keys:
                in_tie.add(key)
                if choice.get(key, quota.boundary_tie == "include_all"):
                    selected.add(key)
    placements = [
        Placement(
            key=r.entry.key,
            rank=r.rank,
            grade=next((label for label, least in thresholds if r.score >= least), None),
            selected=r.entry.key in selected,
            boundary_tie=r.entry.key in in_tie,
        )
        for r in ranking.ranked
    ]
    placements.extend(Placement(e.key, None, None, False, False) for e in ranking.unranked)
    return Placing(placements, remainder_ties)
