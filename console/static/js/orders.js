// The order desk: lists with counts, filters, live refresh; an order's page is order_page.js.

import { api, problem } from "./api.js";
import { $, fill, h, options } from "./dom.js";
import {
  DESK_VIEWS, DISTRICTS, ORDER_STATES, ORDER_TYPES, URGENCY, UTILITIES, label, timeLeft,
} from "./labels.js";
import { connectLive } from "./live.js";
import { openOrder, refreshOrder, shownNumber } from "./order_page.js";
import { liveStatus, signIn } from "./session.js";

const CENTER = ["center_staff", "business_section", "supervision_section", "duty_supervisor", "leader"];
const desk = { view: "review", filters: {}, loadedAt: 0, orders: [] };

signIn({ roles: CENTER, onEnter: enter });

async function enter(me) {
  desk.me = me;
  $("#desk").hidden = false;
  const filters = $("#filters");
  options(filters.utility, UTILITIES, { blank: "全部" });
  options(filters.district, DISTRICTS, { blank: "全部" });
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    desk.filters = Object.fromEntries(
      [...new FormData(filters)].filter(([, v]) => String(v).trim() !== ""));
    load();
  });
  const wanted = new URLSearchParams(location.search).get("view");
  if (wanted && DESK_VIEWS[wanted]) desk.view = wanted;
  await load();
  const number = location.hash.slice(1);
  if (/^\d+$/.test(number)) openOrder(number, me, load);
  connectLive(onUpdate, liveStatus);
  setInterval(tick, 1000);
  // A unit's receipt or report is not on the live feed: the lists are recounted meanwhile.
  setInterval(() => {
    load();
    const editing = $("#order").contains(document.activeElement) || $("#correct").open;
    if (shownNumber() && !editing) refreshOrder();
  }, 30000);
}

let pending = null;
function onUpdate(update) {
  const data = update.data ?? {};
  if (!["order_created", "order_dispatched", "call_ended"].includes(update.topic)) return;
  clearTimeout(pending);  // a burst of updates is one reload
  pending = setTimeout(load, 300);
  if (data.number && data.number === shownNumber()) refreshOrder();
}

export async function load() {
  const query = new URLSearchParams({ view: desk.view, ...desk.filters });
  const result = await api("GET", `/api/desk/orders?${query}`);
  if (!result.ok) return ($("#list-message").textContent = problem(result));
  $("#list-message").textContent = result.data.orders.length ? "" : "没有工单";
  desk.loadedAt = performance.now();
  desk.orders = result.data.orders;
  showTabs(result.data.counts);
  desk.agencies = result.data.agencies ?? {};
  showAgencies(result.data.agencies);
  fill($("#orders"), result.data.orders.map(row));
}

function showTabs(counts) {
  fill($("#views"), Object.entries(DESK_VIEWS).map(([view, text]) => h("button", {
    type: "button", role: "tab", "data-view": view, "aria-selected": String(view === desk.view),
    class: view === "late" && counts[view] > 0 ? "tab alert" : "tab",
    onclick: () => { desk.view = view; load(); },
  }, text, " ", h("span", { class: "count", "data-count": view }, counts[view] ?? 0))));
}

function showAgencies(names) {
  const select = $("#filters").agency;
  if (select.options.length) return;  // the directory does not change while the page is open
  options(select, names ?? {}, { blank: "全部" });
}

function row(order) {
  return h("tr", {
    "data-number": order.number, tabindex: "0",
    class: order.due.urgency === "late" || order.emergency ? "urgent clickable" : "clickable",
    onclick: () => openOrder(order.number, desk.me, load),
    onkeydown: (e) => { if (e.key === "Enter") openOrder(order.number, desk.me, load); },
  },
  h("td", { class: "mono" }, order.number, order.from_ivr ? h("span", { class: "badge" }, "IVR") : null),
  h("td", {}, label(UTILITIES, order.utility, "待分类")),
  h("td", {}, label(ORDER_TYPES, order.order_type), order.emergency ? h("span", { class: "badge warn" }, "急") : null),
  h("td", {}, label(ORDER_STATES, order.status)),
  h("td", {}, label(DISTRICTS, order.district, ""), " ", order.address ?? "",
    order.agency_id ? h("div", { class: "muted" }, desk.agencies[order.agency_id] ?? order.agency_id) : null),
  h("td", { class: "due", "data-urgency": order.due.urgency, "data-due": order.due.at ?? "" },
    dueText(order.due)));
}

function dueText(due) {
  if (!due.at) return label(URGENCY, due.urgency);
  return timeLeft((Date.parse(due.at) - Date.now()) / 1000);
}

function tick() {
  for (const cell of document.querySelectorAll("#orders td.due[data-due]")) {
    if (!cell.dataset.due) continue;
    const left = (Date.parse(cell.dataset.due) - Date.now()) / 1000;
    cell.textContent = timeLeft(left);
    if (left <= 0) cell.dataset.urgency = "late";
  }
}
