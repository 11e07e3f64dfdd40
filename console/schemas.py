"""Request bodies of the order API (pydantic, unknown keys refused); the OpenAPI document
takes its schemas from these models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from routing.enums import OrderType, Utility
from routing.orders.approvals import ChainStep

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
Phone = Field(pattern=r"^\+?[0-9]{3,20}$", max_length=21)
# A row key of the SLA table (routing/orders/sla_policy.yaml); which exist is checked by the engine.
CASE_PATTERN = r"^[a-z0-9_]{1,32}$"
# A file reference (evidence): a name or a path, never the file itself.
Reference = Annotated[str, Field(min_length=1, max_length=256)]


class OrderCreate(BaseModel):
    """An order taken by an agent."""

    model_config = _STRICT
    utility: Utility | None
    order_type: OrderType
    description: str = Field(min_length=1, max_length=4000)
    caller_number: str = Phone
    district: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=256)
    call_id: str | None = Field(default=None, max_length=64)
    emergency: bool = False
    case: str = Field(default="general", pattern=CASE_PATTERN, max_length=32)
    complex: bool = False


EventName = Literal[
    "answer",
    "dispatch",
    "receive",
    "return",
    "handled",
    "not_handled",
    "pending_request",
    "pending_decision",
    "extension_request",
    "extension_decision",
    "callback",
    "close",
    "reopen",
    "reclassify",
    "classify",
    "arrived",
]


class EventBody(BaseModel):
    """One lifecycle event; which fields an event needs is checked by the lifecycle."""

    model_config = _STRICT
    event: EventName
    reason: str | None = Field(default=None, max_length=4000)
    approve: bool | None = None  # *_decision events
    new_due: AwareDatetime | None = None  # extension_request
    step: ChainStep | None = None  # pending_decision
    document: str | None = Field(default=None, max_length=256)  # pending_request
    order_type: OrderType | None = None  # reclassify
    case: str | None = Field(default=None, pattern=CASE_PATTERN,
                             max_length=32)  # classify, reclassify
    complex: bool | None = None  # classify, reclassify


class Login(BaseModel):
    model_config = _STRICT
    user: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=256)


class AgencyResult(BaseModel):
    """The agency's report: handled (with what was done) or not handled (with the reason)."""

    model_config = _STRICT
    handled: bool
    reason: str = Field(min_length=1, max_length=4000)
    evidence: list[Reference] = Field(default_factory=list, max_length=10)  # file references


class AgencyExtension(BaseModel):
    model_config = _STRICT
    reason: str = Field(min_length=1, max_length=4000)
    new_due: AwareDatetime


class AgencyPending(BaseModel):
    model_config = _STRICT
    reason: str = Field(min_length=1, max_length=4000)
    document: str = Field(min_length=1, max_length=256)


class Empty(BaseModel):
    model_config = _STRICT
