"""Standard Webhooks signatures (routing/dispatch/webhook_standard.py), checked by the reference
verifier an agency would use."""

from __future__ import annotations

import time

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from routing.dispatch.webhook_standard import standard_headers, whsec

SECRET = b"sandbox-agency-secret-0123456789"
BODY = '{"order_number":"2612050001","summary":"井盖缺失"}'.encode()


def test_the_reference_verifier_accepts_our_signature_and_reads_the_order() -> None:
    headers = standard_headers(SECRET, "2612050001:1", int(time.time()), BODY)
    assert headers["webhook-id"] == "2612050001:1"
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(whsec(SECRET)).verify(BODY, headers)["summary"] == "井盖缺失"


@pytest.mark.parametrize("change", ["body", "secret", "id"])
def test_a_changed_body_secret_or_id_is_refused(change: str) -> None:
    headers = standard_headers(SECRET, "2612050001:1", int(time.time()), BODY)
    body, secret = BODY, SECRET
    if change == "body":
        body = BODY.replace(b"0001", b"0002")
    elif change == "secret":
        secret = b"another-agency-secret-0123456789"
    else:
        headers["webhook-id"] = "2612050001:2"
    with pytest.raises(WebhookVerificationError):
        Webhook(whsec(secret)).verify(body, headers)
