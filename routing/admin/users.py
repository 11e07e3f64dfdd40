"""Console and agency-portal users: scrypt password hashes, login sessions.

Passwords are kept as `hashlib.scrypt` with a per-user random salt; a session cookie holds
a random token and only its SHA-256 is stored, so a database leak gives no usable login.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from routing.orders.transitions import Role
from routing.store.order_tables import User, UserSession

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}  # ~16 MiB, tens of ms: fine for logins
SESSION_TTL = timedelta(hours=12)  # one shift plus handover
TOUCH_EVERY = timedelta(minutes=1)


class UserError(ValueError):
    """A user record that cannot be created as asked."""


def hash_password(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode(), salt=salt, **SCRYPT).hex()


def check_password(user: User, password: str) -> bool:
    expected = hash_password(password, bytes.fromhex(user.password_salt))
    return hmac.compare_digest(expected, user.password_hash)


async def add_user(session: AsyncSession, *, user_id: str, name: str, role: Role,
                   agency_id: str | None, password: str, now: datetime) -> User:
    """A new user; an agency user must name its agency, and only an agency user may."""
    if (role is Role.AGENCY) != (agency_id is not None):
        raise UserError("--agency is required for, and only for, role agency")
    if len(password) < 8:
        raise UserError("the password must have at least 8 characters")
    if await session.get(User, user_id) is not None:
        raise UserError(f"user {user_id} exists already")
    salt = secrets.token_bytes(16)
    user = User(id=user_id, name=name, role=role, agency_id=agency_id, created_at=now,
                password_salt=salt.hex(), password_hash=hash_password(password, salt),
                password_changed_at=now)
    session.add(user)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def login(session: AsyncSession, *, user_id: str, password: str, now: datetime
                ) -> tuple[User, str] | None:
    """The user and a new session token, or None (same answer for unknown user and bad
    password, so the API does not tell which user ids exist)."""
    user = await session.get(User, user_id)
    if user is None:
        hash_password(password, b"0" * 16)  # spend the same time as a real check
        return None
    if not check_password(user, password):
        return None
    return user, open_session(session, user=user, now=now)


def open_session(session: AsyncSession, *, user: User, now: datetime) -> str:
    """A new login session of `user`: the token for the cookie (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_token_hash(token), user_id=user.id, created_at=now,
                            expires_at=now + SESSION_TTL))
    return token


async def session_user(session: AsyncSession, *, token: str, now: datetime) -> User | None:
    """The user a live session token belongs to."""
    found = await live_session(session, token=token, now=now)
    return None if found is None else found[0]


async def live_session(session: AsyncSession, *, token: str, now: datetime,
                       idle: timedelta | None = None) -> tuple[User, bool] | None:
    """The user of a live session and whether its last use should be noted now; with
    `idle`, a session unused that long is not live any more."""
    seen = func.coalesce(UserSession.last_seen_at, UserSession.created_at)
    query = (
        select(User, seen).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _token_hash(token), UserSession.expires_at > now,
               User.disabled_at.is_(None))
    )
    if idle is not None:
        query = query.where(seen > now - idle)
    row = (await session.execute(query)).first()
    if row is None:
        return None
    user, last = row
    return user, _aware(last) < now - TOUCH_EVERY


def _aware(value: datetime) -> datetime:
    # coalesce() hides the column type: SQLite gives back its stored naive UTC text.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def touch_session(session: AsyncSession, *, token: str, now: datetime) -> None:
    """Note the session's use (an idle one ends; access_policy.yaml)."""
    await session.execute(update(UserSession).where(UserSession.token_hash == _token_hash(token))
                          .values(last_seen_at=now))


async def logout(session: AsyncSession, *, token: str) -> None:
    await session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))
