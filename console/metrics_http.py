"""GET /metrics: the node's figures in Prometheus' text format, for the operators' scraper.

Read at scrape time from what the node already keeps (the health report, the ACD, the
wallboard feed's last figures, the orders' stage limits), so nothing counts twice and a
scrape costs four small indexed counts. Open like /health: aggregate
numbers only, never a caller's number or an order's content."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from console.agents_http import QUEUE
from console.api import now
from console.http import HEALTH, SESSIONS
from console.wallboard_http import FEED
from routing.agents.acd import AgentState
from routing.orders.late_orders import late_by_stage

# How many survey calls (回访) are up now; `serve` hands in the survey caller's count.
SURVEY_CALLS = web.AppKey[Callable[[], int]]("survey_calls")
routes = web.RouteTableDef()


class NodeMetrics:
    """One registry per app (never the module-global one: tests build many apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        gauge = self._gauge
        self.ari_connected = gauge("hotline_ari_connected", "1 while the ARI websocket is up")
        self.calls = gauge("hotline_calls_in_progress", "calls this node is handling")
        self.waiting = gauge("hotline_queue_waiting", "callers waiting for an agent")
        self.longest_wait = gauge("hotline_queue_longest_wait_seconds",
                                  "how long the longest-waiting caller has waited")
        self.agents = gauge("hotline_agents", "agents by state", ("state",))
        self.service_level = gauge(
            "hotline_service_level_ratio",
            "calls answered within the standard's seconds, of those that waited, by window",
            ("window",))
        self.late = gauge("hotline_orders_late", "open orders past their stage's limit",
                          ("stage",))
        self.survey_calls = gauge("hotline_survey_calls_in_progress",
                                  "callback survey calls (回访) up now")

    def _gauge(self, name: str, help_text: str, labels: tuple[str, ...] = ()) -> Gauge:
        return Gauge(name, help_text, labels, registry=self.registry)


METRICS = web.AppKey("metrics", NodeMetrics)


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    app, at = request.app, now()
    figures = app[METRICS]
    health = app[HEALTH]
    figures.ari_connected.set(1 if health.get("ari_connected") else 0)
    figures.calls.set(int(health.get("active_calls", 0)))
    _queue(app, figures, at)
    board = app[FEED].last if FEED in app else None  # None until the feed's first count
    for window in board["windows"] if board is not None else ():
        if window["service_level"] is not None:
            figures.service_level.labels(window["window"]).set(window["service_level"] / 100)
    async with app[SESSIONS]() as session:
        for stage, count in (await late_by_stage(session, at)).items():
            figures.late.labels(stage).set(count)
    survey_calls = app.get(SURVEY_CALLS)
    figures.survey_calls.set(survey_calls() if survey_calls is not None else 0)
    return web.Response(body=generate_latest(figures.registry),
                        headers={"Content-Type": CONTENT_TYPE_LATEST})


def _queue(app: web.Application, figures: NodeMetrics, at: datetime) -> None:
    queue = app.get(QUEUE)
    acd = queue.acd if queue is not None else None
    waiting = acd.waiting if acd is not None else ()
    figures.waiting.set(len(waiting))
    entered = min((w.entered_at for w in waiting), default=None)
    figures.longest_wait.set((at - entered).total_seconds() if entered else 0)
    states = Counter(a.state for a in acd.agents.values()) if acd is not None else Counter()
    for state in AgentState:
        figures.agents.labels(state.value).set(states[state])

