"""The test tools' subcommands, offered by `hotline12319` when it runs from a checkout.

`hotline12319.cli` finds this module by name (CHECKOUT_PLUGIN) when tools/ is there; the
product itself never imports tools (import-linter, docs/architecture.md). The table has the
same form as the product's: subcommand -> ("module", "help").
"""

from __future__ import annotations

COMMANDS: dict[str, tuple[str, str]] = {
    "sandbox": ("tools.sandbox", "the local Asterisk pair: up | down | status"),
    "call": ("tools.caller", "place one real simulated call and print what happened"),
    "loadtest": ("tools.loadtest", "many real calls through the whole IVR, with latencies"),
    "citizen": ("tools.citizen", "the sandbox citizen's phone answers the hotline's call-back"),
    "cluster": ("tools.cluster", "hotline nodes behind Kamailio: up | status | kill | down"),
}
