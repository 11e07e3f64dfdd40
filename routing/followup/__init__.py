"""The callback survey (回访) after a unit's report: rules, policy, scheduling, storage.

May import `routing.orders`, `routing.reports`, `routing.store`, `routing.enums`.
"""
