"""`deliver` against a real aiohttp agency server on a loopback port (no database needed).

The test agency checks each push's signature with its own copy of the secret, as a real
agency would — with the `standardwebhooks` verifier (Standard Webhooks), and the old
X-Hotline-Signature when one is sent — records what it saw, and answers with the statuses
a test scripts.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from routing.dispatch.webhook import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    Outcome,
    SignatureError,
    deliver,
    idempotency_key,
    order_payload,
    verify,
)
from routing.dispatch.webhook_standard import whsec
from routing.enums import OrderType, Utility, WebhookScheme
from routing.orders.calendar import SHANGHAI

pytestmark = pytest.mark.integration

SECRET = b"sandbox-agency-secret-0123456789"
CREATED = datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI)


@dataclass
class Received:
    """One push as the agency saw it."""

    body: dict[str, Any]
    idempotency_key: str | None
    verified: bool
    reject_reason: str | None
    webhook_id: str | None = None
    legacy_verified: bool | None = None  # None: no X-Hotline-Signature header sent


@dataclass
class Agency:
    """The test agency: scripted answers (default 200) and the pushes it received."""

    server: TestServer
    answers: list[int] = field(default_factory=list)
    delay_s: float = 0.0
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return str(self.server.make_url("/12319/orders"))


@pytest.fixture
async def agency() -> AsyncIterator[Agency]:
    state: dict[str, Agency] = {}

    async def orders(request: web.Request) -> web.Response:
        me = state["agency"]
        raw = await request.read()
        try:
            Webhook(whsec(SECRET)).verify(raw, dict(request.headers))
            verified, reason = True, None
        except WebhookVerificationError as exc:
            verified, reason = False, "stale" if "timestamp" in str(exc) else "mismatch"
        me.received.append(Received(json.loads(raw), request.headers.get(IDEMPOTENCY_HEADER),
                                     verified, reason, request.headers.get("webhook-id"),
                                     _legacy(request.headers.get(SIGNATURE_HEADER), raw)))
        await asyncio.sleep(me.delay_s)
        if not verified:
            return web.Response(status=401, text=f"bad signature: {reason}")
        status = me.answers.pop(0) if me.answers else 200
        return web.json_response({"received": status < 300}, status=status)

    app = web.Application()
    app.router.add_post("/12319/orders", orders)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    state["agency"] = Agency(server)
    try:
        yield state["agency"]
    finally:
        await server.close()


def _legacy(header: str | None, raw: bytes) -> bool | None:
    if header is None:
        return None
    try:
        verify(SECRET, header, raw, now=time.time())
    except SignatureError:
        return False
    return True


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def payload(dispatch_id: int = 1) -> dict[str, Any]:
    return order_payload(
        order_number="2610090001", dispatch_id=dispatch_id, agency_id="district-lixia",
        utility=Utility.DRAINAGE, order_type=OrderType.MAINTENANCE, created_at=CREATED,
        district="lixia", address="历下区某路某号（示例）", caller_number="13812345678",
        deadlines=None)


async def test_signed_push_is_delivered_and_verified(
    agency: Agency, session: aiohttp.ClientSession
) -> None:
    key = idempotency_key("2610090001", 1)
    result = await deliver(session, agency.url, SECRET, payload(), key)
    assert result.outcome is Outcome.DELIVERED
    assert result.status == 200 and result.error is None
    assert 0 < result.latency_s < 5
    [seen] = agency.received
    assert seen.verified and seen.reject_reason is None
    assert seen.idempotency_key == key == seen.body["idempotency_key"] == seen.webhook_id
    assert seen.legacy_verified is None  # the old header only with webhook_scheme=legacy
    assert seen.body["caller_number_masked"] == "*******5678"
    assert seen.body["address"] == "历下区某路某号（示例）"


async def test_503_then_200_is_retry_then_delivered_with_the_same_key(
    agency: Agency, session: aiohttp.ClientSession
) -> None:
    agency.answers = [503, 200]
    key = idempotency_key("2610090001", 2)
    first = await deliver(session, agency.url, SECRET, payload(2), key)
    second = await deliver(session, agency.url, SECRET, payload(2), key)
    assert (first.outcome, first.status) == (Outcome.RETRY, 503)
    assert first.error is not None and first.error.startswith("HTTP 503")
    assert (second.outcome, second.status) == (Outcome.DELIVERED, 200)
    assert [r.idempotency_key for r in agency.received] == [key, key]
    assert all(r.verified for r in agency.received)


async def test_400_is_a_permanent_failure(agency: Agency, session: aiohttp.ClientSession) -> None:
    agency.answers = [400]
    result = await deliver(session, agency.url, SECRET, payload(), "2610090001:3")
    assert (result.outcome, result.status) == (Outcome.PERMANENT, 400)
    assert result.error is not None and "HTTP 400" in result.error


async def test_wrong_secret_is_refused_by_the_agency(
    agency: Agency, session: aiohttp.ClientSession
) -> None:
    result = await deliver(session, agency.url, b"not-the-agency-secret-000000", payload(),
                           "2610090001:4")
    assert (result.outcome, result.status) == (Outcome.PERMANENT, 401)
    assert agency.received[0].reject_reason == "mismatch"


async def test_stale_clock_is_refused_by_the_agency(
    agency: Agency, session: aiohttp.ClientSession
) -> None:
    result = await deliver(session, agency.url, SECRET, payload(), "2610090001:5",
                           clock=lambda: time.time() - 3600)
    assert result.outcome is Outcome.PERMANENT
    assert agency.received[0].reject_reason == "stale"


async def test_slow_agency_times_out_as_retry(
    agency: Agency, session: aiohttp.ClientSession
) -> None:
    agency.delay_s = 2.0
    result = await deliver(session, agency.url, SECRET, payload(), "2610090001:6", timeout_s=0.3)
    assert result.outcome is Outcome.RETRY
    assert result.status is None and result.error is not None and "timeout" in result.error
    assert result.latency_s < 1.5


async def test_unreachable_agency_is_retry(session: aiohttp.ClientSession) -> None:
    server = TestServer(web.Application(), host="127.0.0.1", port=0)
    await server.start_server()
    url = str(server.make_url("/12319/orders"))
    await server.close()  # nothing listens on that port any more
    result = await deliver(session, url, SECRET, payload(), "2610090001:7", timeout_s=2)
    assert result.outcome is Outcome.RETRY
    assert result.status is None and result.error is not None


async def test_the_legacy_setting_sends_the_old_signature_beside_the_standard_one(
    agency: Agency, session: aiohttp.ClientSession
) -> None:
    result = await deliver(session, agency.url, SECRET, payload(), "2610090001:8",
                           scheme=WebhookScheme.LEGACY)
    assert result.outcome is Outcome.DELIVERED
    [seen] = agency.received
    assert seen.verified and seen.legacy_verified is True  # old verifiers keep working
