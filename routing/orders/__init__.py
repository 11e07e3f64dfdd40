"""Work orders: the lifecycle and its state machine, intake, numbers, SLA deadlines on
the working-day calendar, extensions and approvals, repeat calls and supervision, what may
be published.

May import `routing.store`, `routing.enums`, `routing.agencies` (districts and units),
`routing.followup` (the survey a report schedules); never `routing.dispatch`, which stands on
it (import-linter's layers contract).
"""
