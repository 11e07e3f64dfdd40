"""Webhook signatures per Standard Webhooks (standardwebhooks.com): headers `webhook-id`,
`webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
so an agency checks them with a verifier that exists for its language instead of writing
one for a scheme of ours.

The agency's secret is the same bytes as before; given to a Standard Webhooks verifier it is
written `whsec_<base64 of the bytes>` (`whsec`). The old scheme (`X-Hotline-Signature`,
routing/dispatch/webhook.py) stays for one release behind the `webhook_scheme` setting: `legacy`
sends the old header AND the standard ones, so an agency can move over before it goes.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from standardwebhooks import Webhook

ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER = (
    "webhook-id", "webhook-timestamp", "webhook-signature")


def whsec(secret: bytes) -> str:
    """The secret as Standard Webhooks verifiers take it."""
    return "whsec_" + base64.b64encode(secret).decode()


def standard_headers(secret: bytes, message_id: str, timestamp: int, body: bytes
                     ) -> dict[str, str]:
    """The three headers that sign `body`; `message_id` stays the same across retries
    (the push's idempotency key), so the agency can drop a repeat."""
    signature = Webhook(whsec(secret)).sign(message_id, datetime.fromtimestamp(timestamp, UTC),
                                            body.decode())
    return {ID_HEADER: message_id, TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature}
