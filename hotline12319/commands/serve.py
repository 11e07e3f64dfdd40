"""`hotline12319 serve`: its options, TLS, and the run of the app `hotline12319.serve` wires.
"""

from __future__ import annotations

import argparse
import ssl

import uvloop
from aiohttp import web

from ari_app.priority import take_realtime_priority
from hotline12319.errors import CommandError
from hotline12319.json_logs import configure_logging
from hotline12319.serve import init_app, log
from hotline12319.settings import Settings, load_settings
from routing.store.migrate import upgrade


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, help="web/API port (default from settings)")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings.log_format)
    if args.port:
        settings = settings.model_copy(update={"http_port": args.port})
    take_realtime_priority(settings.realtime_priority)  # before any thread is started
    tls = tls_context(settings)
    upgrade(settings.database_url)
    log.info(
        "hotline12319 serving; ARI %s app %s; web %s://%s:%d/",
        settings.ari_url,
        settings.ari_app,
        "https" if tls else "http",
        settings.http_host,
        settings.http_port,
    )
    web.run_app(
        init_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        ssl_context=tls,
        print=None,
        handle_signals=True,
        # uvloop (libuv) spends less CPU per socket event than asyncio's selector loop; the
        # calls' events and ARI replies all pass through it, on cores shared with Asterisk.
        loop=uvloop.new_event_loop(),
    )
    return 0


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    """The web side's TLS context when a certificate is configured (checked before serving)."""
    if settings.tls_cert_file is None or settings.tls_key_file is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(settings.tls_cert_file, settings.tls_key_file)
    except (OSError, ssl.SSLError) as exc:
        raise CommandError(f"cannot load the TLS certificate and key: {exc}") from None
    return context
