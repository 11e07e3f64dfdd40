"""The responsible units (责任单位): the agency directory and who answers for what where.

Owns `directory.py` (the units, their districts and utilities, `route()`) and its table
`agencies.yaml`. Imports nothing else of `routing/` but the shared enums: orders and dispatch
both stand on it."""
