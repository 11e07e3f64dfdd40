"""The knowledge base (知识库): what an entry is, its seed, search, storage with history.

May import `routing.store`, `routing.enums`, `routing.orders`, `routing.reports`.
"""
