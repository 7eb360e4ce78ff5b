"""Who may do what: roles kept in the store (SPEC §5).

Whoever creates a store is its first admin; an admin may do everything.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Literal, get_args

from scoring.errors import PioneerError, Remedy
from scoring.store import transaction

if TYPE_CHECKING:
    from sqlite_utils import Database

    from scoring.store import StoreHandle

Role = Literal["author", "reviewer", "publisher", "admin"]
ROLES: tuple[str, ...] = get_args(Role)

NEEDS: dict[str, Role] = {
    "calendar-import": "admin",
    "ingest": "author",
    "score": "author",
    "review-start": "reviewer",
    "adjust": "reviewer",
    "approve": "reviewer",
    "flag": "reviewer",
    "unflag": "reviewer",
    "resolve-tie": "reviewer",
    "object": "reviewer",
    "resolve-objection": "reviewer",
    "notice": "publisher",
    "publish": "publisher",
    "revoke": "publisher",
    "roles": "admin",
    "reveal": "admin",
}


def current_user() -> str:
    """The OS user, the default actor of every action."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def ensure_roles_schema(db: StoreHandle, creator: str) -> None:
    """Create the roles table; the first actor to open a new store is its admin."""
    with transaction(db):
        db.execute(
            "CREATE TABLE IF NOT EXISTS roles (actor TEXT NOT NULL, role TEXT NOT NULL,"
            " PRIMARY KEY (actor, role))"
        )
        if db.execute("SELECT COUNT(*) FROM roles").fetchone()[0] == 0:
            db.execute("INSERT INTO roles (actor, role) VALUES (?, 'admin')", [creator])


def roles_of(db: StoreHandle, actor: str) -> set[str]:
    rows = db.execute("SELECT role FROM roles WHERE actor = ?", [actor]).fetchall()
    return {r[0] for r in rows}


def require(db: StoreHandle, actor: str, action: str) -> None:
    """Refuse `action` unless `actor` holds its role (or is an admin)."""
    need = NEEDS[action]
    have = roles_of(db, actor)
    if need in have or "admin" in have:
        return
    raise PioneerError(
        f"{actor} may not {action}: it needs the `{need}` role",
        hint="an admin can grant it",
        remedy=Remedy.GRANT_ROLE,
        remedy_args={"actor": actor, "role": need},
    )


def grant(db: Database, actor: str, role: str) -> None:
    if role not in ROLES:
        raise PioneerError(f"unknown role `{role}`: one of {', '.join(ROLES)}")
    db.execute("INSERT OR IGNORE INTO roles (actor, role) VALUES (?, ?)", [actor, role])


def revoke(db: Database, actor: str, role: str) -> None:
    if role == "admin" and roles_of(db, actor) >= {"admin"}:
        admins = db.execute("SELECT COUNT(*) FROM roles WHERE role = 'admin'").fetchone()[0]
        if admins <= 1:
            raise PioneerError("cannot revoke the last admin of the store")
    db.execute("DELETE FROM roles WHERE actor = ? AND role = ?", [actor, role])


def all_roles(db: StoreHandle) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in db.execute("SELECT actor, role FROM roles ORDER BY actor, role")]
