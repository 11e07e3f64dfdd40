// The public page: scope, outages, time limits and units, from /api/public/commitments.
import { $, fill, h } from "./dom.js";

const CASES = { general: "一般" };

function limitRow(row) {
  return h("tr", { "data-utility": row.utility },
    h("td", {}, row.utility_name), h("td", {}, row.order_type_name),
    h("td", {}, CASES[row.case] || row.note || row.case),
    h("td", {}, row.dispatch, row.receipt_confirmed ? "（确认签收）" : ""),
    h("td", {}, row.onsite || "—"),
    h("td", {}, row.resolve || "—", row.resolve_complex ? `；复杂 ${row.resolve_complex}` : ""),
    h("td", {}, h("span", { class: "clauses" }, row.clauses.join("、")),
      row.center_default ? h("div", { class: "default" }, "中心自定") : null));
}

function outage(item) {
  const beijing = (iso) => new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" });
  const when = `${beijing(item.starts_at)} 至 ${beijing(item.ends_at)}`;
  return h("div", { class: "outage" },
    h("strong", {}, `${item.utility}${item.kind === "planned" ? "计划停供" : "突发停供"}`),
    ` ${item.districts.join("、")} · ${when}`, h("div", {}, item.text));
}

function showLimits(limits, utility) {
  fill($("#limits"), limits.filter((r) => !utility || r.utility === utility).map(limitRow));
}

async function main() {
  const response = await fetch("/api/public/commitments");
  const data = await response.json();
  fill($("#scope"), `${data.scope.hours}受理${data.scope.utilities.join("、")}方面的`,
    `${data.scope.order_types.join("、")}。${data.scope.out_of_scope}。`);
  fill($("#scope-clauses"), `依据：${data.scope.clauses.join("、")}`);
  fill($("#outages"), data.outages.length ? data.outages.map(outage)
    : h("p", { class: "muted" }, "目前没有停供公告。"));
  const names = Object.fromEntries(data.limits.map((r) => [r.utility, r.utility_name]));
  const filter = $("#utility-filter");
  fill(filter, h("option", { value: "" }, "全部"),
    Object.entries(names).map(([value, text]) => h("option", { value }, text)));
  filter.addEventListener("change", () => showLimits(data.limits, filter.value));
  showLimits(data.limits, "");
  fill($("#units"), data.units.map((u) => h("li", {}, `${u.name}：`,
    u.district ? `${u.district}辖区内 ` : "", u.utilities.join("、"))));
}

main();
