"""ARI events -> call tasks. Keeps the events websocket up and takes calls back after a gap.

One task per call, keyed by channel id. When the websocket returns (or the process starts),
calls that Asterisk still holds in our Stasis app are taken back from their stored state, and
calls that ended while we were away are closed the way the flow says (an interrupted
recording still becomes an order).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import aiohttp
from sqlalchemy.exc import DBAPIError

from ari_app.call_metrics import PlaybackStarted, asterisk_time
from ari_app.calls import CallContext, CallRunner
from ari_app.client import AriError, AriUnreachable, read_events
from ari_app.duty_calls import DutyCaller
from ari_app.fallback import ingest_fallback_messages
from ari_app.snoop import SnoopService
from ari_app.survey_calls import SurveyCaller
from ivr import events as ev
from ivr.flow import PROMPTING, RECORDING, WAITING, CallState, UnreadableState
from routing.enums import CallOutcome
from routing.orders.repository import utcnow

log = logging.getLogger(__name__)
# The channel ids of the legs we originate (ari_app/queue.py, duty_calls.py, survey_calls.py);
# a caller's channel id is Asterisk's own (<systemname>-<time>.<n>).
OUR_LEGS = ("agent-", "callback-", "duty-", "survey-")

# How often a connected app checks Asterisk still delivers its events (see app_registered).
REGISTRATION_CHECK_SECONDS = 10.0


class AppNotRegistered(AriError):
    def __init__(self, app: str) -> None:
        super().__init__(404, "GET", f"/applications/{app}", "app not registered after connect")

HANGUP_EVENTS = frozenset({"StasisEnd", "ChannelHangupRequest", "ChannelDestroyed"})


class StasisApp:
    def __init__(
        self,
        ctx: CallContext,
        app: str,
        reconnect_max_seconds: float,
        duty: DutyCaller | None = None,
        ingest_fallback: bool = True,
    ) -> None:
        self.ctx = ctx
        self.duty = duty
        self.ingest_fallback = ingest_fallback
        self.app = app
        self.reconnect_max_seconds = reconnect_max_seconds
        self.calls: dict[str, CallRunner] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.connected = asyncio.Event()
        self.messages_seen: set[str] = set()  # fallback messages that have their order
        self.snoop: SnoopService | None = None  # supervisors' legs and snoop channels
        self.survey: SurveyCaller | None = None  # callback survey calls (回访)

    async def run(self) -> None:
        """Forever: connect, take calls back, dispatch events; back off after a drop."""
        delay = 0.2
        while True:
            try:
                await self._session()
                delay = 0.2
            except (aiohttp.ClientError, AriError, OSError, TimeoutError) as exc:
                log.warning("ARI connection lost (%s); retrying in %.1fs", exc, delay)
            except DBAPIError as exc:  # taking calls back needs the database; try again
                log.warning("database unavailable while reconnecting (%s)", exc)
            except Exception:  # anything else: this task ending would leave the hotline deaf
                log.exception("ARI session failed; retrying in %.1fs", delay)
            self.connected.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.reconnect_max_seconds)

    async def _session(self) -> None:
        async with self.ctx.ari.connect_events(self.app) as ws:
            if not await self.ctx.ari.app_registered(self.app):
                raise AppNotRegistered(self.app)
            await self._filter_events()
            # Events that arrive while we take calls back wait in the websocket's buffer.
            await self.reclaim()
            if self.ingest_fallback:
                await ingest_fallback_messages(self.ctx, self.messages_seen)
            self.connected.set()
            log.info("ARI events connected for app %s", self.app)
            watchdog = asyncio.create_task(self._watch_registration(ws))
            try:
                async for event in read_events(ws):
                    try:
                        self.dispatch(event)
                    except (KeyError, TypeError, AttributeError, ValueError):
                        log.warning("ignoring a malformed ARI event: %.200r", event)
            finally:
                watchdog.cancel()
            if watchdog.done() and not watchdog.cancelled() and watchdog.result():
                raise AppNotRegistered(self.app)

    async def _filter_events(self) -> None:
        try:
            await self.ctx.ari.allow_events(self.app, APP_EVENTS)
        except AriUnreachable:
            raise
        except AriError as exc:  # an Asterisk without filters: every event, as before
            log.warning("Asterisk refused the event filter (%s); taking every event", exc)

    async def _watch_registration(self, ws: aiohttp.ClientWebSocketResponse) -> bool:
        """Close a websocket Asterisk has stopped delivering to; True when it did so."""
        while True:
            await asyncio.sleep(REGISTRATION_CHECK_SECONDS)
            try:
                registered = await self.ctx.ari.app_registered(self.app)
            except (aiohttp.ClientError, AriError, TimeoutError):
                continue  # the websocket itself will tell if Asterisk is gone
            if not registered:
                log.warning("Asterisk no longer holds app %s; reconnecting", self.app)
                await ws.close()
                return True
            if self.ingest_fallback:
                await self._ingest_late_messages()

    async def _ingest_late_messages(self) -> None:
        """A caller who reached the fallback just before we came back starts the message
        after our connect-time pass; without this it would wait for the next reconnect."""
        try:
            await ingest_fallback_messages(self.ctx, self.messages_seen)
        except (aiohttp.ClientError, AriError, TimeoutError, DBAPIError) as exc:
            log.warning("fallback messages not checked this time (%s)", exc)

    async def reclaim(self) -> None:
        live = set(await self.ctx.ari.application_channels(self.app))
        self._resync_kept_calls(live)
        for call in await self.ctx.store.unfinished():
            if call.channel_id in self.calls or call.flow_state is None:
                continue
            try:
                state = CallState.restore(call.flow_state)
            except UnreadableState as exc:  # one bad row must not keep every call away
                log.error("call %s: stored IVR state unreadable (%s); if still on the line, "
                          "it starts afresh", call.channel_id, exc)
                if call.channel_id not in live:  # gone: closed, or it is logged at each start
                    await self.ctx.store.end(
                        channel_id=call.channel_id, outcome=CallOutcome.FAILED,
                        path=[*(call.path or []), "state_unreadable"], metrics={},
                        ended_at=utcnow())
                continue
            first: ev.CallEvent = (
                ev.CallReclaimed() if call.channel_id in live else ev.CallerHungUp()
            )
            log.info("taking back call %s at %s (%s)", call.channel_id, state.node, first)
            self._spawn(
                call.channel_id,
                lambda r, s=state, f=first, n=call.caller_number: r.run_reclaimed(s, f, n),
            )
        for channel_id in live - set(self.calls):
            if self._kept_elsewhere(channel_id):
                continue  # a survey, duty or agent leg of ours still on the line
            if channel_id.startswith(OUR_LEGS):
                # A phone we rang before a restart: its task went with the old process, and
                # it is no caller (taken for one, a duty leg was queued to an agent).
                log.info("hanging up %s, rung before the restart", channel_id)
                with contextlib.suppress(AriError):
                    await self.ctx.ari.hangup(channel_id)
                continue
            if self.snoop is not None and await self.snoop.drop_left_over(channel_id):
                continue  # a supervisor's leg or snoop from before the gap: not a caller
            # In Stasis but not yet seen: its StasisStart was lost with the connection, or
            # is still unread in the websocket's buffer (a call that arrived as we came up).
            # Either way the order needs the caller's number, which only the channel has.
            channel = await self._channel_details(channel_id)
            self._spawn(channel_id, lambda r, c=channel: r.run_new(c, time.monotonic()))

    def _kept_elsewhere(self, channel_id: str) -> bool:
        parts = (self.survey, self.duty, self.ctx.queue)
        return any(part is not None and part.owns(channel_id) for part in parts)

    async def _channel_details(self, channel_id: str) -> dict[str, Any]:
        try:
            return await self.ctx.ari.channel(channel_id)
        except AriError:  # hung up meanwhile: the flow ends it on the first command
            return {"id": channel_id}

    def _resync_kept_calls(self, live: set[str]) -> None:
        """Calls kept through a gap missed its events: a prompt or recording that ended (the
        caller would wait in silence) or the hang-up. Take them back as after a restart."""
        for channel_id, runner in self.calls.items():
            if channel_id not in live:
                log.info("call %s ended during the gap", channel_id)
                runner.inbox.put_nowait(ev.CallerHungUp())
            elif runner.state is not None and runner.state.phase in (PROMPTING, WAITING, RECORDING):
                log.info("taking back call %s kept through the gap at %s", channel_id,
                         runner.state.node)
                runner.inbox.put_nowait(ev.CallReclaimed())

    def dispatch(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        queue = self.ctx.queue
        if self.duty is not None and self.duty.wants(event):
            self.duty.deliver(event)
            return
        if self.survey is not None and self.survey.wants(event):
            self.survey.deliver(event)
            return
        if self.snoop is not None and self.snoop.wants(event):
            self._track(asyncio.create_task(self.snoop.on_event(event)))
            return
        if (kind == "StasisStart" and event.get("args", [""])[:1] in (["agent"], ["callback"])) or (
            queue.owns(event.get("channel", {}).get("id", ""))
        ):
            self._track(asyncio.create_task(queue.on_event(event)))
            return
        if kind == "StasisStart":
            channel = event.get("channel", {})
            received = time.monotonic()
            if channel.get("id") and channel["id"] not in self.calls:
                self._spawn(channel["id"], lambda r: r.run_new(channel, received))
            return
        channel_id, call_event = translate(event)
        runner = self.calls.get(channel_id or "")
        if runner is not None and call_event is not None:
            if isinstance(call_event, ev.DigitPressed):
                runner.metrics.digit_seen_at = time.monotonic()
            runner.inbox.put_nowait(call_event)
        elif kind not in KNOWN_EVENTS:
            log.debug("ignoring ARI event %s", kind)

    def _track(self, task: asyncio.Task[None]) -> None:
        self.ctx.background.add(task)
        task.add_done_callback(self.ctx.background.discard)

    def _spawn(self, channel_id: str, start: Any) -> None:
        runner = CallRunner(self.ctx, channel_id)
        self.calls[channel_id] = runner
        task = asyncio.create_task(self._guard(runner, start(runner)))
        self.tasks[channel_id] = task

    async def _guard(self, runner: CallRunner, work: Any) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("call %s failed", runner.channel_id)
        finally:
            self.calls.pop(runner.channel_id, None)
            self.tasks.pop(runner.channel_id, None)


# Every event type a part of this app reads: calls, the agents' queue (ari_app/queue.py),
# duty calls and supervisors' snoops. Asterisk is asked to send no others.
APP_EVENTS = frozenset({
    "StasisStart", "StasisEnd", "ChannelDestroyed", "ChannelHangupRequest",
    "ChannelDtmfReceived", "PlaybackStarted", "PlaybackFinished", "RecordingStarted",
    "RecordingFinished", "RecordingFailed", "ChannelLeftBridge", "ApplicationReplaced",
})

KNOWN_EVENTS = frozenset(
    {
        "ChannelDtmfReceived",
        "PlaybackStarted",
        "PlaybackFinished",
        "RecordingStarted",
        "RecordingFinished",
        "RecordingFailed",
        *HANGUP_EVENTS,
    }
)


def translate(event: dict[str, Any]) -> tuple[str | None, ev.CallEvent | PlaybackStarted | None]:
    """The channel an ARI event is about and what it means to the flow (None: nothing)."""
    kind = event.get("type")
    if kind == "ChannelDtmfReceived":
        return event["channel"]["id"], ev.DigitPressed(str(event["digit"]))
    if kind in HANGUP_EVENTS:
        return event.get("channel", {}).get("id"), ev.CallerHungUp()
    if kind in ("PlaybackStarted", "PlaybackFinished"):
        playback = event.get("playback", {})
        channel_id = _target_channel(playback.get("target_uri", ""))
        if kind == "PlaybackStarted":
            return channel_id, PlaybackStarted(playback.get("id", ""), asterisk_time(event))
        return channel_id, ev.PlaybackDone(playback.get("id", ""))
    if kind in ("RecordingFinished", "RecordingFailed"):
        recording = event.get("recording", {})
        channel_id = _target_channel(recording.get("target_uri", ""))
        if kind == "RecordingFailed":
            return channel_id, ev.RecordingFailed(recording.get("name", ""), "asterisk_failed")
        return channel_id, ev.RecordingDone(recording.get("name", ""), recording.get("duration"))
    return None, None


def _target_channel(uri: str) -> str | None:
    kind, _, target = uri.partition(":")
    return target if kind == "channel" else None
