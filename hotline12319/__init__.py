"""The composition root of the product: typed settings, errors, the command line and the
wiring of `serve`.

Owns: `settings` (env HOTLINE_*), `errors`, `cli` (one table of subcommands), `serve`
(builds every part and hands each what it needs), `commands/` (the shells of the
subcommands), `asterisk_config` (the Asterisk config renderer production uses).
May import every part. No part imports it (import-linter, docs/architecture.md).
"""
