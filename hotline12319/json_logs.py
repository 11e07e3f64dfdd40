"""Log lines as JSON objects, one per line, for the operators' log shipper (issue 14).

Each line carries the time (UTC), level, logger and message, and the call and order it is
about when the line came from a call's task (ari_app/log_context.py): `grep`-free questions
such as "everything about call hotline-1733… on any node" become one query. The standard
library's logging with a formatter of our own: nothing the hotline logs needs more."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from ari_app.log_context import CALL_ID, ORDER_NUMBER

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (call_id := CALL_ID.get()) is not None:
            line["call_id"] = call_id
        if (order := ORDER_NUMBER.get()) is not None:
            line["order"] = order
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(log_format: str) -> None:
    """The root logger at INFO, as text (the default, for a terminal) or as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
