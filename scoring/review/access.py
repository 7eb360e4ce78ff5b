"""Granting and revoking roles (admin only), each an audit entry (SPEC §5)."""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from scoring import audit, roles
from scoring.errors import PioneerError
from scoring.store import transaction


def _change(
    db: Database, actor: str, name: str, role: str, action: str, today: dt.date | None
) -> None:
    roles.require(db, actor, "roles")
    who = name.strip()
    if not who:
        raise PioneerError("name the person whose role changes")
    if role not in roles.ROLES:
        raise PioneerError(f"unknown role `{role}`: one of {', '.join(roles.ROLES)}")
    with transaction(db):
        held = role in roles.roles_of(db, who)
        if action == "roles-grant":
            if held:
                raise PioneerError(f"{who} already holds the `{role}` role")
            roles.grant(db, who, role)
        else:
            if not held:
                raise PioneerError(f"{who} does not hold the `{role}` role")
            roles.revoke(db, who, role)
        audit.append(db, actor, action, detail={"name": who, "role": role}, today=today)


def grant(db: Database, actor: str, name: str, role: str, today: dt.date | None = None) -> None:
    """Give `name` the `role` (the actor must be an admin)."""
    _change(db, actor, name, role, "roles-grant", today)


def revoke(db: Database, actor: str, name: str, role: str, today: dt.date | None = None) -> None:
    """Take the `role` from `name` (never the last admin; the actor must be an admin)."""
    _change(db, actor, name, role, "roles-revoke", today)
