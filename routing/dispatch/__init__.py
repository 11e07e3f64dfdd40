"""Sending orders to the linked agencies: dispatch itself (`assignment.py`: route, move to
`dispatched`, queue the push), the dispatch policy, the automatic dispatcher, the signed
webhooks, the deadline sweeper (re-notify, chase receipts), standby staff and the duty-line
escalation of late emergency receipts.

May import `routing.orders`, `routing.agencies`, `routing.store`, `routing.enums`.
"""
