// Supervision: the approval queue (extensions for the business section, the pending chain
// step by step), late orders by unit, the supervision orders, and the audit of one order.

import { api, problem } from "./api.js";
import { $, fill, h } from "./dom.js";
import {
  CHAIN_STEPS, ORDER_STATES, ORDER_TYPES, ROLES, TIMELINE, UTILITIES, label, timeLeft, when,
} from "./labels.js";
import { connectLive } from "./live.js";
import { liveStatus, say, signIn } from "./session.js";

const SUPERVISORS = ["business_section", "supervision_section", "duty_supervisor", "leader"];
const AUDITORS = ["supervision_section", "duty_supervisor", "leader"];
const board = { me: null, names: {} };
const unit = (id) => (id ? board.names[id] ?? id : "—");

signIn({ roles: SUPERVISORS, onEnter: enter });

async function enter(me) {
  board.me = me;
  $("#board").hidden = false;
  $("#audit").hidden = !AUDITORS.includes(me.role);
  await refresh();
  connectLive((u) => {
    // A doubtful order nobody reviewed went to its unit at its hold's end (dispatch_policy.yaml).
    if (u.topic === "dispatch_unreviewed") {
      say("#queue-message", `工单 ${u.data.number} 语音存疑，无人审核，已由系统派至${unit(u.data.agency_id)}：${u.data.doubts.join("；")}`, "warning");
    }
    if (["order_dispatched", "order_created", "dispatch_unreviewed"].includes(u.topic)) refresh();
  }, liveStatus);
  setInterval(refresh, 30000);
}

async function refresh() {
  const [queue, late, supervised] = await Promise.all([
    api("GET", "/api/supervision/approvals"), api("GET", "/api/supervision/late"),
    api("GET", "/api/supervision/orders")]);
  if (late.ok) board.names = late.data.agencies ?? {};
  if (!queue.ok) return say("#queue-message", problem(queue));
  $("#queue-count").textContent = String(queue.data.items.length);
  fill($("#approvals"), queue.data.items.length ? queue.data.items.map(item)
    : [h("tr", {}, h("td", { class: "muted", colspan: "7" }, "没有待审批的申请"))]);
  if (late.ok) {
    fill($("#late-units"), late.data.by_unit.map((u) => h("tr", { "data-agency": u.agency_id ?? "" },
      h("td", {}, u.agency_id ? unit(u.agency_id) : "未派单"), h("td", { class: "num" }, u.late), h("td", { class: "num" }, u.soon))));
    fill($("#late-orders"), late.data.orders.map(orderRow));
  }
  if (supervised.ok) {
    fill($("#supervised"), supervised.data.orders.length ? supervised.data.orders.map((o) => h("tr", {},
      h("td", { class: "mono" }, o.number), h("td", {}, label(UTILITIES, o.utility)),
      h("td", {}, label(ORDER_STATES, o.status)), h("td", {}, unit(o.agency_id))))
      : [h("tr", {}, h("td", { class: "muted" }, "无"))]);
  }
}

function orderRow(o) {
  return h("tr", { class: o.due.urgency === "late" ? "urgent" : "" },
    h("td", { class: "mono" }, h("a", { href: `/console/orders#${o.number}` }, o.number)),
    h("td", {}, label(UTILITIES, o.utility), " ", label(ORDER_TYPES, o.order_type)),
    h("td", {}, unit(o.agency_id)),
    h("td", {}, o.due.at ? timeLeft((Date.parse(o.due.at) - Date.now()) / 1000) : "—"));
}

function item(it) {
  const o = it.order;
  const what = it.kind === "extension"
    ? `第 ${it.seq} 次延期：${when(it.previous_due)} → ${when(it.new_due)}`
    : `${label(CHAIN_STEPS, it.step)}（书面申请 ${it.document}）`;
  const comment = h("input", { name: "comment", maxlength: "500", placeholder: "审批意见", "aria-label": "审批意见" });
  const decide = (approve) => decideOn(it, approve, comment.value.trim());
  return h("tr", { "data-number": o.number, "data-kind": it.kind },
    h("td", {}, it.kind === "extension" ? "延期" : "待办"),
    h("td", { class: "mono" }, h("a", { href: `/console/orders#${o.number}` }, o.number), " ",
      label(ORDER_STATES, o.status)),
    h("td", {}, unit(o.agency_id)),
    h("td", {}, it.requested_by, h("br"), when(it.requested_at)),
    h("td", {}, it.reason),
    h("td", {}, what),
    h("td", {}, it.mine
      ? h("div", { class: "buttons" }, comment,
        h("button", { type: "button", "data-decide": "approve", onclick: () => decide(true) }, "批准"),
        h("button", { type: "button", class: "danger", "data-decide": "reject", onclick: () => decide(false) }, "驳回"))
      : h("span", { class: "muted" }, `待${label(ROLES, it.decided_by_role)}审批`)));
}

async function decideOn(it, approve, comment) {
  if (!approve && !comment) return say("#queue-message", "驳回请填写审批意见");
  const body = it.kind === "extension"
    ? { event: "extension_decision", approve, reason: comment || null }
    : { event: "pending_decision", approve, step: it.step, reason: comment || null };
  const result = await api("POST", `/api/orders/${it.order.number}/events`, body);
  if (!result.ok) return say("#queue-message", problem(result));
  say("#queue-message", `工单 ${it.order.number}：${approve ? "已批准" : "已驳回"}`, "ok");
  refresh();
}

$("#audit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const number = event.target.order.value.trim();
  const result = await api("GET", `/api/audit?order=${encodeURIComponent(number)}`);
  if (!result.ok) return say("#audit-message", problem(result));
  say("#audit-message", result.data.events.length ? "" : "没有记录");
  fill($("#audit-rows"), result.data.events.map((e) => h("tr", {},
    h("td", {}, when(e.at)), h("td", {}, e.actor), h("td", {}, label(ROLES, e.role, "")),
    h("td", {}, label(TIMELINE, e.action)), h("td", {}, e.kind === "read" ? "查阅" : "变更"),
    h("td", { class: "mono" }, e.ip ?? ""))));
});
