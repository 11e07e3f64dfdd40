"""The database: engine and sessions, the declarative base, every table, the Alembic
migrations and the lock `serve` and `restore` take on a database.

May import `routing.enums` and the value types its columns hold (`routing.orders`,
`routing.agents`, `routing.floor`, `routing.followup`); nothing outside routing.
"""
