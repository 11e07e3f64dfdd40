"""Open311 clients' api keys: issued once (only the SHA-256 is stored), checked per request,
revoked by name. A request's key names the client its order came through."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from routing.orders.repository import audit
from routing.store.access_tables import Open311Client

CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class KeyError311(ValueError):
    """A key that cannot be issued or revoked as asked."""


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


async def issue_key(session: AsyncSession, *, client: str, actor: str, now: datetime) -> str:
    """A new key for `client` (a new client, or a new key replacing its old one)."""
    if not CLIENT_ID.match(client):
        raise KeyError311("client: letters, digits, '.', '_' or '-', up to 64")
    key = secrets.token_urlsafe(32)
    row = await session.get(Open311Client, client)
    if row is None:
        session.add(Open311Client(id=client, key_hash=key_hash(key), created_at=now))
    else:
        row.key_hash, row.created_at, row.revoked_at = key_hash(key), now, None
    await audit(session, actor=actor, entity="open311_client", entity_id=client,
                action="key_issued")
    return key


async def revoke_key(session: AsyncSession, *, client: str, actor: str, now: datetime) -> None:
    row = await session.get(Open311Client, client)
    if row is None:
        raise KeyError311(f"no client {client}")
    row.revoked_at = now
    await audit(session, actor=actor, entity="open311_client", entity_id=client,
                action="key_revoked")


async def client_for_key(session: AsyncSession, key: str) -> str | None:
    """The client a live key belongs to, or None."""
    found = await session.execute(
        select(Open311Client.id).where(Open311Client.key_hash == key_hash(key),
                                       Open311Client.revoked_at.is_(None))
    )
    return found.scalar_one_or_none()


async def list_clients(session: AsyncSession) -> list[Open311Client]:
    return list((await session.execute(select(Open311Client).order_by(Open311Client.id)))
                .scalars())
