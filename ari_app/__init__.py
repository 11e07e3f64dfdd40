"""The ARI adapter: the Asterisk REST client, Stasis events, calls, the queue, recordings,
snoop and outbound calls.

May import `events`, `ivr`, `recordings`, `routing`; not `console`, not the root.
"""
