// One order on the desk: facts, deadlines, recording beside its transcript, photos, the
// caller's earlier orders, the timeline, and the actions this user may take (the server
// says which: `actions`, `can_correct`, `can_hear`; it refuses the others anyway).

import { api, problem } from "./api.js";
import { $, fill, h, options } from "./dom.js";
import {
  ACTIONS, CASES, DEADLINES, DISTRICTS, ORDER_STATES, ORDER_TYPES, ROLES, TIMELINE, UTILITIES,
  label, pathText, timeLeft, when,
} from "./labels.js";
import { say } from "./session.js";

const page = { number: null, data: null, me: null, onChanged: () => {} };
export const shownNumber = () => page.number;

export async function openOrder(number, me, onChanged) {
  Object.assign(page, { number, me, onChanged });
  history.replaceState(null, "", `#${number}`);
  say("#action-message", "");
  say("#correct-message", "");
  await refreshOrder();
  for (const tr of document.querySelectorAll("#orders tr")) {
    tr.setAttribute("aria-current", String(tr.dataset.number === number));
  }
}

export async function refreshOrder() {
  const result = await api("GET", `/api/desk/orders/${encodeURIComponent(page.number)}`);
  if (!result.ok) return say("#action-message", problem(result));
  page.data = result.data;
  page.loadedAt = Date.now();
  show(result.data);
}

function show(data) {
  const o = data.order;
  $("#order").hidden = false;
  $("#order").dataset.number = o.number;
  $("#order-number").textContent = o.number;
  $("#order-state").textContent = label(ORDER_STATES, o.status);
  $("#order-state").dataset.state = o.status;
  $("#order-emergency").hidden = !o.emergency;
  const agency = data.agencies.find((a) => a.id === o.agency_id);
  fill($("#order-facts"), [
    ["业务", label(UTILITIES, o.utility, "待分类")], ["类型", label(ORDER_TYPES, o.order_type)],
    ["区县", label(DISTRICTS, o.district)], ["地址", o.address ?? "—"],
    ["来电号码", o.caller_number ?? "—"], ["IVR 路径", pathText(o.ivr_path)],
    ["问题描述", o.description ?? "—"], ["承办单位", agency?.name ?? o.agency_id ?? "—"],
    ["受理时间", when(o.created_at)], ["单位答复", replyText(o.unit_reply)],
  ].flatMap(([k, v]) => [h("dt", {}, k), h("dd", { "data-fact": k }, v)]));
  showDeadlines(data);
  showActions(data);
  showCorrection(data);
  showMedia(data);
  fill($("#earlier"), data.earlier.length ? data.earlier.map((e) => h("tr", { "data-number": e.number },
    h("td", { class: "mono" }, h("a", { href: `#${e.number}`, onclick: () => openOrder(e.number, page.me, page.onChanged) }, e.number)),
    h("td", {}, label(UTILITIES, e.utility)), h("td", {}, label(ORDER_TYPES, e.order_type)),
    h("td", {}, label(ORDER_STATES, e.status)), h("td", {}, when(e.created_at))))
    : [h("tr", {}, h("td", { class: "muted" }, "无"))]);
  fill($("#timeline"), data.timeline.map((t) => h("li", { "data-kind": t.kind },
    h("time", {}, when(t.at)), " ", h("strong", {}, label(TIMELINE, t.kind)), " ",
    h("span", { class: "muted" }, t.who ?? "", t.role ? `（${label(ROLES, t.role)}）` : ""),
    detailText(t))));
}

// What the unit reported (L 3.2.3(2)): read out to the citizen at the callback.
function replyText(reply) {
  return reply ? `${reply.handled ? "已处理" : "未处理"}：${reply.text}` : "—";
}

function detailText(item) {
  const d = item.detail ?? {};
  const parts = [];
  if (d.reason) parts.push(d.reason);
  if (d.to_state) parts.push(`→ ${label(ORDER_STATES, d.to_state)}`);
  if (d.agency) parts.push(d.agency);
  if (d.after) parts.push(Object.entries(d.after).map(([k, v]) => `${k}=${v}`).join("，"));
  if (d.result) parts.push(d.result);
  if (d.satisfaction) parts.push(`满意度 ${d.satisfaction}`);
  if (d.last_result) parts.push(d.last_result);
  return parts.length ? h("div", { class: "muted" }, parts.join(" ")) : null;
}

// The moment that meets each deadline; once the unit has reported, none is running any more.
const MET_BY = { dispatch_due: "dispatched_at", receipt_due: "received_at", onsite_due: "arrived_at",
  resolve_due: "handled_at" };
const SETTLED = ["handled", "not_handled", "callback", "closed"];

function showDeadlines(data) {
  const o = data.order;
  fill($("#deadlines"), data.deadlines.filter((d) => d.at).map((d) => {
    const met = o[MET_BY[d.name]];
    const state = met ? h("td", { class: "met" }, `已于 ${when(met)} 完成`)
      : SETTLED.includes(o.status) ? h("td", { class: "muted" }, "—")
        : h("td", { class: "due", "data-urgency": d.urgency, "data-due": d.at },
          timeLeft((Date.parse(d.at) - Date.now()) / 1000));
    return h("tr", { "data-deadline": d.name }, h("th", {}, label(DEADLINES, d.name)), h("td", {}, when(d.at)), state);
  }));
}
setInterval(() => {
  for (const cell of document.querySelectorAll("#deadlines td.due")) {
    cell.textContent = timeLeft((Date.parse(cell.dataset.due) - Date.now()) / 1000);
  }
}, 1000);

function showActions(data) {
  const actions = data.actions.filter((a) => a !== "reclassify");
  const buttons = actions.filter((a) => a === "answer");
  $("#dispatch-form").hidden = !actions.includes("dispatch");
  $("#dispatch-confirm").hidden = true;
  const callback = actions.includes("start_callback") || actions.includes("close");
  $("#callback-form").hidden = !callback;
  fill($("#actions"), buttons.map((a) =>
    h("button", { type: "button", "data-action": a, onclick: () => answer() }, label(ACTIONS, a))));
  if (!actions.length) $("#actions").append(h("span", { class: "muted" }, "当前状态下您没有可执行的操作"));
  if (actions.includes("dispatch")) fillDispatch(data);
  showClassify(data, actions.includes("classify"));
}

// 定性: the SLA table's case of the order and whether it is complex; the deadlines follow.
function showClassify(data, allowed) {
  const form = $("#classify-form");
  form.hidden = !allowed || !data.cases?.length;
  if (form.hidden) return;
  fill(form.case, data.cases.map((c) => h("option", { value: c }, label(CASES, c))));
  form.case.value = data.order.case ?? "general";
  form.complex.checked = Boolean(data.order.complex);
}

$("#classify-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const result = await api("POST", `/api/orders/${page.number}/events`,
    { event: "classify", case: form.case.value, complex: form.complex.checked });
  done(result, "已重新定性，时限已重新计算");
});

function fillDispatch(data) {
  const select = $("#dispatch-form").agency;
  const suggested = data.suggested_agency;
  fill(select, data.agencies.map((a) => h("option", { value: a.id },
    a.name + (suggested?.id === a.id ? "（推荐）" : ""))));
  if (suggested) select.value = suggested.id;
  $("#dispatch-hint").textContent = suggested
    ? `按业务与区县推荐：${suggested.name}，可改派` : "无法自动推荐单位：请先更正业务，或手动选择";
}

$("#dispatch-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const select = event.target.agency;
  $("#dispatch-question").textContent = `确认将工单 ${page.number} 派往「${select.selectedOptions[0]?.textContent ?? ""}」？`;
  $("#dispatch-confirm").hidden = false;
});
$("#dispatch-no").addEventListener("click", () => { $("#dispatch-confirm").hidden = true; });
$("#dispatch-yes").addEventListener("click", async () => {
  const agency = $("#dispatch-form").agency.value;
  const result = await api("POST", `/api/desk/orders/${page.number}/dispatch`, { agency });
  done(result, "已派单");
});

$("#callback-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const verdict = event.submitter?.value ?? "close";
  const note = event.target.note.value.trim();
  const path = `/api/orders/${page.number}/events`;
  if (page.data.actions.includes("start_callback")) {
    const started = await api("POST", path, { event: "callback", reason: note });
    if (!started.ok) return say("#action-message", problem(started));
  }
  const result = await api("POST", path, { event: verdict, reason: note });
  if (result.ok) event.target.reset();
  done(result, verdict === "close" ? "回访完成，工单已关闭" : "已重办，工单重新派出");
});

async function answer() {
  const result = await api("POST", `/api/orders/${page.number}/events`, { event: "answer", reason: "当场答复" });
  done(result, "已答复办结");
}

async function done(result, text) {
  if (!result.ok) return say("#action-message", problem(result));
  await refreshOrder();
  say("#action-message", text, "ok");
  page.onChanged();
}

function showCorrection(data) {
  const box = $("#correct");
  box.hidden = !data.can_correct;
  if (!data.can_correct) return;
  const form = $("#correct-form");
  const o = data.order;
  options(form.utility, UTILITIES, { blank: "待分类" });
  options(form.order_type, ORDER_TYPES);
  options(form.district, DISTRICTS, { blank: "未知" });
  Object.assign(form.utility, { value: o.utility ?? "" });
  form.order_type.value = o.order_type;
  form.district.value = o.district ?? "";
  form.address.value = o.address ?? "";
  form.emergency.checked = o.emergency;
  const onlyType = o.status !== "created";  // after dispatch: reclassify the type only
  for (const name of ["utility", "district", "address", "emergency"]) form[name].disabled = onlyType;
}

$("#correct-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const o = page.data.order;
  const body = {};
  if (form.utility.value && form.utility.value !== o.utility) body.utility = form.utility.value;
  if (form.order_type.value !== o.order_type) body.order_type = form.order_type.value;
  if (form.district.value && form.district.value !== o.district) body.district = form.district.value;
  if (form.address.value.trim() && form.address.value.trim() !== (o.address ?? "")) body.address = form.address.value.trim();
  if (form.emergency.checked !== o.emergency) body.emergency = form.emergency.checked;
  if (form.reason.value.trim()) body.reason = form.reason.value.trim();
  const result = await api("POST", `/api/desk/orders/${page.number}/correction`, body);
  if (!result.ok) return say("#correct-message", problem(result));
  await refreshOrder();
  say("#correct-message", "已更正", "ok");
  page.onChanged();
});

function showMedia(data) {
  const o = data.order;
  const audio = $("#recording");
  const src = `/api/orders/${o.number}/recording`;
  audio.hidden = !data.can_hear;
  if (data.can_hear && audio.dataset.src !== src) {
    audio.dataset.src = src;
    audio.src = src;  // fetched (and audited) only when played: preload none
  }
  $("#no-recording").hidden = data.can_hear;
  $("#no-recording").textContent = o.recording?.stored ? "您的角色不能收听录音" : "无录音";
  $("#transcript").textContent = o.transcript ?? "（无转写）";
  fill($("#photos"), data.photos.length ? data.photos.map((p) => h("a", {
    href: `/api/orders/${o.number}/photos/${p.id}`, target: "_blank", rel: "noopener",
  }, h("img", { src: `/api/orders/${o.number}/photos/${p.id}`, alt: `照片 ${p.id}`, loading: "lazy" })))
    : [h("span", { class: "muted" }, "无")]);
}

