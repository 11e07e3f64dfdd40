"""The enumerations every part shares (JSON values are part of the command contract)."""

from __future__ import annotations

from enum import StrEnum


class Utility(StrEnum):
    """The nine industries of the hotline, in the hotline standard's order (L 1.3)."""

    WATER = "water"
    HEATING = "heating"
    GAS = "gas"
    ROAD_BRIDGE = "road_bridge"
    RIVER = "river"
    STREETLIGHT = "streetlight"
    DRAINAGE = "drainage"
    FLOOD_CONTROL = "flood_control"
    WATER_SAVING = "water_saving"


# How the hotline names the utilities to citizens and the center's staff.
UTILITY_NAMES_ZH: dict[str, str] = {
    "water": "供水",
    "heating": "供热",
    "gas": "燃气",
    "road_bridge": "路桥",
    "river": "河道",
    "streetlight": "路灯",
    "drainage": "排水",
    "flood_control": "城市防汛",
    "water_saving": "节约用水",
}


class OrderType(StrEnum):
    """Work-order types of L 3.2.1, plus suggestion (L 3.1.5(7)c)."""

    COMPLAINT = "complaint"
    EMERGENCY_REPAIR = "emergency_repair"
    MAINTENANCE = "maintenance"
    HELP = "help"
    CONSULTATION = "consultation"
    SUGGESTION = "suggestion"


class CallOutcome(StrEnum):
    """How a call session ended."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"  # an order was created for it
    ABANDONED = "abandoned"  # the caller left before an order existed
    ANSWERED = "answered"  # an agent talked with the caller
    CALLBACK = "callback"  # the caller chose to be called back, keeping their place
    FAILED = "failed"  # our side could not carry the call


class WebhookScheme(StrEnum):
    """How pushes to agencies are signed (routing/dispatch/webhook_standard.py); here because
    the order engine carries the choice and orders stand below dispatch."""

    STANDARD = "standard"
    LEGACY = "legacy"  # X-Hotline-Signature as well, until agencies have moved
