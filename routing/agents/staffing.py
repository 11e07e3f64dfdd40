"""How many agents a load needs: Erlang C (pyworkforce), per 30-minute interval.

Peaks are the standard's concern (L 3.1.2(5)): the start of the heating season and planned
outages are foreseeable, so the plan is made from the expected calls per hour.
"""

from __future__ import annotations

from dataclasses import dataclass

INTERVAL_MINUTES = 30


@dataclass(frozen=True)
class StaffingNeed:
    agents_on_phones: int  # raw positions: agents answering at once
    agents_rostered: int  # with shrinkage (breaks, training, absence)
    service_level: float  # expected share answered within the target
    occupancy: float
    waiting_probability: float


def staffing_need(
    *, calls_per_hour: float, aht_seconds: float, service_level: float = 0.8,
    answer_seconds: float = 15.0, shrinkage: float = 0.3, max_occupancy: float = 0.85,
) -> StaffingNeed:
    if calls_per_hour <= 0 or aht_seconds <= 0 or answer_seconds <= 0:
        raise ValueError("calls per hour, handle time and answer time must be positive")
    if not 0 < service_level < 1 or not 0 <= shrinkage < 1 or not 0 < max_occupancy <= 1:
        raise ValueError("service level in (0,1), shrinkage in [0,1), occupancy in (0,1]")
    # Imported here: pyworkforce brings pandas and OR-Tools (0.55 s), which only a staffing
    # question needs, not every `serve` start and CLI command.
    from pyworkforce.queuing import ErlangC

    erlang = ErlangC(
        transactions=calls_per_hour * INTERVAL_MINUTES / 60, aht=aht_seconds / 60,
        asa=answer_seconds / 60, interval=INTERVAL_MINUTES, shrinkage=shrinkage,
    )
    need = erlang.required_positions(service_level=service_level, max_occupancy=max_occupancy)
    return StaffingNeed(
        agents_on_phones=int(need["raw_positions"]), agents_rostered=int(need["positions"]),
        service_level=round(float(need["service_level"]), 4),
        occupancy=round(float(need["occupancy"]), 4),
        waiting_probability=round(float(need["waiting_probability"]), 4),
    )
