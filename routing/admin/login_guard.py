"""A login attempt against the store, throttled per user and per address (L 3.1.4(4)).

Every password check leaves a `login_attempts` row. Too many failures from one address →
refused without a check until the window frees; too many for one user → the user is locked
(an audit row says so) until a supervisor unlocks it. The decisions are the pure functions
of `routing.admin.access_policy`; this module reads and writes what they need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from routing.admin.access_policy import (
    AccessPolicy,
    LoginHistory,
    Verdict,
    judge,
    must_lock,
    password_expired,
    retry_after,
)
from routing.admin.users import check_password, hash_password, open_session
from routing.orders.repository import audit
from routing.store.access_tables import LoginAttempt
from routing.store.order_tables import User


@dataclass(frozen=True)
class LoginOutcome:
    verdict: Verdict
    user: User | None = None
    token: str | None = None  # set only when the password was right
    retry_after_s: int = 0
    password_expired: bool = False


async def attempt_login(session: AsyncSession, *, user_id: str, password: str, ip: str,
                        now: datetime, policy: AccessPolicy) -> LoginOutcome:
    user = await session.get(User, user_id)
    history = await _history(session, user=user, ip=ip, now=now, policy=policy)
    verdict = judge(history, policy.login)
    if verdict is Verdict.IP_THROTTLED:
        return LoginOutcome(verdict, retry_after_s=retry_after(history, policy.login, now))
    if verdict is Verdict.LOCKED:
        return LoginOutcome(verdict)
    ok = _password_ok(user, password)
    session.add(LoginAttempt(user_id=user_id[:64], ip=ip, at=now, ok=ok))
    if not ok or user is None:
        if user is not None:
            await _lock_if_due(session, user=user, ip=ip, now=now, policy=policy)
        return LoginOutcome(Verdict.TRY)
    expired = password_expired(user.password_changed_at, user.created_at, policy.password, now)
    return LoginOutcome(Verdict.TRY, user, open_session(session, user=user, now=now),
                        password_expired=expired)


def _password_ok(user: User | None, password: str) -> bool:
    if user is None:
        hash_password(password, b"0" * 16)  # the same time as a real check
        return False
    return check_password(user, password) and user.disabled_at is None


async def _history(session: AsyncSession, *, user: User | None, ip: str, now: datetime,
                   policy: AccessPolicy) -> LoginHistory:
    since = now - policy.login.window
    found = await session.execute(
        select(LoginAttempt.at).where(LoginAttempt.ip == ip, LoginAttempt.at > since,
                                      LoginAttempt.ok.is_(False)).order_by(LoginAttempt.at)
    )
    return LoginHistory(locked=user is not None and user.locked_at is not None,
                        ip_failures=list(found.scalars()))


async def _lock_if_due(session: AsyncSession, *, user: User, ip: str, now: datetime,
                       policy: AccessPolicy) -> None:
    await session.flush()
    failures = (await session.execute(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.user_id == user.id, LoginAttempt.ok.is_(False),
            LoginAttempt.at > now - policy.login.window)
    )).scalar_one()
    if must_lock(failures, policy.login):
        user.locked_at = now
        await audit(session, actor="login", entity="user", entity_id=user.id, action="locked",
                    detail={"failures": failures, "ip": ip,
                            "window_minutes": policy.login.window_minutes})


async def unlock(session: AsyncSession, *, user: User, actor: str) -> None:
    """Unlock and forget the failures that locked it (audited)."""
    user.locked_at = None
    await session.execute(
        delete(LoginAttempt).where(LoginAttempt.user_id == user.id, LoginAttempt.ok.is_(False))
    )
    await audit(session, actor=actor, entity="user", entity_id=user.id, action="unlocked")
