"""The signed webhook push of a work order to a linked agency.

Signed per Standard Webhooks (routing/dispatch/webhook_standard.py). Pure: the old scheme's
`sign`/`verify` (HMAC-SHA256 over "<timestamp>.<body>", header `X-Hotline-Signature:
t=<unix s>,v1=<hex>`, sent only with webhook_scheme=legacy), `order_payload` (caller
number masked), `idempotency_key`, `classify`, the retry schedule `next_attempt_at`,
`webhook_secret` (read from the env var the agency's row names). One side effect:
`deliver`, a single POST with a timeout.

The webhook is not the only channel: L 3.2.4(2)-(4) require the center to confirm that the
unit received the order, so the dispatcher rings the duty contact when a push keeps failing
(at once for an emergency repair); retries go on meanwhile until the schedule gives up.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import aiohttp

from routing.agencies.directory import Agency
from routing.dispatch.webhook_standard import standard_headers
from routing.enums import OrderType, Utility, WebhookScheme
from routing.orders.policy import Deadlines

SIGNATURE_HEADER = "X-Hotline-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SCHEMA = "hotline12319.order.v1"
DEFAULT_TOLERANCE_S = 300
DEFAULT_TIMEOUT_S = 10.0
_MAX_HEADER = 1024  # a real header is ~80 characters; refuse to parse anything huge
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_ERROR_EXCERPT = 200  # bytes of an error response kept for the log
MIN_SECRET_BYTES = 16


class MissingSecretError(LookupError):
    """An agency's webhook secret is not set (or too short) in the environment."""


class RejectReason(StrEnum):
    MALFORMED = "malformed"  # not `t=<digits>,v1=<64 hex>`
    STALE = "stale"  # timestamp further than the tolerance from now (either side)
    MISMATCH = "mismatch"  # wrong secret or altered body


class SignatureError(ValueError):
    """A webhook signature was refused; `reason` says why."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def webhook_secret(agency: Agency, environ: Mapping[str, str]) -> bytes:
    """The agency's webhook secret from the environment (never from the directory file)."""
    if agency.webhook_secret_env is None:
        raise MissingSecretError(f"agency {agency.id} has no webhook")
    value = environ.get(agency.webhook_secret_env, "")
    if len(value.encode()) < MIN_SECRET_BYTES:
        raise MissingSecretError(f"{agency.webhook_secret_env} (agency {agency.id}) is unset "
                                 f"or shorter than {MIN_SECRET_BYTES} bytes")
    return value.encode()


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The signature header value for body sent at timestamp (unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify(
    secret: bytes, header: str, body: bytes, now: float, tolerance_s: int = DEFAULT_TOLERANCE_S
) -> int:
    """The signed timestamp if header signs body with secret; SignatureError otherwise.

    The timestamp is inside the HMAC, so a replay outside the tolerance window fails even
    with a valid signature. Several v1 values are allowed (a secret being rotated).
    """
    timestamp, candidates = _parse_header(header)
    if abs(now - timestamp) > tolerance_s:
        raise SignatureError(RejectReason.STALE, f"t={timestamp} is {now - timestamp:.0f} s off")
    expected = _digest(secret, timestamp, body)
    matched = False
    for candidate in candidates:  # no early exit: every candidate costs the same
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureError(RejectReason.MISMATCH, "no v1 signature matches")
    return timestamp


def _digest(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, b"%d." % timestamp + body, hashlib.sha256).hexdigest()


def _parse_header(header: str) -> tuple[int, list[str]]:
    if len(header) > _MAX_HEADER:
        raise SignatureError(RejectReason.MALFORMED, "header too long")
    timestamps, signatures = [], []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError(RejectReason.MALFORMED, f"no '=' in {part!r}")
        if key == "t":
            timestamps.append(value)
        elif key == "v1":
            signatures.append(value)
        # other keys (a future v2) are ignored so the scheme can evolve
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit():
        raise SignatureError(RejectReason.MALFORMED, "need exactly one numeric t=")
    if not signatures or not all(_HEX64.match(s) for s in signatures):
        raise SignatureError(RejectReason.MALFORMED, "need v1=<64 lower-case hex>")
    return int(timestamps[0]), signatures


def mask_number(number: str | None) -> str | None:
    """The caller's number as agencies see it: every digit but the last 4 replaced by '*'.

    Separators and '+' are dropped so the mask does not hint at the format; a number of 4
    digits or fewer is masked entirely (showing "the last 4" would show all of it); a value
    with no digits at all (anonymous) gives None.
    """
    digits = "".join(ch for ch in number or "" if ch.isascii() and ch.isdigit())
    if not digits:
        return None
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def idempotency_key(order_number: str, dispatch_id: int | str) -> str:
    """Same order, same dispatch -> same key: a retried push is recognised as a repeat."""
    return f"{order_number}:{dispatch_id}"


def order_payload(
    *, order_number: str, dispatch_id: int | str, agency_id: str, utility: Utility,
    order_type: OrderType, created_at: datetime, district: str | None, address: str | None,
    caller_number: str | None, deadlines: Deadlines | None, summary: str | None = None,
) -> dict[str, Any]:
    """The JSON body pushed to an agency (instants in UTC ISO 8601, number masked)."""
    return {
        "schema": SCHEMA,
        "idempotency_key": idempotency_key(order_number, dispatch_id),
        "order_number": order_number,
        "dispatch_id": str(dispatch_id),
        "agency_id": agency_id,
        "utility": Utility(utility).value,
        "order_type": OrderType(order_type).value,
        "urgent": is_urgent(order_type),
        "created_at": _utc(created_at),
        "district": district,
        "address": address,
        "summary": summary,
        "caller_number_masked": mask_number(caller_number),
        "deadlines": None if deadlines is None else _deadlines(deadlines),
    }


def _deadlines(deadlines: Deadlines) -> dict[str, Any]:
    """The deadlines an agency acts on, with the clauses they come from."""
    return {
        "dispatch_due": _utc(deadlines.dispatch_due),
        "receipt_due": _utc(deadlines.receipt_due),
        "onsite_due": _utc(deadlines.onsite_due),
        "resolve_due": _utc(deadlines.resolve_due),
        "clauses": list(deadlines.clauses),
        "source": deadlines.source.value,
    }


def _utc(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def encode_body(payload: Mapping[str, Any]) -> bytes:
    """Canonical UTF-8 JSON: the exact bytes that are signed and sent."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


# ------------------------------------------------------------------------------ retries
@dataclass(frozen=True)
class RetrySchedule:
    """Seconds before each attempt (the first is 0: send at once), then `cap_s` till the end."""

    gaps_s: tuple[int, ...]
    cap_s: int
    max_attempts: int


# Ordinary orders: 0, 5 s, 30 s, 2 min, 10 min, then every 10 min; 12 attempts span ~83 min,
# well past the 30-minute dispatch/receipt limits of L 3.2.4(3)(4) that the duty call covers.
NORMAL_SCHEDULE = RetrySchedule((0, 5, 30, 120, 600), cap_s=600, max_attempts=12)
# Emergency repairs are dispatched "第一时间" (L 3.2.4(2)): retry within seconds, every
# minute at most; 30 attempts span ~26 min.
URGENT_SCHEDULE = RetrySchedule((0, 2, 5, 10, 30, 60), cap_s=60, max_attempts=30)


def is_urgent(order_type: OrderType | str) -> bool:
    """Emergency repairs use the fast schedule."""
    return OrderType(order_type) is OrderType.EMERGENCY_REPAIR


def next_attempt_at(attempt: int, created: datetime, urgent: bool) -> datetime | None:
    """When to make the next attempt, given `attempt` attempts already made; None = give up.

    Counted from `created` (the dispatch's creation), not from the last attempt, so the
    answer does not depend on how late a worker ran: strictly increasing in `attempt`, each
    step at most the schedule's cap.
    """
    if created.tzinfo is None:
        raise ValueError("created must be an aware datetime")
    if attempt < 0:
        raise ValueError("attempt counts attempts already made; it cannot be negative")
    schedule = URGENT_SCHEDULE if urgent else NORMAL_SCHEDULE
    if attempt >= schedule.max_attempts:
        return None
    listed = schedule.gaps_s[: attempt + 1]
    extra = attempt + 1 - len(listed)
    return created + timedelta(seconds=sum(listed) + extra * schedule.cap_s)


# ----------------------------------------------------------------------------- delivery
class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # 5xx, 408, 429, timeout, connection error
    PERMANENT = "permanent"  # other 4xx, 3xx: retrying will not help; a person must look


@dataclass(frozen=True)
class DeliveryResult:
    """One attempt: outcome, HTTP status (None if no response), latency, error text."""

    outcome: Outcome
    status: int | None
    latency_s: float
    error: str | None = None
    retry_after_s: float | None = None  # the agency's Retry-After, if it sent delta-seconds


def classify(status: int) -> Outcome:
    """2xx delivered; 408/429 and 5xx retry; everything else (4xx, 3xx) permanent."""
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if status in (408, 429) or status >= 500:
        return Outcome.RETRY
    # Redirects are not followed (the signed body must not be sent to another host), so a
    # 3xx is a misconfigured URL, as permanent as a 4xx.
    return Outcome.PERMANENT


async def deliver(
    session: aiohttp.ClientSession, url: str, secret: bytes, payload: Mapping[str, Any],
    idempotency_key: str, *, timeout_s: float = DEFAULT_TIMEOUT_S,
    clock: Callable[[], float] = time.time, scheme: WebhookScheme = WebhookScheme.STANDARD,
) -> DeliveryResult:
    """POST the signed payload once; never raises for network trouble (it is a RETRY).
    Signed per Standard Webhooks; `legacy` adds the old X-Hotline-Signature header."""
    body, timestamp = encode_body(payload), int(clock())
    headers = {"Content-Type": "application/json; charset=utf-8",
               IDEMPOTENCY_HEADER: idempotency_key,
               **standard_headers(secret, idempotency_key, timestamp, body)}
    if scheme is WebhookScheme.LEGACY:
        headers[SIGNATURE_HEADER] = sign(secret, timestamp, body)
    started = time.perf_counter()
    try:
        async with session.post(
            url, data=body, headers=headers, allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=timeout_s),
        ) as response:
            excerpt = await response.content.read(_ERROR_EXCERPT)
            return _result(response, excerpt, time.perf_counter() - started)
    except TimeoutError:
        return DeliveryResult(Outcome.RETRY, None, time.perf_counter() - started,
                              f"timeout after {timeout_s} s")
    except aiohttp.ClientError as exc:
        return DeliveryResult(Outcome.RETRY, None, time.perf_counter() - started,
                              f"{type(exc).__name__}: {exc}")


def _result(response: aiohttp.ClientResponse, excerpt: bytes, latency: float) -> DeliveryResult:
    outcome = classify(response.status)
    error = None
    if outcome is not Outcome.DELIVERED:
        text = excerpt.decode("utf-8", errors="replace").strip()
        error = f"HTTP {response.status}" + (f": {text}" if text else "")
    return DeliveryResult(outcome, response.status, latency, error,
                          _retry_after(response.headers.get("Retry-After")))


def _retry_after(value: str | None) -> float | None:
    """Retry-After as delta-seconds; the HTTP-date form is ignored (the schedule applies)."""
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())
