"""The queue's line of actions (ari_app/action_line.py): in order, one at a time, and a failed
action neither stops those behind it nor goes unreported to whoever awaits it."""

from __future__ import annotations

import asyncio

import pytest

from ari_app.action_line import Action, ActionLine


async def test_actions_run_one_at_a_time_in_the_order_queued() -> None:
    tasks: set[asyncio.Task[None]] = set()
    line = ActionLine(tasks)
    seen: list[str] = []
    running: list[str] = []

    def action(name: str, pause: float) -> Action:
        async def run() -> None:
            running.append(name)
            assert len(running) == 1, running  # never two at once
            await asyncio.sleep(pause)
            seen.append(name)
            running.remove(name)
        return run

    line.do(action("ring", 0.03))
    line.do(action("hang-up", 0.0))
    await line.then(action("write", 0.01))
    assert seen == ["ring", "hang-up", "write"]
    assert len(tasks) == 1  # the worker, kept where serve cancels it
    for task in tasks:
        task.cancel()


async def test_a_failed_action_is_reported_to_its_awaiter_and_the_line_goes_on() -> None:
    tasks: set[asyncio.Task[None]] = set()
    line = ActionLine(tasks)
    seen: list[str] = []

    async def fail() -> None:
        raise RuntimeError("database down")

    async def after() -> None:
        seen.append("after")

    failed = line.then(fail)
    line.do(fail)  # nobody awaits this one: logged, not a warning at exit
    with pytest.raises(RuntimeError, match="database down"):
        await failed
    await line.then(after)
    assert seen == ["after"]
    for task in tasks:
        task.cancel()
