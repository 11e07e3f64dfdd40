// The supervisor wallboard: everything comes from the /api/live push; the only fetches are
// today's calls and the latest orders when the page opens.

import { api } from "./api.js";
import { $, fill, h } from "./dom.js";
import {
  AGENT_STATES, DISTRICTS, ORDER_TYPES, PAUSE_REASONS, UTILITIES, clock, duration, label, pathText,
  utilityOfPath,
} from "./labels.js";
import { connectLive } from "./live.js";
import { liveStatus, signIn } from "./session.js";
import { renderFigures } from "./wallboard_figures.js";

const SERVICE_SECONDS = 15;
const CENTER = ["center_staff", "business_section", "supervision_section", "duty_supervisor", "leader"];
// The detector re-announces active surges every 30 s; one unheard for this long is stale
// (e.g. the server restarted) and leaves the banner.
const SURGE_STALE_MS = 120_000;
const PHASES = {
  prompting: "IVR 播放", waiting: "IVR 按键", recording: "留言录音", ordering: "建单",
  queued: "排队", connected: "通话中", callback_confirming: "确认回拨", ended: "结束",
};

const board = {
  skew: 0, // server clock minus ours, from the updates' `at`
  waiting: [],
  agents: new Map(),
  agentCaller: new Map(), // agent id → caller number of the call it took
  entered: new Map(), // call id → queue entry (ms, server clock), for calls seen queueing
  served: new Map(), // call id → screen-pop
  ended: new Set(),
  servedList: [],
  within: 0,
  abandoned: 0,
  callbacks: 0,
  calls: new Map(), // channel id → {caller, path, phase, since}
  today: new Map(), // channel id → utility (null: none chosen yet)
  orders: [],
  surges: new Map(), // "utility|district" → {…surge update, seen (ms, server clock)}
  figures: null, // the server's figures (the `wallboard` update)
};

const serverNow = () => Date.now() + board.skew;
const isToday = (iso) => new Date(iso).toDateString() === new Date().toDateString();

// -- updates -------------------------------------------------------------------------------

function onUpdate({ topic, at, data }) {
  const when = at ? Date.parse(at) : serverNow();
  // The `wallboard` figures may be a replay of the last ones (sent on connect): not a clock.
  if (at && topic !== "wallboard") board.skew = when - Date.now();
  const handler = HANDLERS[topic];
  if (handler) handler(data, when);
  render();
  $("#last-update").textContent = clock(new Date(when).toISOString());
}

const HANDLERS = {
  queue(data) {
    board.waiting = data.waiting;
    for (const w of data.waiting) {
      if (!board.entered.has(w.call_id)) board.entered.set(w.call_id, Date.parse(w.entered_at));
    }
    board.agents = new Map(data.agents.map((a) => [a.id, a]));
  },
  agent_state(agent) {
    board.agents.set(agent.id, agent);
    if (agent.state !== "on_call") board.agentCaller.delete(agent.id);
  },
  screen_pop(pop, when) {
    board.agentCaller.set(pop.agent_id, pop.caller_number);
    const entered = board.entered.get(pop.call_id);
    const waited = entered ? (when - entered) / 1000 : null;
    if (!pop.callback && !board.served.has(pop.call_id)) {
      if (waited !== null && waited <= SERVICE_SECONDS) board.within += 1;
      board.served.set(pop.call_id, pop);
    }
    board.servedList.unshift({ ...pop, when, waited });
    board.servedList.length = Math.min(board.servedList.length, 10);
    board.waiting = board.waiting.filter((w) => w.call_id !== pop.call_id);
    const call = board.calls.get(pop.call_id);
    if (call) call.phase = "connected";
  },
  call_started(data, when) {
    // The call's first call_progress may come just before its call_started.
    const call = board.calls.get(data.channel_id) ?? { path: [], phase: "prompting" };
    board.calls.set(data.channel_id, { ...call, caller: data.caller_number, since: when });
    if (!board.today.has(data.channel_id)) board.today.set(data.channel_id, null);
  },
  call_progress(data, when) {
    const call = board.calls.get(data.channel_id) ?? { caller: data.caller_number, since: when };
    board.calls.set(data.channel_id, { ...call, path: data.path, phase: data.phase, node: data.node });
    board.today.set(data.channel_id, data.utility ?? utilityOfPath(data.path));
  },
  call_ended(data) {
    const id = data.channel_id;
    board.calls.delete(id);
    board.today.set(id, data.utility ?? utilityOfPath(data.path));
    board.ended.add(id);
    if (board.entered.has(id) && !board.served.has(id)) {
      if (data.outcome === "callback") board.callbacks += 1;
      else board.abandoned += 1;
    }
    board.waiting = board.waiting.filter((w) => w.call_id !== id || w.callback);
  },
  surge(data, when) {
    const key = `${data.utility}|${data.district ?? ""}`;
    if (data.state === "ended") board.surges.delete(key);
    else board.surges.set(key, { ...data, seen: when });
  },
  wallboard(figures) {
    board.figures = figures;
  },
  order_created(order, when) {
    board.orders.unshift({ ...order, created_at: new Date(when).toISOString() });
    board.orders.length = Math.min(board.orders.length, 10);
  },
};

// -- drawing -------------------------------------------------------------------------------

function render() {
  const now = serverNow();
  renderSurges(now);
  renderFigures(board.figures, now);
  const waiting = board.waiting;
  $("#waiting-count").textContent = String(waiting.length);
  const longest = Math.max(0, ...waiting.map((w) => (now - Date.parse(w.entered_at)) / 1000));
  $("#longest-wait").textContent = duration(longest);
  $("#longest-wait").dataset.alert = String(longest > SERVICE_SECONDS);

  const served = board.served.size;
  const offered = served + board.abandoned;
  $("#served-count").textContent = String(served);
  $("#abandoned-count").textContent = String(board.abandoned);
  $("#callback-count").textContent = String(board.callbacks);
  $("#service-level").textContent = offered ? `${Math.round((100 * board.within) / offered)}%` : "—";
  $("#abandon-rate").textContent = offered ? `放弃率 ${Math.round((100 * board.abandoned) / offered)}%` : "";

  fill($("#queue-list"), waiting.length === 0
    ? emptyRow(4, "无排队来电")
    : waiting.map((w) => h("tr", { "data-call-id": w.call_id, class: w.emergency ? "urgent" : null },
      h("td", { class: "mono" }, w.caller_number ?? "未知"),
      h("td", {}, label(UTILITIES, w.utility, "综合"), w.emergency ? " · 紧急" : ""),
      h("td", {}, duration((now - Date.parse(w.entered_at)) / 1000)),
      h("td", {}, w.ringing_agent ? `振铃 ${w.ringing_agent}` : w.callback ? "等待回拨" : "等待"))));

  const agents = [...board.agents.values()].sort((a, b) => a.id.localeCompare(b.id));
  const counts = Object.keys(AGENT_STATES).map((s) => [s, agents.filter((a) => a.state === s).length]);
  fill($("#agent-counts"), counts.map(([s, n]) =>
    h("span", { class: "state", "data-state": s, "data-count": n }, `${AGENT_STATES[s]} ${n}`)));
  fill($("#agents"), agents.length === 0
    ? emptyRow(4, "尚无坐席")
    : agents.map((a) => h("tr", { "data-agent-id": a.id },
      h("td", {}, a.id),
      h("td", {}, h("span", { class: "state", "data-state": a.state }, label(AGENT_STATES, a.state)),
        a.state === "paused" ? `（${label(PAUSE_REASONS, a.pause_reason)}）` : ""),
      h("td", {}, a.since ? duration((now - Date.parse(a.since)) / 1000) : "—"),
      h("td", { class: "mono" }, a.state === "on_call" ? board.agentCaller.get(a.id) ?? "" : ""))));

  $("#ivr-count").textContent = String(board.calls.size);
  fill($("#ivr-calls"), board.calls.size === 0
    ? emptyRow(4, "无进行中的来电")
    : [...board.calls.entries()].map(([id, c]) => h("tr", { "data-call-id": id },
      h("td", { class: "mono" }, c.caller ?? "未知"),
      h("td", {}, pathText(c.path)),
      h("td", {}, label(PHASES, c.phase)),
      h("td", {}, duration((now - c.since) / 1000)))));

  fill($("#served-list"), board.servedList.length === 0
    ? emptyRow(4, "本页打开后尚无接通")
    : board.servedList.map((s) => h("tr", { "data-call-id": s.call_id },
      h("td", {}, clock(new Date(s.when).toISOString())),
      h("td", { class: "mono" }, s.caller_number ?? "未知", s.callback ? "（回拨）" : ""),
      h("td", {}, s.agent_id),
      h("td", {}, s.waited === null ? "—" : `${Math.round(s.waited)} 秒`))));

  const perUtility = new Map();
  for (const utility of board.today.values()) {
    perUtility.set(utility, (perUtility.get(utility) ?? 0) + 1);
  }
  const rows = [...Object.keys(UTILITIES), null].filter((u) => perUtility.has(u));
  fill($("#per-utility"), rows.length === 0
    ? emptyRow(2, "今日尚无来电")
    : rows.map((u) => h("tr", { "data-utility": u ?? "none" },
      h("th", { scope: "row" }, label(UTILITIES, u, "未选择业务")),
      h("td", { class: "num" }, perUtility.get(u)))));

  fill($("#recent-orders"), board.orders.length === 0
    ? emptyRow(4, "尚无工单")
    : board.orders.map((o) => h("tr", { "data-number": o.number },
      h("td", {}, clock(o.created_at)),
      h("td", { class: "mono" }, o.number),
      h("td", {}, label(UTILITIES, o.utility, "未分类")),
      h("td", {}, label(ORDER_TYPES, o.order_type), o.needs_agent ? " · 待坐席" : ""))));
}

function renderSurges(now) {
  for (const [key, s] of board.surges) if (now - s.seen > SURGE_STALE_MS) board.surges.delete(key);
  const surges = [...board.surges.values()].sort((a, b) => b.factor - a.factor);
  $("#surges").hidden = surges.length === 0;
  fill($("#surge-list"), surges.map((s) => h("li", {
    "data-utility": s.utility, "data-district": s.district ?? "",
  }, surgeText(s))));
}

/** "燃气 来电激增：近10分钟 12 通（平时每小时 3 通），建议增派坐席 4 名" */
function surgeText(s) {
  const where = label(UTILITIES, s.utility, s.utility) +
    (s.district ? ` · ${label(DISTRICTS, s.district, s.district)}` : "");
  const usual = Math.round(s.baseline_per_hour * 10) / 10;
  const extra = s.agents_needed > 0 ? `，建议增派坐席 ${s.agents_needed} 名` : "";
  return `${where} 来电激增：近${s.window_minutes}分钟 ${s.recent} 通（平时每小时 ${usual} 通）${extra}`;
}

const emptyRow = (columns, text) => h("tr", {}, h("td", { colspan: columns, class: "muted" }, text));

// -- start ---------------------------------------------------------------------------------

async function start() {
  const [calls, orders] = await Promise.all([
    api("GET", "/api/calls?limit=500"), api("GET", "/api/orders?limit=10"),
  ]);
  if (calls.ok) {
    for (const call of calls.data.calls) {
      if (isToday(call.started_at) && !board.today.has(call.channel_id)) {
        board.today.set(call.channel_id, call.order?.utility ?? utilityOfPath(call.path));
      }
    }
  }
  if (orders.ok) {
    const live = new Set(board.orders.map((o) => o.number));
    board.orders = [...board.orders, ...orders.data.orders.filter((o) => !live.has(o.number))]
      .slice(0, 10);
  }
  render();
}

setInterval(() => {
  render();
  $("#clock").textContent = new Date().toLocaleString("zh-CN",
    { hour12: false, timeZone: "Asia/Shanghai" });
}, 1000);

// Outside the sandbox the calls are readable only after a login (L 3.1.4): the board asks
// for one instead of showing "connection lost"; in the sandbox it opens at once.
async function open() {
  const probe = await api("GET", "/api/calls?limit=1");
  if (probe.status === 401) return signIn({ roles: CENTER, onEnter: begin });
  begin();
}

function begin() {
  connectLive(onUpdate, liveStatus);
  start();
}

open();
