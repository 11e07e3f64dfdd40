// The agent console: who I am, my state, the screen-pop for my calls and the order form.

import { api, problem } from "./api.js";
import { $, fill, h, options } from "./dom.js";
import {
  AGENT_STATES, DISTRICTS, ORDER_STATES, ORDER_TYPES, PAUSE_REASONS, UTILITIES,
  clock, duration, label, pathText,
} from "./labels.js";
import { connectLive } from "./live.js";
import { closeKnowledge, setUpKnowledge, suggestFor } from "./knowledge.js";
import { offerSoftphone, setUpSoftphone } from "./softphone.js";

const state = { agentId: null, agent: null, pop: null };

// -- who am I ----------------------------------------------------------------------------

function identityOf(me) {
  return me?.agent_id ?? me?.agent?.id ?? me?.id ?? me?.user ?? null;
}

async function start() {
  options($("#pause-reason"), PAUSE_REASONS);
  const form = $("#order-form");
  options(form.utility, UTILITIES, { blank: "请选择" });
  options(form.order_type, ORDER_TYPES, { blank: "请选择" });
  options(form.district, DISTRICTS, { blank: "未知" });

  const me = await api("GET", "/api/me");
  if (me.ok && identityOf(me.data)) return enter(identityOf(me.data));
  showLogin();
}

function showLogin() {
  $("#login").hidden = false;
  $("#login-form").hidden = false;
}

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const result = await api("POST", "/api/login",
    { user: form.user.value.trim(), password: form.password.value });
  if (!result.ok) {
    return say("#login-message", result.status === 401 ? "工号或密码错误" : problem(result));
  }
  const me = await api("GET", "/api/me");
  enter(identityOf(me.ok ? me.data : result.data) ?? form.user.value.trim());
});

$("#sign-off").addEventListener("click", async () => {
  await api("POST", "/api/logout");
  location.reload();
});

async function enter(agentId) {
  state.agentId = agentId;
  $("#login").hidden = true;
  $("#desk").hidden = false;
  $("#who").hidden = false;
  $("#who").textContent = `坐席 ${agentId}`;
  $("#sign-off").hidden = false;
  document.title = `12319 坐席 ${agentId}`;
  const result = await api("GET", "/api/agents");
  const agent = result.ok ? result.data.agents.find((a) => a.id === agentId) : null;
  if (!agent) say("#state-message", result.ok ? `坐席 ${agentId} 尚未定义` : problem(result));
  else {
    showAgent(agent);
    offerSoftphone(agent);
  }
  connectLive(onUpdate, (up) => {
    const status = $("#live-status");
    status.dataset.up = String(up);
    status.textContent = up ? "实时连接正常" : "实时连接中断，重连中…";
  });
}

// -- my state ----------------------------------------------------------------------------

// A reply to our own state change can arrive after a live update that is newer (the ACD
// offered a waiting call the moment we went available); showing the reply would wind the
// badge back to a state the agent has already left.
function isOlder(agent, shown) {
  return Boolean(shown && shown.id === agent.id && agent.since && shown.since
    && Date.parse(agent.since) < Date.parse(shown.since));
}

function showAgent(agent) {
  if (isOlder(agent, state.agent)) return;
  state.agent = agent;
  const badge = $("#agent-state");
  badge.dataset.state = agent.state;
  badge.textContent = label(AGENT_STATES, agent.state);
  $("#agent-reason").textContent =
    agent.state === "paused" ? `（${label(PAUSE_REASONS, agent.pause_reason)}）` : "";
  tick();
  for (const button of document.querySelectorAll("button[data-state]")) {
    button.setAttribute("aria-pressed", String(button.dataset.state === agent.state));
  }
}

function tick() {
  const since = state.agent?.since;
  $("#agent-since").textContent = since ? `已持续 ${duration((Date.now() - Date.parse(since)) / 1000)}` : "";
}
setInterval(tick, 1000);

async function setState(wanted) {
  const body = { state: wanted };
  if (wanted === "paused") body.reason = $("#pause-reason").value;
  const result = await api("POST", `/api/agents/${encodeURIComponent(state.agentId)}/state`, body);
  if (!result.ok) {
    const busy = result.data?.error === "agent-busy";
    return say("#state-message", busy ? "通话中，不能更改状态" : problem(result));
  }
  say("#state-message", "");
  showAgent(result.data);
  return result;
}

for (const button of document.querySelectorAll("button[data-state]")) {
  button.addEventListener("click", () => setState(button.dataset.state));
}

// -- live: my state changes and my screen-pops -------------------------------------------

function onUpdate(update) {
  const { topic, data } = update;
  if (topic === "agent_state" && data.id === state.agentId) showAgent(data);
  if (topic === "screen_pop" && data.agent_id === state.agentId) screenPop(data, update.at);
  if (topic === "order_created" && state.pop && data.channel_id === state.pop.call_id) {
    loadHistory(state.pop.caller_number);
  }
}

async function screenPop(pop, at) {
  state.pop = pop;
  $("#screen-pop").hidden = false;
  $("#order").hidden = false;
  $("#pop-caller").textContent = pop.caller_number ?? "未知号码";
  $("#pop-path").textContent = pathText(pop.path);
  $("#pop-kind").textContent =
    `${label(UTILITIES, pop.utility, "未选择")} / ${label(ORDER_TYPES, pop.order_type, "未选择")}`;
  $("#pop-time").textContent = clock(at);
  $("#pop-call").textContent = pop.call_id;
  $("#pop-callback").hidden = !pop.callback;

  const form = $("#order-form");
  form.reset();
  form.utility.value = pop.utility ?? "";
  form.order_type.value = pop.order_type ?? "";
  form.caller_number.value = pop.caller_number ?? "";
  form.call_id.value = pop.call_id;
  form.emergency.checked = pop.order_type === "emergency_repair";
  $("#order-submit").disabled = false;
  say("#order-result", "");
  delete $("#order-result").dataset.number;
  await Promise.all([loadHistory(pop.caller_number), suggestFor(pop)]);
  (form.order_type.value ? form.description : form.order_type).focus();
}

async function loadHistory(number) {
  const body = $("#pop-history");
  const repeat = $("#pop-repeat");
  if (!number) {
    fill(body, h("tr", {}, h("td", { colspan: 5, class: "muted" }, "无来电号码")));
    repeat.hidden = true;
    return;
  }
  const result = await api("GET", `/api/orders?caller_number=${encodeURIComponent(number)}&limit=20`);
  if (!result.ok) {
    fill(body, h("tr", {}, h("td", { colspan: 5 }, problem(result))));
    return;
  }
  const orders = result.data.orders;
  repeat.hidden = orders.length === 0;
  repeat.textContent = `重复来电：${orders.length} 张历史工单`;
  fill(body, orders.length === 0
    ? h("tr", {}, h("td", { colspan: 5, class: "muted" }, "首次来电，无历史工单"))
    : orders.map((o) => h("tr", { "data-number": o.number },
      h("td", { class: "mono" }, o.number),
      h("td", {}, label(UTILITIES, o.utility, "未分类")),
      h("td", {}, label(ORDER_TYPES, o.order_type)),
      h("td", {}, label(ORDER_STATES, o.status)),
      h("td", {}, new Date(o.created_at).toLocaleString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" })))));
}

// -- the order form and wrap-up ----------------------------------------------------------

$("#order-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = {
    utility: form.utility.value,
    order_type: form.order_type.value,
    description: form.description.value.trim(),
    caller_number: form.caller_number.value.trim(),
  };
  if (form.district.value) body.district = form.district.value;
  if (form.address.value.trim()) body.address = form.address.value.trim();
  if (form.call_id.value) body.call_id = form.call_id.value;
  if (form.emergency.checked) body.emergency = true;
  $("#order-submit").disabled = true;
  const result = await api("POST", "/api/orders", body);
  if (!result.ok) {
    $("#order-submit").disabled = false;
    return say("#order-result", `${problem(result)}，工单未保存`, "error");
  }
  say("#order-result", `工单已创建：${result.data.number}`, "ok");
  $("#order-result").dataset.number = result.data.number;
  loadHistory(body.caller_number);
});

$("#wrap-up").addEventListener("click", async () => {
  const result = await setState("available");
  if (result?.ok) {
    state.pop = null;
    $("#screen-pop").hidden = true;
    $("#order").hidden = true;
    closeKnowledge();
  }
});

function say(selector, text, kind = "") {
  const node = $(selector);
  node.textContent = text;
  node.dataset.kind = kind;
}

setUpKnowledge();
setUpSoftphone();
start();
