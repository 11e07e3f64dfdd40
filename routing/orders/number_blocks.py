"""Order numbers from blocks a node reserves, so that creates never queue on one row (issue 14).

The day's row in `order_counters` records the highest number *reserved* that day. On
PostgreSQL a process reserves BLOCK numbers at a time in a short transaction of its own, on a
connection of its own, and hands them out from memory: the row is locked for one UPDATE per
BLOCK orders instead of for the whole transaction of every create, and nodes sharing the
database never wait for each other's creates. `restore` carries the counter forward as
before (routing/admin/restore_losses.py): every number reserved stays used.

The price, said in the README: numbers of one day are unique but no longer gapless or in
creation order across nodes, and a restart leaves at most BLOCK - 1 numbers of its block
unused. SQLite (one writer by nature, `make run`) keeps the counter inside the create's
transaction: a second connection would wait on the first's write lock.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from routing.store.models import OrderCounter

# One reservation per 20 creates; a restart wastes at most 19 numbers of a day, out of the
# 9,999 a quiet day's ten-digit numbers hold (routing/orders/order_numbers.py).
BLOCK = 20


class NumberBlocks:
    """The numbers one process has reserved and not yet handed out, per day."""

    def __init__(self, url: URL, block: int = BLOCK) -> None:
        self._url, self._block = url, block
        self._free: dict[str, deque[int]] = {}
        self._lock = asyncio.Lock()
        self._engine: AsyncEngine | None = None

    async def take(self, day: str) -> int:
        """The next unused number (sequence) of `day`, reserving a block when none is left."""
        async with self._lock:
            free = self._free.get(day)
            if not free:
                self._free = {day: await self._reserve(day)}  # a past day's rest is dropped
                free = self._free[day]
            return free.popleft()

    async def _reserve(self, day: str) -> deque[int]:
        if self._engine is None:
            # NullPool: nothing is left open when the process's own engine goes away.
            self._engine = create_async_engine(self._url, poolclass=NullPool)
        statement = (
            pg_insert(OrderCounter)
            .values(day=day, last=self._block)
            .on_conflict_do_update(index_elements=["day"],
                                   set_={"last": OrderCounter.last + self._block})
            .returning(OrderCounter.last)
        )
        async with self._engine.begin() as conn:
            last = int((await conn.execute(statement)).scalar_one())
        return deque(range(last - self._block + 1, last + 1))


_BLOCKS: weakref.WeakKeyDictionary[Engine, NumberBlocks] = weakref.WeakKeyDictionary()


def blocks_for(engine: Engine) -> NumberBlocks:
    """The blocks of one engine (one process's database): made at its first order."""
    found = _BLOCKS.get(engine)
    if found is None:
        found = _BLOCKS[engine] = NumberBlocks(engine.url)
    return found
