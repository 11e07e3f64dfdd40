"""Agents and the queue: automatic call distribution, the wait estimate told to callers,
agents in the database, staffing (Erlang C, peaks, plans).

May import `routing.store`, `routing.enums`, `routing.orders`, `routing.floor` (the
wallboard's reads of the day's calls).
"""
