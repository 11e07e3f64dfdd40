"""The linked-agency directory (联动机构, L 1.3(2)) and the rule sending an order to one unit.

`routing/agencies/agencies.yaml` is a directory the center maintains: industry units for the nine
utilities, district units for the facilities inside each district, their duty contacts,
standby staff (L 3.1.2(5)④) and optional signed webhooks. `parse_directory` validates an
already-read table (DirectoryError names the bad row), `load_directory` is the only function
touching the file system, and `route` (pure, deterministic) picks the responsible unit.

An order without a utility has no responsible unit: the caller went to an agent before
choosing, and dispatch (L 3.2.4) goes "至责任单位", which the center itself is not. So `route`
raises NeedsTriageError rather than returning a pseudo-agency that would let an unclassified
order look dispatched; the order stays in the agents' queue (`needs_agent`) until classified.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from routing.enums import Utility
from routing.rule_files import read_yaml

DEFAULT_DIRECTORY_PATH = Path(__file__).with_name("agencies.yaml")
# The secret's env var must follow this convention; a literal secret never can (it would
# need to be upper-case and start with the prefix), so the check cannot be fooled by accident.
SECRET_ENV_PATTERN = re.compile(r"^HOTLINE_AGENCY_[A-Z0-9_]+$")
_SLUG = r"^[a-z0-9][a-z0-9-]*$"
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class DirectoryError(ValueError):
    """The directory is malformed; the message names the offending row."""


class RoutingError(LookupError):
    """An order cannot be routed as given."""


class NeedsTriageError(RoutingError):
    """The order has no utility yet: an agent classifies it before it can be dispatched."""


class UnknownDistrictError(RoutingError):
    """The district is neither a slug nor a name of the directory (pass None if unknown)."""


class AgencyKind(StrEnum):
    INDUSTRY = "industry"
    DISTRICT = "district"


class Strategy(StrEnum):
    INDUSTRY = "industry"  # always the utility's industry unit
    DISTRICT_FIRST = "district_first"  # the district unit when known, else the industry unit


class Person(BaseModel):
    """A named contact; sandbox values are fictional (555-01xx)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(min_length=1)
    phone: str = Field(pattern=r"^\+?[0-9][0-9 -]{2,19}$")


class Duty(Person):
    """The duty contact rung to confirm receipt (L 3.2.4(2)-(4)); `sip` is its endpoint."""

    sip: str = Field(pattern=r"^[A-Za-z0-9_.+-]+$")


class Agency(BaseModel):
    """One linked agency (a row of `agencies`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1)
    kind: AgencyKind
    utilities: tuple[Utility, ...] = Field(min_length=1)
    district: str | None = None
    duty: Duty
    # Rung by the receipt chase when the duty line does not sign
    # (routing/dispatch/dispatch_policy.yaml).
    backup: Duty | None = None
    standby: tuple[Person, ...] = Field(min_length=1, max_length=3)  # L 3.1.2(5)④: 1-3
    webhook_url: str | None = None
    webhook_secret_env: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_literal_secret(cls, data: Any) -> Any:
        # A clearer message than "extra field": this is the mistake that leaks a secret.
        if isinstance(data, Mapping) and "webhook_secret" in data:
            raise ValueError("webhook_secret must not be in the file; name its env var in "
                             "webhook_secret_env (e.g. HOTLINE_AGENCY_WATER_WEBHOOK_SECRET)")
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Agency:
        if (self.kind is AgencyKind.DISTRICT) != (self.district is not None):
            raise ValueError("district is required for, and only for, kind: district")
        if len(set(self.utilities)) != len(self.utilities):
            raise ValueError("utilities lists a utility twice")
        if (self.webhook_url is None) != (self.webhook_secret_env is None):
            raise ValueError("webhook_url and webhook_secret_env go together (pushes are signed)")
        _check_webhook(self.webhook_url, self.webhook_secret_env)
        return self


def _check_webhook(url: str | None, secret_env: str | None) -> None:
    if secret_env is not None and not SECRET_ENV_PATTERN.match(secret_env):
        raise ValueError("webhook_secret_env must be an env var NAME like "
                         "HOTLINE_AGENCY_<ID>_WEBHOOK_SECRET, not a secret literal")
    # Orders carry addresses (personal information, L 3.1.4): plain http only on loopback.
    parts = urlsplit(url or "https:")
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        raise ValueError("webhook_url must be https (plain http only on loopback)")


class Override(BaseModel):
    """An exception to the rules: this (utility, district) goes to this agency."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    utility: Utility
    district: str
    agency: str


@dataclass(frozen=True)
class AgencyDirectory:
    """The validated directory, with the indexes `route` reads."""

    maintained_by: str
    agencies: Mapping[str, Agency]
    districts: Mapping[str, str]  # slug -> Chinese name
    rules: Mapping[Utility, Strategy]
    overrides: Mapping[tuple[Utility, str], Agency]
    industry: Mapping[Utility, Agency]
    district_units: Mapping[str, Agency]

    def district_slug(self, text: str) -> str:
        """The slug of a district given as slug, name (历下区) or name without 区 (历下)."""
        value = text.strip()
        for slug, name in self.districts.items():
            if value in (slug, name, name.removesuffix("区")):
                return slug
        raise UnknownDistrictError(f"unknown district {text!r}; one of: {sorted(self.districts)}")


def route(
    directory: AgencyDirectory, utility: Utility | str | None, district: str | None
) -> Agency:
    """The agency responsible for an order (L 1.3(2)); `district` is a slug, a name or None.

    Overrides win; then a `district_first` utility goes to the district's unit when the
    district is known and that unit takes the utility; everything else to the industry unit.
    """
    if utility is None:
        raise NeedsTriageError("the order has no utility yet; an agent classifies it first")
    try:
        util = Utility(utility)
    except ValueError:
        raise RoutingError(f"unknown utility {utility!r}") from None
    slug = None if district is None else directory.district_slug(district)
    if slug is not None and (chosen := directory.overrides.get((util, slug))) is not None:
        return chosen
    if slug is not None and directory.rules[util] is Strategy.DISTRICT_FIRST:
        unit = directory.district_units.get(slug)
        if unit is not None and util in unit.utilities:
            return unit
    return directory.industry[util]


def load_directory(path: Path | None = None) -> AgencyDirectory:
    """Read and validate the directory (the packaged agencies.yaml unless a path is given)."""
    return parse_directory(read_yaml(path or DEFAULT_DIRECTORY_PATH, DirectoryError))


class _DirectoryFile(BaseModel):
    """The file's top level; agencies are validated one by one to name the bad row."""

    model_config = ConfigDict(extra="forbid")
    version: int = 1
    maintained_by: str = Field(min_length=1)
    districts: dict[str, str] = Field(min_length=1)  # slug -> name
    routing: dict[Utility, Strategy]
    overrides: list[Override] = Field(default_factory=list)
    presets: Any = None  # YAML anchors only
    agencies: list[Any] = Field(min_length=1)


def parse_directory(data: Any) -> AgencyDirectory:
    """Validate a directory already read from YAML; DirectoryError names the first bad row."""
    try:
        top = _DirectoryFile.model_validate(data)
    except ValidationError as exc:
        raise DirectoryError(f"directory: {_brief(exc)}") from None
    if missing := [u.value for u in Utility if u not in top.routing]:
        raise DirectoryError(f"routing: no rule for {missing}")
    agencies = _parse_agencies(top.agencies, top.districts, top.routing)
    return AgencyDirectory(
        maintained_by=top.maintained_by,
        agencies=agencies,
        districts=top.districts,
        rules=top.routing,
        overrides=_index_overrides(top.overrides, agencies, top.districts),
        industry=_industry_index(agencies),
        district_units={a.district: a for a in agencies.values() if a.district is not None},
    )


def _parse_agencies(
    rows: list[Any], districts: Mapping[str, str], rules: Mapping[Utility, Strategy]
) -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for number, raw in enumerate(rows, start=1):
        label = _label(number, raw)
        try:
            agency = Agency.model_validate(raw)
        except ValidationError as exc:
            raise DirectoryError(f"{label}: {_brief(exc)}") from None
        if agency.id in agencies:
            raise DirectoryError(f"{label}: duplicate id")
        if agency.district is not None:
            _check_district_unit(label, agency, districts, rules, agencies)
        agencies[agency.id] = agency
    return agencies


def _check_district_unit(
    label: str, agency: Agency, districts: Mapping[str, str],
    rules: Mapping[Utility, Strategy], earlier: Mapping[str, Agency],
) -> None:
    if agency.district not in districts:
        raise DirectoryError(f"{label}: unknown district {agency.district!r}")
    if other := [a.id for a in earlier.values() if a.district == agency.district]:
        raise DirectoryError(f"{label}: district {agency.district} already has unit {other[0]}")
    if dead := [u.value for u in agency.utilities if rules[u] is Strategy.INDUSTRY]:
        # Listing them would be dead data: those utilities never route to a district unit.
        raise DirectoryError(f"{label}: {dead} route to industry units only (see 'routing')")


def _industry_index(agencies: Mapping[str, Agency]) -> dict[Utility, Agency]:
    """Each utility's one industry unit: the fallback that makes every order routable."""
    index: dict[Utility, Agency] = {}
    for agency in agencies.values():
        if agency.kind is not AgencyKind.INDUSTRY:
            continue
        for util in agency.utilities:
            if util in index:
                raise DirectoryError(f"agency {agency.id}: {util} already has industry unit "
                                     f"{index[util].id}; routing would be ambiguous")
            index[util] = agency
    if missing := [u.value for u in Utility if u not in index]:
        raise DirectoryError(f"no industry unit able to take: {missing}")
    return index


def _index_overrides(
    rows: list[Override], agencies: Mapping[str, Agency], districts: Mapping[str, str]
) -> dict[tuple[Utility, str], Agency]:
    result: dict[tuple[Utility, str], Agency] = {}
    for number, row in enumerate(rows, start=1):
        agency = agencies.get(row.agency)
        if row.district not in districts or agency is None or row.utility not in agency.utilities:
            raise DirectoryError(f"override {number}: unknown district or agency, or "
                                 f"{row.agency} does not take {row.utility}")
        if (row.utility, row.district) in result:
            raise DirectoryError(f"override {number}: duplicate of an earlier override")
        result[(row.utility, row.district)] = agency
    return result


def _label(number: int, raw: Any) -> str:
    """'agency 7 (district-lixia)': how errors name a row."""
    ident = raw.get("id", "?") if isinstance(raw, Mapping) else "?"
    return f"agency {number} ({ident})"


def _brief(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'row'}: {err['msg']}" for err in exc.errors()
    )
