"""The pure parts of routing/dispatch/webhook.py: signatures, masking, payload, retry schedule."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.agencies.directory import load_directory
from routing.dispatch.webhook import (
    NORMAL_SCHEDULE,
    URGENT_SCHEDULE,
    MissingSecretError,
    Outcome,
    RejectReason,
    SignatureError,
    classify,
    encode_body,
    idempotency_key,
    mask_number,
    next_attempt_at,
    order_payload,
    sign,
    verify,
    webhook_secret,
)
from routing.enums import OrderType, Utility
from routing.orders.calendar import SHANGHAI, WorkingDayCalendar
from routing.orders.policy import compute_deadlines, load_policy

SECRET = b"sandbox-agency-secret-0123456789"
NOW = 1_790_000_000
CREATED = datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI)


# ----------------------------------------------------------------------------- sign/verify
def test_signature_header_format_and_value() -> None:
    header = sign(SECRET, NOW, b'{"a":1}')
    expected = hmac.new(SECRET, b'1790000000.{"a":1}', hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"


@given(body=st.binary(max_size=2048), secret=st.binary(min_size=1, max_size=64),
       skew=st.integers(min_value=-300, max_value=300))
def test_round_trip_over_arbitrary_bodies(body: bytes, secret: bytes, skew: int) -> None:
    assert verify(secret, sign(secret, NOW, body), body, now=NOW + skew) == NOW


@given(body=st.binary(min_size=1, max_size=512), index=st.integers(min_value=0))
def test_any_altered_byte_is_a_mismatch(body: bytes, index: int) -> None:
    header = sign(SECRET, NOW, body)
    tampered = bytearray(body)
    tampered[index % len(body)] ^= 0x01
    with pytest.raises(SignatureError) as caught:
        verify(SECRET, header, bytes(tampered), now=NOW)
    assert caught.value.reason is RejectReason.MISMATCH


def test_tampered_body_wrong_secret_and_appended_bytes_are_mismatches() -> None:
    header = sign(SECRET, NOW, b'{"order":"2610090001"}')
    for secret, body in [
        (SECRET, b'{"order":"2610090002"}'),
        (b"another-secret-0123456789abcdef", b'{"order":"2610090001"}'),
        (SECRET, b'{"order":"2610090001"} '),
    ]:
        with pytest.raises(SignatureError) as caught:
            verify(secret, header, body, now=NOW)
        assert caught.value.reason is RejectReason.MISMATCH


def test_changed_timestamp_is_a_mismatch() -> None:
    # The timestamp is signed: moving it to pass the freshness check breaks the signature.
    _, v1 = sign(SECRET, NOW - 3600, b"x").split(",")
    with pytest.raises(SignatureError) as caught:
        verify(SECRET, f"t={NOW},{v1}", b"x", now=NOW)
    assert caught.value.reason is RejectReason.MISMATCH


@pytest.mark.parametrize("offset", [-301, 301, -86_400, 86_400])
def test_stale_or_future_timestamp_is_refused(offset: int) -> None:
    header = sign(SECRET, NOW + offset, b"x")
    with pytest.raises(SignatureError) as caught:
        verify(SECRET, header, b"x", now=NOW)
    assert caught.value.reason is RejectReason.STALE


def test_tolerance_is_configurable() -> None:
    header = sign(SECRET, NOW - 60, b"x")
    assert verify(SECRET, header, b"x", now=NOW, tolerance_s=60) == NOW - 60
    with pytest.raises(SignatureError, match="stale"):
        verify(SECRET, header, b"x", now=NOW, tolerance_s=59)


GOOD_V1 = "v1=" + "0" * 64


@pytest.mark.parametrize(
    "header",
    [
        "", "garbage", f"t={NOW}", GOOD_V1, f"t=abc,{GOOD_V1}", f"t=-5,{GOOD_V1}",
        f"t={NOW},t={NOW},{GOOD_V1}", f"t={NOW},v1=xyz", f"t={NOW},v1=" + "A" * 64,
        f"t={NOW},{GOOD_V1},v1=short", f"t=１２３,{GOOD_V1}", f"t={NOW},{GOOD_V1}" + "," * 2000,
    ],
)
def test_malformed_header_is_refused(header: str) -> None:
    with pytest.raises(SignatureError) as caught:
        verify(SECRET, header, b"x", now=NOW)
    assert caught.value.reason is RejectReason.MALFORMED


def test_rotated_secret_any_matching_v1_passes_and_unknown_keys_are_ignored() -> None:
    old = sign(b"old-secret-0123456789abcdef", NOW, b"x").split(",")[1]
    new = sign(SECRET, NOW, b"x").split(",")[1]
    assert verify(SECRET, f"t={NOW},{old},{new},v2=future", b"x", now=NOW) == NOW


# ---------------------------------------------------------------------- secrets, masking
def test_secret_comes_from_the_named_env_var() -> None:
    directory = load_directory()
    agency = directory.agencies["industry-water"].model_copy(
        update={"webhook_url": "https://x.example.invalid/h",
                "webhook_secret_env": "HOTLINE_AGENCY_WATER_WEBHOOK_SECRET"})
    env = {"HOTLINE_AGENCY_WATER_WEBHOOK_SECRET": SECRET.decode()}
    assert webhook_secret(agency, env) == SECRET
    with pytest.raises(MissingSecretError, match="unset or shorter"):
        webhook_secret(agency, {"HOTLINE_AGENCY_WATER_WEBHOOK_SECRET": "short"})
    with pytest.raises(MissingSecretError, match="unset"):
        webhook_secret(agency, {})
    with pytest.raises(MissingSecretError, match="no webhook"):
        webhook_secret(directory.agencies["industry-gas"], env)


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13812345678", "*******5678"),
        ("+86 138-1234-5678", "*********5678"),
        ("053112345678", "********5678"),
        ("12345", "*2345"),
        ("1001", "****"),
        ("12", "**"),
        ("anonymous", None),
        ("", None),
        (None, None),
    ],
)
def test_mask_keeps_only_the_last_four_digits(number: str | None, masked: str | None) -> None:
    assert mask_number(number) == masked


@given(st.text(alphabet="0123456789+- ", max_size=24))
def test_mask_never_shows_more_than_four_digits(number: str) -> None:
    masked = mask_number(number) or ""
    assert sum(ch.isdigit() for ch in masked) <= 4
    digits = [ch for ch in number if ch.isdigit()]
    if len(digits) > 4:
        assert masked.endswith("".join(digits[-4:]))


# ------------------------------------------------------------------------------- payload
def test_payload_has_masked_number_deadlines_and_idempotency_key() -> None:
    deadlines = compute_deadlines(
        load_policy(), WorkingDayCalendar(), utility="gas", order_type="emergency_repair",
        created_at=CREATED)
    payload = order_payload(
        order_number="2610090001", dispatch_id=7, agency_id="industry-gas",
        utility=Utility.GAS, order_type=OrderType.EMERGENCY_REPAIR, created_at=CREATED,
        district="lixia", address="历下区某路某号（示例）", caller_number="13812345678",
        deadlines=deadlines)
    assert payload["idempotency_key"] == idempotency_key("2610090001", 7) == "2610090001:7"
    assert payload["caller_number_masked"] == "*******5678"
    assert "13812345678" not in encode_body(payload).decode()
    assert payload["urgent"] is True
    assert payload["created_at"] == "2026-10-09T02:00:00+00:00"
    assert payload["deadlines"]["dispatch_due"] == "2026-10-09T02:00:00+00:00"
    assert payload["deadlines"]["onsite_due"] == "2026-10-09T02:30:00+00:00"
    assert "G 3.1.4.4" in payload["deadlines"]["clauses"]
    assert json.loads(encode_body(payload)) == payload


def test_body_encoding_is_canonical_utf8() -> None:
    assert encode_body({"b": "历下区", "a": 1}) == '{"a":1,"b":"历下区"}'.encode()


# ----------------------------------------------------------------------- retry schedule
@pytest.mark.parametrize("urgent", [False, True])
def test_schedule_starts_now_is_strictly_increasing_capped_and_ends(urgent: bool) -> None:
    schedule = URGENT_SCHEDULE if urgent else NORMAL_SCHEDULE
    times = []
    attempt = 0
    while (at := next_attempt_at(attempt, CREATED, urgent)) is not None:
        times.append(at)
        attempt += 1
    assert attempt == schedule.max_attempts
    assert times[0] == CREATED
    steps = [b - a for a, b in itertools.pairwise(times)]
    assert all(timedelta(0) < step <= timedelta(seconds=schedule.cap_s) for step in steps)
    assert next_attempt_at(attempt + 100, CREATED, urgent) is None


def test_normal_schedule_values() -> None:
    offsets = [next_attempt_at(n, CREATED, False) for n in range(7)]
    assert [(at - CREATED).total_seconds() for at in offsets if at] == [
        0, 5, 35, 155, 755, 1355, 1955]


def test_urgent_orders_retry_faster() -> None:
    for attempt in range(1, NORMAL_SCHEDULE.max_attempts):
        urgent, normal = (next_attempt_at(attempt, CREATED, u) for u in (True, False))
        assert urgent is not None and normal is not None and urgent < normal
    assert next_attempt_at(1, CREATED, True) == CREATED + timedelta(seconds=2)


def test_schedule_refuses_naive_time_and_negative_attempt() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_attempt_at(0, datetime(2026, 10, 9), False)
    with pytest.raises(ValueError, match="negative"):
        next_attempt_at(-1, CREATED.astimezone(UTC), False)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(200, Outcome.DELIVERED), (202, Outcome.DELIVERED), (204, Outcome.DELIVERED),
     (301, Outcome.PERMANENT), (400, Outcome.PERMANENT), (401, Outcome.PERMANENT),
     (404, Outcome.PERMANENT), (408, Outcome.RETRY), (409, Outcome.PERMANENT),
     (429, Outcome.RETRY), (500, Outcome.RETRY), (503, Outcome.RETRY), (504, Outcome.RETRY)],
)
def test_status_classification(status: int, outcome: Outcome) -> None:
    assert classify(status) is outcome
