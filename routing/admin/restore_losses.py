"""What a restore would throw away, and the order numbers it must never hand out again.

Read from the live database just before it is replaced: the orders taken after the backup
(a restore loses them), the tables that hold more rows than the archive, and each day's
last order number. After the restore each day's counter is moved past the highest number
ever issued, so a new order never gets the number of an order the restore lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from routing.store.db import make_sessionmaker
from routing.store.model_base import Base
from routing.store.models import OrderCounter, WorkOrder

SHOWN = 20  # order numbers named in a refusal; the rest are counted


@dataclass(frozen=True)
class Losses:
    orders_after_backup: list[str] = field(default_factory=list)
    extra_rows: dict[str, int] = field(default_factory=dict)  # table -> rows beyond archive
    issued: dict[str, int] = field(default_factory=dict)  # day -> last number issued

    def describe(self) -> str:
        if not self.orders_after_backup and not self.extra_rows:
            return "nothing was written after the backup"
        numbers = self.orders_after_backup
        named = ", ".join(numbers[:SHOWN]) + (" …" if len(numbers) > SHOWN else "")
        parts = [f"{len(numbers)} orders taken after the backup ({named})"] if numbers else []
        parts += [f"{table}: {n} rows" for table, n in sorted(self.extra_rows.items())]
        return "it would lose " + "; ".join(parts)

    def as_json(self) -> dict[str, object]:
        return {"orders_after_backup": self.orders_after_backup, "extra_rows": self.extra_rows}


def _exists(database_url: str) -> bool:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return True
    return bool(url.database) and Path(str(url.database)).is_file()


async def read_losses(database_url: str, backup_at: datetime,
                      archived_rows: dict[str, int]) -> Losses:
    """What the live database holds beyond the archive; empty if it has no schema yet."""
    if not _exists(database_url):
        return Losses()
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with make_sessionmaker(engine)() as session:
            return await _losses(session, backup_at, archived_rows)
    except SQLAlchemyError:
        return Losses()  # no such database or tables yet: nothing there to lose
    finally:
        await engine.dispose()


async def _losses(session: AsyncSession, backup_at: datetime,
                  archived_rows: dict[str, int]) -> Losses:
    present = set(await session.run_sync(
        lambda sync: inspect(sync.connection()).get_table_names()))
    if not {WorkOrder.__tablename__, OrderCounter.__tablename__} <= present:
        return Losses()
    numbers = await session.scalars(select(WorkOrder.number).where(
        WorkOrder.created_at > backup_at).order_by(WorkOrder.created_at))
    extra = {}
    for table in Base.metadata.sorted_tables:
        if table.name in archived_rows and table.name in present:
            count = await session.scalar(select(func.count()).select_from(table)) or 0
            if count > archived_rows[table.name]:
                extra[table.name] = count - archived_rows[table.name]
    counters = await session.execute(select(OrderCounter.day, OrderCounter.last))
    issued = {day: last for day, last in counters.tuples().all()}
    return Losses(list(numbers), extra, issued)


async def carry_counters(database_url: str, issued: dict[str, int]) -> dict[str, int]:
    """Move each day's counter of the restored database past the numbers ever issued."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    moved = {}
    try:
        async with make_sessionmaker(engine).begin() as session:
            for day, last in sorted(issued.items()):
                row = await session.get(OrderCounter, day)
                if row is None:
                    session.add(OrderCounter(day=day, last=last))
                elif row.last < last:
                    row.last = last
                else:
                    continue
                moved[day] = last
    finally:
        await engine.dispose()
    return moved
