"""The effective standings of a run: its computed results with the review applied.

The computed results never change (they are what `results_sha256` covers).
What the review decided is applied on top, award by award, and the outcome is
stored in the `standings` table, rewritten after every action that can move it:

1. **Approved adjustments.** An adjustment of a node moves that node, each of
   its parents and the total by its delta (a deduction item or the
   `deductions` block moves the total the other way); an adjustment of
   `total` moves the total only. Pending and rejected ones count for nothing.
2. **Ranking.** The adjusted totals and the adjusted points of the
   `tie_break` nodes are ranked and graded again with `ranking.place`, using
   the award's grades, quota and boundary-tie policy.
3. **Upheld objections (递补).** A subject whose objection was upheld keeps
   its rank and grade but cannot hold a seat: the selection is made as if it
   stood below everyone else, so the next subject in rank takes its seat (and
   when that subject is tied with others, a new boundary tie opens).
4. **Tie resolutions.** A reviewer's choice among a boundary tie counts while
   that same tie (the same subjects, the same number of seats) still stands;
   once the ranking moves the tie, the old choice no longer applies.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from sqlite_utils import Database

from scoring.audit import canonical
from scoring.data import DatasetReader, cell_text
from scoring.effective import has_standings
from scoring.numbers import fixed, plain
from scoring.plan import AwardPlan, Plan
from scoring.ranking import BoundaryTie, Entry, Placement, QuotaSpec, boundary_ties, place
from scoring.review import records
from scoring.review.records import Adjustment, TieResolution

TOTAL = "total"


def targets(award: AwardPlan) -> list[str]:
    """Everything an adjustment may move: every figure of `points`, and `total`."""
    return [*award.point_paths(), TOTAL]


def target_max(award: AwardPlan, path: str) -> Fraction | None:
    """The `max` of a node or block (None for the total, which has none)."""
    if path in award.nodes:
        return award.nodes[path].max
    block = {"bonus": award.bonus, "deductions": award.deductions}.get(path)
    return None if block is None else block.max


def moved_by(path: str) -> list[str]:
    """The figures an adjustment of `path` moves: the node and its parents."""
    if path == TOTAL:
        return []
    parts = path.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def total_sign(path: str) -> int:
    """+1 when a higher `path` raises the total, -1 for deductions."""
    return -1 if path.split(".")[0] == "deductions" else 1


def apply(
    points: Mapping[str, Fraction], total: Fraction, changes: Iterable[tuple[str, Fraction]]
) -> tuple[dict[str, Fraction], Fraction]:
    """Points and total after `changes` (target, delta)."""
    out = dict(points)
    for path, delta in changes:
        for node in moved_by(path):
            out[node] = out.get(node, Fraction(0)) + delta
        total += delta * total_sign(path)
    return out, total


def out_of_range(
    award: AwardPlan, points: Mapping[str, Fraction], total: Fraction, touched: Iterable[str]
) -> list[str]:
    """What `touched` adjustments would push outside `[0, max]` (the total: below 0)."""
    problems: list[str] = []
    seen: set[str] = set()
    for path in touched:
        for node in moved_by(path):
            if node in seen:
                continue
            seen.add(node)
            top = target_max(award, node)
            value = points.get(node, Fraction(0))
            if value < 0 or (top is not None and value > top):
                bound = "-" if top is None else plain(top)
                problems.append(f"`{node}` would be {plain(value)}, outside [0, {bound}]")
    if total < 0:
        problems.append(f"the total would be {plain(total)}, below 0")
    return problems


def approved_changes(adjustments: Iterable[Adjustment]) -> dict[str, list[tuple[str, Fraction]]]:
    """Subject -> the (target, delta) of its approved adjustments, oldest first."""
    out: dict[str, list[tuple[str, Fraction]]] = {}
    for adj in adjustments:
        if adj.status == "approved":
            out.setdefault(adj.subject, []).append((adj.target, Fraction(adj.delta)))
    return out


@dataclass(frozen=True)
class Subject:
    """One subject of an award as stored in `results`, with its review applied."""

    key: str
    ranked: bool
    computed_total: Fraction
    total: Fraction
    points: dict[str, Fraction]
    adjusted: bool
    group: str | None


@dataclass(frozen=True)
class AwardStandings:
    """An award's effective standings and its boundary ties as they now stand."""

    award: AwardPlan
    subjects: dict[str, Subject]
    placements: list[Placement]
    excluded: frozenset[str]
    ties: list[BoundaryTie]
    resolutions: dict[tuple[str, ...], TieResolution]

    def open_ties(self) -> list[BoundaryTie]:
        """Ties a reviewer must still resolve (policy `flag`, no standing choice)."""
        quota = self.award.quota
        if quota is None or quota.boundary_tie != "flag":
            return []
        return [t for t in self.ties if t.keys not in self.resolutions]

    def selection(self) -> list[str]:
        return [p.key for p in self.placements if p.selected]


class Computer:
    """Computes the effective standings of one run's awards."""

    def __init__(self, db: Database, run_id: int, dataset_id: int, plan: Plan) -> None:
        self.db = db
        self.run_id = run_id
        self.plan = plan
        self.reader = DatasetReader(db, dataset_id, plan.catalog)

    def award(self, award: AwardPlan) -> AwardStandings:
        """`award`'s effective standings, from what is stored now."""
        approved = approved_changes(records.adjustments(self.db, self.run_id, award.name))
        subjects: dict[str, Subject] = {}
        rows = self.db.execute(
            "SELECT subject, eligible, veto, total, points, per_group, tie_break IS NOT NULL"
            " FROM results WHERE run_id = ? AND award = ?",
            [self.run_id, award.name],
        ).fetchall()
        stored = all(row[6] for row in rows)
        groups = self._legacy_groups(award) if not stored else None
        for key, eligible, veto, total_text, points_text, group, _ in rows:
            computed = {p: Fraction(v) for p, v in json.loads(points_text).items()}
            base = Fraction(total_text)
            points, total = apply(computed, base, approved.get(key, []))
            subjects[key] = Subject(
                key,
                bool(eligible) and not json.loads(veto),
                base,
                total,
                points,
                key in approved,
                group if groups is None else groups.get(key),
            )
        excluded = frozenset(
            o.subject
            for o in records.objections(self.db, self.run_id)
            if o.award == award.name and o.status == "upheld"
        )
        return self._place(award, subjects, excluded)

    def _place(
        self, award: AwardPlan, subjects: dict[str, Subject], excluded: frozenset[str]
    ) -> AwardStandings:
        info = self.plan.catalog.tables[award.subjects]
        numeric = info.key is not None and info.columns.get(info.key) == "int"
        tie_desc = [d for _, d in award.tie_break]
        entries = [
            Entry(
                key=s.key,
                key_number=_int_key(s.key) if numeric else None,
                ranked=s.ranked,
                total=s.total,
                tie=tuple(s.points.get(p, Fraction(0)) for p, _ in award.tie_break),
                group=s.group,
            )
            for s in subjects.values()
        ]
        grades = dict(award.grades)
        standing = place(entries, tie_desc=tie_desc, grades=grades, quota=award.quota)
        seat_entries, seat_quota = _seat_inputs(entries, excluded, award.quota)
        ties = boundary_ties(seat_entries, tie_desc=tie_desc, quota=seat_quota)
        chosen = _standing_choices(ties, records.tie_resolutions(self.db, self.run_id, award.name))
        resolved: dict[str, bool] = {}
        for res in chosen.values():
            resolved.update({k: k in res.selected for k in res.tied})
        seats = {
            p.key: p
            for p in place(
                seat_entries, tie_desc=tie_desc, grades=grades, quota=seat_quota, resolved=resolved
            )
        }
        placements = [
            dataclasses.replace(
                p,
                selected=seats[p.key].selected and p.key not in excluded,
                boundary_tie=seats[p.key].boundary_tie and p.key not in excluded,
            )
            for p in standing
        ]
        return AwardStandings(award, subjects, placements, excluded, ties, chosen)

    def _legacy_groups(self, award: AwardPlan) -> dict[str, str | None]:
        """Each subject's value of the quota's `per` column, read from the
        dataset: only for results stored before `results.per_group` existed."""
        per = award.quota_per
        if per is None:
            return {}
        info = self.plan.catalog.tables[award.subjects]
        assert info.key is not None
        out: dict[str, str | None] = {}
        for batch in self.reader.subject_batches(award.subjects):
            for row in batch:
                out[str(row[info.key])] = cell_text(row.get(per))
        return out

    def store(self, standings: AwardStandings) -> None:
        """Rewrite the award's rows of the `standings` table."""
        award = standings.award.name
        precision = self.plan.precision
        self.db.execute(
            "DELETE FROM standings WHERE run_id = ? AND award = ?", [self.run_id, award]
        )
        rows = []
        for i, p in enumerate(standings.placements):
            s = standings.subjects[p.key]
            points = (
                json.dumps(
                    {k: fixed(v, precision) for k, v in s.points.items()},
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                if s.adjusted
                else None
            )
            rows.append(
                (
                    self.run_id,
                    award,
                    p.key,
                    i,
                    fixed(s.total, precision),
                    points,
                    p.rank,
                    p.grade,
                    int(p.selected),
                    int(p.boundary_tie),
                    int(p.key in standings.excluded),
                )
            )
        self.db.conn.executemany(
            "INSERT INTO standings (run_id, award, subject, ord, total, points, rank, grade,"
            " selected, boundary_tie, excluded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def refresh(self) -> dict[str, AwardStandings]:
        """Recompute and store every award's standings."""
        out = {}
        for award in self.plan.awards:
            out[award.name] = self.award(award)
            self.store(out[award.name])
        return out


def stored_open_ties(db: Database, run_id: int, award: AwardPlan) -> list[str] | None:
    """The keys of the subjects in a boundary tie still open (what
    `AwardStandings.open_ties` names, in key order), read from what is stored
    instead of ranking the award again.

    The stored rows carry all it takes: every member of a boundary tie has
    `boundary_tie` set whatever became of the tie; one tie at most stands per
    `per` group, its members sharing a rank; a reviewer's choice fills at
    least one seat (a tie always has one), while under `flag` no member of
    an open tie is selected. So the open ties are the (group, rank) clusters
    of tied subjects with nobody selected. The effective flags are the
    standings' once a review stored them, else the computed ones of
    `results`. None for results stored before `results.per_group` existed
    (a `per` quota then needs the dataset: rank again with `Computer`).
    """
    quota = award.quota
    if quota is None or quota.boundary_tie != "flag":
        return []
    group = "r.per_group" if quota.per else "NULL"
    figures = f"r.subject, {group}, r.tie_break IS NULL"
    if has_standings(db, run_id, award.name):
        sql = (
            f"SELECT {figures}, s.rank, s.selected FROM standings s JOIN results r"
            " ON r.run_id = s.run_id AND r.award = s.award AND r.subject = s.subject"
            " WHERE s.run_id = ? AND s.award = ? AND s.boundary_tie = 1"
        )
    else:
        sql = (
            f"SELECT {figures}, r.rank, r.selected FROM results r"
            " WHERE r.run_id = ? AND r.award = ? AND r.boundary_tie = 1"
        )
    clusters: dict[tuple[str | None, int | None], list[str]] = {}
    taken: set[tuple[str | None, int | None]] = set()
    for key, grp, legacy, rank, selected in db.execute(sql, [run_id, award.name]).fetchall():
        if legacy and quota.per:
            return None
        clusters.setdefault((grp, rank), []).append(key)
        if selected:
            taken.add((grp, rank))
    return sorted(k for c, keys in clusters.items() if c not in taken for k in keys)


def open_tie_keys(
    db: Database, run_id: int, dataset_id: int, plan: Plan, award: AwardPlan
) -> list[str]:
    """The keys of the subjects in an open boundary tie of `award`, in key
    order: from what is stored (`stored_open_ties`), ranking again only for
    results too old to carry their `per` group."""
    stored = stored_open_ties(db, run_id, award)
    if stored is not None:
        return stored
    ties = Computer(db, run_id, dataset_id, plan).award(award).open_ties()
    return sorted({k for t in ties for k in t.keys})


def _seat_inputs(
    entries: list[Entry], excluded: frozenset[str], quota: QuotaSpec | None
) -> tuple[list[Entry], QuotaSpec | None]:
    """Entries and quota for the selection, excluded subjects moved out of reach.

    An excluded subject stays ranked (so the seat count and the `per` split do
    not change) but gets a total below `min_score`, so it is never a candidate.
    """
    if quota is None or not excluded:
        return entries, quota
    floor = quota.min_score if quota.min_score is not None else Fraction(0)
    below = min(floor, Fraction(0)) - 1
    moved = [
        dataclasses.replace(e, total=below, tie=tuple(Fraction(0) for _ in e.tie))
        if e.key in excluded and e.ranked
        else e
        for e in entries
    ]
    return moved, dataclasses.replace(quota, min_score=floor)


def _standing_choices(
    ties: list[BoundaryTie], resolutions: list[TieResolution]
) -> dict[tuple[str, ...], TieResolution]:
    """For each current tie, the newest resolution made for exactly that tie."""
    out: dict[tuple[str, ...], TieResolution] = {}
    for tie in ties:
        for res in reversed(resolutions):
            if set(res.tied) == set(tie.keys) and res.seats == tie.seats:
                out[tie.keys] = res
                break
    return out


def _int_key(key: str) -> int:
    try:
        return int(key)
    except ValueError:
        return 0


def standings_hash(db: Database, run_id: int) -> str:
    """SHA-256 over a run's stored standings, award by award in export order."""
    digest = hashlib.sha256()
    cursor = db.execute(
        "SELECT award, subject, ord, total, points, rank, grade, selected, boundary_tie,"
        " excluded FROM standings WHERE run_id = ? ORDER BY award, ord",
        [run_id],
    )
    for row in cursor:
        digest.update(canonical(list(row)).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


REVIEW_TABLES = (
    "review_adjustments",
    "review_flags",
    "review_ties",
    "review_notices",
    "review_objections",
)
"""The review records a publication fixes (revocations come after it)."""


def review_hash(db: Database, run_id: int) -> str:
    """SHA-256 over every review record of a run, table by table in id order."""
    digest = hashlib.sha256()
    for table in REVIEW_TABLES:
        digest.update(table.encode("utf-8"))
        for row in db.execute(f"SELECT * FROM {table} WHERE run_id = ? ORDER BY rowid", [run_id]):
            digest.update(canonical(list(row)).encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()
