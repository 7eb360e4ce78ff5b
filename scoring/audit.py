"""The append-only, hash-chained audit log.

Each entry stores the SHA-256 of the previous entry and of its own canonical
JSON, so any later edit of an entry, or of a run's results, is detectable.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

    from scoring.store import StoreHandle

GENESIS = "0" * 64


def ensure_audit_schema(db: StoreHandle) -> None:
    """Create the audit table and the triggers that keep it append-only."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS audit (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            today TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            run_id INTEGER,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        )"""
    )
    for op in ("UPDATE", "DELETE"):
        db.execute(
            f"""CREATE TRIGGER IF NOT EXISTS audit_no_{op.lower()} BEFORE {op} ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"""
        )


_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
"""Built once: `json.dumps` with these options builds an encoder per call (hot in hashing)."""


def canonical(data: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text."""
    return _CANONICAL.encode(data)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    today: str
    actor: str
    action: str
    run_id: int | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        """What the entry's hash covers."""
        return {
            "seq": self.seq,
            "at": self.at,
            "today": self.today,
            "actor": self.actor,
            "action": self.action,
            "run_id": self.run_id,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
        }


def entry_hash(body: dict[str, Any]) -> str:
    import hashlib  # here: a read command that never hashes need not load OpenSSL

    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def head(db: StoreHandle) -> str | None:
    """The hash of the newest entry, or None for an empty log."""
    row = db.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def append(
    db: Database,
    actor: str,
    action: str,
    *,
    run_id: int | None = None,
    detail: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> AuditEntry:
    """Append one entry (inside the caller's transaction)."""
    last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (1, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    details = detail or {}
    body: dict[str, Any] = {
        "seq": seq,
        "at": now,
        "today": (today or dt.date.today()).isoformat(),
        "actor": actor,
        "action": action,
        "run_id": run_id,
        "detail": details,
        "prev_hash": prev,
    }
    digest = entry_hash(body)
    db.execute(
        "INSERT INTO audit (seq, at, today, actor, action, run_id, detail, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, now, body["today"], actor, action, run_id, canonical(body["detail"]), prev, digest],
    )
    return AuditEntry(
        seq, now, str(body["today"]), actor, action, run_id, body["detail"], prev, digest
    )


def entries(db: StoreHandle) -> list[AuditEntry]:
    """Every entry, oldest first."""
    rows = db.execute(
        "SELECT seq, at, today, actor, action, run_id, detail, prev_hash, hash FROM audit ORDER BY seq"
    ).fetchall()
    return [
        AuditEntry(int(r[0]), r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], r[8])
        for r in rows
    ]


def verify_chain(db: StoreHandle) -> str | None:
    """None when every link holds, else a message naming the first bad entry."""
    prev = GENESIS
    for e in entries(db):
        if e.prev_hash != prev:
            return f"audit entry {e.seq} ({e.action}) does not follow entry {e.seq - 1}"
        if entry_hash(e.body()) != e.hash:
            return f"audit entry {e.seq} ({e.action}) was altered: its hash does not match"
        prev = e.hash
    return None
