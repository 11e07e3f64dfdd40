"""Looking after users once they exist: list, disable or enable, new password, new role.

Each change is audited and ends the user's open sessions, so a disabled user or one whose
password was reset is out at once, not at the end of the shift (L 3.1.4(4)).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from routing.admin.users import UserError, hash_password
from routing.orders.repository import audit
from routing.orders.transitions import Role
from routing.store.order_tables import User, UserSession

MIN_PASSWORD = 8


async def find_user(session: AsyncSession, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise UserError(f"no user {user_id}")
    return user


async def list_users(session: AsyncSession) -> list[User]:
    return list((await session.execute(select(User).order_by(User.id))).scalars())


async def end_sessions(session: AsyncSession, user_id: str) -> None:
    await session.execute(delete(UserSession).where(UserSession.user_id == user_id))


async def set_disabled(session: AsyncSession, *, user_id: str, disabled: bool, actor: str,
                       now: datetime) -> User:
    user = await find_user(session, user_id)
    user.disabled_at = now if disabled else None
    await end_sessions(session, user_id)
    await audit(session, actor=actor, entity="user", entity_id=user_id,
                action="disabled" if disabled else "enabled")
    return user


async def set_password(session: AsyncSession, *, user_id: str, password: str, actor: str,
                       now: datetime) -> User:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    user = await find_user(session, user_id)
    salt = secrets.token_bytes(16)
    user.password_salt, user.password_hash = salt.hex(), hash_password(password, salt)
    user.password_changed_at = now
    await end_sessions(session, user_id)
    await audit(session, actor=actor, entity="user", entity_id=user_id, action="password_set")
    return user


async def set_role(session: AsyncSession, *, user_id: str, role: Role, agency_id: str | None,
                   actor: str) -> User:
    if (role is Role.AGENCY) != (agency_id is not None):
        raise UserError("--agency is required for, and only for, role agency")
    user = await find_user(session, user_id)
    before = user.role
    user.role, user.agency_id = role, agency_id
    await end_sessions(session, user_id)
    await audit(session, actor=actor, entity="user", entity_id=user_id, action="role_changed",
                detail={"from": before.value, "to": role.value, "agency_id": agency_id})
    return user
