"""Looking after the system: users and logins, the access policy, read audit, rate
limits, Open311 keys, backups and restores.

May import `routing.store`, `routing.orders`.
"""
