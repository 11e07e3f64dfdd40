// The wallboard's server-side figures (the `wallboard` update of /api/live, computed by
// routing/floor/wallboard.py from the database): service level and abandon rate for 15 / 60 min
// and today, calls per utility, orders near or past a deadline, the agency scorecard.

import { $, fill, h } from "./dom.js";
import { UTILITIES, duration, label } from "./labels.js";

const WINDOWS = { "15m": "近 15 分钟", "60m": "近 60 分钟", today: "今日" };
const DEADLINES = { dispatch: "派单", receipt: "签收", resolve: "办结" };

const percent = (value) => (value === null || value === undefined ? "—" : `${Math.round(value)}%`);
const emptyRow = (columns, text) => h("tr", {}, h("td", { colspan: columns, class: "muted" }, text));

/** Draw the last figures; `now` (ms, server clock) ticks the deadlines' time left. */
export function renderFigures(figures, now) {
  if (!figures) return;
  const rule = figures.service_level_rule;
  $("#sl-rule").textContent =
    `${rule.answer_seconds} 秒内接听（${rule.clauses.join("，")}），目标 ${rule.target_percent}%`;
  fill($("#sl-windows"), figures.windows.map((w) => h("tr", { "data-window": w.window },
    h("th", { scope: "row" }, WINDOWS[w.window] ?? w.window),
    h("td", { class: "num" }, w.answered),
    h("td", { class: "num" }, w.answered_within),
    h("td", { class: "num" }, w.abandoned),
    h("td", { class: "num", "data-field": "service-level",
      "data-alert": String(w.service_level !== null && w.service_level < rule.target_percent) },
    percent(w.service_level)),
    h("td", { class: "num", "data-field": "abandon-rate" }, percent(w.abandon_rate)))));
  renderUtilities(figures.windows);
  renderDeadlines(figures.deadlines, now);
  renderScorecard(figures.scorecard.agencies);
}

function renderUtilities(windows) {
  const used = new Set(windows.flatMap((w) => Object.keys(w.per_utility)));
  const rows = [...Object.keys(UTILITIES), "none"].filter((u) => used.has(u));
  fill($("#server-per-utility"), rows.length === 0
    ? emptyRow(4, "今日尚无来电")
    : rows.map((u) => h("tr", { "data-utility": u },
      h("th", { scope: "row" }, label(UTILITIES, u, "未选择业务")),
      windows.map((w) => h("td", { class: "num", "data-window": w.window }, w.per_utility[u] ?? 0)))));
}

function renderDeadlines(items, now) {
  fill($("#deadlines"), items.length === 0
    ? emptyRow(5, "无临近或超出时限的工单")
    : items.map((d) => {
      const left = (Date.parse(d.due) - now) / 1000;
      return h("tr", { "data-number": d.number, class: left < 0 ? "urgent" : null },
        h("td", { class: "mono" }, d.number, d.emergency ? " · 紧急" : ""),
        h("td", {}, label(UTILITIES, d.utility, "未分类")),
        h("td", {}, d.agency ?? "—"),
        h("td", {}, label(DEADLINES, d.deadline)),
        h("td", { "data-overdue": String(left < 0) },
          left < 0 ? `超时 ${duration(-left)}` : `剩余 ${duration(left)}`));
    }));
}

function renderScorecard(agencies) {
  fill($("#scorecard"), agencies.length === 0
    ? emptyRow(7, "本月尚无派单")
    : agencies.map((a) => h("tr", { "data-agency": a.agency },
      h("td", {}, a.agency),
      h("td", { class: "num" }, a.dispatched),
      h("td", { class: "num" }, percent(a.received_on_time)),
      h("td", { class: "num" }, percent(a.resolved_on_time)),
      h("td", { class: "num", title: `${a.onsite_decided} 单有到场时限` },
        percent(a.onsite_on_time)),
      h("td", { class: "num", "data-alert": String(a.overdue_now > 0) }, a.overdue_now),
      h("td", { class: "num", title: `${a.satisfaction_rated} 次回访评价` },
        percent(a.satisfaction)))));
}
