// The agency portal: the unit's own orders (numbers masked by the server), a ring when a new
// one is dispatched, 签收 in one click, the result with photos, extension and pending requests,
// deadlines counting down, and the unit's scorecard.

import { api, problem } from "./api.js";
import { $, fill, h } from "./dom.js";
import {
  DEADLINES, DISTRICTS, ORDER_STATES, ORDER_TYPES, UTILITIES, label, timeLeft, when,
} from "./labels.js";
import { liveStatus, say, signIn } from "./session.js";

const portal = { orders: [], known: null, shown: null, audio: null };
// What the unit may do in each state (routing/orders/transitions.py; the server checks anyway).
const CAN = {
  receive: ["dispatched"], report: ["received", "pending"], extension: ["received"], pending: ["received"],
  return: ["dispatched", "received"],
};

signIn({ roles: ["agency"], onEnter: enter });

async function enter() {
  $("#portal").hidden = false;
  await Promise.all([load(), scorecard()]);
  connect();
  setInterval(load, 10000);  // orders the automatic dispatcher sends are not on the live feed
  setInterval(tick, 1000);
}

function connect(delay = 500) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/api/agency/live`);
  socket.addEventListener("open", () => liveStatus(true));
  socket.addEventListener("message", (event) => {
    const update = JSON.parse(event.data);
    if (update.topic === "order_dispatched") load();
  });
  socket.addEventListener("close", () => {
    liveStatus(false);
    setTimeout(() => connect(Math.min(delay * 2, 10000)), delay);
  });
}

$("#sound").addEventListener("click", () => {
  portal.audio = portal.audio ? null : new AudioContext();
  $("#sound").setAttribute("aria-pressed", String(Boolean(portal.audio)));
  $("#sound").textContent = portal.audio ? "提示音已开启" : "开启提示音";
});

function ring() {
  const ctx = portal.audio;
  if (!ctx) return;
  for (const [start, freq] of [[0, 880], [0.25, 660], [0.5, 880]]) {
    const osc = ctx.createOscillator();
    osc.frequency.value = freq;
    osc.connect(ctx.destination);
    osc.start(ctx.currentTime + start);
    osc.stop(ctx.currentTime + start + 0.18);
  }
}

async function load() {
  const result = await api("GET", "/api/agency/orders?limit=100");
  if (!result.ok) return say("#list-message", problem(result));
  const fresh = portal.known ? result.data.orders.filter((o) => !portal.known.has(o.number)) : [];
  portal.known = new Set(result.data.orders.map((o) => o.number));
  portal.orders = result.data.orders;
  if (fresh.length) {
    ring();
    say("#list-message", `新工单 ${fresh.map((o) => o.number).join("、")}`, "ok");
  }
  const freshSet = new Set(fresh.map((o) => o.number));
  fill($("#orders"), portal.orders.map((o) => row(o, freshSet.has(o.number))));
  if (portal.shown) {
    const again = portal.orders.find((o) => o.number === portal.shown);
    if (again) show(again);
  }
}

function currentDue(o) {
  const name = o.status === "dispatched" ? "receipt_due" : ["received", "pending"].includes(o.status) ? "resolve_due" : null;
  return name ? o.deadlines?.[name] ?? null : null;
}

function row(o, fresh) {
  const due = currentDue(o);
  return h("tr", { "data-number": o.number, class: fresh ? "fresh clickable" : "clickable", onclick: () => show(o) },
    h("td", { class: "mono" }, o.number, o.emergency ? h("span", { class: "badge warn" }, "急") : null),
    h("td", {}, label(UTILITIES, o.utility), " / ", label(ORDER_TYPES, o.order_type)),
    h("td", {}, label(ORDER_STATES, o.status)),
    h("td", {}, o.address ?? "—"),
    h("td", { class: "due", "data-due": due ?? "" }, due ? timeLeft((Date.parse(due) - Date.now()) / 1000) : "—"),
    h("td", {}, CAN.receive.includes(o.status)
      ? h("button", { type: "button", "data-receive": o.number, onclick: (e) => { e.stopPropagation(); receive(o.number); } }, "签收")
      : null));
}

function tick() {
  for (const cell of document.querySelectorAll("td.due[data-due]")) {
    if (!cell.dataset.due) continue;
    const left = (Date.parse(cell.dataset.due) - Date.now()) / 1000;
    cell.textContent = timeLeft(left);
    cell.dataset.urgency = left <= 0 ? "late" : left < 7200 ? "soon" : "ok";
  }
}

function show(o) {
  portal.shown = o.number;
  $("#order").hidden = false;
  $("#order").dataset.number = o.number;
  $("#order-number").textContent = o.number;
  $("#order-state").textContent = label(ORDER_STATES, o.status);
  $("#order-state").dataset.state = o.status;
  fill($("#order-facts"), [
    ["业务", label(UTILITIES, o.utility)], ["类型", label(ORDER_TYPES, o.order_type)],
    ["区县", label(DISTRICTS, o.district)], ["地址", o.address ?? "—"],
    ["来电号码", o.caller_number_masked ?? "—"], ["问题描述", o.description ?? "—"],
    ["转写", o.transcript ?? "—"], ["受理时间", when(o.created_at)], ["已申请延期", `${o.extension_count} 次`],
    ...(o.speech_doubt ? [["语音存疑", `${o.speech_doubt.reviewed ? "已经坐席审核" : "未经坐席审核，系统按时限派单"}：${o.speech_doubt.reasons.join("；")}`]] : []),
  ].flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  // The unit's deadlines while it has the order; none runs once it has reported.
  const running = ["dispatched", "received", "pending"].includes(o.status);
  const metBy = { receipt_due: "received_at", onsite_due: "arrived_at", resolve_due: "handled_at" };
  const shown = Object.entries(DEADLINES).filter(([name]) => name !== "dispatch_due" && o.deadlines?.[name]);
  fill($("#deadlines"), shown.map(([name, text]) => {
    const met = o[metBy[name]];
    const state = met ? h("td", { class: "met" }, `已于 ${when(met)} 完成`)
      : running ? h("td", { class: "due", "data-due": o.deadlines[name] }, timeLeft((Date.parse(o.deadlines[name]) - Date.now()) / 1000))
        : h("td", { class: "muted" }, "—");
    return h("tr", {}, h("th", {}, text), h("td", {}, when(o.deadlines[name])), state);
  }));
  $("#receive").hidden = !CAN.receive.includes(o.status);
  $("#arrive").hidden = !(o.status === "received" && "arrived_at" in o && !o.arrived_at);
  $("#result-form").hidden = !CAN.report.includes(o.status);
  $("#extension-form").hidden = !CAN.extension.includes(o.status);
  $("#pending-form").hidden = !CAN.pending.includes(o.status);
  $("#return-form").hidden = !CAN.return.includes(o.status);
}

async function act(path, body, text) {
  const result = await api("POST", `/api/agency/orders/${portal.shown}/${path}`, body);
  if (!result.ok) return say("#action-message", problem(result)), false;
  say("#action-message", text, "ok");
  await load();
  scorecard();
  return true;
}

async function receive(number) {
  portal.shown = number;
  show(portal.orders.find((o) => o.number === number));
  await act("receipt", {}, "已签收");
}
$("#receive").addEventListener("click", () => receive(portal.shown));
// The crew on site (the on-site limits of the standards time this moment).
$("#arrive").addEventListener("click", () => act("arrival", {}, "已报告到达现场"));

$("#result-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const evidence = [];
  for (const file of form.photos.files) {
    const sent = await upload(file);
    if (!sent) return;
    evidence.push(sent.reference);
  }
  const body = { handled: form.handled.value === "yes", reason: form.reason.value.trim(), evidence };
  if (await act("result", body, body.handled ? "已报告处理完成" : "已报告无法处理")) form.reset();
});

async function upload(file) {
  try {
    const response = await fetch(`/api/agency/orders/${portal.shown}/photos`, {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": file.type || "application/octet-stream" }, body: file,
    });
    const data = await response.json();
    if (response.ok) return data;
    say("#action-message", `照片 ${file.name}：${data.message ?? response.status}`);
  } catch (error) {
    say("#action-message", `照片 ${file.name} 上传失败：${error}`);
  }
  return null;
}

$("#return-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const number = portal.shown;
  if (await act("return", { reason: event.target.reason.value.trim() }, `工单 ${number} 已退回中心`)) {
    event.target.reset();
    $("#order").hidden = true;  // no longer the unit's: the list drops it
    portal.shown = null;
  }
});

$("#extension-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  // The form's date and time are Beijing time: sent with their offset, not the browser's zone.
  const local = form.new_due.value; // "YYYY-MM-DDTHH:MM", seconds only if the input has them
  const body = { reason: form.reason.value.trim(),
    new_due: `${local.length === 16 ? `${local}:00` : local}+08:00` };
  if (await act("extension", body, "延期申请已提交，等待业务科审核")) form.reset();
});

$("#pending-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const body = { reason: form.reason.value.trim(), document: form.document.value.trim() };
  if (await act("pending", body, "待办申请已提交")) form.reset();
});

async function scorecard() {
  const result = await api("GET", "/api/agency/scorecard");
  if (!result.ok) return;
  const s = result.data;
  $("#score-month").textContent = s.month;
  const pct = (r) => (r.percent == null ? "—" : `${r.percent}%`);
  const tile = (text, value, sub, alert = false) => h("div", { class: "tile" },
    h("span", { class: "tile-label" }, text), h("span", { class: "tile-value", "data-alert": String(alert) }, value),
    sub ? h("span", { class: "tile-sub" }, sub) : null);
  const open = s.open_by_state;
  fill($("#score"), [
    tile("月度办结率", pct(s.rates.monthly_closure), `${s.rates.monthly_closure.numerator}/${s.rates.monthly_closure.denominator}`),
    tile("按时办结率", pct(s.rates.on_time), `${s.rates.on_time.numerator}/${s.rates.on_time.denominator}`),
    tile("累计办结率", pct(s.rates.cumulative_closure)),
    tile("待签收", open.dispatched ?? 0),
    tile("处理中", (open.received ?? 0) + (open.pending ?? 0)),
    tile("已超时", s.late_now, null, s.late_now > 0),
  ]);
}
