"""After a call: transcribe the caller's description and attach what it says to the order.

Recognition runs in the transcriber's worker processes, after the order exists, so no call
ever waits for it. An emergency heard in the words flags the order even when the keys chose
maintenance (the agent sees both readings and the disagreement); the SLA case the words name
(a burst, a missing cover, no gas ...) becomes the order's where its row exists.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ari_app.storage import CallStore
from events.hub import LiveHub
from recordings.case_rules import load_case_rules, suggested_case
from recordings.classifier import load_classifier
from recordings.lexicon import Lexicon
from recordings.transcriber import Transcriber
from recordings.understanding import reconcile, understand
from routing.enums import OrderType, Utility

log = logging.getLogger(__name__)


class CallSpeech:
    def __init__(
        self, transcriber: Transcriber, lexicon: Lexicon, store: CallStore, hub: LiveHub
    ) -> None:
        self.transcriber, self.lexicon, self.store, self.hub = transcriber, lexicon, store, hub
        # The SLA cases words can name (recordings/cases.yaml), read once per process.
        self.cases = load_case_rules(frozenset(rule.name for rule in lexicon.hazard_rules))
        # The trained utility / type classifier (recordings/models/), read once per process.
        self.classifier = load_classifier()

    async def attach(
        self,
        *,
        order_number: str,
        recording: Path,
        keys_utility: Utility | None,
        keys_type: OrderType | None,
    ) -> tuple[str, ...]:
        """Attach what the words say to the order; the hazards they name (for the call)."""
        try:
            transcript = await self.transcriber.transcribe(recording)
        except Exception as exc:  # unusable audio or a failed worker: the order stands
            log.warning("order %s: no transcript (%s)", order_number, exc)
            return ()
        understood = understand(transcript.text, self.lexicon, self.cases, self.classifier)
        verdict = reconcile(keys_utility, keys_type, understood)
        case = suggested_case(self.cases, understood.cases, verdict.utility, verdict.order_type)
        speech: dict[str, Any] = {
            "engine": transcript.engine,
            "warnings": list(transcript.warnings),
            "understood": understood.as_json(),
            "suggested_utility": _value(verdict.utility),
            "suggested_order_type": _value(verdict.order_type),
            "suggested_case": case,
            "reasons": list(verdict.reasons),
        }
        await self.store.attach_speech(
            order_number=order_number,
            transcript=transcript.text,
            speech=speech,
            emergency=verdict.emergency,
            disagreement=verdict.disagreement,
            district=understood.district,
            address=understood.address,
            cases=understood.cases,
        )
        self.hub.publish(
            "order_speech",
            {
                "number": order_number,
                "transcript": transcript.text,
                "emergency": verdict.emergency,
                "disagreement": verdict.disagreement,
            },
        )
        return understood.hazard_names


def _value(item: Utility | OrderType | None) -> str | None:
    return item.value if item else None
