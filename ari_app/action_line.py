"""Actions on Asterisk and the database, carried out one at a time in the order decided.

The queue (ari_app/queue.py) decides under its lock and awaits nothing there; what a decision
asks for is put on this line. One worker runs the line, so a hang-up decided after a ring is
sent after it, and an agent's state rows are written in the order the states were taken."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Action = Callable[[], Awaitable[None]]


class ActionLine:
    def __init__(self, tasks: set[asyncio.Task[None]]) -> None:
        self._tasks = tasks  # where the worker is kept, for whoever cancels at shutdown
        self._line: asyncio.Queue[tuple[Action, asyncio.Future[None]]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    def do(self, action: Action) -> None:
        """Queue `action` behind those queued before it."""
        _ = self.then(action)

    def then(self, action: Action) -> asyncio.Future[None]:
        """Queue `action`; the future says when it is done (or how it failed)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.add_done_callback(_retrieved)  # a failure nobody awaits is logged, not warned
        self._line.put_nowait((action, done))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._carry_out())
            self._tasks.add(self._worker)
            self._worker.add_done_callback(self._tasks.discard)
        return done

    async def _carry_out(self) -> None:
        while True:
            action, done = await self._line.get()
            try:
                await action()
            except Exception as exc:  # one failed action must not stop those behind it
                log.exception("queue action failed")
                done.set_exception(exc)
            else:
                done.set_result(None)


def _retrieved(done: asyncio.Future[None]) -> None:
    if not done.cancelled():
        done.exception()
