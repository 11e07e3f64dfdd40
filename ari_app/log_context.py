"""Which call (and which of its orders) a log line is about, without passing it to every logger.

Each call runs in a task of its own (ari_app/calls.py), and a task has its own copy of the
context: set once at the call's start, these follow everything the call's task logs,
including the tasks it starts. The JSON log format (hotline12319/json_logs.py) reads them."""

from __future__ import annotations

from contextvars import ContextVar

CALL_ID: ContextVar[str | None] = ContextVar("call_id", default=None)
ORDER_NUMBER: ContextVar[str | None] = ContextVar("order_number", default=None)
