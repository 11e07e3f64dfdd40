"""Real-time CPU priority for the calls' event loop.

On a box that also carries Asterisk's media, a caller's key waits behind whatever else is
runnable: at 200 calls on two cores, the scheduler's queue, not our code, made most of the
key -> prompt tail (BENCHMARKS.md, session 6). Telephony servers run their media engines at
real-time priority for this reason (Asterisk's `highpriority`, FreeSWITCH's `-rp`); `serve`
can do the same for the one thread that carries the calls.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

# Asterisk's `highpriority` runs it at SCHED_RR 10. We stay below it: our play requests are
# worth nothing if Asterisk's media threads wait for us.
ASTERISK_RT_PRIORITY = 10
MAX_PRIORITY = ASTERISK_RT_PRIORITY - 1


def take_realtime_priority(priority: int) -> bool:
    """Put the calling thread (the event loop's) on SCHED_RR at `priority`; 0 leaves it alone.

    Only this thread: SCHED_RESET_ON_FORK gives every thread and process started after it the
    normal policy, so speech workers and executor threads cannot starve PostgreSQL or Asterisk.
    Without the privilege (CAP_SYS_NICE) it logs and carries on at normal priority.
    """
    if priority == 0:
        return False
    if not 0 < priority <= MAX_PRIORITY:
        raise ValueError(f"real-time priority must be 1..{MAX_PRIORITY}, not {priority}")
    policy = os.SCHED_RR | os.SCHED_RESET_ON_FORK
    try:
        os.sched_setscheduler(0, policy, os.sched_param(priority))
    except PermissionError:
        log.warning("real-time priority %d refused (needs CAP_SYS_NICE); running at normal "
                    "priority", priority)
        return False
    log.info("event loop at real-time priority %d (SCHED_RR)", priority)
    return True
