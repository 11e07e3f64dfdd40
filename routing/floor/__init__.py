"""The supervisor's floor: the wallboard, call-surge detection, outage announcements,
outage notices and the shift handover.

May import `routing.orders`, `routing.agents`, `routing.reports`, `routing.store`,
`routing.enums`.
"""
