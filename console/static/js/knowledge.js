// The knowledge base beside the screen-pop (issue 17): answers suggested for the caller's
// utility, a search box for the caller's own words, and "answered on the spot", which
// records the consultation with the entry read out (L 3.2.3(1)).

import { api, problem } from "./api.js";
import { $, fill, h } from "./dom.js";

const kb = { pop: null, chosen: null };

function entryItem(entry) {
  return h("li", {},
    h("button", { type: "button", class: "link", "data-entry": entry.id,
      onclick: () => show(entry) }, entry.title),
    entry.score != null ? h("span", { class: "muted" }, ` ${Math.round(entry.score * 100)}%`) : null);
}

function show(entry) {
  kb.chosen = entry;
  $("#kb-answer").hidden = false;
  $("#kb-title").textContent = entry.title;
  $("#kb-text").textContent = entry.answer;
  $("#kb-clauses").textContent = `依据：${entry.clauses.join("、")}`;
  $("#kb-answered").disabled = !kb.pop;
  $("#kb-message").textContent = "";
}

async function list(path) {
  const result = await api("GET", path);
  if (!result.ok) {
    fill($("#kb-results"), h("li", { class: "muted" }, problem(result)));
    return [];
  }
  const entries = result.data.entries;
  fill($("#kb-results"), entries.length ? entries.map(entryItem)
    : h("li", { class: "muted" }, "没有找到相关知识，可转为咨询工单稍后答复"));
  return entries;
}

/** On a screen-pop: the caller's utility's answers, the best first shown at once. */
export async function suggestFor(pop) {
  kb.pop = pop;
  kb.chosen = null;
  $("#knowledge").hidden = false;
  $("#kb-answer").hidden = true;
  const query = pop.transcript || "";
  const utility = pop.utility ? `utility=${encodeURIComponent(pop.utility)}` : "";
  const entries = query
    ? await list(`/api/knowledge/search?q=${encodeURIComponent(query)}&${utility}`)
    : await list(`/api/knowledge?${utility}`);
  if (entries.length && query) show(entries[0]);
}

async function search(event) {
  event.preventDefault();
  const q = $("#kb-query").value.trim();
  if (!q) return;
  const utility = kb.pop?.utility ? `&utility=${encodeURIComponent(kb.pop.utility)}` : "";
  const entries = await list(`/api/knowledge/search?q=${encodeURIComponent(q)}${utility}`);
  if (entries.length) show(entries[0]);
}

async function answered() {
  if (!kb.pop || !kb.chosen) return;
  const question = $("#kb-query").value.trim() || kb.chosen.title;
  const body = { caller_number: kb.pop.caller_number, question, call_id: kb.pop.call_id };
  if (kb.pop.utility) body.utility = kb.pop.utility;
  const result = await api("POST", `/api/knowledge/${kb.chosen.id}/answered`, body);
  const message = $("#kb-message");
  message.dataset.kind = result.ok ? "ok" : "error";
  message.textContent = result.ok
    ? `已当场解答，咨询记录 ${result.data.order.number}` : problem(result);
  if (result.ok) $("#kb-answered").disabled = true;
}

export function setUpKnowledge() {
  $("#kb-form").addEventListener("submit", search);
  $("#kb-answered").addEventListener("click", answered);
}

export function closeKnowledge() {
  kb.pop = null;
  $("#knowledge").hidden = true;
}
