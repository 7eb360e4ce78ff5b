"""The review tables, and the triggers that keep a published run unchangeable.

The computed results (`results`, hashed into `results_sha256`) are never
touched by the review: every review record lives in its own table, keyed by
run, and the effective standings are derived from both.

| table | one row per |
| --- | --- |
| `review_adjustments` | adjustment of a node or the total (pending, approved or rejected) |
| `review_flags` | flag on a subject (open until unflagged) |
| `review_ties` | resolution of a boundary tie: who of the tied is selected |
| `review_notices` | notice (公示) window opened, with the selection it showed |
| `review_objections` | objection (异议): objector, reason, finding |
| `review_revocations` | revocation of a published selection |
| `standings` | subject's effective total, points, rank, grade and selection |

Triggers (the database refuses, whatever the code does):

* a run's status only moves draft → in_review → notice → published, or
  notice → in_review (an upheld objection); a new run starts as draft;
* a published run's row cannot change or go, nor can any of its review
  records or standings be inserted, changed or deleted;
* an adjustment keeps its target, delta, reason and author for ever, and no
  adjustment or objection is ever deleted;
* a revocation is only recorded for a published run and never changes.
"""

from __future__ import annotations

from scoring.store import StoreHandle, transaction

STATES = ("draft", "in_review", "notice", "published")
TRANSITIONS = (
    ("draft", "in_review"),
    ("in_review", "notice"),
    ("notice", "notice"),
    ("notice", "in_review"),
    ("notice", "published"),
)
"""Every status change a run may make (`notice` → `notice`: a new notice)."""

_TABLES = (
    """CREATE TABLE IF NOT EXISTS review_adjustments (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        award TEXT NOT NULL,
        subject TEXT NOT NULL,
        target TEXT NOT NULL,
        delta TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        author TEXT NOT NULL,
        created TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'approved', 'rejected')),
        decided_by TEXT,
        decided TEXT,
        decision_reason TEXT,
        CHECK (status = 'pending' OR decided_by IS NOT NULL),
        CHECK (status != 'approved' OR decided_by != author)
    )""",
    """CREATE TABLE IF NOT EXISTS review_flags (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        award TEXT NOT NULL,
        subject TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        flagged_by TEXT NOT NULL,
        flagged TEXT NOT NULL,
        unflagged_by TEXT,
        unflagged TEXT,
        unflag_reason TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS review_ties (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        award TEXT NOT NULL,
        tied TEXT NOT NULL,
        seats INTEGER NOT NULL,
        selected TEXT NOT NULL,
        reason TEXT,
        actor TEXT NOT NULL,
        created TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS review_notices (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        requested TEXT NOT NULL,
        first_day TEXT NOT NULL,
        last_day TEXT NOT NULL,
        days INTEGER NOT NULL,
        selection TEXT NOT NULL,
        opened_by TEXT NOT NULL,
        opened TEXT NOT NULL,
        closed TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS review_objections (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        notice_id INTEGER NOT NULL REFERENCES review_notices(id),
        award TEXT NOT NULL,
        subject TEXT NOT NULL,
        objector TEXT NOT NULL CHECK (length(trim(objector)) > 0),
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        recorded_by TEXT NOT NULL,
        raised TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'dismissed')),
        finding TEXT,
        resolved_by TEXT,
        resolved TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS review_revocations (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        award TEXT NOT NULL,
        subject TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        actor TEXT NOT NULL,
        revoked TEXT NOT NULL,
        UNIQUE (run_id, award, subject)
    )""",
    """CREATE TABLE IF NOT EXISTS standings (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        award TEXT NOT NULL,
        subject TEXT NOT NULL,
        ord INTEGER NOT NULL,
        total TEXT NOT NULL,
        points TEXT,
        rank INTEGER,
        grade TEXT,
        selected INTEGER NOT NULL,
        boundary_tie INTEGER NOT NULL,
        excluded INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, award, subject)
    )""",
    "CREATE INDEX IF NOT EXISTS standings_order ON standings (run_id, award, ord)",
    "CREATE INDEX IF NOT EXISTS review_adjustments_run ON review_adjustments (run_id, award)",
    "CREATE INDEX IF NOT EXISTS review_flags_subject ON review_flags (run_id, award, subject)",
    "CREATE INDEX IF NOT EXISTS review_objections_subject"
    " ON review_objections (run_id, award, subject)",
)

EFFECTIVE_VIEW = """CREATE VIEW effective_results AS
    SELECT r.run_id, r.award, COALESCE(s.ord, r.ord) AS ord, r.subject, r.name, r.unit,
        r.eligible, r.veto, COALESCE(s.total, r.total) AS total,
        CASE WHEN s.subject IS NULL THEN r.rank ELSE s.rank END AS rank,
        CASE WHEN s.subject IS NULL THEN r.grade ELSE s.grade END AS grade,
        COALESCE(s.selected, r.selected) AS selected,
        COALESCE(s.boundary_tie, r.boundary_tie) AS boundary_tie,
        COALESCE(s.excluded, 0) AS excluded,
        COALESCE(s.points, r.points) AS points, r.metrics, r.no_data, r.warnings,
        r.total AS computed_total, r.points AS computed_points,
        s.points IS NOT NULL AS adjusted,
        EXISTS (SELECT 1 FROM review_flags f WHERE f.run_id = r.run_id AND f.award = r.award
            AND f.subject = r.subject AND f.unflagged_by IS NULL) AS flagged,
        EXISTS (SELECT 1 FROM review_objections o WHERE o.run_id = r.run_id
            AND o.award = r.award AND o.subject = r.subject) AS objected,
        EXISTS (SELECT 1 FROM review_revocations v WHERE v.run_id = r.run_id
            AND v.award = r.award AND v.subject = r.subject) AS revoked,
        COALESCE(s.selected, 0) AND EXISTS (
            SELECT 1 FROM review_objections o JOIN review_notices n ON n.id = o.notice_id
            WHERE o.run_id = r.run_id AND o.award = r.award AND o.status = 'upheld'
            AND r.subject NOT IN (SELECT value FROM json_each(n.selection, '$.' || r.award))
        ) AS substituted
    FROM results r
    LEFT JOIN standings s ON s.run_id = r.run_id AND s.award = r.award AND s.subject = r.subject"""
"""The results as reviewers and the public see them: the computed results
with the effective standings laid over them where a review has produced any.
The one SQL definition of an effective figure; `scoring.effective` and
`scoring.browse` read it. Markers beside the figures: `adjusted` (an approved
adjustment moved a figure), `flagged` (an open flag), `objected` (any
objection), `revoked`, and `substituted` (selected now, but not in the list of
a notice during which an objection in the award was upheld: 递补)."""


FROZEN_WITH_RUN = (
    "review_adjustments",
    "review_flags",
    "review_ties",
    "review_notices",
    "review_objections",
    "standings",
)
"""Tables whose rows of a published run can no longer be written."""

_PUBLISHED = "(SELECT status FROM runs WHERE id = {row}.run_id) = 'published'"


def _triggers() -> list[str]:
    allowed = " OR ".join(f"(OLD.status = '{a}' AND NEW.status = '{b}')" for a, b in TRANSITIONS)
    out = [
        f"""CREATE TRIGGER IF NOT EXISTS runs_status_flow BEFORE UPDATE OF status ON runs
        WHEN OLD.status IS NOT NEW.status AND NOT ({allowed})
        BEGIN SELECT RAISE(ABORT, 'a run cannot move from this status to that one'); END""",
        """CREATE TRIGGER IF NOT EXISTS runs_published_frozen BEFORE UPDATE ON runs
        WHEN OLD.status = 'published'
        BEGIN SELECT RAISE(ABORT, 'a published run cannot change'); END""",
        """CREATE TRIGGER IF NOT EXISTS runs_published_kept BEFORE DELETE ON runs
        WHEN OLD.status = 'published'
        BEGIN SELECT RAISE(ABORT, 'a published run cannot be deleted'); END""",
        """CREATE TRIGGER IF NOT EXISTS runs_start_as_draft BEFORE INSERT ON runs
        WHEN NEW.status != 'draft'
        BEGIN SELECT RAISE(ABORT, 'a new run starts as a draft'); END""",
        """CREATE TRIGGER IF NOT EXISTS review_adjustments_kept BEFORE UPDATE OF
        run_id, award, subject, target, delta, reason, author, created ON review_adjustments
        BEGIN SELECT RAISE(ABORT, 'an adjustment cannot be rewritten'); END""",
        """CREATE TRIGGER IF NOT EXISTS review_revocations_published BEFORE INSERT
        ON review_revocations WHEN NOT """
        + _PUBLISHED.format(row="NEW")
        + """
        BEGIN SELECT RAISE(ABORT, 'only a published selection can be revoked'); END""",
    ]
    for table in ("review_adjustments", "review_objections"):
        out.append(
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, 'review records are never deleted'); END"""
        )
    for op in ("UPDATE", "DELETE"):
        out.append(
            f"""CREATE TRIGGER IF NOT EXISTS review_revocations_no_{op.lower()}
            BEFORE {op} ON review_revocations
            BEGIN SELECT RAISE(ABORT, 'a revocation never changes'); END"""
        )
    for table in FROZEN_WITH_RUN:
        for op, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            out.append(
                f"""CREATE TRIGGER IF NOT EXISTS {table}_frozen_{op.lower()}
                BEFORE {op} ON {table} WHEN {_PUBLISHED.format(row=row)}
                BEGIN SELECT RAISE(ABORT, 'a published run cannot change'); END"""
            )
    return out


def ensure_review_schema(db: StoreHandle) -> None:
    """Create the review tables and triggers (idempotent)."""
    with transaction(db):
        for statement in (*_TABLES, *_triggers()):
            db.execute(statement)
        _ensure_view(db)


def _ensure_view(db: StoreHandle) -> None:
    """(Re)create the effective view when a store holds an older definition."""
    row = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'effective_results'"
    ).fetchone()
    if row is not None and row[0] == EFFECTIVE_VIEW:
        return
    if row is not None:
        db.execute("DROP VIEW effective_results")
    db.execute(EFFECTIVE_VIEW)


def has_review_tables(db: StoreHandle) -> bool:
    """Whether this store has ever been reviewed (the tables exist)."""
    return "standings" in db.table_names()


SUBJECT_RECORDS = ("review_adjustments", "review_objections", "review_flags", "review_revocations")
"""The review records that stand beside a subject's result."""


def has_review_records(db: StoreHandle, run_id: int, award: str) -> bool:
    """Whether an adjustment, objection, flag or revocation of the run names
    a subject of `award` (a reader of its results needs the records then)."""
    if not has_review_tables(db):
        return False
    any_row = " UNION ALL ".join(
        f"SELECT 1 FROM {table} WHERE run_id = ? AND award = ?" for table in SUBJECT_RECORDS
    )
    row = db.execute(f"SELECT EXISTS ({any_row})", [run_id, award] * len(SUBJECT_RECORDS))
    return bool(row.fetchone()[0])
