"""serve's JSON log lines (hotline12319/json_logs.py): one object a line, with the call and the
order of the task that logged it, and nothing of another call's."""

from __future__ import annotations

import asyncio
import json
import logging

from ari_app.log_context import CALL_ID, ORDER_NUMBER
from hotline12319.json_logs import JsonLines


def _record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError as error:
            info = (type(error), error, error.__traceback__)
    return logging.LogRecord("ari_app.calls", logging.WARNING, __file__, 1, message, args, info)


def test_a_line_is_one_json_object_with_time_level_logger_and_message() -> None:
    line = JsonLines().format(_record("order %s: 录音 kept", "2026120600001"))
    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "WARNING" and data["logger"] == "ari_app.calls"
    assert data["message"] == "order 2026120600001: 录音 kept"
    assert data["ts"].endswith("+00:00")
    assert "call_id" not in data and "order" not in data


def test_an_exception_stays_inside_the_line() -> None:
    data = json.loads(JsonLines().format(_record("failed", exc=True)))
    assert "ValueError: boom" in data["exception"]


async def test_each_call_task_logs_its_own_call_and_order() -> None:
    formatter = JsonLines()

    async def call(channel_id: str, order: str | None) -> dict[str, str]:
        CALL_ID.set(channel_id)
        if order is not None:
            ORDER_NUMBER.set(order)
        await asyncio.sleep(0)  # the other call's task runs meanwhile
        return dict(json.loads(formatter.format(_record("menu"))))

    first, second = await asyncio.gather(call("hotline-1.1", "2026120600007"),
                                         call("hotline-1.2", None))
    assert (first["call_id"], first["order"]) == ("hotline-1.1", "2026120600007")
    assert second["call_id"] == "hotline-1.2" and "order" not in second
    assert CALL_ID.get() is None  # nothing leaks out of the call's task
