"""`hotline12319 sandbox up|down|status`: the local Asterisk pair in a Debian sid chroot.

`up` provisions the chroot once (debootstrap + apt), renders `dialplans/` into each
instance's private etc directory, copies the prompts, starts whichever of the hotline and
the caller simulator is not running (or restarts one whose config changed) and waits for
both ARIs. `down` stops only the instances this tool started. `status` exits 0 only when
both run and answer on ARI.
"""

from __future__ import annotations

import argparse
import json
import time

from hotline12319 import asterisk_config as config
from hotline12319.settings import Settings, load_settings
from tools import sandbox_certs as certs
from tools import sandbox_chroot as tree
from tools import sandbox_proc as proc
from tools.sandbox_chroot import say

# The prompts the no-app fallback plays; without them a caller would hear silence.
FALLBACK_PROMPTS = ("fallback_apology", "beep", "message_taken")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("up", "down", "status"))
    parser.add_argument("--json", action="store_true", help="machine-readable status")
    parser.add_argument(
        "--timeout", type=float, default=None,
        help="seconds `up` waits for ARI (default: settings.sandbox_start_timeout)",
    )


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.action == "up":
        return up(settings, args)
    if args.action == "down":
        return down(settings)
    return report(status(settings), as_json=args.json)


def up(settings: Settings, args: argparse.Namespace) -> int:
    started = time.monotonic()
    root = settings.sandbox_root
    with tree.tree_lock(root):
        timings = tree.ensure_tree(settings)
        prepare_prompts(settings)
        for inst in config.instances(settings):
            changed = config.install(root, inst, settings)
            if inst.kind == "hotline" and not settings.webrtc_cert_file:
                changed |= certs.ensure_webrtc_cert(root, inst)
            start_or_keep(settings, inst, changed)
    timeout = args.timeout if args.timeout is not None else settings.sandbox_start_timeout
    result = proc.wait_for_ari(root, config.instances(settings), settings, timeout)
    timings["up_total"] = time.monotonic() - started
    say("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    for inst in config.instances(settings):
        if not result[inst.name].ari_ok:
            log = config.inside(root, inst.base / "log" / "messages.log")
            say(f"{inst.name}: ARI did not answer within {timeout:.0f} s; see {log}")
    return report(result, as_json=args.json)


def prepare_prompts(settings: Settings) -> None:
    copied, names = tree.copy_prompts(settings)
    say(f"prompts: {len(names)} in {settings.prompts_uri}, {copied} updated")
    missing = [name for name in FALLBACK_PROMPTS if name not in names]
    if missing:
        say(f"warning: prompts missing from {settings.prompts_dir}: {', '.join(missing)}")


def start_or_keep(settings: Settings, inst: config.Instance, changed: bool) -> None:
    """Start a stopped instance; restart a running one only if its config changed."""
    root = settings.sandbox_root
    if proc.running_pid(root, inst) is not None:
        if not changed:
            say(f"{inst.name}: already running, config unchanged")
            return
        say(f"{inst.name}: config changed, restarting")
        proc.stop(root, inst)
    proc.start(root, inst)
    say(f"{inst.name}: started")


def down(settings: Settings) -> int:
    root = settings.sandbox_root
    with tree.tree_lock(root):
        for inst in config.instances(settings):
            stopped = proc.stop(root, inst)
            say(f"{inst.name}: {'stopped' if stopped else 'not running'}")
    return 0


def status(settings: Settings) -> dict[str, proc.Health]:
    # No tree simply means nothing runs: report that rather than fail.
    return {
        inst.name: proc.health(settings.sandbox_root, inst, settings)
        for inst in config.instances(settings)
    }


def report(result: dict[str, proc.Health], as_json: bool) -> int:
    """Print the per-instance health; 0 when every instance runs and answers on ARI."""
    if as_json:
        print(json.dumps({name: h.as_dict() for name, h in result.items()}, indent=2))
    else:
        for name, h in result.items():
            print(f"{name:8} pid={h.pid} running={h.running} ari_ok={h.ari_ok} "
                  f"version={h.version}")
    return 0 if all(h.running and h.ari_ok for h in result.values()) else 1
