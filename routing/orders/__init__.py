"""Work orders: the lifecycle and its state machine, intake, numbers, SLA deadlines on
the working-day calendar, extensions and approvals, the deadline sweeper, repeat
calls and supervision, what may be published.

May import `routing.store`, `routing.enums`, `routing.dispatch` (the push of an order),
`routing.followup` (the survey a report schedules).
"""
