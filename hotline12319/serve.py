"""`hotline12319 serve`: the ARI application and the web/API in one aiohttp process.

Resources start in `cleanup_ctx` order (database, ARI, call handling) and stop in reverse.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
from aiohttp import web
from sqlalchemy.exc import IntegrityError

from ari_app.calls import CallContext
from ari_app.client import AriClient
from ari_app.duty_calls import DutyCaller
from ari_app.knowledge_voice import KnowledgeVoice, load_readings
from ari_app.queue import QueueService
from ari_app.queue_moments import QueueMoments
from ari_app.snoop import SnoopService
from ari_app.speech import CallSpeech
from ari_app.stasis import StasisApp
from ari_app.state_writer import CallStates
from ari_app.storage import CallStore
from ari_app.survey_calls import survey_caller
from console import (
    agency_http,
    announcements_http,
    audit_http,
    auth_http,
    desk_http,
    evidence_http,
    knowledge_http,
    metrics_http,
    open311_catalog,
    open311_http,
    openapi,
    orders_http,
    peaks_http,
    portal_http,
    public_http,
    snoop_http,
    softphone_http,
    staff_http,
    staffing_http,
    supervision_http,
    survey_http,
    wallboard_http,
)
from console.agents_http import QUEUE
from console.agents_http import routes as agent_routes
from console.api import ACCESS_POLICY, ENGINE, OPEN_READS, oversized_bodies, personal_data_guard
from console.http import DISPATCH_POLICY, HEALTH, SESSIONS, routes
from console.surge_task import surge_monitor_running
from console.ui_http import routes as ui_routes
from events.hub import HUB, LiveHub, wake_on_orders
from hotline12319.backup_task import run_backups
from hotline12319.node_watch import watch_nodes
from hotline12319.settings import Settings
from ivr.flow import FlowEngine
from ivr.loader import load_flow, load_prompt_ids
from recordings.engines import EngineConfig
from recordings.lexicon import load_lexicon
from recordings.transcriber import Transcriber
from routing.admin.access_policy import load_access_policy
from routing.admin.backup import load_backup_policy
from routing.agencies.directory import load_directory
from routing.agents.agent_repository import AgentStore
from routing.dispatch.auto_dispatch import UNREVIEWED_TOPIC, run_auto_dispatch
from routing.dispatch.dispatch_policy import DispatchPolicy, load_dispatch_policy
from routing.dispatch.sweeper import SweepPolicy, run_sweeper
from routing.enums import WebhookScheme
from routing.floor.announcement_board import BOARD_REFRESH_S
from routing.floor.handover import load_policy as load_handover_policy
from routing.floor.surge import load_surge_policy
from routing.orders.order_service import OrderEngine
from routing.store import database_lock
from routing.store.db import make_engine, make_sessionmaker

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
STASIS = web.AppKey("stasis", StasisApp)


ARI_KEEPALIVE_SECONDS = 10.0


async def _freeze_startup_heap(app: web.Application) -> None:
    # A full collection walks every object the collector tracks, and by now the libraries,
    # the flow, the policies and the pools are hundreds of thousands of them, all kept for
    # the process's life: under 200 calls such a collection paused the calls' event loop
    # 120-230 ms at a time. Frozen, they are skipped; what calls make is collected as before.
    gc.collect()
    gc.freeze()
    log.info("start-up heap frozen: %d objects outside garbage collection", gc.get_freeze_count())


def init_app(settings: Settings) -> web.Application:
    app = web.Application(
        middlewares=[oversized_bodies, personal_data_guard, audit_http.audit_reads])
    app[OPEN_READS] = settings.environment == "sandbox"
    app[SETTINGS] = settings
    app[HUB] = LiveHub()
    app[HEALTH] = {"status": "starting", "ari_connected": False, "active_calls": 0}
    app[metrics_http.METRICS] = metrics_http.NodeMetrics()
    access = load_access_policy()
    app[ACCESS_POLICY] = access
    app[open311_http.OPEN311_LIMITS] = open311_http.Open311Limits.from_policy(access.open311)
    app[open311_catalog.CATALOG] = open311_catalog.load_catalog()
    # The agency directory, read and validated once: the order engine, the announcements
    # and the duty line share it.
    app[announcements_http.DIRECTORY] = load_directory(settings.agencies_file)
    app[peaks_http.HANDOVER_POLICY] = load_handover_policy()
    app[softphone_http.SOFTPHONE] = softphone_http.SoftphoneConfig(
        port=settings.webrtc_port, ws_url=settings.webrtc_ws_url)
    app.cleanup_ctx.extend(
        [_database, _knowledge_seed, _order_engine, _backups, _surge_detector,
         wallboard_http.wallboard_feed, _announcements, staffing_http.staffing_policy,
         _call_handling]
    )
    app.on_startup.append(_freeze_startup_heap)  # after every cleanup_ctx has started
    app.add_routes(routes)
    app.add_routes(agent_routes)
    app.add_routes(ui_routes)
    for order_routes in (
        open311_catalog.routes,
        open311_http.routes,
        orders_http.routes,
        agency_http.routes,
        announcements_http.routes,
        peaks_http.routes,
        auth_http.routes,
        staff_http.routes,
        openapi.routes,
        wallboard_http.routes,
        snoop_http.routes,
        audit_http.routes,
        staffing_http.routes,
        softphone_http.routes,
        survey_http.routes,
        metrics_http.routes,
        desk_http.routes,
        evidence_http.routes,
        portal_http.routes,
        supervision_http.routes,
        knowledge_http.routes,
        public_http.routes,
    ):
        app.add_routes(order_routes)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    # Held shared for serve's life: `restore` is refused while any serve uses the database.
    async with database_lock.serving(app[SETTINGS].database_url):
        engine = make_engine(app[SETTINGS].database_url)
        app[SESSIONS] = make_sessionmaker(engine)
        yield
        await engine.dispose()


async def _seed_knowledge(app: web.Application) -> int:
    async with app[SESSIONS].begin() as session:
        return await knowledge_http.seed(session)


async def _order_engine(app: web.Application) -> AsyncIterator[None]:
    """The order engine and its deadline sweeper (a background task, stopped on exit)."""
    settings = app[SETTINGS]
    async with aiohttp.ClientSession() as http:
        app[ENGINE] = OrderEngine(
            sessions=app[SESSIONS],
            directory=app[announcements_http.DIRECTORY],
            http=http,
            environ=dict(os.environ),
            webhook_timeout_s=settings.webhook_timeout_seconds,
            webhook_scheme=WebhookScheme(settings.webhook_scheme),
        )
        app[orders_http.PUSH_TASKS] = set()
        dispatching = app[DISPATCH_POLICY] = load_dispatch_policy(settings.dispatch_policy_file)
        policy = SweepPolicy(
            renotify=timedelta(minutes=settings.sweeper_renotify_minutes),
            receipt_grace=timedelta(minutes=settings.receipt_grace_minutes),
            chase=dispatching.receipt_chase,
        )
        sweeper = asyncio.create_task(
            run_sweeper(app[ENGINE], interval_s=settings.sweeper_interval_seconds, policy=policy)
        )
        dispatchers = _auto_dispatch(app, dispatching) if settings.auto_dispatch else []
        yield
        for task in [sweeper, *dispatchers, *app[orders_http.PUSH_TASKS]]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _auto_dispatch(app: web.Application, policy: DispatchPolicy) -> list[asyncio.Task[None]]:
    """The automatic dispatcher, woken by every order committed or flagged on the hub."""
    wake = asyncio.Event()
    interval = app[SETTINGS].auto_dispatch_interval_seconds
    return [
        asyncio.create_task(run_auto_dispatch(
            app[ENGINE], policy, interval_s=interval, wake=wake,
            alert=lambda data: app[HUB].publish(UNREVIEWED_TOPIC, data))),
        asyncio.create_task(wake_on_orders(app[HUB], wake)),
    ]


async def _knowledge_seed(app: web.Application) -> AsyncIterator[None]:
    """The knowledge base's packaged answers (routing/knowledge_base/knowledge.yaml) added where
    missing."""
    try:
        added = await _seed_knowledge(app)
    except IntegrityError:
        # Another node of a cluster seeded the same fresh database at the same moment and
        # committed first: look again, and find its answers there.
        log.info("knowledge base: seeded by another node meanwhile; looking again")
        added = await _seed_knowledge(app)
    if added:
        log.info("knowledge base: %d seeded answers added", added)
    yield


async def _backups(app: web.Application) -> AsyncIterator[None]:
    """The backups the policy asks for (hotline12319/backup_task.py), in the background."""
    settings = app[SETTINGS]
    minutes = settings.backup_check_minutes
    if minutes is None:
        minutes = 60.0 if settings.environment == "production" else 0.0
    if not minutes:
        yield
        return
    task = asyncio.create_task(run_backups(settings, load_backup_policy(), minutes * 60))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _surge_detector(app: web.Application) -> AsyncIterator[None]:
    """The call-surge detector (L 3.1.2(5)) on the live hub, started before calls are taken."""
    policy = load_surge_policy(app[SETTINGS].surge_policy_file)
    async with surge_monitor_running(app[HUB], policy):
        yield


async def _announcements(app: web.Application) -> AsyncIterator[None]:
    """Active outage announcements, cached for calls (console/announcements_http.py)."""
    async with announcements_http.board_running(app, BOARD_REFRESH_S):
        yield


async def _call_handling(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    prompts = load_prompt_ids(settings.prompts_file)
    engine = FlowEngine(load_flow(settings.flow_file, prompts))
    hub = app[HUB]
    # Asterisk drops an idle HTTP connection after 15 s (http.conf session_keep_alive); we
    # let go of ours sooner, so a request is never sent on a connection being closed.
    connector = aiohttp.TCPConnector(keepalive_timeout=ARI_KEEPALIVE_SECONDS)
    async with aiohttp.ClientSession(connector=connector) as http:
        ari = AriClient(http, settings.ari_url, settings.ari_user, settings.ari_password)
        moments = QueueMoments(app[SESSIONS], hub=hub)
        moments.start()
        queue = QueueService(
            ari,
            settings.ari_app,
            AgentStore(app[SESSIONS]),
            ring_seconds=settings.agent_ring_seconds,
            wrap_up_seconds=settings.wrap_up_seconds,
            callback_endpoint=settings.callback_endpoint,
            hub=hub,
            default_handle_seconds=settings.queue_default_handle_seconds,
            handle_window=settings.queue_handle_window,
            moments=moments,
        )
        await queue.load()
        app[QUEUE] = queue
        speech = _call_speech(settings, CallStore(app[SESSIONS]), hub)
        store = CallStore(app[SESSIONS])
        ctx = CallContext(
            engine=engine,
            ari=ari,
            store=store,
            states=CallStates(store),
            prompts_uri=settings.prompts_uri,
            recordings_dir=settings.recordings_dir,
            queue=queue,
            hub=hub,
            speech=speech,
            announcements=app[announcements_http.BOARD],
            moments=moments,
            knowledge=_knowledge_voice(app, speech),
        )
        duty = DutyCaller(
            ari=ari,
            app=settings.ari_app,
            engine=app[ENGINE],
            directory=app[announcements_http.DIRECTORY],
            prompts_uri=settings.prompts_uri,
            endpoint=settings.duty_endpoint,
            answer_seconds=settings.duty_answer_seconds,
            supervisor=app[DISPATCH_POLICY].duty_supervisor,
        )
        survey = survey_caller(settings, ari=ari, engine=app[ENGINE], queue=queue)
        stasis = StasisApp(
            ctx,
            settings.ari_app,
            settings.ari_reconnect_max_seconds,
            duty,
            ingest_fallback=settings.ingest_fallback_messages,
        )
        app[STASIS] = stasis
        stasis.survey = survey
        app[metrics_http.SURVEY_CALLS] = lambda: len(survey.tasks)
        stasis.snoop = app[snoop_http.SNOOP] = SnoopService(
            ari, settings.ari_app, queue, settings.callback_endpoint
        )
        tasks = [
            asyncio.create_task(stasis.run()),
            asyncio.create_task(_report(app, stasis)),
            asyncio.create_task(duty.run(settings.duty_poll_seconds)),
            asyncio.create_task(survey.run(settings.survey_poll_seconds)),
        ]
        if settings.cluster_watch:
            tasks.append(asyncio.create_task(watch_nodes(settings.database_url, ari)))
        yield
        running = [*tasks, *stasis.tasks.values(), *ctx.background, *duty.tasks,
                   *survey.tasks, *queue.timers]
        for task in running:
            task.cancel()
        for task in running:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await ctx.states.close()
        await moments.close()
        if speech is not None:
            await speech.transcriber.aclose()


def _call_speech(settings: Settings, store: CallStore, hub: LiveHub) -> CallSpeech | None:
    if not settings.speech_in_calls:
        return None
    transcriber = Transcriber(EngineConfig.from_settings(settings), workers=settings.speech_workers)
    return CallSpeech(transcriber, load_lexicon(), store, hub)


def _knowledge_voice(app: web.Application, speech: CallSpeech | None) -> KnowledgeVoice | None:
    """Self-service answers need speech: without it every question is answered later."""
    if speech is None:
        return None
    settings = app[SETTINGS]
    return KnowledgeVoice(app[SESSIONS], speech.transcriber, load_readings(settings.prompts_dir),
                          settings.knowledge_voice_floor)


async def _report(app: web.Application, stasis: StasisApp) -> None:
    while True:
        app[HEALTH].update(
            status="ok" if stasis.connected.is_set() else "degraded",
            ari_connected=stasis.connected.is_set(),
            active_calls=len(stasis.calls),
        )
        await asyncio.sleep(0.5)
