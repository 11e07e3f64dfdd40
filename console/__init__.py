"""The web adapter: HTTP routes for the console, the agency portal and Open311, the
OpenAPI document and the static pages.

May import `events`, `routing`, `recordings`, `ivr`; not `ari_app`, not the root.
"""
