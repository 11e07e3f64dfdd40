"""The domain of the hotline and its store, in rooms by subject (each says what it owns):
orders, dispatch, followup, reports, agents, floor, admin, knowledge_base, store;
`routing.enums` is the vocabulary every part shares.

Imports nothing outside routing (no adapter, no root: docs/architecture.md).
"""
