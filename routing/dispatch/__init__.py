"""Sending orders to the linked agencies: the agency directory, the dispatch policy,
the automatic dispatcher, the signed webhooks, standby staff and the duty-line
escalation of late emergency receipts.

May import `routing.orders`, `routing.store`, `routing.enums`.
"""
